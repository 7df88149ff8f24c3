import { float64, fromValues, int64, intRepr, quantizePerTensor, quint8 } from '@qtorch/qtensor';
import { describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { checkGrads, expectAllClose, lcgValues, leaf, vals } from './helpers.js';

/** Naive 2-d pooling over one (H, W) plane with -inf / zero padding. */
function naivePool2d(x: number[], H: number, W: number, k: [number, number], s: [number, number], p: [number, number], kind: 'max' | 'avg'): number[] {
  const oh = Math.floor((H + 2 * p[0] - k[0]) / s[0]) + 1, ow = Math.floor((W + 2 * p[1] - k[1]) / s[1]) + 1;
  const out: number[] = [];
  for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) {
    let acc = kind === 'max' ? -Infinity : 0;
    for (let a = 0; a < k[0]; a++) for (let b = 0; b < k[1]; b++) {
      const r = i * s[0] - p[0] + a, c = j * s[1] - p[1] + b;
      const v = r >= 0 && r < H && c >= 0 && c < W ? x[r * W + c]! : kind === 'max' ? -Infinity : 0;
      acc = kind === 'max' ? Math.max(acc, v) : acc + v;
    }
    out.push(kind === 'max' ? acc : acc / (k[0] * k[1]));
  }
  return out;
}

