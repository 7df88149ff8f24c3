import { describe, expect, it } from 'vitest';
import {
  QTorchShapeError, QTorchValueError, Tensor, batchNorm, float64, gradcheck, groupNorm, instanceNorm, layerNorm, randn, tensor,
} from '../src/index.js';

const f64 = (v: number[], shape: number[]): Tensor => tensor(v, { dtype: float64 }).reshape(shape);
const leaf = (shape: number[], seed = 0): Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  return f64(Array.from({ length: n }, (_, i) => Math.sin(1.3 * i + seed) * 2 + 0.1 * i), shape).requiresGrad_();
};
const param = (v: number[]): Tensor => tensor(v, { dtype: float64 }).requiresGrad_();

/** Reference: normalize each group of flat indices with its own biased mean/var, then affine per index. */
function refNormalize(x: number[], groups: number[][], eps: number, w: (i: number) => number, b: (i: number) => number): number[] {
  const out = new Array<number>(x.length);
  for (const g of groups) {
    const m = g.reduce((a, i) => a + x[i]!, 0) / g.length;
    const v = g.reduce((a, i) => a + (x[i]! - m) ** 2, 0) / g.length;
    for (const i of g) out[i] = ((x[i]! - m) / Math.sqrt(v + eps)) * w(i) + b(i);
  }
  return out;
}
/** Flat indices of an (N, C, S) tensor where pick(n, c) is true. */
const idx = (N: number, C: number, S: number, pick: (n: number, c: number) => boolean): number[] => {
  const out: number[] = [];
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let s = 0; s < S; s++) if (pick(n, c)) out.push((n * C + c) * S + s);
  return out;
};
const expectClose = (a: number[], b: number[], digits = 12): void => {
  expect(a.length).toBe(b.length);
  a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, digits));
};

describe('batchNorm', () => {
  const N = 3, C = 2, S = 4;
  const x = leaf([N, C, 2, 2]);
  const xv = x.toArray();
  const w = [1.5, -0.5], b = [0.2, 0.3];

  it('training: normalizes with biased batch variance and updates running stats with the unbiased one', () => {
    const rm = tensor([0.5, -1], { dtype: float64 }), rv = tensor([2, 3], { dtype: float64 });
    const y = batchNorm(x, rm, rv, { weight: param(w), bias: param(b), training: true, momentum: 0.2 });
    const groups = [0, 1].map((c) => idx(N, C, S, (_n, cc) => cc === c));
    expectClose(y.toArray(), refNormalize(xv, groups, 1e-5, (i) => w[Math.floor(i / S) % C]!, (i) => b[Math.floor(i / S) % C]!));
    groups.forEach((g, c) => {
      const m = g.reduce((a, i) => a + xv[i]!, 0) / g.length;
      const vu = g.reduce((a, i) => a + (xv[i]! - m) ** 2, 0) / (g.length - 1);
      expect(rm.toArray()[c]).toBeCloseTo(0.8 * [0.5, -1][c]! + 0.2 * m, 12);
      expect(rv.toArray()[c]).toBeCloseTo(0.8 * [2, 3][c]! + 0.2 * vu, 12);
    });
  });
  it('evaluation: uses the running statistics and leaves them unchanged', () => {
    const rm = tensor([0.5, -1], { dtype: float64 }), rv = tensor([2, 3], { dtype: float64 });
    const y = batchNorm(x, rm, rv, { eps: 1e-3 }).toArray();
    y.forEach((v, i) => {
      const c = Math.floor(i / S) % C;
      expect(v).toBeCloseTo((xv[i]! - [0.5, -1][c]!) / Math.sqrt([2, 3][c]! + 1e-3), 12);
    });
    expect(rm.toArray()).toEqual([0.5, -1]);
  });
  it('gradients through the batch statistics (training) and the running ones (eval)', () => {
    expect(gradcheck((a, ww, bb) => batchNorm(a, null, null, { weight: ww, bias: bb, training: true }), [x, param(w), param(b)])).toBe(true);
    const rm = tensor([0.5, -1], { dtype: float64 }), rv = tensor([2, 3], { dtype: float64 });
    expect(gradcheck((a, ww) => batchNorm(a, rm, rv, { weight: ww }), [x, param(w)])).toBe(true);
    expect(gradcheck((a) => batchNorm(a, null, null, { training: true }), [leaf([4, 3])])).toBe(true);
  });
  it('float32 input gives float32 output close to the float64 result', () => {
    const y32 = batchNorm(tensor(xv).reshape(N, C, 2, 2), null, null, { training: true }).toArray();
    const y64 = batchNorm(x, null, null, { training: true }).toArray();
    y32.forEach((v, i) => expect(v).toBeCloseTo(y64[i]!, 5));
  });
  it('errors', () => {
    expect(() => batchNorm(randn([1, 3]), null, null, { training: true })).toThrow(/more than 1 value per channel.*\[1, 3\]/);
    expect(() => batchNorm(randn([2, 3]), null, null)).toThrow(QTorchValueError);
    expect(() => batchNorm(randn([2, 3]), randn([2]), randn([3]), {})).toThrow(/batchNorm\(\).*runningMean of shape \[3\].*\[2\]/);
  });
});

