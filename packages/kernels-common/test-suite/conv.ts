/**
 * The native convolution's paths, bit-exact against the reference on every ISA: the float
 * direct kernel (depthwise and narrow groups, AVX2) with its exactness bound and int32
 * fallback, and the GEMM convolution's channels-last transpose, im2col and NCHW
 * requantization, at the edges of each (odd sizes, vector tails, strides, dilation, padding,
 * zero points and values at the ends of the range, non-finite biases).
 */
import { describe, it } from 'vitest';
import * as Q from '@qtorch/qtensor';
import type { Tensor } from '@qtorch/qtensor';
import { RANGE, Rand, expectBitExact, fBias, qActivation, qWeight } from './ops.js';
import type { AddonUnderTest } from './suite.js';

interface ConvCase {
  b: number;
  cin: number;
  cout: number;
  groups: number;
  k: number[];
  stride: number | number[];
  pad: number | number[];
  dil: number | number[];
  size: number[];  // spatial input size (1 or 2 dims)
}

/** A weight whose |w - zw| is at the top of the range (w and zw at opposite ends), per channel. */
function extremeWeight(r: Rand, shape: number[]): Tensor {
  const c = shape[0]!, per = shape.slice(1).reduce((a, b) => a * b, 1);
  const zps = Float64Array.from({ length: c }, (_, o) => (o % 2 ? 127 : -128));
  const vals = Int8Array.from({ length: c * per }, (_, i) => (zps[Math.floor(i / per)]! > 0 ? -128 : 127) - (r.int(0, 3) === 0 ? r.int(0, 20) : 0));
  const w = new Q.Tensor(vals, Q.qint8, shape);
  w.quantizer = { qscheme: 'per_channel_affine', scales: Float64Array.from({ length: c }, () => r.scale(0.0001, 0.002)), zeroPoints: zps, axis: 0 };
  return w;
}

/** An activation of values at the ends of the range only, zero point at the other end. */
function extremeActivation(r: Rand, shape: number[], dtype: Q.DType): Tensor {
  const [lo, hi] = RANGE[dtype.name as 'quint8' | 'qint8'];
  const n = shape.reduce((a, b) => a * b, 1);
  return Q.makeQTensor(shape, dtype, 0.02, r.pick([lo, hi]), Array.from({ length: n }, () => (r.int(0, 7) ? hi : lo)));
}

function runCase(t: AddonUnderTest, r: Rand, g: ConvCase, label: string, opts: { dtype?: Q.DType; extreme?: boolean; bias?: Tensor | null; relu?: boolean } = {}): void {
  const dtype = opts.dtype ?? Q.quint8;
  const xShape = [g.b, g.cin, ...g.size], wShape = [g.cout, g.cin / g.groups, ...g.k];
  const x = opts.extreme ? extremeActivation(r, xShape, dtype) : qActivation(r, xShape, dtype);
  const w = opts.extreme ? extremeWeight(r, wShape) : qWeight(r, wShape, r.int(0, 1) === 1);
  const bias = opts.bias === undefined ? fBias(r, g.cout) : opts.bias;
  const packed = Q.convPrepack(w, bias, { stride: g.stride, padding: g.pad, dilation: g.dil, groups: g.groups }, t.engine);
  const [lo, hi] = RANGE[dtype.name as 'quint8' | 'qint8'];
  const so = opts.extreme ? r.scale(0.5, 4) : r.scale(0.01, 0.5), zo = r.pick([lo, hi, r.int(lo, hi)]);
  const two = g.size.length === 2;
  const fn = opts.relu ? (two ? Q.quantizedConv2dRelu : Q.quantizedConv1dRelu) : two ? Q.quantizedConv2d : Q.quantizedConv1d;
  expectBitExact(t, `${label} ${JSON.stringify(g)} ${dtype.name}`, 'qconv2d', () => fn(x, packed, so, zo));
}

