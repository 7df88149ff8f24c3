// Pooling against direct float64 loop references, PyTorch's quantized pooling fixtures
// (int_repr values as float input: same window choices), gradcheck, indices and errors.
import { describe, expect, it } from 'vitest';
import {
  QTorchShapeError, QTorchValueError, type Tensor, adaptiveAvgPool1d, adaptiveAvgPool2d, adaptiveAvgPool3d,
  adaptiveMaxPool1d, adaptiveMaxPool2d, avgPool1d, avgPool2d, avgPool3d, float64, gradcheck, int64, maxPool1d,
  maxPool2d, maxPool3d, randn, tensor,
} from '../src/index.js';
import { loadGolden } from '../../../tools/testing/src/index.js';
import { expectClose, gen, leaf, nonContiguous, rnd } from './nn-float-helpers.js';

/** PyTorch's pooling output length, written out: ceil rounds up unless the last window starts past input + left pad. */
function refOutLen(n: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  const span = n + 2 * p - d * (k - 1) - 1;
  let o = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  if (ceil && (o - 1) * s >= n + p) o--;
  return o;
}

/** A 2-d pool over (N, C, H, W) by definition; `reduce` sees the window's in-bounds values and its padded area. */
function refPool2d(
  x: Tensor, k: number[], s: number[], p: number[], d: number[], ceil: boolean,
  reduce: (vals: number[], idx: number[], paddedArea: number) => number, idxOut?: number[],
): { shape: number[]; values: number[] } {
  const [N, C, H, W] = x.shape as number[];
  const oH = refOutLen(H!, k[0]!, s[0]!, p[0]!, d[0]!, ceil), oW = refOutLen(W!, k[1]!, s[1]!, p[1]!, d[1]!, ceil);
  const xv = x.values();
  const values: number[] = [];
  for (let pl = 0; pl < N! * C!; pl++) for (let oh = 0; oh < oH; oh++) for (let ow = 0; ow < oW; ow++) {
    const vals: number[] = [], idx: number[] = [];
    // padded area: window clipped to [-p, n + p)
    const h0 = oh * s[0]! - p[0]!, w0 = ow * s[1]! - p[1]!;
    const area = (Math.min(h0 + k[0]!, H! + p[0]!) - h0) * (Math.min(w0 + k[1]!, W! + p[1]!) - w0);
    for (let i = 0; i < k[0]!; i++) for (let j = 0; j < k[1]!; j++) {
      const h = h0 + i * d[0]!, w = w0 + j * d[1]!;
      if (h < 0 || h >= H! || w < 0 || w >= W!) continue;
      vals.push(xv[pl * H! * W! + h * W! + w]!);
      idx.push(h * W! + w);
    }
    values.push(reduce(vals, idx, area));
    if (idxOut) {
      let best = 0;
      for (let t = 1; t < vals.length; t++) if (vals[t]! > vals[best]!) best = t;
      idxOut.push(idx[best]!);
    }
  }
  return { shape: [N!, C!, oH, oW], values };
}

const maxOf = (v: number[]): number => Math.max(...v);
const sumOf = (v: number[]): number => v.reduce((a, b) => a + b, 0);

