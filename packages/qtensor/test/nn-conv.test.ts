// conv1d/2d/3d and convTranspose1d/2d/3d against direct nested-loop float64 references,
// gradcheck (stride / padding / dilation / groups / non-contiguous), errors, speed, and the
// geometry of PyTorch's quantized conv fixtures (integer accumulators through the float conv).
import { describe, expect, it } from 'vitest';
import {
  QTorchShapeError, QTorchValueError, type Tensor, conv1d, conv2d, conv3d, convTranspose1d, convTranspose2d,
  convTranspose3d, float64, gradcheck, randn, tensor,
} from '../src/index.js';
import { loadGolden } from '../../../tools/testing/src/index.js';
import { expectClose, gen, leaf, nonContiguous, rnd } from './nn-float-helpers.js';

interface Geo { stride: number[]; padL: number[]; dilation: number[]; groups: number }

/** Pads a per-dim list to 3 dims on the left (the reference runs everything as 3-d). */
const as3 = (v: number[], fill: number): number[] => [...new Array(3 - v.length).fill(fill), ...v];

/** Direct convolution: out[n, o, p] = Σ_{c in group, k} x[n, c, p * s - pad + k * d] * w[o, c, k]. */
function refConv(x: Tensor, w: Tensor, bias: Tensor | null, geo: Geo, outSp: number[]): number[] {
  const [N, C] = x.shape as number[];
  const [O, Cg] = w.shape as number[];
  const [D, H, W] = as3(x.shape.slice(2) as number[], 1), [kD, kH, kW] = as3(w.shape.slice(2) as number[], 1);
  const [oD, oH, oW] = as3(outSp, 1), [sD, sH, sW] = as3(geo.stride, 1), [pD, pH, pW] = as3(geo.padL, 0), [dD, dH, dW] = as3(geo.dilation, 1);
  const xv = x.values(), wv = w.values(), bv = bias?.values();
  const og = O! / geo.groups;
  const out: number[] = [];
  for (let n = 0; n < N!; n++) for (let o = 0; o < O!; o++) {
    const g = Math.floor(o / og);
    for (let od = 0; od < oD!; od++) for (let oh = 0; oh < oH!; oh++) for (let ow = 0; ow < oW!; ow++) {
      let s = bv ? bv[o]! : 0;
      for (let c = 0; c < Cg!; c++) for (let kd = 0; kd < kD!; kd++) for (let kh = 0; kh < kH!; kh++) for (let kw = 0; kw < kW!; kw++) {
        const id = od * sD! - pD! + kd * dD!, ih = oh * sH! - pH! + kh * dH!, iw = ow * sW! - pW! + kw * dW!;
        if (id < 0 || id >= D! || ih < 0 || ih >= H! || iw < 0 || iw >= W!) continue;
        const ci = g * Cg! + c;
        s += xv[(((n * C! + ci) * D! + id) * H! + ih) * W! + iw]! * wv[(((o * Cg! + c) * kD! + kd) * kH! + kh) * kW! + kw]!;
      }
      out.push(s);
    }
  }
  return out;
}

/** Direct transposed convolution by scattering: out[n, o, p*s - pad + k*d] += x[n, c, p] * w[c, o % og, k]. */
function refConvTranspose(x: Tensor, w: Tensor, bias: Tensor | null, geo: Geo, outSp: number[]): number[] {
  const [N, C] = x.shape as number[];
  const [, Og] = w.shape as number[];
  const O = Og! * geo.groups, cg = C! / geo.groups;
  const [D, H, W] = as3(x.shape.slice(2) as number[], 1), [kD, kH, kW] = as3(w.shape.slice(2) as number[], 1);
  const [oD, oH, oW] = as3(outSp, 1), [sD, sH, sW] = as3(geo.stride, 1), [pD, pH, pW] = as3(geo.padL, 0), [dD, dH, dW] = as3(geo.dilation, 1);
  const xv = x.values(), wv = w.values(), bv = bias?.values();
  const L = oD! * oH! * oW!;
  const out = new Array<number>(N! * O * L).fill(0);
  for (let n = 0; n < N!; n++) for (let c = 0; c < C!; c++) {
    const g = Math.floor(c / cg);
    for (let id = 0; id < D!; id++) for (let ih = 0; ih < H!; ih++) for (let iw = 0; iw < W!; iw++) {
      const xval = xv[(((n * C! + c) * D! + id) * H! + ih) * W! + iw]!;
      for (let o = 0; o < Og!; o++) for (let kd = 0; kd < kD!; kd++) for (let kh = 0; kh < kH!; kh++) for (let kw = 0; kw < kW!; kw++) {
        const od = id * sD! - pD! + kd * dD!, oh = ih * sH! - pH! + kh * dH!, ow = iw * sW! - pW! + kw * dW!;
        if (od < 0 || od >= oD! || oh < 0 || oh >= oH! || ow < 0 || ow >= oW!) continue;
        out[((n * O + g * Og! + o) * oD! + od) * oH! * oW! + oh * oW! + ow]! += xval * wv[(((c * Og! + o) * kD! + kd) * kH! + kh) * kW! + kw]!;
      }
    }
  }
  if (bv) for (let i = 0; i < out.length; i++) out[i]! += bv[Math.floor(i / L) % O]!;
  return out;
}

