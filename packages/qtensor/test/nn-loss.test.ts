import { describe, expect, it } from 'vitest';
import {
  QTorchShapeError, QTorchTypeError, QTorchValueError, Tensor, binaryCrossEntropy, binaryCrossEntropyWithLogits, crossEntropy,
  float32, float64, gradcheck, huberLoss, int32, int64, l1Loss, mseLoss, nllLoss, smoothL1Loss, tensor,
} from '../src/index.js';

const f64 = (v: number[], shape = [v.length]): Tensor => tensor(v, { dtype: float64 }).reshape(shape);
const leaf = (v: number[], shape = [v.length]): Tensor => f64(v, shape).requiresGrad_();
const longs = (v: number[], shape = [v.length]): Tensor => tensor(v, { dtype: int64 }).reshape(shape);
const sum = (a: number[]): number => a.reduce((s, v) => s + v, 0);

const X = [0.3, -1.2, 2.5, 0.05, -0.4, 1.7];
const T = [0.1, -0.9, 0.5, 0.0, -2.0, 1.75];

describe('elementwise regression losses', () => {
  const cases: Array<[string, (a: Tensor, b: Tensor, r: 'mean' | 'sum' | 'none') => Tensor, (d: number) => number]> = [
    ['mseLoss', (a, b, reduction) => mseLoss(a, b, { reduction }), (d) => d * d],
    ['l1Loss', (a, b, reduction) => l1Loss(a, b, { reduction }), Math.abs],
    ['smoothL1Loss', (a, b, reduction) => smoothL1Loss(a, b, { reduction, beta: 0.5 }), (d) => (Math.abs(d) < 0.5 ? (0.5 * d * d) / 0.5 : Math.abs(d) - 0.25)],
    ['huberLoss', (a, b, reduction) => huberLoss(a, b, { reduction, delta: 0.5 }), (d) => (Math.abs(d) <= 0.5 ? 0.5 * d * d : 0.5 * (Math.abs(d) - 0.25))],
  ];
  for (const [name, op, ref] of cases) {
    it(`${name}: none / sum / mean values and gradients to input and target`, () => {
      const per = X.map((x, i) => ref(x - T[i]!));
      const none = op(f64(X, [2, 3]), f64(T, [2, 3]), 'none');
      expect(none.shape).toEqual([2, 3]);
      none.toArray().forEach((v, i) => expect(v).toBeCloseTo(per[i]!, 14));
      expect(op(f64(X), f64(T), 'sum').item()).toBeCloseTo(sum(per), 14);
      const mean = op(f64(X), f64(T), 'mean');
      expect(mean.shape).toEqual([]);
      expect(mean.item()).toBeCloseTo(sum(per) / 6, 14);
      for (const r of ['mean', 'sum', 'none'] as const) expect(gradcheck((a, b) => op(a, b, r), [leaf(X), leaf(T)])).toBe(true);
    });
  }
  it('broadcasts target against input (gradient summed back)', () => {
    const y = mseLoss(f64(X, [2, 3]), f64([1, 2, 3]), { reduction: 'none' }).toArray();
    y.forEach((v, i) => expect(v).toBeCloseTo((X[i]! - [1, 2, 3][i % 3]!) ** 2, 14));
    expect(gradcheck((a, b) => mseLoss(a, b), [leaf(X, [2, 3]), leaf([1, 2, 3])])).toBe(true);
  });
  it('smoothL1Loss with beta 0 is l1Loss; float32 stays float32', () => {
    expect(smoothL1Loss(f64(X), f64(T), { beta: 0 }).item()).toBeCloseTo(l1Loss(f64(X), f64(T)).item(), 14);
    expect(mseLoss(tensor(X), tensor(T)).dtype).toBe(float32);
    expect(() => mseLoss(f64(X), f64(T), { reduction: 'avg' as never })).toThrow(/mseLoss\(\).*avg/);
  });
});

