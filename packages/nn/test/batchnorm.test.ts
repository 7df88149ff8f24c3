import { float64, fromValues, int64 } from '@qtorch/qtensor';
import { describe, expect, it } from 'vitest';
import { BatchNorm1d, BatchNorm2d, BatchNorm3d, InstanceNorm1d, InstanceNorm2d, Sequential, Conv2d } from '../src/index.js';
import { checkGrads, expectAllClose, lcgValues, leaf, toDouble, vals } from './helpers.js';

/** Per-channel mean and biased / unbiased variance of an (N, C, L) layout, float64. */
function channelStats(x: number[], N: number, C: number, L: number) {
  const mean: number[] = [], varB: number[] = [], varU: number[] = [];
  for (let c = 0; c < C; c++) {
    const xs: number[] = [];
    for (let n = 0; n < N; n++) for (let l = 0; l < L; l++) xs.push(x[(n * C + c) * L + l]!);
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    const ss = xs.reduce((a, b) => a + (b - m) ** 2, 0);
    mean.push(m); varB.push(ss / xs.length); varU.push(ss / (xs.length - 1));
  }
  return { mean, varB, varU };
}

describe('BatchNorm', () => {
  it('normalizes with batch statistics in training and updates the running ones', () => {
    const bn = toDouble(new BatchNorm2d(3, { momentum: 0.2 }));
    const xv = lcgValues(2 * 3 * 4, 5).map((v, i) => v * 3 + (i % 5));
    const y = bn.call(fromValues(xv, [2, 3, 2, 2], float64));
    const { mean, varB, varU } = channelStats(xv, 2, 3, 4);
    const expected = xv.map((v, i) => {
      const c = Math.floor(i / 4) % 3;
      return (v - mean[c]!) / Math.sqrt(varB[c]! + 1e-5);
    });
    expectAllClose(vals(y), expected, 1e-9, 1e-9);
    expectAllClose(vals(bn.running_mean!), mean.map((m) => 0.2 * m), 1e-9, 1e-12);
    expectAllClose(vals(bn.running_var!), varU.map((v) => 0.8 + 0.2 * v), 1e-9, 1e-12);
    expect(bn.num_batches_tracked!.dtype).toBe(int64);
    expect(bn.num_batches_tracked!.item()).toBe(1);
    bn.call(fromValues(xv, [2, 3, 2, 2], float64));
    expect(bn.numBatchesTracked!.item()).toBe(2);
  });

  it('uses the running statistics and affine parameters in eval mode', () => {
    const bn = new BatchNorm1d(2).eval();
    bn.running_mean!.copy_(fromValues([1, -2], [2]));
    bn.running_var!.copy_(fromValues([4, 0.25], [2]));
    bn.weight!.requiresGrad = false;
    bn.bias!.requiresGrad = false;
    bn.weight!.copy_(fromValues([2, 3], [2]));
    bn.bias!.copy_(fromValues([0.5, -1], [2]));
    const y = bn.call(fromValues([3, 0, -1, -2], [2, 2]));
    const f = (v: number, m: number, s2: number, w: number, b: number) => ((v - m) / Math.sqrt(s2 + 1e-5)) * w + b;
    expectAllClose(vals(y), [f(3, 1, 4, 2, 0.5), f(0, -2, 0.25, 3, -1), f(-1, 1, 4, 2, 0.5), f(-2, -2, 0.25, 3, -1)], 1e-6, 1e-6);
    expect(bn.num_batches_tracked!.item()).toBe(0);
  });

  it('momentum null keeps a cumulative average', () => {
    const bn = toDouble(new BatchNorm1d(1, { momentum: null, affine: false }));
    const batches = [[1, 3], [5, 9], [0, 2]];
    for (const b of batches) bn.call(fromValues(b, [2, 1], float64));
    expectAllClose(vals(bn.running_mean!), [(2 + 7 + 1) / 3], 1e-12, 1e-12);
    // the first factor is 1/1, so the initial running_var of 1 drops out: mean of the unbiased variances
    expectAllClose(vals(bn.running_var!), [(2 + 8 + 2) / 3], 1e-12, 1e-12);
  });

  it('without running stats uses batch statistics in eval mode too', () => {
    const bn = new BatchNorm1d(2, { trackRunningStats: false, affine: false }).eval();
    expect(bn.running_mean).toBeNull();
    const y = bn.call(fromValues([1, 10, 3, 30], [2, 2]));
    expectAllClose(vals(y), [-1, -1, 1, 1], 1e-4, 1e-4);
    expect(Object.keys(bn.stateDict())).toEqual([]);
  });

  it('checks input dims like PyTorch', () => {
    expect(() => new BatchNorm2d(3).call(fromValues(lcgValues(6), [2, 3]))).toThrow(/expected 4D input \(got 2D input/);
    expect(() => new BatchNorm1d(3).call(fromValues(lcgValues(24), [2, 3, 2, 2]))).toThrow(/expected 2D or 3D input \(got 4D input/);
    expect(() => new BatchNorm3d(3).call(fromValues(lcgValues(24), [2, 3, 2, 2]))).toThrow(/expected 5D input/);
  });

  it('has PyTorch state-dict names, repr and camelCase aliases', () => {
    const model = new Sequential(new Conv2d(1, 2, 3));
    model.registerModule('bn', new BatchNorm2d(2));
    expect(Object.keys(model.stateDict())).toEqual(['0.weight', '0.bias', 'bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var', 'bn.num_batches_tracked']);
    const bn = model.getSubmodule('bn') as BatchNorm2d;
    expect(bn.runningMean).toBe(bn.running_mean);
    expect(model.getBuffer('bn.running_var')).toBe(bn.runningVar);
    expect(new BatchNorm2d(16).toString()).toBe('BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)');
    expect(new BatchNorm1d(3, { momentum: null, affine: false, trackRunningStats: false }).toString())
      .toBe('BatchNorm1d(3, eps=1e-05, momentum=None, affine=False, track_running_stats=False)');
  });

  it('round-trips its state dict', () => {
    const a = new BatchNorm2d(2);
    a.call(fromValues(lcgValues(16, 3), [2, 2, 2, 2]));
    const b = new BatchNorm2d(2);
    b.loadStateDict(a.stateDict());
    expect(vals(b.running_mean!)).toEqual(vals(a.running_mean!));
    expect(b.num_batches_tracked!.item()).toBe(1);
  });

  it('has correct gradients in training mode', () => {
    const bn = toDouble(new BatchNorm1d(2));
    const x = leaf(lcgValues(12, 3), [3, 2, 2]);
    checkGrads(bn, [x], () => bn.call(x), { rtol: 1e-3 });
  });
});

describe('InstanceNorm', () => {
  it('normalizes each (sample, channel) over the spatial dims, batched and unbatched', () => {
    const inorm = new InstanceNorm1d(2);
    const xv = [1, 2, 3, 10, 20, 60, -1, -1, 5, 0, 1, 2];
    const y = vals(inorm.call(fromValues(xv, [2, 2, 3])));
    const expected: number[] = [];
    for (let s = 0; s < 4; s++) {
      const seg = xv.slice(s * 3, s * 3 + 3);
      const m = seg.reduce((a, b) => a + b) / 3, v = seg.reduce((a, b) => a + (b - m) ** 2, 0) / 3;
      expected.push(...seg.map((q) => (q - m) / Math.sqrt(v + 1e-5)));
    }
    expectAllClose(y, expected, 1e-5, 1e-5);
    const unbatched = inorm.call(fromValues(xv.slice(0, 6), [2, 3]));
    expect(unbatched.shape).toEqual([2, 3]);
    expectAllClose(vals(unbatched), expected.slice(0, 6), 1e-5, 1e-5);
  });

  it('tracks running stats when asked and prints like PyTorch', () => {
    const inorm = new InstanceNorm2d(3, { trackRunningStats: true, affine: true });
    expect(Object.keys(inorm.stateDict())).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
    expect(new InstanceNorm2d(3).toString()).toBe('InstanceNorm2d(3, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False)');
    expect(() => inorm.call(fromValues(lcgValues(8), [2, 2, 2]))).toThrow(/num_features/);
  });
});