describe('max pooling vs definition', () => {
  const cases: Array<[string, number[], number[], number[], number[], number[], boolean]> = [
    ['k2', [2, 3, 8, 10], [2, 2], [2, 2], [0, 0], [1, 1], false],
    ['k3 s2 p1', [1, 2, 7, 9], [3, 3], [2, 2], [1, 1], [1, 1], false],
    ['k3 s2 dilation 2 ceil', [1, 2, 8, 10], [3, 3], [2, 2], [0, 0], [2, 2], true],
    ['rect k2x3 s(1,2) p(1,1) ceil', [2, 1, 5, 8], [2, 3], [1, 2], [1, 1], [1, 1], true],
    ['ceil drops a window starting in the right padding', [1, 1, 5, 5], [2, 2], [2, 2], [1, 1], [1, 1], true],
  ];
  for (const [name, shape, k, s, p, d, ceil] of cases) {
    it(name, () => {
      const x = rnd(shape, gen(21));
      const idx: number[] = [];
      const ref = refPool2d(x, k, s, p, d, ceil, maxOf, idx);
      const [out, indices] = maxPool2d(x, k, { stride: s, padding: p, dilation: d, ceilMode: ceil, returnIndices: true });
      expectClose(out, ref.values, ref.shape, 0, 0);
      expect(indices.dtype).toBe(int64);
      expect(Array.from(indices.values())).toEqual(idx);
    });
  }
  it('ceil_mode output sizes by hand', () => {
    // n=5, k=2, s=2, p=1: floor -> 3; ceil -> (5+2-2)/2=2.5 -> 4, but window 3 starts at 6 >= 5+1 -> 3
    expect(maxPool1d(randn([1, 1, 5]), 2, { stride: 2, padding: 1, ceilMode: true }).shape).toEqual([1, 1, 3]);
    // n=6, k=3, s=2: floor -> 2, ceil -> 3 (last window starts at 4 < 6)
    expect(maxPool1d(randn([1, 1, 6]), 3, { stride: 2, ceilMode: true }).shape).toEqual([1, 1, 3]);
    expect(maxPool1d(randn([1, 1, 6]), 3, { stride: 2 }).shape).toEqual([1, 1, 2]);
  });
  it('ties keep the first maximum, NaN wins, unbatched input, stride defaults to kernel', () => {
    const x = tensor([[[1, 3, 3, 0, Number.NaN, 5]]]);
    const [v, i] = maxPool1d(x, 3, { returnIndices: true });
    expect(Array.from(i.values())).toEqual([1, 4]);
    expect(v.values()[0]).toBe(3);
    expect(Number.isNaN(v.values()[1]!)).toBe(true);
    const u = maxPool2d(tensor([[[1, 2], [4, 3]]]), 2);
    expect(u.shape).toEqual([1, 1, 1]);
    expect(u.item()).toBe(4);
  });
  it('maxPool3d and maxPool1d with indices', () => {
    const x = rnd([1, 2, 3, 4, 5], gen(22));
    const [v, i] = maxPool3d(x, [2, 2, 3], { stride: [1, 2, 2], padding: [1, 1, 1], returnIndices: true });
    expect(v.shape).toEqual([1, 2, 4, 3, 3]);
    const xv = x.values(), vv = v.values(), iv = i.values();
    for (let o = 0; o < vv.length; o++) {
      const plane = Math.floor(o / 36);
      expect(xv[plane * 60 + iv[o]!]).toBe(vv[o]);
    }
    const y = rnd([2, 3, 11], gen(23));
    const ref = refPool2d(y.reshape([2, 3, 1, 11]), [1, 3], [1, 2], [0, 1], [1, 2], true, maxOf);
    expectClose(maxPool1d(y, 3, { stride: 2, padding: 1, dilation: 2, ceilMode: true }), ref.values, [2, 3, 5], 0, 0);
  });
});

describe('average pooling vs definition', () => {
  const variants: Array<[string, { ceilMode?: boolean; countIncludePad?: boolean; divisorOverride?: number }]> = [
    ['count_include_pad', {}], ['exclude pad', { countIncludePad: false }], ['ceil', { ceilMode: true }],
    ['ceil exclude pad', { ceilMode: true, countIncludePad: false }], ['divisor 5', { divisorOverride: 5 }],
  ];
  for (const [name, o] of variants) {
    it(name, () => {
      const x = rnd([2, 2, 7, 8], gen(24));
      const ref = refPool2d(x, [3, 3], [2, 2], [1, 1], [1, 1], o.ceilMode ?? false, (v, _, area) =>
        sumOf(v) / (o.divisorOverride ?? ((o.countIncludePad ?? true) ? area : v.length)));
      expectClose(avgPool2d(x, 3, { stride: 2, padding: 1, ...o }), ref.values, ref.shape, 1e-6, 1e-6);
    });
  }
  it('avgPool1d and avgPool3d reduce to the 2-d definition', () => {
    const x = rnd([1, 2, 9], gen(25));
    const r1 = refPool2d(x.reshape([1, 2, 1, 9]), [1, 4], [1, 3], [0, 2], [1, 1], true, (v, _, a) => sumOf(v) / a);
    expectClose(avgPool1d(x, 4, { stride: 3, padding: 2, ceilMode: true }), r1.values, [1, 2, 4], 1e-6, 1e-6);
    // depth kernel 1 makes avg_pool3d a stack of 2-d pools
    const y = rnd([1, 1, 2, 5, 5], gen(26));
    const r3 = refPool2d(y.reshape([1, 2, 5, 5]), [2, 2], [2, 2], [1, 1], [1, 1], false, (v) => sumOf(v) / v.length);
    expectClose(avgPool3d(y, [1, 2, 2], { padding: [0, 1, 1], countIncludePad: false }), r3.values, [1, 1, 2, 3, 3], 1e-6, 1e-6);
  });
});

