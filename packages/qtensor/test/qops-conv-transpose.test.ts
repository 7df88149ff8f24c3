// Quantized transposed convolution: hand-computed values, a float64 reference (dequantize ->
// float conv_transpose -> requantize) and PyTorch 1.13's integers (tools/golden/ops/conv_transpose.json,
// from tools/golden/ops/gen_conv_transpose.py).
import { describe, expect, it } from 'vitest';
import {
  type Engine, Tensor, _makePerChannelQuantizedTensor, convPrepack, convTranspose2dPrepack, fromValues, int8, makeQTensor, qint8,
  quantizedConv, quantizedConvTranspose2d, quint8, withEngine,
} from '../src/index.js';
import { type GoldenQTensor, expectQTensorEqual, loadGolden, tensorFromGolden } from '../../../tools/testing/src/index.js';

function w22(ints: number[], cin: number, cout: number): Tensor {
  const w = new Tensor(Int8Array.from(ints), qint8, [cin, cout, 2, 2]);
  w.quantizer = { qscheme: 'per_tensor_affine', scale: 0.25, zeroPoint: 0 };
  return w;
}

describe('quantized conv_transpose2d', () => {
  it('scatters each input pixel times the kernel (stride 2: no overlap)', () => {
    // x = [[1, 2], [3, 4]] (scale 0.5, zp 128), w = [[1, 2], [3, 4]] * 0.25, out scale 0.25
    const x = makeQTensor([1, 1, 2, 2], quint8, 0.5, 128, [130, 132, 134, 136]);
    const p = convTranspose2dPrepack(w22([1, 2, 3, 4], 1, 1), null, 2);
    const y = quantizedConvTranspose2d(x, p, 0.25, 0);
    expect(y.shape).toEqual([1, 1, 4, 4]);
    // y[2i + a, 2j + b] = x[i, j] * w[a, b] / 0.25 = x * wInt
    expect(Array.from(y.rawValues())).toEqual([1, 2, 2, 4, 3, 4, 6, 8, 3, 6, 4, 8, 9, 12, 12, 16]);
  });

  it('sums overlapping contributions (stride 1) and adds the bias', () => {
    const x = makeQTensor([1, 1, 1, 2], quint8, 0.5, 128, [130, 130]); // x = [1, 1]
    const b = Tensor.fromTypedArray(Float32Array.of(0.5), [1]);
    const p = convTranspose2dPrepack(w22([1, 1, 1, 1], 1, 1), b, 1);
    const y = quantizedConvTranspose2d(x, p, 0.25, 10);
    expect(y.shape).toEqual([1, 1, 2, 3]);
    // real: [0.25, 0.5, 0.25] per row + 0.5 bias = [0.75, 1, 0.75] -> /0.25 + 10
    expect(Array.from(y.rawValues())).toEqual([13, 14, 13, 13, 14, 13]);
  });
});

/** Deterministic pseudo-random integers in [lo, hi] (LCG), so the reference cases are fixed. */
function ints(n: number, lo: number, hi: number, seed: number): number[] {
  let st = seed >>> 0;
  return Array.from({ length: n }, () => {
    st = (Math.imul(st, 1664525) + 1013904223) >>> 0;
    return lo + (st % (hi - lo + 1));
  });
}

interface RefGeometry {
  stride: number[];
  padding: number[];
  outputPadding: number[];
  dilation: number[];
  groups: number;
}

/**
 * Independent model: dequantize x and w in float64, run a gather-form transposed convolution
 * (each output reads the inputs that land on it) plus the bias, requantize with round-half-even.
 * `wScale(ic, c)` / `wZp(ic, c)` give the qparams of weight element [ic, c, ...].
 */
