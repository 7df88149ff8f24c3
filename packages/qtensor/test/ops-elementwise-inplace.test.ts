// In-place `_` ops: writes through strided / offset views into shared storage, aliasing
// operands, dtype casting rules (torch.can_cast), shape and overlap errors, autograd refusals,
// and an in-place op joining the graph when its other operand requires grad.
import { describe, expect, it } from 'vitest';
import {
  QTorchShapeError, QTorchTypeError, QTorchValueError, abs_, add_, arange, canCast, clamp_, div_, eq_, exp_, float16, float32,
  float64, int16, int32, int64, int8, logicalNot_, mul_, neg_, noGrad, quantizePerTensor, quint8, round_, sub_, tensor, uint8, zeros,
  bool, addcmul_, lerp_, sqrt_, floorDivide_, pow_,
} from '../src/index.js';
import { expectValues } from './ops-elementwise-helpers.js';

describe('writes into storage', () => {
  it('returns the same tensor and updates its storage', () => {
    const x = tensor([1, 2, 3]);
    const data = x.data;
    expect(x.add_(10)).toBe(x);
    expect(x.data).toBe(data);
    expectValues(x, { values: [11, 12, 13], shape: [3] });
    expect(mul_(x, tensor([2, 0, -1]))).toBe(x);
    expectValues(x, { values: [22, 0, -13], shape: [3] });
  });

  it('a transposed (non-contiguous) destination is written through its strides', () => {
    const base = zeros([2, 3]);
    const v = base.t(); // [3, 2]
    v.add_(tensor([1, 2])); // broadcast [2] over [3, 2]
    expectValues(base, { values: [1, 1, 1, 2, 2, 2], shape: [2, 3] });
    v.mul_(tensor([[1, 1], [10, 10], [100, 100]]));
    expectValues(base, { values: [1, 10, 100, 2, 20, 200], shape: [2, 3] });
  });

  it('an offset view only touches its own elements', () => {
    const base = arange(0, 6).reshape(2, 3);
    base.select(0, 1).neg_();
    base.slice(1, 0, null, 2).sub_(0.5); // columns 0 and 2
    expectValues(base, { values: [-0.5, 1, 1.5, -3.5, -4, -5.5], shape: [2, 3] });
  });

  it('reads an overlapping source view before overwriting it', () => {
    const base = tensor([1, 2, 3, 4, 5]);
    const x = base.slice(0, 1, 5), other = base.slice(0, 0, 4); // x[i] = base[i+1], other[i] = base[i]
    x.add_(other);
    expectValues(base, { values: [1, 3, 5, 7, 9], shape: [5] }); // old values; streaming would give 1, 3, 6, 10, 15
    const y = tensor([1, 2, 3]);
    y.mul_(y);
    expectValues(y, { values: [1, 4, 9], shape: [3] });
  });

  it('float16 destinations round on write; unary in-place ops', () => {
    const h = tensor([1, 2048], { dtype: float16 });
    add_(h, tensor([0.1, 1]));
    expectValues(h, { values: [1.099609375, 2048], shape: [2] }, float16);
    const x = tensor([-1.5, 2.5, 0.49]);
    abs_(x);
    expectValues(x, { values: [1.5, 2.5, Math.fround(0.49)], shape: [3] });
    round_(x);
    expectValues(x, { values: [2, 2, 0], shape: [3] });
    expectValues(sqrt_(exp_(tensor([0, 0]))), { values: [1, 1], shape: [2] });
    const c = tensor([-3, 0.5, 9]);
    clamp_(c, { min: 0, max: 1 });
    expectValues(c, { values: [0, 0.5, 1], shape: [3] });
  });

  it('comparison and logical in-place ops write 1/0 in the tensor dtype', () => {
    const x = tensor([1, 2, 3]);
    eq_(x, 2);
    expectValues(x, { values: [0, 1, 0], shape: [3] }, float32);
    const y = tensor([0, 5], { dtype: int32 });
    logicalNot_(y);
    expectValues(y, { values: [1, 0], shape: [2] }, int32);
  });

  it('ternary in-place ops', () => {
    const x = tensor([1, 2]);
    addcmul_(x, tensor([3, 4]), tensor([2, 2]), { value: 0.5 });
    expectValues(x, { values: [4, 6], shape: [2] });
    lerp_(x, tensor([0, 0]), 0.5);
    expectValues(x, { values: [2, 3], shape: [2] });
  });
});

