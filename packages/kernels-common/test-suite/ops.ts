/**
 * The native quantized ops both addons register, tested through qtensor's public API:
 * the conformance suite (golden PyTorch cases, randomized float64 model) with the addon active,
 * randomized differential tests native vs reference (setNativeEnabled toggling) that must agree
 * bit for bit on every ISA the CPU has, fallback and caching behaviour. Not published.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import * as Q from '@qtorch/qtensor';
import type { Tensor } from '@qtorch/qtensor';
import { runConformance } from '../../../tools/conformance/src/index.js';
import { NATIVE_QUANTIZED_OPS, createKernelsApi, missingOpFunctions, registerNativeOps, type NativeBinding, type QtensorApi } from '../ts/index.js';
import { Rand, randomInts } from './reference.js';
import { type AddonUnderTest, forEachIsa, restoringThreads } from './suite.js';

export { Rand } from './reference.js';

export const RANGE = { quint8: [0, 255], qint8: [-128, 127] } as const;

/** A per-tensor quantized activation; the zero point is often at an end of the range. */
export function qActivation(r: Rand, shape: number[], dtype: Q.DType = Q.quint8): Tensor {
  const [lo, hi] = RANGE[dtype.name as 'quint8' | 'qint8'];
  const n = shape.reduce((a, b) => a * b, 1);
  const zp = r.pick([lo, hi, r.int(lo, hi)]);
  return Q.makeQTensor(shape, dtype, r.scale(0.004, 0.1), zp, randomInts(n, lo, hi, r.int(1, 1e9)));
}

/** A qint8 weight, per-tensor or per-channel (axis 0), zero points symmetric, at the ends or random. */
export function qWeight(r: Rand, shape: number[], perChannel: boolean): Tensor {
  const n = shape.reduce((a, b) => a * b, 1), c = shape[0]!;
  const zp = (): number => r.pick([0, 0, -128, 127, r.int(-128, 127)]);
  const w = new Q.Tensor(Int8Array.from(randomInts(n, -128, 127, r.int(1, 1e9))), Q.qint8, shape);
  w.quantizer = perChannel
    ? { qscheme: 'per_channel_affine', scales: Float64Array.from({ length: c }, () => r.scale(0.001, 0.05)), zeroPoints: Float64Array.from({ length: c }, zp), axis: 0 }
    : { qscheme: 'per_tensor_affine', scale: r.scale(0.001, 0.05), zeroPoint: zp() };
  return w;
}

/** A bias: multiples of 1/64 half the time (exact ties after scaling), else random floats. */
export function fBias(r: Rand, n: number): Tensor {
  const v = Float32Array.from({ length: n }, () => (r.int(0, 1) ? r.int(-400, 400) / 64 : (r.int(-1e6, 1e6) / 1e6) * 3));
  return Q.Tensor.fromTypedArray(v, [n]);
}

/** Runs `fn` with native kernels enabled or disabled. */
export function withNative<T>(enabled: boolean, fn: () => T): T {
  const prev = Q.setNativeEnabled(enabled);
  try {
    return fn();
  } finally {
    Q.setNativeEnabled(prev);
  }
}

/** Runs `fn` with the native kernels, then with the reference kernels. */
export function nativeAndReference<T>(fn: () => T): { native: T; reference: T } {
  return { native: withNative(true, fn), reference: withNative(false, fn) };
}

/** Everything observable of a tensor but its values: dtype, shape, qparams. */
function tensorMeta(t: Tensor): unknown {
  const q = t.quantizer as { qscheme: string; scale?: number; zeroPoint?: number } | null;
  return { dtype: t.dtype.name, shape: [...t.shape], qscheme: q?.qscheme, scale: q?.scale, zeroPoint: q?.zeroPoint };
}

/** The values as comparable integers (float32 bit patterns for float tensors). */
function valueBits(t: Tensor): ArrayLike<number> {
  const v = t.rawValues();
  return v instanceof Float32Array ? new Uint32Array(Float32Array.from(v).buffer) : v;
}

/** Everything observable of a tensor (small tensors: a readable diff). */
export function describeTensor(t: Tensor): unknown {
  return { ...(tensorMeta(t) as object), values: Array.from(valueBits(t)) };
}

/** Asserts identical tensors; large ones are compared in a loop and the first difference shown. */
function expectSameTensor(got: Tensor, want: Tensor, label: string): void {
  expect({ label, meta: tensorMeta(got) }).toEqual({ label, meta: tensorMeta(want) });
  const a = valueBits(got), b = valueBits(want);
  let first = -1;
  for (let i = 0; i < a.length && first < 0; i++) if (a[i] !== b[i]) first = i;
  const show = (v: ArrayLike<number>) => Array.from({ length: Math.min(8, v.length - Math.max(first, 0)) }, (_, j) => v[Math.max(first, 0) + j]);
  expect({ label, first, got: first < 0 ? [] : show(a) }).toEqual({ label, first: -1, got: first < 0 ? [] : show(b) });
}

/** The reference kernels' result of `run` on the addon's engine. */
const referenceOf = (t: AddonUnderTest, run: () => Tensor): Tensor => Q.withEngine(t.engine, () => withNative(false, run));

