import { float64, fromValues } from '@qtorch/qtensor';
import { describe, expect, it } from 'vitest';
import { GroupNorm, LayerNorm } from '../src/index.js';
import { checkGrads, expectAllClose, lcgValues, leaf, toDouble, vals } from './helpers.js';

const normalize = (xs: number[], eps = 1e-5): number[] => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length;
  return xs.map((x) => (x - m) / Math.sqrt(v + eps));
};

describe('LayerNorm', () => {
  it('normalizes the trailing dims and applies the elementwise affine', () => {
    const ln = toDouble(new LayerNorm([2, 3]));
    ln.weight!.requiresGrad = false; ln.bias!.requiresGrad = false;
    ln.weight!.copy_(fromValues([1, 2, 3, 4, 5, 6], [2, 3], float64));
    ln.bias!.copy_(fromValues([0, 0, 1, 1, -1, -1], [2, 3], float64));
    const xv = lcgValues(12, 2);
    const y = ln.call(fromValues(xv, [2, 2, 3], float64));
    const expected = [0, 1].flatMap((s) => normalize(xv.slice(s * 6, s * 6 + 6)).map((v, i) => v * (i + 1) + [0, 0, 1, 1, -1, -1][i]!));
    expectAllClose(vals(y), expected, 1e-9, 1e-9);
  });

  it('prints like PyTorch and has weight/bias unless elementwiseAffine is false', () => {
    expect(new LayerNorm(4).toString()).toBe('LayerNorm((4,), eps=1e-05, elementwise_affine=True)');
    expect(new LayerNorm([2, 3], { elementwiseAffine: false }).toString()).toBe('LayerNorm((2, 3), eps=1e-05, elementwise_affine=False)');
    expect(Object.keys(new LayerNorm([2, 3], { elementwiseAffine: false }).stateDict())).toEqual([]);
    expect(vals(new LayerNorm(3).weight!)).toEqual([1, 1, 1]);
  });

  it('has correct gradients', () => {
    const ln = toDouble(new LayerNorm(4));
    const x = leaf(lcgValues(8, 3), [2, 4]);
    checkGrads(ln, [x], () => ln.call(x), { rtol: 1e-3 });
  });
});

describe('GroupNorm', () => {
  it('normalizes groups of channels per sample', () => {
    const gn = new GroupNorm(2, 4);
    const xv = lcgValues(2 * 4 * 3, 6);
    const y = gn.call(fromValues(xv, [2, 4, 3]));
    const expected = [0, 1, 2, 3].flatMap((g) => normalize(xv.slice(g * 6, g * 6 + 6)));
    expectAllClose(vals(y), expected, 1e-5, 1e-5);
    expect(gn.toString()).toBe('GroupNorm(2, 4, eps=1e-05, affine=True)');
    expect(() => new GroupNorm(3, 4)).toThrow(/num_channels must be divisible by num_groups/);
  });

  it('has correct gradients', () => {
    const gn = toDouble(new GroupNorm(2, 4));
    const x = leaf(lcgValues(16, 7), [2, 4, 2]);
    checkGrads(gn, [x], () => gn.call(x), { rtol: 1e-3 });
  });
});