describe('dtype rules (torch.can_cast)', () => {
  it('canCast table', () => {
    expect(canCast(int32, float16)).toBe(true);
    expect(canCast(float32, int64)).toBe(false);
    expect(canCast(int8, bool)).toBe(false);
    expect(canCast(bool, uint8)).toBe(true);
    expect(canCast(float64, float16)).toBe(true);
    expect(canCast(int64, int8)).toBe(true);
  });
  it('computes in the promoted dtype and casts into the destination', () => {
    const x = tensor([100, -100], { dtype: int8 });
    add_(x, tensor([100, -100], { dtype: int16 })); // int16 result 200 / -200, cast (wrapping) into int8
    expectValues(x, { values: [-56, 56], shape: [2] }, int8);
    const f = tensor([1, 2]);
    f.add_(tensor([0.1, 0.2], { dtype: float64 }));
    expectValues(f, { values: [Math.fround(1.1), Math.fround(2.2)], shape: [2] }, float32);
    const i = tensor([7, -7], { dtype: int64 });
    floorDivide_(i, 2);
    expectValues(i, { values: [3, -4], shape: [2] }, int64);
    const p = tensor([2, 3], { dtype: int32 });
    pow_(p, 2);
    expectValues(p, { values: [4, 9], shape: [2] }, int32);
  });
  it('refuses results that cannot be cast', () => {
    const i = tensor([1, 2], { dtype: int32 });
    expect(() => i.add_(1.5)).toThrow(QTorchTypeError);
    expect(() => div_(i, 2)).toThrow(/div_\(\).*result type torch.float32 can't be cast to the desired output type torch.int32/);
    expect(() => exp_(i)).toThrow(/can't be cast/);
    expect(() => clamp_(i, { min: 0.5 })).toThrow(/can't be cast/);
    expect(() => tensor([true]).add_(tensor([1], { dtype: uint8 }))).toThrow(/can't be cast/);
    expectValues(i, { values: [1, 2], shape: [2] }, int32); // untouched
  });
});

describe('errors', () => {
  it('broadcasting may not change the destination shape', () => {
    const x = zeros([3]);
    expect(() => x.add_(zeros([2, 3]))).toThrow(QTorchShapeError);
    expect(() => x.mul_(zeros([2, 3]))).toThrow(/mul_\(\).*output with shape \[3\] doesn't match the broadcast shape \[2, 3\]/);
  });
  it('an expanded destination (one element stored twice) is refused', () => {
    const e = zeros([3]).expand(2, 3);
    expect(() => e.add_(1)).toThrow(/more than one element of the written-to tensor/);
  });
  it('a leaf requiring grad is refused unless under noGrad', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    expect(() => w.add_(1)).toThrow(QTorchValueError);
    expect(() => neg_(w)).toThrow(/leaf Variable that requires grad/);
    noGrad(() => w.sub_(1));
    expectValues(w, { values: [0, 1], shape: [2] });
    expect(w.requiresGrad).toBe(true);
    expect(() => w.mul(2).mul_(2)).toThrow(/in-place operations on tensors that require grad/);
  });
  it('quantized destinations and operands are refused', () => {
    const q = quantizePerTensor(tensor([0.5]), 0.1, 0, quint8);
    expect(() => q.add_(1)).toThrow(/add_\(\).*dequantize/);
    expect(() => tensor([1]).mul_(q)).toThrow(QTorchTypeError);
  });
});

describe('autograd through in-place ops', () => {
  it('an in-place op with a grad-requiring operand makes the destination part of the graph', () => {
    const w = tensor([1, 2, 3], { requiresGrad: true });
    const x = tensor([4, 5, 6]);
    x.mul_(w);
    expect(x.requiresGrad).toBe(true);
    expect(x.isLeaf).toBe(false);
    expectValues(x, { values: [4, 10, 18], shape: [3] });
    x.backward(tensor([1, 1, 1]));
    expectValues(w.grad!, { values: [4, 5, 6], shape: [3] }); // d(x * w)/dw is x's value before the write
    // x now requires grad, so a further in-place op on it is refused (saved tensors stay valid)
    expect(() => x.add_(1)).toThrow(/in-place operations on tensors that require grad/);
  });
  it('broadcast operands get reduced gradients', () => {
    const b = tensor([1, 2, 3], { requiresGrad: true });
    const z = zeros([2, 3]);
    z.add_(b, { alpha: 2 });
    expectValues(z, { values: [2, 4, 6, 2, 4, 6], shape: [2, 3] });
    z.backward(tensor([[1, 1, 1], [1, 1, 1]]));
    expectValues(b.grad!, { values: [4, 4, 4], shape: [3] });
  });
});