/**
 * Native and reference agree bit for bit on every ISA; the native binding function `fn` ran.
 * `reference` may be given when several native runs share one.
 */
export function expectBitExact(t: AddonUnderTest, label: string, nativeFn: string, run: () => Tensor, reference = referenceOf(t, run)): void {
  const binding = t.nativeLoad.binding! as unknown as Record<string, (...a: unknown[]) => unknown>;
  forEachIsa(t.api, (isa) => {
    const spy = vi.spyOn(binding, nativeFn);
    try {
      const native = Q.withEngine(t.engine, () => withNative(true, run));
      expect(spy, `${label} [${isa}]: the native ${nativeFn} ran`).toHaveBeenCalled();
      expectSameTensor(native, reference, `${label} [${isa}]`);
    } finally {
      spy.mockRestore();
    }
  });
}

/** Conformance suite with the addon active (its kernels must serve the ops). */
export function describeNativeConformance(t: AddonUnderTest): void {
  describe(`${t.packageName} native quantized ops are registered`, () => {
    it('every native op serves its engine and nativeAvailable says so', () => {
      for (const op of NATIVE_QUANTIZED_OPS) expect({ op, source: Q.kernelSource(op, t.engine) }).toEqual({ op, source: 'native' });
      expect(Q.backends.quantized.nativeAvailable(t.engine)).toBe(true);
      expect(Q.backends.quantized.nativeAvailable(t.engine, 'quantized::conv2d')).toBe(true);
    });
    it('setNativeEnabled(false) switches every op to the reference', () => {
      const prev = Q.setNativeEnabled(false);
      try {
        for (const op of NATIVE_QUANTIZED_OPS.filter((o) => !o.startsWith('aten::') && !o.startsWith('qtorch::'))) expect({ op, source: Q.kernelSource(op, t.engine) }).toEqual({ op, source: 'reference' });
        // qtorch:: ops are native-only (their callers hold the reference path): nothing serves them
        for (const op of NATIVE_QUANTIZED_OPS.filter((o) => o.startsWith('qtorch::'))) expect({ op, source: Q.kernelSource(op, t.engine) }).toEqual({ op, source: null });
      } finally {
        Q.setNativeEnabled(prev);
      }
    });
    it('without a binary, or with a stale one lacking the op entry points, nothing is registered', () => {
      const registerKernel = vi.fn();
      const qt = { ...(Q as unknown as QtensorApi), registerKernel };
      registerNativeOps(qt, t.engine, { binding: null, reason: 'absent' });
      const { qconv2d: _, ...stale } = t.nativeLoad.binding!;
      expect(missingOpFunctions(stale as unknown as NativeBinding)).toEqual(['qconv2d']);
      registerNativeOps(qt, t.engine, { binding: stale as unknown as NativeBinding, reason: null });
      expect(registerKernel).not.toHaveBeenCalled();
      expect(missingOpFunctions(t.nativeLoad.binding!)).toEqual([]);
    });
  });
  runConformance({ engine: t.engine, label: `native ${t.api.detectedIsa()}` });
}