describe('adaptive pooling', () => {
  it('windows [floor(o*n/out), ceil((o+1)*n/out)) by hand', () => {
    const x = tensor([[[1, 2, 3, 4, 5]]]);
    // out 3 over 5: [0,2) [1,4) [3,5)
    expectClose(adaptiveAvgPool1d(x, 3), [1.5, 3, 4.5], [1, 1, 3], 1e-7, 0);
    const [m, i] = adaptiveMaxPool1d(x, 3, { returnIndices: true });
    expectClose(m, [2, 4, 5], [1, 1, 3], 0, 0);
    expect(Array.from(i.values())).toEqual([1, 3, 4]);
    // upsampling: out 7 over 3 repeats elements
    expectClose(adaptiveAvgPool1d(tensor([[1, 2, 3]]), 7), [1, 1, 1.5, 2, 2.5, 3, 3], [1, 7], 1e-7, 0);
  });
  it('2-d with null (keep size), 3-d shape', () => {
    const x = rnd([2, 3, 5, 6], gen(27));
    const out = adaptiveAvgPool2d(x, [2, null]);
    expect(out.shape).toEqual([2, 3, 2, 6]);
    const xv = x.values();
    // row 0 averages rows [0, 3), row 1 rows [2, 5)
    expect(out.values()[1]).toBeCloseTo((xv[1]! + xv[7]! + xv[13]!) / 3, 6);
    expect(out.values()[6 + 5]).toBeCloseTo((xv[17]! + xv[23]! + xv[29]!) / 3, 6);
    expect(adaptiveAvgPool3d(rnd([1, 2, 3, 4, 5], gen(28)), [1, 2, 3]).shape).toEqual([1, 2, 1, 2, 3]);
    expect(adaptiveMaxPool2d(x, 1).shape).toEqual([2, 3, 1, 1]);
  });
});

describe('PyTorch quantized pooling fixtures: same windows on int_repr values', () => {
  const fns: Record<string, (x: Tensor, a: Record<string, any>) => Tensor> = {
    'torch.nn.functional.max_pool1d': (x, a) => maxPool1d(x, a.kernel_size, opts(a)),
    'torch.nn.functional.max_pool2d': (x, a) => maxPool2d(x, a.kernel_size, opts(a)),
    'torch.nn.functional.avg_pool2d': (x, a) => avgPool2d(x, a.kernel_size, opts(a)),
    'torch.nn.functional.avg_pool3d': (x, a) => avgPool3d(x, a.kernel_size, opts(a)),
    'torch.nn.functional.adaptive_avg_pool2d': (x, a) => adaptiveAvgPool2d(x, a.output_size),
    'torch.nn.functional.adaptive_avg_pool3d': (x, a) => adaptiveAvgPool3d(x, a.output_size),
  };
  function opts(a: Record<string, any>): Record<string, any> {
    return {
      stride: a.stride, padding: a.padding ?? 0, dilation: a.dilation ?? 1, ceilMode: a.ceil_mode ?? false,
      countIncludePad: a.count_include_pad ?? true, divisorOverride: a.divisor_override ?? null,
    };
  }
  // qnnpack's avg_pool ignores count_include_pad / divisor_override (golden README), so averages use onednn
  const cases = loadGolden('ops/pooling.json').cases.filter((c) => c.name.endsWith('@onednn') || c.op.includes('max_pool'));
  for (const c of cases) {
    it(c.name, () => {
      const q = c.inputs.x;
      const isMax = c.op.includes('max_pool');
      // averages of (q - zp) give the real value / scale; max is order-preserving so int_repr works as is
      const shift = isMax ? 0 : q.zero_point;
      const x = tensor(q.int_repr.map((v: number) => v - shift), { dtype: float64 }).reshape(q.shape);
      const out = fns[c.op]!(x, c.args);
      expect(out.shape).toEqual(c.expected.y.shape);
      const ov = out.values(), want: number[] = c.expected.y.int_repr;
      const [qmin, qmax] = q.dtype === 'quint8' ? [0, 255] : [-128, 127];
      for (let i = 0; i < ov.length; i++) {
        if (isMax) expect(ov[i]).toBe(want[i]);
        else expect(Math.abs(Math.min(qmax, Math.max(qmin, Math.round(ov[i]!) + shift)) - want[i]!)).toBeLessThanOrEqual(1);
      }
    });
  }
});

