import { describe, expect, it } from 'vitest';
import {
  PackedLinearWeight, QTorchShapeError, QTorchTypeError, QTorchValueError, float32, float64, linear, linearPacked, manualSeed, noGrad,
  int32, packLinearWeight, randn, tensor,
} from '../src/index.js';

const bits = (t: { values(): ArrayLike<number> }) => Array.from(t.values());

describe('packLinearWeight / linearPacked (float linear with the weight packed once, inference)', () => {
  it('gives the floats of linear(x, weight, bias) for 1-D to 3-D inputs, with and without bias', () => {
    manualSeed(5);
    const w = randn([7, 5]), b = randn([7]);
    for (const shape of [[5], [3, 5], [2, 4, 5], [0, 5]]) {
      const x = randn(shape);
      const y = linearPacked(x, packLinearWeight(w, b));
      expect(y.shape).toEqual([...shape.slice(0, -1), 7]);
      expect(bits(y)).toEqual(bits(linear(x, w, b)));
      expect(bits(linearPacked(x, packLinearWeight(w)))).toEqual(bits(linear(x, w)));
    }
  });

  it('is a snapshot: writes to the weight after packing are not seen', () => {
    const w = tensor([[1, 2], [3, 4]]), x = tensor([[1, 1]]);
    const packed = packLinearWeight(w);
    w.mul_(10);
    expect(bits(linearPacked(x, packed))).toEqual([3, 7]);
    expect(packed).toBeInstanceOf(PackedLinearWeight);
    expect([packed.outFeatures, packed.inFeatures]).toEqual([2, 2]);
  });

  it('keeps float32 weights; a float64 input computes as linear does with them', () => {
    const w = tensor([[0.1, 0.2]], { dtype: float64 }), x = tensor([[1, 2]], { dtype: float64 });
    const packed = packLinearWeight(w);
    expect(packed.weight.dtype).toBe(float32);
    expect(bits(linearPacked(x, packed))).toEqual(bits(linear(x, w.to(float32))));
  });

  it('refuses wrong shapes, non-float input, a foreign object and inputs that need grad', () => {
    const packed = packLinearWeight(randn([3, 4]), randn([3]));
    expect(() => linearPacked(randn([2, 5]), packed)).toThrow(QTorchShapeError);
    expect(() => linearPacked(randn([2, 5]), packed)).toThrow(/linearPacked\(\): input \[2, 5\] has 5 features, the packed weight expects 4/);
    expect(() => linearPacked(tensor([1, 2, 3, 4], { dtype: int32 }), packed)).toThrow(QTorchTypeError);
    expect(() => linearPacked(randn([4]), { weight: null } as never)).toThrow(QTorchValueError);
    const x = randn([2, 4], { requiresGrad: true });
    expect(() => linearPacked(x, packed)).toThrow(/inference only/);
    expect(noGrad(() => linearPacked(x, packed)).shape).toEqual([2, 3]);
    expect(() => packLinearWeight(randn([3]))).toThrow(/weight must be 2-D/);
    expect(() => packLinearWeight(randn([3, 4]), randn([4]))).toThrow(/bias must have shape \[3\]/);
  });
});