/** Convolution paths of the native addon under test. */
export function describeConvPaths(t: AddonUnderTest): void {
  describe(`${t.packageName} native conv paths (bit-exact, every ISA)`, () => {
    it('float direct kernel: depthwise strides 1/2/3, dilation, padding, vector tails, multipliers, conv1d', () => {
      const r = new Rand(61);
      const dw = (c: number, m: number, k: number[], stride: number | number[], pad: number | number[], dil: number | number[], size: number[], b = 1): ConvCase =>
        ({ b, cin: c, cout: c * m, groups: c, k, stride, pad, dil, size });
      const cases: ConvCase[] = [
        dw(5, 1, [3, 3], 1, 1, 1, [13, 70]),        // 9 vectors per row: blocks of 5 + 4, partial last
        dw(4, 1, [3, 3], 1, 1, 1, [8, 8]),          // one whole vector per row
        dw(3, 1, [3, 3], 2, 1, 1, [15, 37]),        // stride 2: phase planes, odd padding
        dw(3, 1, [5, 5], 2, 2, 1, [20, 33]),        // stride 2, even padding, 5x5
        dw(4, 1, [3, 3], 1, 2, 2, [9, 19]),         // dilation 2
        dw(2, 1, [3, 3], 3, 0, 1, [17, 40]),        // stride 3: scalar plane fill
        dw(3, 1, [3, 3], [1, 2], [0, 1], [2, 1], [12, 23]),  // mixed strides / padding / dilation
        dw(2, 1, [1, 7], 1, [0, 3], 1, [5, 50]),    // 1x7
        dw(2, 1, [7, 1], 2, [3, 0], 1, [30, 9]),    // 7x1, stride 2
        dw(4, 2, [3, 3], 1, 1, 1, [7, 11], 2),      // channel multiplier 2, batch 2
        dw(3, 1, [3, 3], 1, 4, 1, [3, 4]),          // padding wider than the image
        dw(2, 1, [3, 3], 1, 0, 1, [3, 3]),          // a single output
        { b: 1, cin: 6, cout: 8, groups: 2, k: [3, 3], stride: 1, pad: 1, dil: 1, size: [9, 21] },  // narrow groups, cin_g 3
        dw(4, 1, [5], 2, 2, 1, [41]),               // conv1d depthwise
        dw(3, 2, [3], 1, 1, 3, [70], 2),            // conv1d, dilation 3, multiplier 2
      ];
      cases.forEach((g, c) => runCase(t, r, g, `depthwise #${c}`, { dtype: c % 3 === 2 ? Q.qint8 : Q.quint8, relu: c % 4 === 1 }));
    });

    it('float direct kernel: values and zero points at the range ends (the largest exact sums)', () => {
      const r = new Rand(62);
      for (const [c, dtype] of [[0, Q.quint8], [1, Q.qint8], [2, Q.quint8]] as const) {
        // 3x3 depthwise: 9 * 255 * 255 per sum; cin_g 28 x 3x3 (252 taps): just under 2^24
        const g: ConvCase = c === 2
          ? { b: 1, cin: 56, cout: 4, groups: 2, k: [3, 3], stride: 1, pad: 1, dil: 1, size: [6, 10] }
          : { b: 1, cin: 6, cout: 6, groups: 6, k: [3, 3], stride: 1, pad: 1, dil: 1, size: [10, 17] };
        runCase(t, r, g, `extreme #${c}`, { dtype, extreme: true, relu: c === 1 });
      }
    });

    it('float direct kernel: sums that may pass 2^24 run the int32 kernel (per output channel)', () => {
      const r = new Rand(63);
      // cin_g 32 x 3x3 = 288 taps of |w - zw| near 255: the float bound fails for most channels
      // (those with smaller weights stay on the float kernel); 0/255 inputs make the sums large
      const g: ConvCase = { b: 1, cin: 64, cout: 6, groups: 2, k: [3, 3], stride: 1, pad: 1, dil: 1, size: [5, 9] };
      runCase(t, r, g, 'bound', { extreme: true });
      runCase(t, r, g, 'bound', { dtype: Q.qint8 });
      // A sum float32 cannot hold: 600 taps of +255 * 127, then 600 of -255 * 127. The partial
      // sums pass 2^24 (odd steps round) and the exact result is 0; float accumulation in tap
      // order ends at 1, which shows with a multiplier of exactly 1 (scales powers of two).
      const cinG = 1200, x = Q.makeQTensor([1, 2 * cinG, 1, 3], Q.quint8, 2 ** -4, 0, new Array<number>(2 * cinG * 3).fill(255));
      const w = new Q.Tensor(Int8Array.from({ length: 4 * cinG }, (_, i) => (i % cinG < cinG / 2 ? 127 : -127)), Q.qint8, [4, cinG, 1, 1]);
      w.quantizer = { qscheme: 'per_tensor_affine', scale: 2 ** -4, zeroPoint: 0 };
      const packed = Q.convPrepack(w, null, { groups: 2 }, t.engine);
      expectBitExact(t, 'bound: cancelling sums past 2^24', 'qconv2d', () => Q.quantizedConv2d(x, packed, 2 ** -8, 128));
    });

    it('non-finite and huge biases (float and int32 bias paths, NaN outputs)', () => {
      const r = new Rand(64);
      const bias = Q.Tensor.fromTypedArray(Float32Array.of(Number.NaN, Infinity, -Infinity, 3e7, -3e7, 1e30, 0.5, -2.25), [8]);
      const cases: ConvCase[] = [
        { b: 1, cin: 8, cout: 8, groups: 8, k: [3, 3], stride: 1, pad: 1, dil: 1, size: [6, 13] },  // depthwise
        { b: 1, cin: 5, cout: 8, groups: 1, k: [3, 3], stride: 1, pad: 1, dil: 1, size: [6, 13] },  // GEMM
      ];
      cases.forEach((g, c) => {
        runCase(t, r, g, `bias #${c}`, { bias });
        runCase(t, r, g, `bias relu #${c}`, { bias, relu: true, dtype: Q.qint8 });
      });
    });

    it('requantization of every accumulator in [-16.4k, 16.1k] x 16 channels: NCHW tiles and the float direct kernel', () => {
      // Pixels enumerate (u, v), u in 0..255, v in 0..126, zx = 128, every weight row [127, 1]:
      // the accumulators 127 (u - 128) + (v - 128) are every integer of the range, once, each
      // requantized by every output channel with its own scale and bias (as the linear test).
      const r = new Rand(66), n = 16, pixels = 256 * 127;
      const u = (i: number) => Math.floor(i / 127), v = (i: number) => i % 127;
      const scales = () => Float64Array.from({ length: n }, () => 0.0005 + r.int(0, 1e6) / 2e7);
      const bias = Q.Tensor.fromTypedArray(Float32Array.from({ length: n }, () => (r.int(-1e6, 1e6) / 1e6) * 4), [n]);
      // 1x1 GEMM conv: channels (u, v) of a [1, 2, 127, 256] image
      const xg = Q.makeQTensor([1, 2, 127, 256], Q.quint8, 0.0123, 128, Array.from({ length: 2 * pixels }, (_, i) => (i < pixels ? u(i) : v(i - pixels))));
      const wg = new Q.Tensor(Int8Array.from({ length: n * 2 }, (_, i) => (i & 1 ? 1 : 127)), Q.qint8, [n, 2, 1, 1]);
      wg.quantizer = { qscheme: 'per_channel_affine', scales: scales(), zeroPoints: new Float64Array(n), axis: 0 };
      // depthwise 1x2 stride 2: every channel's row holds the pairs (u, v)
      const xd = Q.makeQTensor([1, n, 1, 2 * pixels], Q.quint8, 0.0123, 128, Array.from({ length: 2 * n * pixels }, (_, i) => {
        const j = i % (2 * pixels);
        return j & 1 ? v(j >> 1) : u(j >> 1);
      }));
      const wd = new Q.Tensor(Int8Array.from({ length: n * 2 }, (_, i) => (i & 1 ? 1 : 127)), Q.qint8, [n, 1, 1, 2]);
      wd.quantizer = { qscheme: 'per_channel_affine', scales: scales(), zeroPoints: new Float64Array(n), axis: 0 };
      for (const [name, x, packed] of [
        ['gemm', xg, Q.convPrepack(wg, bias, {}, t.engine)],
        ['direct', xd, Q.convPrepack(wd, bias, { stride: [1, 2], groups: n }, t.engine)],
      ] as const) {
        expectBitExact(t, `exhaustive ${name}`, 'qconv2d', () => Q.quantizedConv2d(x, packed, 0.0731, 117));
        expectBitExact(t, `exhaustive ${name}, relu`, 'qconv2d', () => Q.quantizedConv2dRelu(x, packed, 0.0377, 3));
        // multipliers around 1: an int32 bias off by one (qnnpack) shows in the output
        expectBitExact(t, `exhaustive ${name}, large multipliers`, 'qconv2d', () => Q.quantizedConv2d(x, packed, 0.00002, 128));
      }
    });

    it('Winograd F(2x2, 3x3): odd output sizes, padding 0/1/2, channel tails, qint8, range ends', () => {
      const r = new Rand(67);
      const w3 = (cin: number, cout: number, pad: number | number[], size: number[], b = 1): ConvCase =>
        ({ b, cin, cout, groups: 1, k: [3, 3], stride: 1, pad, dil: 1, size });
      const cases: ConvCase[] = [
        w3(16, 16, 1, [8, 8]),            // whole tiles and vectors
        w3(17, 20, 1, [7, 9]),            // odd output rows and columns, channel tails
        w3(35, 33, 0, [9, 12]),           // no padding: 7x10 outputs
        w3(32, 48, 2, [5, 6], 2),         // padding 2 (tiles reading only padding), batch 2
        w3(24, 16, [0, 1], [3, 40]),      // a single tile row, mixed padding
        w3(64, 64, 1, [13, 27]),          // 6-row GEMM blocks and the rest
        w3(16, 24, 1, [5, 150]),          // 75 tiles per row: two column blocks per band
        w3(20, 16, 1, [9, 6]),            // 3 tiles per row: one band of every tile row
      ];
      cases.forEach((g, c) => runCase(t, r, g, `winograd #${c}`, { dtype: c % 2 ? Q.qint8 : Q.quint8, relu: c % 3 === 1, extreme: c === 2 || c === 5 }));
    });

    it('Winograd: sums whose 4x would overflow int32 take the GEMM path', () => {
      // 1100 channels x 9 taps of 255 * 255: the accumulator (6.4e8) fits int32, 4x it does not
      const cin = 1100, x = Q.makeQTensor([1, cin, 4, 5], Q.quint8, 2 ** -4, 0, new Array<number>(cin * 20).fill(255));
      const w = new Q.Tensor(new Int8Array(16 * cin * 9).fill(127), Q.qint8, [16, cin, 3, 3]);
      w.quantizer = { qscheme: 'per_tensor_affine', scale: 2 ** -4, zeroPoint: -128 };
      const packed = Q.convPrepack(w, null, { padding: 1 }, t.engine);
      expectBitExact(t, 'winograd bound', 'qconv2d', () => Q.quantizedConv2d(x, packed, 2 ** 15, 0));
    });

    it('GEMM conv: channels-last transpose, im2col and NCHW requantization tails', () => {
      const r = new Rand(65);
      const cases: ConvCase[] = [
        { b: 1, cin: 3, cout: 16, groups: 1, k: [7, 7], stride: 2, pad: 3, dil: 1, size: [35, 41] },   // cin 3 stem
        { b: 2, cin: 16, cout: 64, groups: 1, k: [3, 3], stride: 1, pad: 1, dil: 1, size: [9, 13] },  // whole 16-channel blocks
        { b: 1, cin: 35, cout: 72, groups: 1, k: [3, 3], stride: 1, pad: 1, dil: 1, size: [11, 7] },  // channel and pixel tails
        { b: 1, cin: 64, cout: 24, groups: 1, k: [3, 3], stride: 2, pad: 0, dil: 1, size: [33, 34] },
        { b: 1, cin: 48, cout: 40, groups: 1, k: [1, 1], stride: 1, pad: 0, dil: 1, size: [19, 21] }, // pointwise
        { b: 1, cin: 32, cout: 17, groups: 1, k: [1, 1], stride: 2, pad: 0, dil: 1, size: [9, 9] },  // strided 1x1
        { b: 1, cin: 34, cout: 64, groups: 2, k: [3, 3], stride: 1, pad: 2, dil: 2, size: [10, 12] }, // groups, dilation
        { b: 1, cin: 20, cout: 33, groups: 1, k: [5], stride: 2, pad: 2, dil: 1, size: [77] },        // conv1d
      ];
      cases.forEach((g, c) => runCase(t, r, g, `gemm #${c}`, { dtype: c % 3 === 1 ? Q.qint8 : Q.quint8, relu: c % 2 === 1, extreme: c === 3 }));
      // a random image wide enough for several row chunks and every 32-pixel transpose block
      const big: ConvCase = { b: 1, cin: 24, cout: 32, groups: 1, k: [3, 3], stride: 1, pad: 1, dil: 1, size: [30, 45] };
      runCase(t, r, big, 'gemm big');
    });
  });
}
