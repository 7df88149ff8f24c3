import { QTorchShapeError, float64, fromValues, gradcheck, manualSeed } from '@qtorch/qtensor';
import { describe, expect, it } from 'vitest';
import { Linear, NonDynamicallyQuantizableLinear } from '../src/index.js';
import { checkGrads, expectAllClose, lcgValues, leaf, toDouble, vals } from './helpers.js';

describe('Linear', () => {
  it('computes x W^T + b like a naive float64 loop', () => {
    const fc = toDouble(new Linear(3, 2));
    const xv = lcgValues(12, 3);
    const y = fc.call(fromValues(xv, [4, 3], float64));
    const w = vals(fc.weight), b = vals(fc.bias!);
    const expected: number[] = [];
    for (let n = 0; n < 4; n++) for (let o = 0; o < 2; o++) {
      let s = b[o]!;
      for (let i = 0; i < 3; i++) s += xv[n * 3 + i]! * w[o * 3 + i]!;
      expected.push(s);
    }
    expect(y.shape).toEqual([4, 2]);
    expectAllClose(vals(y), expected, 1e-12, 1e-12);
  });

  it('accepts extra leading dims and no bias', () => {
    const fc = new Linear(2, 3, { bias: false });
    expect(fc.bias).toBeNull();
    expect(fc.call(fromValues(lcgValues(12), [2, 3, 2])).shape).toEqual([2, 3, 3]);
    expect(Object.keys(fc.stateDict())).toEqual(['weight']);
  });

  it('initializes weight and bias within +-1/sqrt(fan_in), seeded', () => {
    manualSeed(0);
    const a = new Linear(16, 8);
    manualSeed(0);
    const b = new Linear(16, 8);
    expect(vals(a.weight)).toEqual(vals(b.weight));
    const bound = 1 / Math.sqrt(16);
    for (const v of [...vals(a.weight), ...vals(a.bias!)]) expect(Math.abs(v)).toBeLessThanOrEqual(bound);
    // U(-b, b) has variance b^2 / 3: 128 samples land well within 35%
    const w = vals(a.weight);
    const variance = w.reduce((s, v) => s + v * v, 0) / w.length;
    expect(variance).toBeGreaterThan(0.65 * bound ** 2 / 3);
    expect(variance).toBeLessThan(1.35 * bound ** 2 / 3);
  });

  it('prints like PyTorch and names its state', () => {
    expect(new Linear(4, 2).toString()).toBe('Linear(in_features=4, out_features=2, bias=True)');
    expect(new Linear(4, 2, { bias: false }).toString()).toBe('Linear(in_features=4, out_features=2, bias=False)');
    expect(new NonDynamicallyQuantizableLinear(8, 8).toString()).toBe('NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)');
    expect(Object.keys(new Linear(4, 2).stateDict())).toEqual(['weight', 'bias']);
  });

  it('rejects a wrong feature count with the shapes in the message', () => {
    expect(() => new Linear(4, 2).call(fromValues(lcgValues(6), [2, 3]))).toThrow(QTorchShapeError);
    expect(() => new Linear(4, 2).call(fromValues(lcgValues(6), [2, 3]))).toThrow(/\[2, 3\]/);
  });

  it('has correct gradients for input, weight and bias', () => {
    const fc = toDouble(new Linear(3, 2));
    const x = leaf(lcgValues(6, 5), [2, 3]);
    checkGrads(fc, [x], () => fc.call(x));
    expect(gradcheck((xx) => fc.call(xx), [leaf(lcgValues(6, 9), [2, 3])])).toBe(true);
  });
});
