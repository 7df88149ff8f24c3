import { Generator, QTorchShapeError, empty, zeros } from '@qtorch/qtensor';
import { describe, expect, it } from 'vitest';
import * as init from '../src/init/index.js';
import { Parameter } from '../src/index.js';
import { vals } from './helpers.js';

const stats = (v: number[]) => {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return { mean: m, variance: v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length, maxAbs: Math.max(...v.map(Math.abs)) };
};

describe('init', () => {
  it('calculateGain matches PyTorch', () => {
    expect(init.calculateGain('linear')).toBe(1);
    expect(init.calculateGain('conv2d')).toBe(1);
    expect(init.calculateGain('sigmoid')).toBe(1);
    expect(init.calculateGain('tanh')).toBeCloseTo(5 / 3, 15);
    expect(init.calculateGain('relu')).toBeCloseTo(Math.sqrt(2), 15);
    expect(init.calculateGain('leaky_relu')).toBeCloseTo(Math.sqrt(2 / (1 + 0.01 ** 2)), 15);
    expect(init.calculateGain('leaky_relu', { param: Math.sqrt(5) })).toBeCloseTo(Math.sqrt(1 / 3), 15);
    expect(init.calculateGain('selu')).toBe(0.75);
    expect(() => init.calculateGain('swish' as 'relu')).toThrow(/Unsupported nonlinearity/);
  });

  it('fans count the receptive field', () => {
    expect(init.calculateFanInAndFanOut(empty([8, 4, 3, 3]))).toEqual([36, 72]);
    expect(init.calculateFanInAndFanOut(empty([5, 7]))).toEqual([7, 5]);
    expect(() => init.calculateFanInAndFanOut(empty([5]))).toThrow(QTorchShapeError);
  });

  it('fills in place and returns the tensor, also on Parameters', () => {
    const p = new Parameter(zeros([2, 3]));
    expect(init.constant_(p, 0.5)).toBe(p);
    expect(vals(p)).toEqual(new Array(6).fill(0.5));
    expect(vals(init.ones_(empty([2])))).toEqual([1, 1]);
    expect(vals(init.zeros_(init.ones_(empty([2]))))).toEqual([0, 0]);
    expect(vals(init.eye_(empty([2, 3])))).toEqual([1, 0, 0, 0, 1, 0]);
  });

  it('uniform_ / normal_ / truncNormal_ draw the right distributions, seeded', () => {
    const u = vals(init.uniform_(empty([4000]), { a: -2, b: 3, generator: new Generator(1) }));
    expect(Math.min(...u)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...u)).toBeLessThan(3);
    expect(Math.abs(stats(u).mean - 0.5)).toBeLessThan(0.1);
    expect(vals(init.uniform_(empty([5]), { generator: new Generator(9) }))).toEqual(vals(init.uniform_(empty([5]), { generator: new Generator(9) })));
    const n = stats(vals(init.normal_(empty([4000]), { mean: 1, std: 2, generator: new Generator(2) })));
    expect(Math.abs(n.mean - 1)).toBeLessThan(0.15);
    expect(Math.abs(Math.sqrt(n.variance) - 2)).toBeLessThan(0.1);
    const t = vals(init.truncNormal_(empty([2000]), { a: -1, b: 0.5, generator: new Generator(3) }));
    expect(Math.min(...t)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...t)).toBeLessThanOrEqual(0.5);
  });

  it('xavier and kaiming use the variance-scaling bounds', () => {
    const w = empty([64, 32]);
    init.xavierUniform_(w, { gain: 2, generator: new Generator(4) });
    const xb = 2 * Math.sqrt(6 / (64 + 32));
    expect(stats(vals(w)).maxAbs).toBeLessThanOrEqual(xb);
    expect(stats(vals(w)).maxAbs).toBeGreaterThan(0.95 * xb);
    init.kaimingUniform_(w, { a: Math.sqrt(5), generator: new Generator(5) });
    expect(stats(vals(w)).maxAbs).toBeLessThanOrEqual(1 / Math.sqrt(32));
    init.kaimingNormal_(w, { mode: 'fan_out', nonlinearity: 'relu', generator: new Generator(6) });
    expect(Math.abs(Math.sqrt(stats(vals(w)).variance) / Math.sqrt(2 / 64) - 1)).toBeLessThan(0.05);
    init.xavierNormal_(w, { generator: new Generator(7) });
    expect(Math.abs(Math.sqrt(stats(vals(w)).variance) / Math.sqrt(2 / 96) - 1)).toBeLessThan(0.05);
    expect(() => init.kaimingUniform_(w, { mode: 'fan_avg' as 'fan_in' })).toThrow(/Mode fan_avg not supported/);
  });

  it('orthogonal_ gives orthonormal rows (wide) or columns (tall), times gain', () => {
    for (const [rows, cols] of [[3, 5], [5, 3], [4, 4]] as const) {
      const w = vals(init.orthogonal_(empty([rows, cols]), { gain: 2, generator: new Generator(rows * 10 + cols) }));
      const small = Math.min(rows, cols);
      for (let a = 0; a < small; a++) for (let b = 0; b < small; b++) {
        let dot = 0;
        for (let k = 0; k < Math.max(rows, cols); k++) {
          dot += rows <= cols ? w[a * cols + k]! * w[b * cols + k]! : w[k * cols + a]! * w[k * cols + b]!;
        }
        expect(dot).toBeCloseTo(a === b ? 4 : 0, 5);
      }
    }
    expect(init.orthogonal_(empty([2, 2, 2])).shape).toEqual([2, 2, 2]);
  });
});