/** Randomized native vs reference, bit-exact, every available ISA. */
export function describeDifferential(t: AddonUnderTest): void {
  const { engine } = t;
  describe(`${t.packageName} native vs reference (bit-exact, every ISA)`, () => {
    it('dynamic linear refuses a NaN input as the reference (and PyTorch) do', () => {
      const w = Q.quantizePerTensor(Q.Tensor.fromTypedArray(Float32Array.from({ length: 6 }, (_, i) => i / 10 - 0.2), [2, 3]), 0.01, 0, Q.qint8);
      const packed = Q.linearPrepack(w, null, engine);
      const x = Q.Tensor.fromTypedArray(Float32Array.of(1, Number.NaN, 2, 0.5, 0.25, -1), [2, 3]);
      const run = () => Q.withEngine(engine, () => Q.quantizedLinearDynamic(x, packed));
      let native: unknown, reference: unknown;
      try { run(); } catch (e) { native = e; }
      try { withoutNative(run); } catch (e) { reference = e; }
      expect(reference).toBeInstanceOf(Error);
      expect(native).toBeInstanceOf((reference as Error).constructor);
      expect((native as Error).message).toBe((reference as Error).message);
    });

    it('quantized::linear(_relu): odd K / N, per-channel, zero points at the range ends, qint8, batch dims', () => {
      const r = new Rand(11);
      for (let c = 0; c < 24; c++) {
        const m = r.pick([1, 2, 5, 7, 13]), k = r.pick([1, 3, 4, 5, 17, 63, 64, 65, 131]), n = r.pick([1, 7, 16, 63, 64, 65, 129]);
        const dtype = c % 5 === 4 ? Q.qint8 : Q.quint8;
        const x = qActivation(r, c % 3 === 0 ? [2, m, k] : [m, k], dtype);
        const packed = Q.linearPrepack(qWeight(r, [n, k], c % 2 === 0), c % 4 === 3 ? null : fBias(r, n), engine);
        const [lo, hi] = RANGE[dtype.name as 'quint8' | 'qint8'];
        const so = r.scale(0.01, 0.5), zo = r.pick([lo, hi, r.int(lo, hi)]);
        const fn = c % 3 === 1 ? Q.quantizedLinearRelu : Q.quantizedLinear;
        expectBitExact(t, `linear #${c} ${m}x${k}x${n} ${dtype.name}`, 'qlinear', () => fn(x, packed, so, zo));
      }
    });

    it('quantized::linear(_relu)_dynamic: reduce_range, per-channel, bias, non-contiguous input', () => {
      const r = new Rand(12);
      for (let c = 0; c < 12; c++) {
        const m = r.pick([1, 3, 8]), k = r.pick([1, 5, 33, 64, 67]), n = r.pick([1, 9, 64, 70]);
        const vals = Float32Array.from(randomInts(m * k, -20000, 20000, r.int(1, 1e9)), (v) => (v / 1000) * (c % 4 === 0 ? 0.001 : 1));
        let x = Q.Tensor.fromTypedArray(vals, c % 3 === 2 ? [k, m] : [m, k]);
        if (c % 3 === 2) x = Q.transpose(x, 0, 1);
        const packed = Q.linearPrepack(qWeight(r, [n, k], c % 2 === 1), c % 4 === 1 ? null : fBias(r, n), engine);
        const opts = { reduceRange: c % 2 === 0 };
        const fn = c % 3 === 0 ? Q.quantizedLinearReluDynamic : Q.quantizedLinearDynamic;
        expectBitExact(t, `linear_dynamic #${c} ${m}x${k}x${n}`, 'linearDynamic', () => fn(x, packed, opts));
      }
    });

    // The AVX2 kernel applies the float stage in its tiles' epilogue: 6-row tiles and their
    // remainders, K past one 512 block (earlier blocks' sums added back), a partial last strip,
    // and full-range activations whose few outliers are corrected before the stage.
    it('quantized::linear(_relu)_dynamic: tall inputs, K past a block, partial strips, outliers', () => {
      const r = new Rand(19);
      // [m, k, n, relu, reduceRange]: reduce_range inputs take the narrow path whole; full-range
      // ones have outliers past the 129-value window (corrected before the stage) when tall
      const cases: Array<[number, number, number, boolean, boolean]> = [
        [20, 300, 130, true, true], [20, 300, 130, false, false], [45, 600, 200, true, false], [6, 1100, 256, false, true],
        [45, 1100, 256, true, true], [13, 520, 140, false, false], [45, 512, 200, true, false], [12, 64, 48, true, true], [1, 700, 131, false, true],
        [40, 512, 200, false, false],
      ];
      for (const [c, [m, k, n, relu, reduceRange]] of cases.entries()) {
        // mostly small values and a few large ones: a wide range whose bulk fits one 129-value window
        const vals = Float32Array.from(randomInts(m * k, -1000, 1000, r.int(1, 1e9)), (v, i) => (i % 97 === 5 ? v / 50 : v / 1000));
        // the last case: rows 4i small, the rest spread over the whole range (the kernel picks the
        // window from a sample of rows, finds too many values outside it, and takes the wide path)
        if (c === cases.length - 1) vals.forEach((v, i) => { if (Math.floor(i / k) % 4 !== 0 && i % 97 !== 5) vals[i] = v * 20; });
        const x = Q.Tensor.fromTypedArray(vals, [m, k]);
        const w = qWeight(r, [n, k], c % 2 === 1);
        // symmetric weights (zero points 0, as dynamic quantization makes them) but for every third case
        const q = w.quantizer!;
        if (c % 3 !== 2) w.quantizer = 'zeroPoints' in q ? { ...q, zeroPoints: new Float64Array(n) } : { ...q, zeroPoint: 0 };
        const packed = Q.linearPrepack(w, fBias(r, n), engine);
        const fn = relu ? Q.quantizedLinearReluDynamic : Q.quantizedLinearDynamic;
        // one thread: a whole row of panels per kernel call (the outlier path wants >= 128 columns)
        restoringThreads(t.api, () => {
          t.api.setNumThreads(1);
          expectBitExact(t, `linear_dynamic tall #${c} ${m}x${k}x${n}`, 'linearDynamic', () => fn(x, packed, { reduceRange }));
        });
      }
    });

    it('quantized::conv2d(_relu): kernels 1/3/5, stride, padding, dilation, groups, depthwise, 1x1, batch', () => {
      const r = new Rand(13);
      const cases: Array<{ b: number; cin: number; cout: number; groups: number; k: [number, number]; stride: number; pad: number; dil: number; h: number; w: number }> = [
        { b: 1, cin: 3, cout: 8, groups: 1, k: [3, 3], stride: 1, pad: 1, dil: 1, h: 7, w: 9 },
        { b: 2, cin: 16, cout: 20, groups: 1, k: [1, 1], stride: 1, pad: 0, dil: 1, h: 5, w: 6 },  // 1x1: GEMM without im2col
        { b: 1, cin: 5, cout: 70, groups: 1, k: [1, 1], stride: 2, pad: 1, dil: 1, h: 7, w: 7 },  // strided 1x1: im2col
        { b: 1, cin: 8, cout: 8, groups: 8, k: [3, 3], stride: 1, pad: 1, dil: 1, h: 9, w: 11 },  // depthwise: direct kernel
        { b: 2, cin: 6, cout: 12, groups: 6, k: [5, 5], stride: 2, pad: 2, dil: 1, h: 11, w: 10 }, // depthwise x2, 5x5 stride 2
        { b: 1, cin: 4, cout: 8, groups: 2, k: [3, 2], stride: 2, pad: 0, dil: 2, h: 9, w: 8 },   // grouped, narrow: direct
        { b: 1, cin: 6, cout: 40, groups: 2, k: [3, 3], stride: 1, pad: 1, dil: 1, h: 6, w: 5 },  // grouped, wide: GEMM per group
        { b: 3, cin: 7, cout: 65, groups: 1, k: [2, 3], stride: 1, pad: 2, dil: 2, h: 5, w: 6 },  // padding > kernel reach
        { b: 1, cin: 1, cout: 1, groups: 1, k: [3, 3], stride: 3, pad: 0, dil: 1, h: 10, w: 10 },
        { b: 0, cin: 4, cout: 4, groups: 1, k: [3, 3], stride: 1, pad: 1, dil: 1, h: 4, w: 4 },   // empty batch
      ];
      cases.forEach((g, c) => {
        const dtype = c % 4 === 3 ? Q.qint8 : Q.quint8;
        const x = qActivation(r, [g.b, g.cin, g.h, g.w], dtype);
        const w = qWeight(r, [g.cout, g.cin / g.groups, ...g.k], c % 2 === 0);
        const packed = Q.convPrepack(w, c % 3 === 2 ? null : fBias(r, g.cout), { stride: g.stride, padding: g.pad, dilation: g.dil, groups: g.groups }, engine);
        const [lo, hi] = RANGE[dtype.name as 'quint8' | 'qint8'];
        const so = r.scale(0.01, 0.5), zo = r.pick([lo, hi, r.int(lo, hi)]);
        const fn = c % 2 === 1 ? Q.quantizedConv2dRelu : Q.quantizedConv2d;
        expectBitExact(t, `conv2d #${c} ${JSON.stringify(g)} ${dtype.name}`, 'qconv2d', () => fn(x, packed, so, zo));
      });
    });

    it('quantized::conv1d(_relu) runs as a 2-d conv of height 1', () => {
      const r = new Rand(14);
      for (const [c, g] of [[0, { cin: 4, cout: 6, groups: 1, k: 3, stride: 1, pad: 1, dil: 1 }], [1, { cin: 6, cout: 6, groups: 3, k: 5, stride: 2, pad: 2, dil: 2 }]] as const) {
        const x = qActivation(r, [2, g.cin, 17]);
        const packed = Q.convPrepack(qWeight(r, [g.cout, g.cin / g.groups, g.k], c === 0), fBias(r, g.cout), { stride: g.stride, padding: g.pad, dilation: g.dil, groups: g.groups }, engine);
        const fn = c === 1 ? Q.quantizedConv1dRelu : Q.quantizedConv1d;
        expectBitExact(t, `conv1d #${c}`, 'qconv2d', () => fn(x, packed, 0.05, 7));
      }
    });

    it('quantized::add(_relu) and relu: quint8 / qint8, zero points at the ends, non-contiguous input', () => {
      const r = new Rand(15);
      for (let c = 0; c < 8; c++) {
        const dtype = c % 2 ? Q.qint8 : Q.quint8;
        const shape = r.pick([[1], [3, 5], [2, 3, 7], [4, 33]]);
        const a = qActivation(r, shape, dtype);
        let b = qActivation(r, shape.length === 2 ? [shape[1]!, shape[0]!] : shape, dtype);
        if (shape.length === 2) b = Q.transpose(b, 0, 1);
        const [lo, hi] = RANGE[dtype.name as 'quint8' | 'qint8'];
        const so = r.scale(0.005, 0.2), zo = r.pick([lo, hi, r.int(lo, hi)]);
        expectBitExact(t, `add #${c}`, 'qadd', () => Q.quantizedAdd(a, b, so, zo));
        expectBitExact(t, `add_relu #${c}`, 'qadd', () => Q.quantizedAddRelu(a, b, so, zo));
        expectBitExact(t, `relu #${c}`, 'qrelu', () => Q.quantizedRelu(b));
      }
    });

    it('requantization of every accumulator in [-16.4k, 16.1k] x 16 channels (random scales and biases)', () => {
      // Rows enumerate x = (u, v), u in 0..255, v in 0..126, with zx = 128 and every weight row
      // [127, 1]: the accumulators 127 (u - 128) + (v - 128) are every integer of the range,
      // once; each output channel requantizes all of them with its own scale and bias. A
      // different float evaluation order differs from the reference in ~1e-6 of the elements:
      // millions of them make that visible.
      const r = new Rand(17), n = 16, rows = 256 * 127;
      const xs = new Array<number>(rows * 2);
      for (let i = 0; i < rows; i++) [xs[2 * i], xs[2 * i + 1]] = [Math.floor(i / 127), i % 127];
      const x = Q.makeQTensor([rows, 2], Q.quint8, 0.0123, 128, xs);
      const w = new Q.Tensor(Int8Array.from({ length: n * 2 }, (_, i) => (i & 1 ? 1 : 127)), Q.qint8, [n, 2]);
      w.quantizer = { qscheme: 'per_channel_affine', scales: Float64Array.from({ length: n }, () => 0.0005 + r.int(0, 1e6) / 2e7), zeroPoints: new Float64Array(n), axis: 0 };
      const bias = Q.Tensor.fromTypedArray(Float32Array.from({ length: n }, () => (r.int(-1e6, 1e6) / 1e6) * 4), [n]);
      const packed = Q.linearPrepack(w, bias, engine);
      expectBitExact(t, 'exhaustive requantization', 'qlinear', () => Q.quantizedLinear(x, packed, 0.0731, 117));
      expectBitExact(t, 'exhaustive requantization, relu', 'qlinear', () => Q.quantizedLinearRelu(x, packed, 0.0377, 3));
      // multipliers around 1: an int32 bias off by one (qnnpack) shows in the output
      expectBitExact(t, 'exhaustive requantization, large multipliers', 'qlinear', () => Q.quantizedLinear(x, packed, 0.00002, 128));
      const xf = Q.dequantize(x);
      expectBitExact(t, 'exhaustive dynamic output', 'linearDynamic', () => Q.quantizedLinearDynamic(xf, packed));
    });

    it('biases at exact rounding ties of the int32 bias (qnnpack) and multipliers near 1', () => {
      // Each bias b makes f32(b * f32(1 / f32(sx * sw))) exactly k + 0.5 with the product in
      // double, as the reference computes it: any other inverse scale rounds some of them the
      // other way, and with multipliers near 1 an int32 bias off by one changes the output.
      const r = new Rand(19), n = 48, sx = 0.0123;
      const f = Math.fround;
      const sws = Float64Array.from({ length: n }, () => 0.005 + r.int(0, 1e6) / 6.6e7);
      const bias = Float32Array.from(sws, (sw, j) => {
        const inv = f(1 / f(sx * sw));
        for (let k = 3 + j; ; k++) {
          const b = f((k + 0.5) / inv);
          if (f(b * inv) === k + 0.5) return j % 2 ? -b : b;
        }
      });
      const w = new Q.Tensor(Int8Array.from(randomInts(n * 8, -3, 3, 5)), Q.qint8, [n, 8]);
      w.quantizer = { qscheme: 'per_channel_affine', scales: sws, zeroPoints: new Float64Array(n), axis: 0 };
      const packed = Q.linearPrepack(w, Q.Tensor.fromTypedArray(bias, [n]), engine);
      const x = Q.makeQTensor([64, 8], Q.quint8, sx, 128, randomInts(64 * 8, 126, 130, 6));
      expectBitExact(t, 'tie biases', 'qlinear', () => Q.quantizedLinear(x, packed, sx * 0.01, 128));
    });

    it('non-finite biases (NaN gives 0, infinities the range ends) in every column group of the row-major stage', () => {
      // 75 columns: two 32-column groups, an 8-column one, then 3 past the last multiple of 8;
      // a NaN, +inf or -inf bias in some of them (fbgemm: the float bias itself; qnnpack: its
      // int32 clamp), the others random; quint8 and qint8 outputs
      const r = new Rand(23), n = 75;
      const b = Float32Array.from(fBias(r, n).values() as Iterable<number>);
      for (const [j, v] of [[3, NaN], [31, Infinity], [40, -Infinity], [64, NaN], [73, Infinity]] as const) b[j] = v;
      const packed = Q.linearPrepack(qWeight(r, [n, 37], true), Q.Tensor.fromTypedArray(b, [n]), engine);
      for (const dtype of [Q.quint8, Q.qint8]) {
        const x = qActivation(r, [9, 37], dtype);
        const run = (): Tensor => Q.quantizedLinear(x, packed, 0.05, dtype === Q.quint8 ? 131 : -2);
        const reference = referenceOf(t, run);
        // the specials reach fbgemm's float stage: NaN is stored as 0, +inf (column 31) as the
        // range's top (qnnpack clamps them into its int32 bias, where the sum may wrap)
        const ints = reference.rawValues();
        const column = (j: number): number[] => Array.from({ length: 9 }, (_, i) => ints[i * n + j]!);
        if (engine === 'fbgemm') {
          expect(column(3)).toEqual(new Array(9).fill(0));
          expect(column(31)).toEqual(new Array(9).fill(RANGE[dtype.name as 'quint8' | 'qint8'][1]));
        }
        expectBitExact(t, `non-finite biases, ${dtype.name}`, 'qlinear', run, reference);
        expectBitExact(t, `non-finite biases, relu, ${dtype.name}`, 'qlinear', () => Q.quantizedLinearRelu(x, packed, 0.05, dtype === Q.quint8 ? 7 : 0));
      }
    });

    it('add of every (a, b) pair of quint8 and qint8 values (random scales)', () => {
      const r = new Rand(18);
      for (const dtype of [Q.quint8, Q.qint8]) {
        const [lo] = RANGE[dtype.name as 'quint8' | 'qint8'];
        const a = Q.makeQTensor([65536], dtype, 0.0173, lo + 3, Array.from({ length: 65536 }, (_, i) => lo + (i >> 8)));
        const b = Q.makeQTensor([65536], dtype, 0.0291, lo + 200, Array.from({ length: 65536 }, (_, i) => lo + (i & 255)));
        const so = 0.01 + r.int(0, 1e6) / 1e7;
        expectBitExact(t, `add all pairs ${dtype.name}`, 'qadd', () => Q.quantizedAddRelu(a, b, so, lo + 77));
      }
    });

    it('quantized::add with broadcasting falls back to the reference (same result)', () => {
      const r = new Rand(16);
      const a = qActivation(r, [2, 3, 4]), b = qActivation(r, [3, 1]);
      const { native, reference } = nativeAndReference(() => Q.quantizedAdd(a, b, 0.05, 3));
      expect(describeTensor(native)).toEqual(describeTensor(reference));
    });
  });
}