const convs = [conv1d, conv2d, conv3d];
const convTs = [convTranspose1d, convTranspose2d, convTranspose3d];

describe('conv forward vs direct loops', () => {
  const cases: Array<{ name: string; x: number[]; w: number[]; stride: number[]; pad: number[]; dil: number[]; groups: number; out: number[] }> = [
    { name: '1d basic', x: [2, 3, 9], w: [4, 3, 3], stride: [1], pad: [0], dil: [1], groups: 1, out: [7] },
    { name: '1d stride 2 pad 2 dil 2 groups 3', x: [1, 6, 11], w: [3, 2, 3], stride: [2], pad: [2], dil: [2], groups: 3, out: [6] },
    { name: '2d stride 2 pad 1', x: [2, 4, 7, 6], w: [5, 4, 3, 3], stride: [2, 2], pad: [1, 1], dil: [1, 1], groups: 1, out: [4, 3] },
    { name: '2d rect, dilation, groups 2', x: [1, 4, 8, 9], w: [6, 2, 2, 3], stride: [1, 2], pad: [1, 0], dil: [2, 1], groups: 2, out: [8, 4] },
    { name: '2d depthwise x2', x: [1, 3, 5, 5], w: [6, 1, 3, 3], stride: [2, 1], pad: [1, 1], dil: [1, 1], groups: 3, out: [3, 5] },
    { name: '2d 1x1', x: [2, 3, 4, 5], w: [2, 3, 1, 1], stride: [1, 1], pad: [0, 0], dil: [1, 1], groups: 1, out: [4, 5] },
    { name: '3d stride/pad/dilation', x: [1, 2, 5, 6, 4], w: [3, 2, 2, 3, 2], stride: [1, 2, 1], pad: [1, 1, 0], dil: [2, 1, 1], groups: 1, out: [5, 3, 3] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const g = gen(11);
      const nSp = c.x.length - 2;
      const x = rnd(c.x, g), w = rnd(c.w, g), b = rnd([c.w[0]!], g);
      const out = convs[nSp - 1]!(x, w, { bias: b, stride: c.stride, padding: c.pad, dilation: c.dil, groups: c.groups });
      const ref = refConv(x, w, b, { stride: c.stride, padL: c.pad, dilation: c.dil, groups: c.groups }, c.out);
      expectClose(out, ref, [c.x[0]!, c.w[0]!, ...c.out], 1e-4, 1e-4);
    });
  }
  it("padding 'same' (even kernel pads the extra element on the right) and 'valid'", () => {
    const g = gen(12);
    const x = rnd([1, 2, 6, 7], g), w = rnd([3, 2, 4, 3], g);
    const same = conv2d(x, w, { padding: 'same', dilation: [1, 2] });
    // total padding d*(k-1): H 3 -> left 1 (right 2), W 4 -> left 2 (right 2)
    expectClose(same, refConv(x, w, null, { stride: [1, 1], padL: [1, 2], dilation: [1, 2], groups: 1 }, [6, 7]), [1, 3, 6, 7], 1e-4, 1e-4);
    expectClose(conv2d(x, w, { padding: 'valid' }), refConv(x, w, null, { stride: [1, 1], padL: [0, 0], dilation: [1, 1], groups: 1 }, [3, 5]), [1, 3, 3, 5], 1e-4, 1e-4);
  });
  it('unbatched input and a hand-computed 1-d example', () => {
    const x = tensor([[1, 2, 3, 4]]), w = tensor([[[1, 0, -1]]]);
    expectClose(conv1d(x, w, { padding: 1 }), [-2, -2, -2, 3], [1, 4], 0, 0);
    expectClose(conv1d(x, w, { bias: tensor([10]), stride: 2 }), [8], [1, 1], 0, 0);
  });
});