describe('pooling gradients (gradcheck)', () => {
  it('maxPool2d with padding, dilation, ceil_mode; non-contiguous input', () => {
    const g = gen(29);
    expect(gradcheck((x) => maxPool2d(x!, 3, { stride: 2, padding: 1, dilation: [1, 2], ceilMode: true }), [leaf([1, 2, 6, 7], g)])).toBe(true);
    const x = nonContiguous([1, 2, 5, 4], (s) => randn(s, { dtype: float64, generator: g })).requiresGrad_();
    expect(gradcheck((x) => maxPool2d(x!, 2, { stride: 1 }), [x])).toBe(true);
    expect(gradcheck((x) => maxPool1d(x!, 2, { ceilMode: true }), [leaf([2, 5], g)])).toBe(true);
    expect(gradcheck((x) => maxPool3d(x!, 2, { padding: 1 }), [leaf([1, 1, 3, 3, 3], g)])).toBe(true);
  });
  it('avgPool with ceil_mode, count_include_pad, divisor_override', () => {
    const g = gen(30);
    expect(gradcheck((x) => avgPool2d(x!, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }), [leaf([1, 2, 6, 5], g)])).toBe(true);
    expect(gradcheck((x) => avgPool2d(x!, [2, 3], { stride: [2, 1], divisorOverride: 4 }), [leaf([1, 1, 5, 5], g)])).toBe(true);
    expect(gradcheck((x) => avgPool1d(x!, 3, { stride: 2, padding: 1, ceilMode: true }), [leaf([1, 2, 6], g)])).toBe(true);
    expect(gradcheck((x) => avgPool3d(x!.transpose(2, 4), 2, { ceilMode: true }), [leaf([1, 1, 3, 2, 3], g)])).toBe(true);
  });
  it('adaptive avg / max', () => {
    const g = gen(31);
    expect(gradcheck((x) => adaptiveAvgPool2d(x!, [3, 5]), [leaf([1, 2, 5, 4], g)])).toBe(true);
    expect(gradcheck((x) => adaptiveAvgPool1d(x!, 4), [leaf([2, 7], g)])).toBe(true);
    expect(gradcheck((x) => adaptiveMaxPool2d(x!, [2, 3]), [leaf([1, 2, 5, 7], g)])).toBe(true);
  });
});

describe('pooling errors', () => {
  it('names the op and the shapes', () => {
    expect(() => maxPool2d(randn([1, 1, 2, 2]), 3)).toThrow(QTorchShapeError);
    expect(() => maxPool2d(randn([1, 1, 2, 2]), 3)).toThrow(/maxPool2d\(\): Given input size: \(1x2x2\)\. Calculated output size: \(1x0x0\)\. Output size is too small/);
    expect(() => maxPool2d(randn([1, 1, 4, 4]), 2, { padding: 2 })).toThrow(/pad should be smaller than or equal to half of kernel size/);
    expect(() => maxPool2d(randn([4, 4]), 2)).toThrow(/maxPool2d\(\): expected 3-D \(unbatched\) or 4-D \(batched\) input, got input of shape \[4, 4\]/);
    expect(() => maxPool2d(randn([1, 1, 4, 4]), 0)).toThrow(QTorchValueError);
    expect(() => avgPool2d(randn([1, 1, 4, 4]), 2, { divisorOverride: 0 })).toThrow(/divisor/);
    expect(() => adaptiveAvgPool2d(randn([1, 1, 4, 4]), [2, 2, 2])).toThrow(/output_size must have 2 elements/);
    expect(() => avgPool1d(randn([1, 1, 4, 4, 4]), 2)).toThrow(/avgPool1d\(\)/);
  });
});