/** Float values that hit every branch of quantize_val: ties, range ends, -0, NaN, infinities, huge. */
function specialFloats(r: Rand, scale: number, n: number): Float32Array {
  const special = [0, -0, NaN, Infinity, -Infinity, 3e38, -3e38, 1e19, -1e19, 0.5 * scale, 1.5 * scale, 2.5 * scale, -0.5 * scale, -2.5 * scale, 127.5 * scale, 300 * scale, -300 * scale];
  return Float32Array.from({ length: n }, (_, i) => (i < special.length ? special[i]! : (r.int(-40000, 40000) / 100) * scale));
}

/** Whole-tensor quantize / dequantize (registered as aten ops; compared with qtensor's own functions). */
/** Runs `fn` on the TypeScript reference kernels (public quantize/dequantize dispatch to native). */
function withoutNative<T>(fn: () => T): T {
  const prev = Q.setNativeEnabled(false);
  try {
    return fn();
  } finally {
    Q.setNativeEnabled(prev);
  }
}

export function describeQuantizeDequantize(t: AddonUnderTest): void {
  describe(`${t.packageName} native quantize_per_tensor / dequantize (bit-exact, every ISA)`, () => {
    it('the public quantizePerTensor / dequantize run the native kernels', () => {
      const x = Q.Tensor.fromTypedArray(Float32Array.from({ length: 4096 }, (_, i) => Math.sin(i)), [4096]);
      const q = vi.spyOn(t.nativeLoad.binding!, 'quantizePerTensor');
      const y = Q.withEngine(t.engine, () => Q.quantizePerTensor(x, 0.01, 3, Q.quint8));
      expect(q).toHaveBeenCalledOnce();
      q.mockRestore();
      expect(describeTensor(y)).toEqual(describeTensor(withoutNative(() => Q.quantizePerTensor(x, 0.01, 3, Q.quint8))));
    });
    const quantize = () => Q.getKernel<(x: Tensor, s: number, z: number, d: Q.DType) => Tensor>('aten::quantize_per_tensor', t.engine);
    const dequantize = () => Q.getKernel<(x: Tensor) => Tensor>('aten::dequantize', t.engine);
    it('quantizePerTensor: ties, range ends, NaN / inf / huge values, quint8 and qint8', () => {
      const r = new Rand(21);
      for (const [c, dtype] of [Q.quint8, Q.qint8, Q.quint8, Q.qint8].entries()) {
        const scale = c < 2 ? 2 ** -(3 + c) : 0.0173 + c / 1000;
        const [lo, hi] = RANGE[dtype.name as 'quint8' | 'qint8'];
        const zp = [lo, hi, r.int(lo, hi), 0][c]!;
        const x = Q.Tensor.fromTypedArray(specialFloats(r, scale, 1037), [1037]);
        forEachIsa(t.api, (isa) => {
          const spy = vi.spyOn(t.nativeLoad.binding!, 'quantizePerTensor');
          const got = quantize()(x, scale, zp, dtype);
          expect(spy).toHaveBeenCalledOnce();
          spy.mockRestore();
          expect({ isa, y: describeTensor(got) }).toEqual({ isa, y: describeTensor(withoutNative(() => Q.quantizePerTensor(x, scale, zp, dtype))) });
        });
      }
    });
    it('dequantize: every integer of quint8 / qint8, non-contiguous input', () => {
      const r = new Rand(22);
      for (const dtype of [Q.quint8, Q.qint8]) {
        const [lo, hi] = RANGE[dtype.name as 'quint8' | 'qint8'];
        const ints = Array.from({ length: 256 * 3 }, (_, i) => lo + (i % 256)); // every value, 3 times
        for (const zp of [lo, hi, r.int(lo, hi)]) {
          const x = Q.transpose(Q.makeQTensor([24, 32], dtype, 0.0173, zp, ints), 0, 1);
          forEachIsa(t.api, (isa) => {
            expect({ isa, y: describeTensor(dequantize()(x)) }).toEqual({ isa, y: describeTensor(withoutNative(() => Q.dequantize(x))) });
          });
        }
      }
    });
    it('large tensors (streaming stores, unaligned heads and tails) are bit-exact too', () => {
      const r = new Rand(23);
      const n = (1 << 20) + 77;
      const xf = Q.Tensor.fromTypedArray(specialFloats(r, 0.031, n), [n]);
      const xq = Q.quantizePerTensor(xf, 0.031, 100, Q.quint8);
      const xs = Q.makeQTensor([n - 3], Q.qint8, 0.02, -7, Array.from(xq.rawValues().subarray(3), (v) => v - 128));
      forEachIsa(t.api, (isa) => {
        expectSameTensor(quantize()(xf, 0.031, 100, Q.quint8), xq, `quantize ${isa}`);
        expectSameTensor(dequantize()(xq), withoutNative(() => Q.dequantize(xq)), `dequantize quint8 ${isa}`);
        expectSameTensor(dequantize()(xs), withoutNative(() => Q.dequantize(xs)), `dequantize qint8 ${isa}`);
      });
    });
    it('unsupported inputs fall back to qtensor (qint32, per-channel, float64)', () => {
      const x = Q.Tensor.fromTypedArray(Float32Array.of(1.5, -2.25, 1000), [3]);
      expect(describeTensor(quantize()(x, 0.5, 7, Q.qint32))).toEqual(describeTensor(withoutNative(() => Q.quantizePerTensor(x, 0.5, 7, Q.qint32))));
      const pc = Q.quantizePerChannel(Q.Tensor.fromTypedArray(Float32Array.of(1, 2, 3, 4), [2, 2]), [0.1, 0.2], [1, 2], 0, Q.quint8);
      expect(describeTensor(dequantize()(pc))).toEqual(describeTensor(withoutNative(() => Q.dequantize(pc))));
      expect(() => quantize()(x, -1, 0, Q.quint8)).toThrow(Q.QTorchValueError);
    });
  });
}