describe('instanceNorm', () => {
  const N = 2, C = 3, S = 5;
  const x = leaf([N, C, S], 1);
  const xv = x.toArray();
  it('normalizes each (sample, channel) and averages instance stats into the running ones', () => {
    const w = [1, 2, 3], b = [0, -1, 1];
    const rm = tensor([0, 0, 0], { dtype: float64 }), rv = tensor([1, 1, 1], { dtype: float64 });
    const y = instanceNorm(x, { weight: param(w), bias: param(b), runningMean: rm, runningVar: rv, momentum: 0.1 }).toArray();
    const groups: number[][] = [];
    for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) groups.push(idx(N, C, S, (nn, cc) => nn === n && cc === c));
    expectClose(y, refNormalize(xv, groups, 1e-5, (i) => w[Math.floor(i / S) % C]!, (i) => b[Math.floor(i / S) % C]!));
    for (let c = 0; c < C; c++) {
      let m = 0, v = 0;
      for (let n = 0; n < N; n++) {
        const g = groups[n * C + c]!;
        const mi = g.reduce((a, i) => a + xv[i]!, 0) / S;
        m += mi / N;
        v += g.reduce((a, i) => a + (xv[i]! - mi) ** 2, 0) / (S - 1) / N;
      }
      expect(rm.toArray()[c]).toBeCloseTo(0.1 * m, 12);
      expect(rv.toArray()[c]).toBeCloseTo(0.9 + 0.1 * v, 12);
    }
  });
  it('useInputStats false normalizes with the running statistics', () => {
    const y = instanceNorm(x, { runningMean: tensor([1, 2, 3], { dtype: float64 }), runningVar: tensor([4, 4, 4], { dtype: float64 }), useInputStats: false, eps: 0 }).toArray();
    y.forEach((v, i) => expect(v).toBeCloseTo((xv[i]! - (1 + (Math.floor(i / S) % C))) / 2, 12));
  });
  it('gradients', () => {
    expect(gradcheck((a, w, b) => instanceNorm(a, { weight: w, bias: b }), [x, param([1, 2, 3]), param([0.1, 0.2, 0.3])])).toBe(true);
  });
  it('errors', () => {
    expect(() => instanceNorm(randn([2, 3, 1]))).toThrow(/more than 1 spatial element/);
    expect(() => instanceNorm(randn([2, 3, 4]), { useInputStats: false })).toThrow(QTorchValueError);
  });
});

describe('groupNorm', () => {
  const N = 2, C = 4, S = 3, G = 2;
  const x = leaf([N, C, S], 2);
  const xv = x.toArray();
  it('statistics per (sample, group), affine per channel', () => {
    const w = [1, 2, 0.5, -1], b = [0.1, 0.2, 0.3, 0.4];
    const y = groupNorm(x, G, { weight: param(w), bias: param(b), eps: 1e-4 }).toArray();
    const groups: number[][] = [];
    for (let n = 0; n < N; n++) for (let g = 0; g < G; g++) groups.push(idx(N, C, S, (nn, c) => nn === n && Math.floor(c / (C / G)) === g));
    expectClose(y, refNormalize(xv, groups, 1e-4, (i) => w[Math.floor(i / S) % C]!, (i) => b[Math.floor(i / S) % C]!));
  });
  it('gradients', () => {
    expect(gradcheck((a, w, b) => groupNorm(a, G, { weight: w, bias: b }), [x, param([1, 2, 0.5, -1]), param([0, 0, 1, 1])])).toBe(true);
    expect(gradcheck((a) => groupNorm(a, 1), [x])).toBe(true);
  });
  it('errors', () => {
    expect(() => groupNorm(randn([2, 3, 4]), 2)).toThrow(/divisible by num_groups.*num_groups=2/);
  });
});

describe('layerNorm', () => {
  const x = leaf([2, 3, 4], 3);
  const xv = x.toArray();
  it('over the last one and last two dims', () => {
    const w = [1, 2, 3, 4], b = [0, 1, 0, 1];
    const y1 = layerNorm(x, [4], { weight: param(w), bias: param(b) }).toArray();
    const rows = Array.from({ length: 6 }, (_, r) => [0, 1, 2, 3].map((j) => r * 4 + j));
    expectClose(y1, refNormalize(xv, rows, 1e-5, (i) => w[i % 4]!, (i) => b[i % 4]!));
    const y2 = layerNorm(x, [3, 4], { eps: 1e-3 }).toArray();
    const rows2 = [0, 1].map((r) => Array.from({ length: 12 }, (_, j) => r * 12 + j));
    expectClose(y2, refNormalize(xv, rows2, 1e-3, () => 1, () => 0));
  });
  it('gradients', () => {
    const w = f64([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((v) => v / 6), [3, 4]).requiresGrad_();
    const b = f64(new Array(12).fill(0).map((_, i) => i / 10), [3, 4]).requiresGrad_();
    expect(gradcheck((a, ww, bb) => layerNorm(a, [3, 4], { weight: ww, bias: bb }), [x, w, b])).toBe(true);
    expect(gradcheck((a) => layerNorm(a, 4), [x])).toBe(true);
  });
  it('errors', () => {
    expect(() => layerNorm(x, [3])).toThrow(QTorchShapeError);
    expect(() => layerNorm(x, [4], { weight: randn([3]) })).toThrow(/layerNorm\(\).*weight of shape \[4\]/);
  });
});