function referenceConvTranspose(
  x: { q: number[]; shape: number[]; scale: number; zp: number },
  w: { q: number[]; shape: number[]; scale: (c: number) => number; zp: (c: number) => number },
  bias: number[], g: RefGeometry, outScale: number, outZp: number,
): { shape: number[]; q: number[] } {
  const [B, Cin] = [x.shape[0]!, x.shape[1]!];
  const coutG = w.shape[1]!, Cout = coutG * g.groups, cinG = Cin / g.groups;
  const d = x.shape.length - 2;
  const inSp = x.shape.slice(2), k = w.shape.slice(2);
  const outSp = inSp.map((s, i) => (s - 1) * g.stride[i]! - 2 * g.padding[i]! + g.dilation[i]! * (k[i]! - 1) + g.outputPadding[i]! + 1);
  const numel = (v: number[]): number => v.reduce((a, b) => a * b, 1);
  const kN = numel(k), inN = numel(inSp), outN = numel(outSp);
  const unravel = (i: number, dims: number[]): number[] => {
    const r: number[] = new Array<number>(dims.length);
    for (let j = dims.length - 1; j >= 0; j--) { r[j] = i % dims[j]!; i = Math.floor(i / dims[j]!); }
    return r;
  };
  const q: number[] = [];
  for (let b = 0; b < B; b++) for (let oc = 0; oc < Cout; oc++) {
    const grp = Math.floor(oc / coutG), c = oc % coutG;
    for (let o = 0; o < outN; o++) {
      const op = unravel(o, outSp);
      let acc = bias[oc]!;
      for (let icl = 0; icl < cinG; icl++) {
        const ic = grp * cinG + icl;
        for (let kk = 0; kk < kN; kk++) {
          const kp = unravel(kk, k);
          // input position i with i * stride - pad + k * dil == o
          let inIdx = 0, ok = true;
          for (let j = 0; j < d && ok; j++) {
            const num = op[j]! + g.padding[j]! - kp[j]! * g.dilation[j]!;
            const i = num / g.stride[j]!;
            ok = num >= 0 && Number.isInteger(i) && i < inSp[j]!;
            inIdx = inIdx * inSp[j]! + i;
          }
          if (!ok) continue;
          const xv = (x.q[(b * Cin + ic) * inN + inIdx]! - x.zp) * x.scale;
          const wv = (w.q[(ic * coutG + c) * kN + kk]! - w.zp(c)) * w.scale(c);
          acc += xv * wv;
        }
      }
      const r = acc / outScale, fl = Math.floor(r);
      const rounded = r - fl === 0.5 ? (fl % 2 === 0 ? fl : fl + 1) : Math.round(r);
      q.push(Math.min(255, Math.max(0, outZp + rounded)));
    }
  }
  return { shape: [B, Cout, ...outSp], q };
}

interface RefCase {
  name: string;
  inShape: number[];
  kernel: number[];
  cout: number;
  geometry: RefGeometry;
  perChannel: boolean;
  weightZp: number;
}

const spatial = (d: number, v: number): number[] => new Array<number>(d).fill(v);
const refCases: RefCase[] = [
  { name: '2-d stride 2 pad 1', inShape: [1, 4, 4, 5], kernel: [3, 3], cout: 6, geometry: { stride: [2, 2], padding: [1, 1], outputPadding: [0, 0], dilation: [1, 1], groups: 1 }, perChannel: false, weightZp: 0 },
  { name: '2-d groups 2, output padding, dilation', inShape: [2, 4, 3, 4], kernel: [2, 3], cout: 6, geometry: { stride: [2, 1], padding: [0, 1], outputPadding: [1, 0], dilation: [1, 2], groups: 2 }, perChannel: false, weightZp: 0 },
  { name: '1-d stride 3, weight zero point 2', inShape: [1, 3, 6], kernel: [4], cout: 5, geometry: { stride: [3], padding: [1], outputPadding: [2], dilation: [1], groups: 1 }, perChannel: false, weightZp: 2 },
  { name: '3-d stride 2', inShape: [1, 2, 2, 3, 3], kernel: [2, 2, 3], cout: 4, geometry: { stride: spatial(3, 2), padding: [0, 0, 1], outputPadding: spatial(3, 0), dilation: spatial(3, 1), groups: 1 }, perChannel: false, weightZp: 0 },
];