/** Native weights are packed once per packed-params object; unpack / serialize are unchanged. */
export function describeWeightCache(t: AddonUnderTest): void {
  describe(`${t.packageName} native weight packing`, () => {
    it('packs once per packed-params object and never changes unpack() or serialize()', () => {
      const r = new Rand(31);
      const w = qWeight(r, [70, 45], true), bias = fBias(r, 70);
      const packed = Q.linearPrepack(w, bias, t.engine);
      const before = describeTensor(packed.unpack()[0]);
      // Count constructions through a wrapper (a vi.spyOn instance would fail the addon's instanceof check).
      const binding = t.nativeLoad.binding! as { PackedWeights: unknown };
      const Original = binding.PackedWeights as new (...a: unknown[]) => object;
      let packs = 0;
      binding.PackedWeights = function (...a: unknown[]) {
        packs++;
        return new Original(...a);
      };
      try {
        const x = qActivation(r, [3, 45]);
        for (let i = 0; i < 3; i++) Q.quantizedLinear(x, packed, 0.1, 3);
        Q.quantizedLinearDynamic(Q.Tensor.fromTypedArray(new Float32Array(45).fill(0.5), [1, 45]), packed);
        expect(packs).toBe(1);
        Q.quantizedLinear(x, packed.repack(t.engine), 0.1, 3); // a new params object packs anew
        expect(packs).toBe(2);
      } finally {
        binding.PackedWeights = Original;
      }
      expect(describeTensor(packed.unpack()[0])).toEqual(before);
      const state = packed.serialize();
      expect(describeTensor(state.weight)).toEqual(describeTensor(w));
      expect(Array.from(state.bias!.values())).toEqual(Array.from(bias.values()));
    });
    it('conv weights: the native handle unpacks to the PyTorch layout (GEMM and direct layouts)', () => {
      const r = new Rand(32);
      for (const [cout, cinG, groups, kh, kw] of [[20, 3, 1, 3, 2], [8, 1, 8, 3, 3], [40, 3, 2, 1, 1]] as const) {
        const w = Int8Array.from(randomInts(cout * cinG * kh * kw, -128, 127, r.int(1, 1e9)));
        const p = new (t.nativeLoad.binding!.PackedWeights)(w, cout, cinG * kh * kw, Int32Array.of(3), groups, kh * kw);
        expect({ n: p.n, k: p.k, groups: p.groups, spatial: p.spatial }).toEqual({ n: cout, k: cinG * kh * kw, groups, spatial: kh * kw });
        expect(Array.from(p.unpack())).toEqual(Array.from(w));
        expect(Array.from(p.zeroPoints)).toEqual(new Array(cout).fill(3));
      }
    });
  });
}

