// Autograd of the elementwise ops: gradcheck (central differences) for every differentiable op,
// including broadcast operands (gradients summed back to each input's shape) and number
// operands, plus hand-computed gradients at ties and bounds where PyTorch picks a convention.
import { describe, expect, it } from 'vitest';
import {
  type Tensor, abs, add, addcdiv, addcmul, atan2, ceil, clamp, cos, div, exp, expm1, float32, float64, floor, floorDivide, fmod, frac,
  gradcheck, lerp, log, log1p, log2, maximum, minimum, mul, neg, pow, reciprocal, remainder, round, rsqrt, sign, sin, sqrt, square,
  sub, tensor, trunc, where,
} from '../src/index.js';
import { expectValues, leaf, leafIn } from './ops-elementwise-helpers.js';

const check = (fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): void => {
  expect(gradcheck(fn, inputs, { atol: 1e-6, rtol: 1e-5 })).toBe(true);
};

describe('gradcheck: binary ops (broadcasting [2, 3] with [3] and [2, 1])', () => {
  const a = () => leafIn([2, 3], 1, -2, 2), b = () => leafIn([3], 2, 0.5, 2), c = () => leafIn([2, 1], 3, -2, -0.5);
  it('add / sub with alpha', () => {
    check((x, y) => add(x, y, { alpha: 0.7 }), [a(), b()]);
    check((x, y) => sub(x, y, { alpha: -1.3 }), [c(), a()]);
  });
  it('mul / div', () => {
    check(mul, [a(), c()]);
    check((x, y) => div(x, y), [a(), b()]);
    check((x, y) => div(x, y), [b(), c()]);
  });
  it('number operands', () => {
    check((x) => mul(2.5, x), [a()]);
    check((x) => div(3, x), [b()]);
    check((x) => sub(1, x), [a()]);
  });
  it('remainder / fmod (away from the jumps)', () => {
    const p = () => leafIn([2, 3], 4, 2.2, 2.8), q = () => leafIn([3], 5, 1, 1.05), n = () => leafIn([2, 3], 6, -2.8, -2.2);
    check(remainder, [p(), q()]);
    check(remainder, [n(), q()]);
    check(fmod, [n(), q()]);
    check(fmod, [p(), q()]);
  });
  it('pow: tensor ** tensor, tensor ** number, number ** tensor', () => {
    check(pow, [leafIn([2, 3], 7, 0.5, 2), leafIn([3], 8, 0.5, 2.5)]);
    check((x) => pow(x, 2.5), [leafIn([4], 9, 0.5, 2)]);
    check((x) => pow(x, 3), [a()]);
    check((x) => pow(1.7, x), [a()]);
  });
  it('maximum / minimum / atan2', () => {
    check(maximum, [a(), c()]);
    check(minimum, [a(), b()]);
    check(atan2, [a(), c()]);
    check(atan2, [b(), a()]);
  });
  it('rounded division has zero gradient', () => {
    check((x, y) => div(x, y, { roundingMode: 'trunc' }), [leafIn([4], 10, 2.2, 2.8), leafIn([4], 11, 1, 1.05)]);
    check(floorDivide, [leafIn([4], 12, 2.2, 2.8), leafIn([4], 13, 1, 1.05)]);
  });
});

describe('gradcheck: unary ops', () => {
  const any = () => leafIn([2, 3], 20, -2, 2);
  const positive = () => leafIn([2, 3], 21, 0.3, 3);
  // away from integers and half-integers, where the rounding ops jump
  const offGrid = () => leaf([-2.3, -1.2, -0.35, 0.15, 0.8, 1.7], [2, 3]);
  const cases: Array<[string, (x: Tensor) => Tensor, () => Tensor]> = [
    ['neg', neg, any], ['abs', abs, offGrid], ['exp', exp, any], ['expm1', expm1, any], ['log', log, positive], ['log1p', log1p, positive],
    ['log2', log2, positive], ['sqrt', sqrt, positive], ['rsqrt', rsqrt, positive], ['reciprocal', reciprocal, offGrid], ['sin', sin, any],
    ['cos', cos, any], ['square', square, any], ['frac', frac, offGrid], ['sign', sign, offGrid], ['round', round, offGrid],
    ['round decimals', (x) => round(x, { decimals: 1 }), () => leaf([0.12, -0.33, 1.21])], ['floor', floor, offGrid],
    ['ceil', ceil, offGrid], ['trunc', trunc, offGrid],
  ];
  for (const [name, op, input] of cases) it(name, () => check(op, [input()]));

  it('a transposed input', () => {
    check((x) => exp(x.t()), [any()]);
  });
});

