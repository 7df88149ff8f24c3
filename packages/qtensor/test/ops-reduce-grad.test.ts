// Reduction gradients: finite differences (gradcheck) and hand-computed tie / zero cases.
import { describe, expect, it } from 'vitest';
import {
  Generator, Tensor, amax, amin, cumprod, cumsum, float32, float64, gradcheck, logsumexp, max, mean, min, norm, prod, randn, sort, std, sum, tensor,
  topk, variance,
} from '../src/index.js';

const gen = new Generator(21);
const leaf = (shape: number[]): Tensor => randn(shape, { generator: gen, dtype: float64 }).requiresGrad_();
/** A leaf whose values are distinct and well separated (extremes without near-ties). */
const spread = (shape: number[]): Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  const vals = Array.from({ length: n }, (_, i) => ((i * 7) % n) * 0.37 - 1);
  return tensor(vals, { dtype: float64 }).reshape(shape).detach().requiresGrad_();
};

describe('gradcheck', () => {
  it('sum / mean over all, one and several dims, keepdim, non-contiguous input', () => {
    expect(gradcheck((x) => sum(x), [leaf([3, 4])])).toBe(true);
    expect(gradcheck((x) => sum(x, 1, { keepdim: true }), [leaf([3, 4])])).toBe(true);
    expect(gradcheck((x) => mean(x, [0, 2]), [leaf([2, 3, 4])])).toBe(true);
    expect(gradcheck((x) => x.t().mean(0), [leaf([3, 4])])).toBe(true);
  });
  it('prod, including a zero in the input', () => {
    expect(gradcheck((x) => prod(x, 1), [leaf([3, 4])])).toBe(true);
    const z = tensor([[1.5, 0, -2], [0.5, 3, 1]], { dtype: float64 }).requiresGrad_();
    expect(gradcheck((x) => prod(x), [z])).toBe(true);
    expect(gradcheck((x) => prod(x, 1), [z])).toBe(true);
  });
  it('var / std with corrections', () => {
    expect(gradcheck((x) => variance(x, 1), [leaf([3, 5])])).toBe(true);
    expect(gradcheck((x) => variance(x, { correction: 0 }), [leaf([3, 5])])).toBe(true);
    expect(gradcheck((x) => std(x, [0, 1], { keepdim: true }), [leaf([3, 4, 2])])).toBe(true);
    expect(gradcheck((x) => x.t().std(1, { unbiased: false }), [leaf([4, 3])])).toBe(true);
  });
  it('max / min whole and along a dim, amax / amin', () => {
    expect(gradcheck((x) => max(x), [spread([3, 4])])).toBe(true);
    expect(gradcheck((x) => max(x, 1).values, [spread([3, 4])])).toBe(true);
    expect(gradcheck((x) => min(x, 0, { keepdim: true }).values, [spread([3, 4])])).toBe(true);
    expect(gradcheck((x) => amax(x, [0, 2]), [spread([2, 3, 4])])).toBe(true);
    expect(gradcheck((x) => amin(x.t(), 1), [spread([3, 4])])).toBe(true);
  });
  it('norm for p = 2, 1, 3, inf, and over dims', () => {
    expect(gradcheck((x) => norm(x), [leaf([3, 4])])).toBe(true);
    expect(gradcheck((x) => norm(x, 1, { dim: 1 }), [leaf([3, 4])])).toBe(true);
    expect(gradcheck((x) => norm(x, 3, { dim: [0, 1], keepdim: true }), [leaf([3, 4])])).toBe(true);
    expect(gradcheck((x) => norm(x, Infinity, { dim: 0 }), [spread([3, 4])])).toBe(true);
  });
  it('logsumexp, cumsum, cumprod, sort and topk values', () => {
    expect(gradcheck((x) => logsumexp(x, 1), [leaf([3, 4])])).toBe(true);
    expect(gradcheck((x) => logsumexp(x, [0, 1], { keepdim: true }), [leaf([3, 4])])).toBe(true);
    expect(gradcheck((x) => cumsum(x, 0), [leaf([3, 4])])).toBe(true);
    expect(gradcheck((x) => cumsum(x.t(), 1), [leaf([3, 4])])).toBe(true);
    expect(gradcheck((x) => cumprod(x, 1), [leaf([3, 4])])).toBe(true);
    expect(gradcheck((x) => sort(x, { dim: 0, descending: true }).values, [spread([3, 4])])).toBe(true);
    expect(gradcheck((x) => topk(x, 2, { dim: 0 }).values, [spread([4, 3])])).toBe(true);
  });
});

/** Backward of `fn(x)` with an all-ones upstream gradient; returns x.grad values. */
function gradOf(values: number[], fn: (x: Tensor) => Tensor): number[] {
  const x = tensor(values).requiresGrad_();
  const y = fn(x);
  y.backward(tensor(new Array(y.numel()).fill(1)).reshape(y.shape));
  return x.grad!.toArray();
}

describe('hand-computed gradients', () => {
  it('amax and whole-tensor max split the gradient evenly among ties', () => {
    expect(gradOf([1, 3, 3, 2], (x) => amax(x))).toEqual([0, 0.5, 0.5, 0]);
    expect(gradOf([1, 3, 3, 2], (x) => max(x))).toEqual([0, 0.5, 0.5, 0]);
    expect(gradOf([4, 1, 1, 1], (x) => min(x))).toEqual([0, 1 / 3, 1 / 3, 1 / 3].map(Math.fround));
  });
  it('max along a dim sends the gradient to the first index only', () => {
    expect(gradOf([1, 3, 3, 2], (x) => max(x, 0).values)).toEqual([0, 1, 0, 0]);
  });
  it('prod with zeros: one zero gets the product of the others, two zeros give zero', () => {
    expect(gradOf([2, 0, 3], (x) => prod(x))).toEqual([0, 6, 0]);
    expect(gradOf([0, 0, 3], (x) => prod(x))).toEqual([0, 0, 0]);
  });
  it('cumprod with a zero (no division by x)', () => {
    // y = [2, 0, 0]; dy/dx0 = 1 + 0 + 0, dy/dx1 = 2 + 2*3, dy/dx2 = 0
    expect(gradOf([2, 0, 3], (x) => cumprod(x, 0))).toEqual([1, 8, 0]);
  });
  it('norm and std at zero give zero gradients instead of NaN', () => {
    expect(gradOf([0, 0], (x) => norm(x))).toEqual([0, 0]);
    expect(gradOf([5, 5, 5], (x) => std(x))).toEqual([0, 0, 0]);
  });
  it('mean scales by 1/N; sum of a float32 input gives a float32 gradient', () => {
    expect(gradOf([1, 2, 3, 4], (x) => mean(x))).toEqual([0.25, 0.25, 0.25, 0.25]);
    const x = tensor([1, 2]).requiresGrad_();
    sum(x).backward();
    expect(x.grad!.dtype).toBe(float32);
  });
  it('results record grad_fn names; integer results and argmax do not require grad', () => {
    const x = tensor([1, 2]).requiresGrad_();
    expect(sum(x).gradFn?.name).toBe('Sum');
    expect(norm(x).gradFn?.name).toBe('LinalgVectorNorm');
    expect(max(x, 0).indices.requiresGrad).toBe(false);
    expect(x.argmax().requiresGrad).toBe(false);
  });
});