describe('convTranspose forward vs direct scatter', () => {
  const cases: Array<{ name: string; x: number[]; w: number[]; stride: number[]; pad: number[]; opad: number[]; dil: number[]; groups: number; out: number[] }> = [
    { name: '1d stride 2 pad 1 output_padding 1', x: [2, 3, 5], w: [3, 2, 3], stride: [2], pad: [1], opad: [1], dil: [1], groups: 1, out: [10] },
    { name: '2d groups 2 dilation 2', x: [1, 4, 3, 4], w: [4, 3, 3, 2], stride: [1, 2], pad: [0, 1], opad: [0, 1], dil: [2, 1], groups: 2, out: [7, 7] },
    { name: '2d output_padding < dilation', x: [1, 2, 3, 3], w: [2, 2, 2, 2], stride: [1, 1], pad: [0, 0], opad: [1, 0], dil: [2, 1], groups: 1, out: [6, 4] },
    { name: '3d', x: [1, 2, 2, 3, 2], w: [2, 2, 2, 2, 3], stride: [2, 1, 2], pad: [0, 1, 1], opad: [1, 0, 0], dil: [1, 1, 1], groups: 1, out: [5, 2, 3] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const g = gen(13);
      const nSp = c.x.length - 2;
      const x = rnd(c.x, g), w = rnd(c.w, g), b = rnd([c.w[1]! * c.groups], g);
      const out = convTs[nSp - 1]!(x, w, { bias: b, stride: c.stride, padding: c.pad, outputPadding: c.opad, dilation: c.dil, groups: c.groups });
      const ref = refConvTranspose(x, w, b, { stride: c.stride, padL: c.pad, dilation: c.dil, groups: c.groups }, c.out);
      expectClose(out, ref, [c.x[0]!, c.w[1]! * c.groups, ...c.out], 1e-4, 1e-4);
    });
  }
});

describe('conv gradients (gradcheck)', () => {
  it('conv2d with stride, padding, dilation, groups, bias', () => {
    const g = gen(14);
    expect(gradcheck((x, w, b) => conv2d(x!, w!, { bias: b, stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 2 }),
      [leaf([2, 4, 5, 5], g), leaf([2, 2, 2, 3], g), leaf([2], g)])).toBe(true);
  });
  it('conv2d on a non-contiguous input, 1x1 kernel', () => {
    const g = gen(15);
    const x = nonContiguous([1, 2, 3, 4], (s) => randn(s, { dtype: float64, generator: g })).requiresGrad_();
    expect(gradcheck((x, w) => conv2d(x!, w!, { padding: 1 }), [x, leaf([3, 2, 2, 2], g)])).toBe(true);
    expect(gradcheck((x, w) => conv2d(x!.transpose(2, 3), w!), [leaf([1, 2, 4, 3], g), leaf([3, 2, 1, 1], g)])).toBe(true);
  });
  it("conv1d 'same' and conv3d", () => {
    const g = gen(16);
    expect(gradcheck((x, w, b) => conv1d(x!, w!, { bias: b, padding: 'same', dilation: 2 }), [leaf([2, 2, 7], g), leaf([3, 2, 4], g), leaf([3], g)])).toBe(true);
    expect(gradcheck((x, w) => conv3d(x!, w!, { stride: 2, padding: 1 }), [leaf([1, 2, 3, 4, 3], g), leaf([2, 2, 2, 2, 2], g)])).toBe(true);
  });
  it('convTranspose1d/2d with output_padding, groups, dilation', () => {
    const g = gen(17);
    expect(gradcheck((x, w, b) => convTranspose2d(x!, w!, { bias: b, stride: 2, padding: 1, outputPadding: 1, groups: 2 }),
      [leaf([1, 4, 3, 2], g), leaf([4, 1, 3, 2], g), leaf([2], g)])).toBe(true);
    expect(gradcheck((x, w) => convTranspose1d(x!, w!, { dilation: 2, stride: 3 }), [leaf([2, 2, 3], g), leaf([2, 3, 2], g)])).toBe(true);
  });
});