describe('gradcheck: clamp, where, lerp, addcmul, addcdiv', () => {
  it('clamp with number and tensor bounds', () => {
    check((x) => clamp(x, { min: -0.5, max: 0.6 }), [leaf([-1.1, -0.4, 0.2, 0.59, 0.7, 2])]);
    check((x) => clamp(x, { min: 0.1 }), [leaf([-1.1, 0.2, 3])]);
    const x = leafIn([2, 3], 30, -2, 2), lo = leafIn([3], 31, -1, -0.5), hi = leafIn([2, 1], 32, 0.5, 1);
    check((p, l, h) => clamp(p, { min: l, max: h }), [x, lo, hi]);
    check((p, l) => clamp(p, { min: l }), [leafIn([2, 3], 33, -2, 2), leafIn([3], 34, -1, 1)]);
    check((p, h) => clamp(p, { max: h }), [leafIn([2, 3], 35, -2, 2), leafIn([3], 36, -1, 1)]);
  });
  it('where', () => {
    const cond = tensor([[true, false, true], [false, false, true]]);
    check((p, q) => where(cond, p, q), [leafIn([2, 3], 37, -1, 1), leafIn([3], 38, -1, 1)]);
    check((p) => where(cond, 0.5, p), [leafIn([2, 3], 39, -1, 1)]);
  });
  it('lerp', () => {
    check((s, e) => lerp(s, e, 0.3), [leafIn([2, 3], 40, -1, 1), leafIn([3], 41, -1, 1)]);
    check(lerp, [leafIn([2, 3], 42, -1, 1), leafIn([3], 43, -1, 1), leafIn([2, 1], 44, 0, 1)]);
  });
  it('addcmul / addcdiv', () => {
    check((x, p, q) => addcmul(x, p, q, { value: 0.4 }), [leafIn([2, 3], 45, -1, 1), leafIn([3], 46, -1, 1), leafIn([2, 1], 47, -1, 1)]);
    check((x, p, q) => addcdiv(x, p, q, { value: -2 }), [leafIn([3], 48, -1, 1), leafIn([2, 3], 49, -1, 1), leafIn([2, 1], 50, 1, 2)]);
  });
});

describe('gradient conventions', () => {
  it('maximum / minimum split the gradient evenly on ties', () => {
    const a = tensor([1, 2, 3], { requiresGrad: true }), b = tensor([1, 5, 0], { requiresGrad: true });
    maximum(a, b).backward(tensor([4, 4, 4]));
    expectValues(a.grad!, { values: [2, 0, 4], shape: [3] });
    expectValues(b.grad!, { values: [2, 4, 0], shape: [3] });
  });
  it('clamp passes the gradient on the bounds themselves (inclusive, unlike hardtanh)', () => {
    const x = tensor([-1, -0.5, 0, 0.5, 1], { requiresGrad: true });
    clamp(x, { min: -0.5, max: 0.5 }).backward(tensor([1, 1, 1, 1, 1]));
    expectValues(x.grad!, { values: [0, 1, 1, 1, 0], shape: [5] });
  });
  it('pow: zero gradient for a zero exponent and for 0 ** b with respect to b', () => {
    const x = tensor([0, 2], { requiresGrad: true }), e = tensor([0, 0], { requiresGrad: true });
    pow(x, e).backward(tensor([1, 1]));
    expectValues(x.grad!, { values: [0, 0], shape: [2] });
    expectValues(e.grad!, { values: [0, Math.fround(Math.log(2))], shape: [2] });
  });
  it('gradients keep each input dtype and shape', () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    const b = tensor([0.5, 0.25, 2], { dtype: float64, requiresGrad: true });
    const out = mul(a, b);
    expect(out.dtype).toBe(float64);
    out.backward(tensor([[1, 1, 1], [1, 1, 1]], { dtype: float64 }));
    expect(a.grad!.dtype).toBe(float32);
    expectValues(a.grad!, { values: [0.5, 0.25, 2, 0.5, 0.25, 2], shape: [2, 3] });
    expect(b.grad!.dtype).toBe(float64);
    expectValues(b.grad!, { values: [5, 7, 9], shape: [3] });
  });
  it('integer and bool results are not recorded', () => {
    const a = tensor([1.5, -2], { requiresGrad: true });
    expect(a.gt(0).requiresGrad).toBe(false);
    expect(a.isnan().gradFn).toBeNull();
    expect(a.add(1).gradFn?.name).toBe('Add');
  });
});