/** The intra-op pool: results identical to the reference for any thread count. */
export function describeThreads(t: AddonUnderTest): void {
  describe(`${t.packageName} intra-op threads`, () => {
    /** Runs `fn` with each thread count, restoring the default afterwards. */
    const forEachThreadCount = (fn: (threads: number) => void): void => {
      restoringThreads(t.api, () => {
        for (const n of [1, 2, 3, 5]) {
          t.api.setNumThreads(n);
          expect(t.api.numThreads()).toBe(n);
          fn(n);
        }
      });
    };
    it('setNumThreads validates its argument', () => {
      expect(() => t.api.setNumThreads(0)).toThrow(RangeError);
      expect(() => t.api.setNumThreads(1.5)).toThrow(RangeError);
      expect(() => t.api.setNumThreads('2' as never)).toThrow(TypeError);
      expect(t.api.numThreads()).toBeGreaterThanOrEqual(1);
    });
    it('setNumThreads sets the pool of every loaded addon (each binary has its own)', () => {
      // a second addon's binding as createKernelsApi sees it: a pool of its own
      let fakeThreads = 7;
      const fake = { numThreads: () => fakeThreads, setNumThreads: (n: number) => [fakeThreads, (fakeThreads = n)][0]! };
      const prev = t.api.numThreads();
      const other = createKernelsApi(t.engine === 'fbgemm' ? 'qnnpack' : 'fbgemm', { binding: fake as unknown as NativeBinding, reason: null });
      try {
        expect(fakeThreads).toBe(prev);  // a new pool follows the count already set
        t.api.setNumThreads(3);
        expect(fakeThreads).toBe(3);
        other.setNumThreads(2);
        expect(t.api.numThreads()).toBe(2);
      } finally {
        t.api.setNumThreads(prev);
      }
    });
    // A linear that splits over `threads` threads (starts and places the pool's workers).
    const splitJob = (threads: number): void => {
      t.api.setNumThreads(threads);
      const r = new Rand(43);
      const x = Q.makeQTensor([100, 200], Q.quint8, 0.02, 7, randomInts(100 * 200, 0, 255, 3));
      Q.quantizedLinear(x, Q.linearPrepack(qWeight(r, [260, 200], true), null, t.engine), 0.3, 11);
    };
    it.runIf(process.platform === 'linux')('pool threads are named qtorch-pool (ps, top, debuggers)', () => {
      restoringThreads(t.api, () => {
        splitJob(3);
        const names = readdirSync('/proc/self/task').map((tid) => readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim());
        expect(names).toContain('qtorch-pool');
      });
    });
    it.runIf(process.platform === 'linux')('pool workers are kept off the caller\'s CPU (a woken worker must not queue behind it)', () => {
      restoringThreads(t.api, () => {
        splitJob(2);
        const allowed = cpuList(readFileSync('/proc/self/status', 'utf8'));
        const workers = readdirSync('/proc/self/task')
          .filter((tid) => readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim() === 'qtorch-pool')
          .map((tid) => cpuList(readFileSync(`/proc/self/task/${tid}/status`, 'utf8')));
        expect(workers.length).toBeGreaterThan(0);
        for (const mask of workers) {
          // every worker: the process's CPUs but the one the caller ran the job on (all of them when there is only one)
          expect(mask.every((c) => allowed.includes(c))).toBe(true);
          expect(mask).toHaveLength(allowed.length > 1 ? allowed.length - 1 : 1);
        }
        expect(new Set(workers.map((m) => m.join()))).toHaveProperty('size', 1);
      });
    });
    it('linear (rows and panels split), conv (chunks and planes split), elementwise: bit-exact for 1, 2, 3, 5 threads', () => {
      const r = new Rand(41);
      // sizes just above the pool's thresholds (see ParallelFor's callers), so each op splits
      const tall = Q.makeQTensor([100, 200], Q.quint8, 0.02, 7, randomInts(100 * 200, 0, 255, 1));
      const tallW = Q.linearPrepack(qWeight(r, [260, 200], true), fBias(r, 260), t.engine);
      const wide = Q.makeQTensor([2, 1024], Q.qint8, 0.02, -3, randomInts(2 * 1024, -128, 127, 2));
      const wideW = Q.linearPrepack(qWeight(r, [1024, 1024], false), null, t.engine);
      const img = qActivation(r, [1, 16, 24, 24]);
      const conv = Q.convPrepack(qWeight(r, [24, 16, 3, 3], true), fBias(r, 24), { padding: 1 }, t.engine);
      const dw = Q.convPrepack(qWeight(r, [16, 1, 3, 3], true), null, { padding: 1, groups: 16 }, t.engine);
      const big = qActivation(r, [2_200_000]);
      const cases: Array<[string, string, () => Tensor]> = [
        ['linear rows', 'qlinear', () => Q.quantizedLinear(tall, tallW, 0.3, 11)],
        ['linear panels', 'qlinear', () => Q.quantizedLinearRelu(wide, wideW, 0.3, -5)],
        ['conv', 'qconv2d', () => Q.quantizedConv2d(img, conv, 0.2, 9)],
        ['depthwise', 'qconv2d', () => Q.quantizedConv2dRelu(img, dw, 0.2, 9)],
        ['add', 'qadd', () => Q.quantizedAdd(big, big, 0.07, 200)],
      ];
      const references = cases.map(([, , run]) => referenceOf(t, run));
      forEachThreadCount((n) => {
        cases.forEach(([name, fn, run], i) => expectBitExact(t, `${name}, ${n} threads`, fn, run, references[i]));
      });
    });
  });
}

/** The CPUs of a /proc status file's Cpus_allowed_list ("0-3,6" -> [0, 1, 2, 3, 6]). */
function cpuList(status: string): number[] {
  const list = /Cpus_allowed_list:\s*(\S+)/.exec(status)?.[1] ?? '';
  return list.split(',').flatMap((part) => {
    const [lo, hi = lo] = part.split('-').map(Number);
    return Array.from({ length: hi! - lo! + 1 }, (_, i) => lo! + i);
  });
}