describe('quantized conv_transpose vs a float64 reference (bias, several output channels)', () => {
  const engines: Engine[] = ['fbgemm', 'qnnpack'];
  const cases = refCases.flatMap((c) => [c, { ...c, name: `${c.name}, per-channel`, perChannel: true }]);
  for (const engine of engines) {
    for (const [ci, c] of cases.entries()) {
      it(`${c.name} (${engine})`, () => {
        const g = c.geometry, cin = c.inShape[1]!, coutG = c.cout / g.groups;
        const xq = ints(c.inShape.reduce((a, b) => a * b, 1), 90, 170, 11 + ci);
        const x = makeQTensor(c.inShape, quint8, 0.04, 128, xq);
        const wShape = [cin, coutG, ...c.kernel];
        const wq = ints(wShape.reduce((a, b) => a * b, 1), -60, 60, 101 + ci);
        // per-channel scales along axis 1 differ up to 3x between channels, so a wrong channel shows
        const scales = Array.from({ length: coutG }, (_, i) => 0.008 * (1 + 0.4 * i));
        const zps = Array.from({ length: coutG }, (_, i) => (c.weightZp ? c.weightZp - i : 0));
        const w = c.perChannel
          ? _makePerChannelQuantizedTensor(fromValues(wq, wShape, int8), scales, zps, 1)
          : makeQTensor(wShape, qint8, 0.015, c.weightZp, wq);
        // one clearly different bias per output channel (channel 0's bias alone would be wrong by steps)
        const bias = Array.from({ length: c.cout }, (_, i) => (i % 2 ? -1 : 1) * (0.2 + 0.3 * i));
        const packed = convPrepack(w, fromValues(bias, [c.cout]), { ...g, transposed: true }, engine);
        const outScale = 0.05, outZp = 120;
        const y = quantizedConv(x, packed, outScale, outZp);
        const ref = referenceConvTranspose(
          { q: xq, shape: c.inShape, scale: 0.04, zp: 128 },
          { q: wq, shape: wShape, scale: (ch) => (c.perChannel ? scales[ch]! : 0.015), zp: (ch) => (c.perChannel ? zps[ch]! : c.weightZp) },
          bias, g, outScale, outZp,
        );
        expect(y.shape).toEqual(ref.shape);
        const got = Array.from(y.rawValues());
        let maxDiff = 0;
        for (let i = 0; i < got.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i]! - ref.q[i]!));
        expect(maxDiff).toBeLessThanOrEqual(1);
        // the outputs are not saturated: the comparison is meaningful
        expect(got.filter((v) => v === 0 || v === 255).length).toBeLessThan(got.length / 10);
      });
    }
  }

  it('per-channel weights round-trip through unpack with their axis-1 qparams', () => {
    const w = _makePerChannelQuantizedTensor(fromValues(ints(2 * 3 * 4, -9, 9, 5), [2, 3, 2, 2], int8), [0.1, 0.2, 0.3], [0, 1, 2], 1);
    const p = convPrepack(w, fromValues([1, 2, 3, 4, 5, 6], [6]), { groups: 2, transposed: true }, 'qnnpack');
    expect(p.outChannels).toBe(6);
    expect(Array.from(p.weight.scales)).toEqual([0.1, 0.2, 0.3, 0.1, 0.2, 0.3]);
    const [wu] = p.unpack();
    expect(wu.quantizer).toMatchObject({ qscheme: 'per_channel_affine', axis: 1 });
    expect(Array.from((wu.quantizer as { scales: Float64Array }).scales)).toEqual([0.1, 0.2, 0.3]);
    expect(Array.from(wu.rawValues())).toEqual(Array.from(w.rawValues()));
  });

  it('rejects per-channel weights quantized along the input-channel axis', () => {
    const w = _makePerChannelQuantizedTensor(fromValues(new Array<number>(24).fill(1), [2, 3, 2, 2], int8), [0.1, 0.2], [0, 0], 0);
    expect(() => convPrepack(w, null, { transposed: true })).toThrow(/axis 1 \(output channels\), got axis 0/);
  });
});

describe('quantized conv_transpose vs PyTorch 1.13 (golden)', () => {
  const file = loadGolden('ops/conv_transpose.json');
  for (const c of file.cases) {
    it(c.name, () => {
      const engine: Engine = c.args.engine === 'qnnpack' ? 'qnnpack' : 'fbgemm'; // onednn's numerics are the fbgemm engine's
      const x = tensorFromGolden(c.inputs.x), w = tensorFromGolden(c.inputs.w), b = tensorFromGolden(c.inputs.b);
      const a = c.args as { stride: number[]; padding: number[]; output_padding: number[]; dilation: number[]; groups: number; out_scale: number; out_zero_point: number };
      const y = w.ndim === 4
        ? withEngine(engine, () => quantizedConvTranspose2d(x, convTranspose2dPrepack(w, b, a.stride, a.padding, a.output_padding, a.dilation, a.groups), a.out_scale, a.out_zero_point))
        : quantizedConv(x, convPrepack(w, b, { stride: a.stride, padding: a.padding, outputPadding: a.output_padding, dilation: a.dilation, groups: a.groups, transposed: true }, engine), a.out_scale, a.out_zero_point);
      expectQTensorEqual(y, c.expected.y as GoldenQTensor, { label: c.name });
    });
  }
});