describe('binary cross entropy', () => {
  const P = [0.1, 0.5, 0.93, 0.02, 0.6, 0.37];
  const Y = [0, 1, 1, 0.3, 0, 1];
  const W = [1, 2, 0.5];
  it('binaryCrossEntropy with weights, values and gradients', () => {
    const per = P.map((p, i) => -W[i % 3]! * (Y[i]! * Math.log(p) + (1 - Y[i]!) * Math.log(1 - p)));
    expect(binaryCrossEntropy(f64(P, [2, 3]), f64(Y, [2, 3]), { weight: f64(W) }).item()).toBeCloseTo(sum(per) / 6, 14);
    expect(gradcheck((a, b) => binaryCrossEntropy(a, b, { weight: f64(W), reduction: 'sum' }), [leaf(P, [2, 3]), leaf(Y, [2, 3])])).toBe(true);
  });
  it('clamps log(0) at -100 as PyTorch does', () => {
    expect(binaryCrossEntropy(f64([0, 1]), f64([1, 0]), { reduction: 'none' }).toArray()).toEqual([100, 100]);
  });
  it('binaryCrossEntropyWithLogits with weight and posWeight, stable for large logits', () => {
    const Z = [-3, 0.2, 4, -0.5, 25, -40];
    const pw = [2, 0.5, 1.5];
    const sig = (z: number): number => 1 / (1 + Math.exp(-z));
    const per = Z.map((z, i) => -W[i % 3]! * (pw[i % 3]! * Y[i]! * Math.log(sig(z)) + (1 - Y[i]!) * Math.log(1 - sig(z))));
    const out = binaryCrossEntropyWithLogits(f64(Z.slice(0, 4), [2, 2]), f64(Y.slice(0, 4), [2, 2]), { reduction: 'none' }).toArray();
    out.forEach((v, i) => expect(v).toBeCloseTo(-(Y[i]! * Math.log(sig(Z[i]!)) + (1 - Y[i]!) * Math.log(1 - sig(Z[i]!))), 13));
    const full = binaryCrossEntropyWithLogits(f64(Z, [2, 3]), f64(Y, [2, 3]), { weight: f64(W), posWeight: f64(pw), reduction: 'sum' });
    // z = 25 and -40 overflow the naive reference's log(1 - sigmoid); compare the finite terms and the stable forms
    expect(full.item()).toBeCloseTo(sum(per.slice(0, 4)) + 2 * 25 + 0.5 * 1.5 * 40, 9);
    expect(gradcheck((a, b) => binaryCrossEntropyWithLogits(a, b, { weight: f64(W), posWeight: f64(pw) }), [leaf([-3, 0.2, 4, -0.5, 2.5, -1], [2, 3]), leaf(Y, [2, 3])])).toBe(true);
  });
  it('errors', () => {
    expect(() => binaryCrossEntropy(f64([1.5]), f64([1]))).toThrow(/between 0 and 1/);
    expect(() => binaryCrossEntropy(f64([0.5, 0.5]), f64([1]))).toThrow(QTorchShapeError);
    expect(() => binaryCrossEntropyWithLogits(f64([0.5, 0.5]), f64([1, 0], [2, 1]))).toThrow(QTorchShapeError);
  });
});

/** Reference log-softmax over dim 1 of an (N, C, D) array. */
function refLogSoftmax(x: number[], N: number, C: number, D: number): number[] {
  const out = new Array<number>(x.length);
  for (let n = 0; n < N; n++) {
    for (let d = 0; d < D; d++) {
      const at = (c: number): number => (n * C + c) * D + d;
      const m = Math.max(...Array.from({ length: C }, (_, c) => x[at(c)]!));
      const lse = m + Math.log(sum(Array.from({ length: C }, (_, c) => Math.exp(x[at(c)]! - m))));
      for (let c = 0; c < C; c++) out[at(c)] = x[at(c)]! - lse;
    }
  }
  return out;
}