describe('pooling modules', () => {
  const xv = lcgValues(2 * 5 * 6, 3);
  const x = fromValues(xv, [1, 2, 5, 6], float64);
  const planes = [xv.slice(0, 30), xv.slice(30)];

  it('MaxPool2d / AvgPool2d match naive loops', () => {
    expectAllClose(vals(new nn.MaxPool2d(2).call(x)), planes.flatMap((pl) => naivePool2d(pl, 5, 6, [2, 2], [2, 2], [0, 0], 'max')), 0, 0);
    expectAllClose(vals(new nn.MaxPool2d([3, 2], { stride: 1, padding: 1 }).call(x)), planes.flatMap((pl) => naivePool2d(pl, 5, 6, [3, 2], [1, 1], [1, 1], 'max')), 0, 0);
    expectAllClose(vals(new nn.AvgPool2d(3, { stride: 2, padding: 1 }).call(x)), planes.flatMap((pl) => naivePool2d(pl, 5, 6, [3, 3], [2, 2], [1, 1], 'avg')), 1e-12, 1e-12);
  });

  it('MaxPool with returnIndices returns [values, indices]', () => {
    const [v, idx] = new nn.MaxPool1d(2, { returnIndices: true }).call(fromValues([1, 5, 3, 2, 0, 9], [1, 1, 6]));
    expect(vals(v)).toEqual([5, 3, 9]);
    expect(idx.dtype).toBe(int64);
    expect(vals(idx)).toEqual([1, 2, 5]);
  });

  it('AvgPool1d/3d, MaxPool3d and adaptive pools', () => {
    expect(vals(new nn.AvgPool1d(2).call(fromValues([1, 3, 5, 7, 9], [1, 1, 5])))).toEqual([2, 6]);
    const cube = fromValues(Array.from({ length: 8 }, (_, i) => i), [1, 1, 2, 2, 2]);
    expect(vals(new nn.MaxPool3d(2).call(cube))).toEqual([7]);
    expect(vals(new nn.AvgPool3d(2).call(cube))).toEqual([3.5]);
    const adapt = new nn.AdaptiveAvgPool2d([1, 1]).call(x);
    expect(adapt.shape).toEqual([1, 2, 1, 1]);
    expectAllClose(vals(adapt), planes.map((pl) => pl.reduce((a, b) => a + b) / 30), 1e-12, 1e-12);
    // adaptive windows of 5 -> 2: [0, 3) and [2, 5)
    expectAllClose(vals(new nn.AdaptiveAvgPool1d(2).call(fromValues([1, 2, 3, 4, 5], [1, 1, 5]))), [2, 4], 1e-7, 0);
    expect(new nn.AdaptiveAvgPool3d([1, null, 1]).call(cube).shape).toEqual([1, 1, 1, 2, 1]);
    expect(vals(new nn.AdaptiveMaxPool2d(1).call(x))).toEqual(planes.map((pl) => Math.max(...pl)));
  });

  it('MaxPool2d, AvgPool2d and AdaptiveAvgPool2d run on quantized tensors', () => {
    const q = quantizePerTensor(fromValues(xv, [1, 2, 5, 6]), 0.02, 100, quint8);
    const ints = Array.from(intRepr(q).values());
    const mp = new nn.MaxPool2d(2).call(q);
    expect(mp.dtype).toBe(quint8);
    expect(Array.from(intRepr(mp).values())).toEqual([ints.slice(0, 30), ints.slice(30)].flatMap((pl) => naivePool2d(pl, 5, 6, [2, 2], [2, 2], [0, 0], 'max')));
    const ap = new nn.AdaptiveAvgPool2d(1).call(q);
    expect(ap.shape).toEqual([1, 2, 1, 1]);
    expectAllClose(ap.toArray(), [ints.slice(0, 30), ints.slice(30)].map((pl) => (pl.reduce((a, b) => a + b) / 30 - 100) * 0.02), 0, 0.0101);
    expect(new nn.AvgPool2d(2).call(q).dtype).toBe(quint8);
    expect(() => new nn.MaxPool2d(2, { returnIndices: true }).call(q)).toThrow(/returnIndices/);
  });

  it('a quantized pipeline (ReLU, MaxPool2d, AdaptiveAvgPool2d, Flatten, Identity, eval Dropout) stays quantized', () => {
    const xs = Array.from({ length: 32 }, (_, i) => i / 10 - 1);
    const q = quantizePerTensor(fromValues(xs, [1, 2, 4, 4]), 0.05, 64, quint8);
    const seq = new nn.Sequential(new nn.ReLU(), new nn.MaxPool2d(2), new nn.AdaptiveAvgPool2d(1), new nn.Flatten(), new nn.Identity(), new nn.Dropout());
    seq.eval();
    const y = seq.call(q) as ReturnType<typeof fromValues>;
    expect(y.dtype).toBe(quint8);
    expect(y.shape).toEqual([1, 2]);
    // float reference on the dequantized input: per channel, the mean of the 2x2-window maxima of relu(x)
    const deq = q.toArray();
    const ref = [0, 1].map((c) => naivePool2d(deq.slice(c * 16, c * 16 + 16).map((v) => Math.max(v, 0)), 4, 4, [2, 2], [2, 2], [0, 0], 'max').reduce((a, b) => a + b) / 4);
    expectAllClose(y.toArray(), ref, 0, 0.025 + 1e-7);
  });

  it('print like PyTorch', () => {
    expect(new nn.MaxPool2d(2).toString()).toBe('MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)');
    expect(new nn.MaxPool2d([2, 3], { stride: 1, padding: 1 }).toString()).toBe('MaxPool2d(kernel_size=(2, 3), stride=1, padding=1, dilation=1, ceil_mode=False)');
    expect(new nn.AvgPool1d(2).toString()).toBe('AvgPool1d(kernel_size=(2,), stride=(2,), padding=(0,))');
    expect(new nn.AvgPool2d(3, { stride: 2, padding: 1, ceilMode: true }).toString()).toBe('AvgPool2d(kernel_size=3, stride=2, padding=1)');
    expect(new nn.AdaptiveAvgPool2d([1, 1]).toString()).toBe('AdaptiveAvgPool2d(output_size=(1, 1))');
    expect(new nn.AdaptiveAvgPool3d([2, null, 2]).toString()).toBe('AdaptiveAvgPool3d(output_size=(2, None, 2))');
    expect(new nn.AdaptiveMaxPool2d(2).toString()).toBe('AdaptiveMaxPool2d(output_size=2)');
  });

  it('have correct gradients', () => {
    const m = new nn.AvgPool2d(2, { stride: 1 });
    const xl = leaf(lcgValues(12, 9), [1, 1, 3, 4]);
    checkGrads(m, [xl], () => m.call(xl));
    const mp = new nn.MaxPool2d(2);
    const xm = leaf(lcgValues(16, 4), [1, 1, 4, 4]);
    checkGrads(mp, [xm], () => mp.call(xm));
  });
});