describe('conv errors name the op and the shapes', () => {
  const x = randn([1, 4, 5, 5]);
  it('channel mismatch / groups / kernel too large / zero kernel / ndim / bias / same+stride', () => {
    expect(() => conv2d(x, randn([2, 3, 3, 3]))).toThrow(QTorchShapeError);
    expect(() => conv2d(x, randn([2, 3, 3, 3]))).toThrow(/conv2d\(\).*weight of size \[2, 3, 3, 3\].*input\[1, 4, 5, 5\] to have 3 channels, but got 4/);
    expect(() => conv2d(x, randn([3, 2, 3, 3]), { groups: 2 })).toThrow(/conv2d\(\): out_channels \(3\) must be divisible by groups \(2\)/);
    expect(() => conv2d(x, randn([4, 1, 3, 3]), { groups: 3 })).toThrow(QTorchValueError);
    expect(() => conv2d(x, randn([2, 4, 7, 3]), { padding: 0 })).toThrow(/padded input size per channel: \(5 x 5\)\. Kernel size: \(7 x 3\)/);
    expect(() => conv2d(x, randn([2, 4, 0, 3]))).toThrow(/zero-size/);
    expect(() => conv2d(randn([4, 5]), randn([2, 4, 3, 3]))).toThrow(/conv2d\(\): expected 3-D \(unbatched\) or 4-D \(batched\) input, got input of shape \[4, 5\]/);
    expect(() => conv2d(x, randn([2, 4, 3]))).toThrow(/expected 4-D weight/);
    expect(() => conv2d(x, randn([2, 4, 3, 3]), { bias: randn([3]) })).toThrow(/bias of shape \[2\]/);
    expect(() => conv2d(x, randn([2, 4, 3, 3]), { padding: 'same', stride: 2 })).toThrow(/strided/);
    expect(() => convTranspose2d(x, randn([3, 2, 3, 3]))).toThrow(/convTranspose2d\(\).*to have 3 channels, but got 4/);
    expect(() => convTranspose2d(x, randn([4, 2, 3, 3]), { outputPadding: 1 })).toThrow(/output padding must be smaller than either stride or dilation/);
  });
});

describe('conv2d at full size', () => {
  it('(1,64,56,56) x (64,64,3,3) pad 1 matches the definition at spot checks (speed is measured in apps/bench)', () => {
    const g = gen(18);
    const x = rnd([1, 64, 56, 56], g), w = rnd([64, 64, 3, 3], g);
    const out = conv2d(x, w, { padding: 1 });
    expect(out.shape).toEqual([1, 64, 56, 56]);
    // spot-check an interior and a border output against the definition
    const xv = x.values(), wv = w.values(), ov = out.values();
    for (const [o, h, ww] of [[5, 20, 31], [63, 0, 55]] as const) {
      let s = 0;
      for (let c = 0; c < 64; c++) for (let kh = 0; kh < 3; kh++) for (let kw = 0; kw < 3; kw++) {
        const ih = h - 1 + kh, iw = ww - 1 + kw;
        if (ih >= 0 && ih < 56 && iw >= 0 && iw < 56) s += xv[(c * 56 + ih) * 56 + iw]! * wv[((o * 64 + c) * 3 + kh) * 3 + kw]!;
      }
      expect(ov[(o * 56 + h) * 56 + ww]).toBeCloseTo(s, 3);
    }
  });
});

describe('quantized conv fixtures: the float conv of integer values gives PyTorch accumulators', () => {
  // acc = conv(x_q - zx, w_q) is exact in float64; onednn requantizes y = zo + rint(acc * sx * sw / so + b / so)
  for (const file of ['conv1d', 'conv2d', 'conv3d']) {
    const cases = loadGolden(`ops/${file}.json`).cases.filter((c) => c.name.endsWith('@onednn') && !c.name.includes('relu') && !c.expected.error);
    for (const c of cases) {
      it(c.name, () => {
        const xq = c.inputs.x, wq = c.inputs.w;
        const x = tensor(xq.int_repr.map((v: number) => v - xq.zero_point), { dtype: float64 }).reshape(xq.shape);
        const w = tensor(wq.int_repr, { dtype: float64 }).reshape(wq.shape);
        const conv = [conv1d, conv2d, conv3d][xq.shape.length - 3]!;
        const acc = conv(x, w, { stride: c.args.stride, padding: c.args.padding, dilation: c.args.dilation, groups: c.args.groups });
        const y = c.expected.y;
        expect(acc.shape).toEqual(y.shape);
        const O = wq.shape[0], L = acc.numel() / (acc.shape[0]! * O);
        const bias: number[] | null = c.inputs.b ? c.inputs.b.data : null;
        const av = acc.values();
        let off = 0;
        for (let i = 0; i < av.length; i++) {
          const o = Math.floor(i / L) % O;
          const sw = wq.scales ? wq.scales[o] : wq.scale;
          const v = c.args.out_zero_point + Math.round(av[i]! * xq.scale * sw / c.args.out_scale + (bias ? bias[o]! / c.args.out_scale : 0));
          const want = y.int_repr[i];
          if (Math.abs(Math.min(255, Math.max(0, v)) - want) > 1) off++;
        }
        expect(off).toBe(0);
      });
    }
  }
});