describe('nllLoss / crossEntropy with class indices', () => {
  const N = 4, C = 3;
  const logits = [0.2, 1.5, -0.3, 2.2, -1.0, 0.4, 0.0, 0.1, 0.2, -0.7, 0.9, 1.8];
  const tgt = [1, 0, 2, 2];
  const w = [0.5, 2, 1];
  const lsm = refLogSoftmax(logits, N, C, 1);

  it('known value: crossEntropy([[1, 2, 3]], [2]) = 0.40760596444438', () => {
    expect(crossEntropy(f64([1, 2, 3], [1, 3]), longs([2])).item()).toBeCloseTo(0.40760596444438013, 14);
    expect(crossEntropy(f64([1, 2, 3]), longs([2], [])).item()).toBeCloseTo(0.40760596444438013, 14);
  });
  it('weighted mean divides by the weights of non-ignored targets', () => {
    const t2 = [1, -100, 2, 0];
    let num = 0, den = 0;
    t2.forEach((t, n) => { if (t !== -100) { num -= w[t]! * lsm[n * C + t]!; den += w[t]!; } });
    expect(crossEntropy(f64(logits, [N, C]), longs(t2), { weight: f64(w) }).item()).toBeCloseTo(num / den, 14);
    expect(nllLoss(f64(lsm, [N, C]), longs(t2), { weight: f64(w) }).item()).toBeCloseTo(num / den, 14);
    const none = nllLoss(f64(lsm, [N, C]), longs(t2), { weight: f64(w), reduction: 'none' }).toArray();
    expect(none[1]).toBe(0);
    expect(none[0]).toBeCloseTo(-2 * lsm[1]!, 14);
    expect(nllLoss(f64(lsm, [N, C]), longs([-100, -100, -100, -100])).item()).toBeNaN();
  });
  it('label smoothing follows PyTorch: (1 - e) nll + e / C * smooth, each with its own mean denominator', () => {
    const e = 0.2, t2 = [1, 0, -100, 2];
    const kept = t2.map((t, n) => [t, n] as const).filter(([t]) => t !== -100);
    for (const weighted of [false, true]) {
      const wc = (c: number): number => (weighted ? w[c]! : 1);
      const nll = kept.map(([t, n]) => -wc(t) * lsm[n * C + t]!);
      const smooth = kept.map(([, n]) => -sum([0, 1, 2].map((c) => wc(c) * lsm[n * C + c]!)));
      const den = weighted ? sum(kept.map(([t]) => wc(t))) : kept.length;
      const expected = (1 - e) * (sum(nll) / den) + (e / C) * (sum(smooth) / den);
      const got = crossEntropy(f64(logits, [N, C]), longs(t2), { labelSmoothing: e, weight: weighted ? f64(w) : null });
      expect(got.item()).toBeCloseTo(expected, 14);
      const none = crossEntropy(f64(logits, [N, C]), longs(t2), { labelSmoothing: e, weight: weighted ? f64(w) : null, reduction: 'none' }).toArray();
      expect(none[1]).toBeCloseTo((1 - e) * nll[1]! + (e / C) * smooth[1]!, 14);
      expect(none[2]).toBe(0);
    }
  });
  it('K-dimensional input (N, C, d) against the reference', () => {
    const D = 2;
    const x = logits.concat(logits.map((v) => v * 0.5));
    const t = [0, 2, 1, 1, 2, 0, 0, 1];
    const l = refLogSoftmax(x, N, C, D);
    const per = t.map((tt, s) => -l[(Math.floor(s / D) * C + tt) * D + (s % D)]!);
    const none = crossEntropy(f64(x, [N, C, D]), longs(t, [N, D]), { reduction: 'none' });
    expect(none.shape).toEqual([N, D]);
    none.toArray().forEach((v, i) => expect(v).toBeCloseTo(per[i]!, 14));
  });
  it('gradients (weights, ignoreIndex, smoothing, every reduction, K-dim)', () => {
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      expect(gradcheck((a) => crossEntropy(a, longs([1, -100, 2, 0]), { weight: f64(w), labelSmoothing: 0.1, reduction }), [leaf(logits, [N, C])])).toBe(true);
      expect(gradcheck((a) => nllLoss(a, longs(tgt), { weight: f64(w), reduction }), [leaf(lsm, [N, C])])).toBe(true);
    }
    expect(gradcheck((a) => crossEntropy(a, longs([0, 2, 1, 1], [2, 2])), [leaf(logits, [2, 3, 2])])).toBe(true);
  });
});

describe('crossEntropy with class probabilities', () => {
  const N = 2, C = 3;
  const logits = [0.5, -0.2, 1.1, 2.0, 0.3, -1.4];
  const probs = [0.2, 0.3, 0.5, 0.9, 0.05, 0.05];
  const w = [1, 0.5, 2];
  it('values with weight and smoothing, mean over samples', () => {
    const l = refLogSoftmax(logits, N, C, 1);
    const e = 0.1;
    const per = [0, 1].map((n) => -sum([0, 1, 2].map((c) => w[c]! * (probs[n * C + c]! * (1 - e) + e / C) * l[n * C + c]!)));
    expect(crossEntropy(f64(logits, [N, C]), f64(probs, [N, C]), { weight: f64(w), labelSmoothing: e }).item()).toBeCloseTo(sum(per) / N, 14);
    const none = crossEntropy(f64(logits, [N, C]), f64(probs, [N, C]), { weight: f64(w), labelSmoothing: e, reduction: 'none' }).toArray();
    none.forEach((v, i) => expect(v).toBeCloseTo(per[i]!, 14));
  });
  it('gradients to logits and to the target', () => {
    expect(gradcheck((a, b) => crossEntropy(a, b, { weight: f64(w), labelSmoothing: 0.2 }), [leaf(logits, [N, C]), leaf(probs, [N, C])])).toBe(true);
  });
});

describe('class loss errors', () => {
  const x = f64([1, 2, 3, 4, 5, 6], [2, 3]);
  it('rejects wrong target dtype, out-of-range classes and shape mismatches', () => {
    expect(() => crossEntropy(x, tensor([0, 1], { dtype: int32 }))).toThrow(QTorchTypeError);
    expect(() => crossEntropy(x, f64([0, 1]))).toThrow(/int64.*class-probability targets must have the input's shape/);
    expect(() => nllLoss(x, longs([0, 3]))).toThrow(/nllLoss\(\): Target 3 is out of bounds/);
    expect(() => crossEntropy(x, longs([-1, 0]))).toThrow(/Target -1 is out of bounds/);
    expect(() => crossEntropy(x, longs([0, 1, 2]))).toThrow(/Expected input batch_size \(2\) to match target batch_size \(3\)/);
    expect(() => crossEntropy(x, longs([0, 1]), { weight: f64([1, 2]) })).toThrow(/all 3 classes.*\[2\]/);
    expect(() => crossEntropy(x, longs([0, 1]), { labelSmoothing: 1.5 })).toThrow(QTorchValueError);
    expect(() => crossEntropy(x, f64([1, 0, 0, 0, 1, 0], [2, 3]), { ignoreIndex: 1 })).toThrow(/ignore_index is not supported/);
  });
});
