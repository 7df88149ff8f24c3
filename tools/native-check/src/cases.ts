/**
 * The test vectors: every op of the kernels' C++ API the addons call (qgemm.h, qops.h), with
 * inputs drawn by a seeded generator and outputs computed by qtensor's TypeScript reference
 * ops (native kernels off). Sizes are small enough for qemu's TCG (10-50x slower than native)
 * but cross every kernel's tiles, tails and K blocks. Field names are the driver's contract
 * (driver/driver.cc, src/run-addon.ts).
 */
import * as Q from '@qtorch/qtensor';
import { gruGates, lstmGates, rnnGates } from '@qtorch/nn/functional';
import type { Tensor } from '@qtorch/qtensor';
import type { FieldData, VectorCase } from './format.js';
import { Rand } from '../../../packages/kernels-common/test-suite/reference.js';

export type EngineName = 'fbgemm' | 'qnnpack';
export const ENGINES: readonly EngineName[] = ['fbgemm', 'qnnpack'];
/** The `engine` field: 0 fbgemm, 1 qnnpack (cases without it do not depend on the engine). */
export const engineCode = (e: EngineName): number => ENGINES.indexOf(e);

const RANGE = { quint8: [0, 255], qint8: [-128, 127] } as const;
type Q8 = keyof typeof RANGE;
const rangeOf = (dtype: Q.DType): readonly [number, number] => RANGE[dtype.name as Q8];

const i32 = (...v: number[]): Int32Array => Int32Array.from(v);
const f64 = (...v: number[]): Float64Array => Float64Array.from(v);
const noBias = new Float32Array(0);

/** Runs `fn` on the reference kernels of `engine`. */
function reference<T>(engine: EngineName, fn: () => T): T {
  const prev = Q.setNativeEnabled(false);
  try {
    return Q.withEngine(engine, fn);
  } finally {
    Q.setNativeEnabled(prev);
  }
}

/** The values of a quantized or float tensor as its typed array (a contiguous copy). */
function raw(t: Tensor): FieldData {
  const v = Q.contiguous(t).rawValues();
  if (v instanceof Uint8Array || v instanceof Int8Array || v instanceof Int32Array || v instanceof Float32Array || v instanceof Float64Array) return v.slice();
  throw new TypeError(`native-check: unexpected storage ${v.constructor.name}`);
}

function qActivation(r: Rand, shape: number[], dtype: Q.DType): Tensor {
  const [lo, hi] = rangeOf(dtype);
  const n = shape.reduce((a, b) => a * b, 1);
  return Q.makeQTensor(shape, dtype, r.scale(0.004, 0.1), r.pick([lo, hi, r.int(lo, hi)]), r.ints(n, lo, hi));
}

function qWeight(r: Rand, shape: number[], perChannel: boolean): Tensor {
  const n = shape.reduce((a, b) => a * b, 1), c = shape[0]!;
  const zp = (): number => r.pick([0, 0, -128, 127, r.int(-128, 127)]);
  const w = new Q.Tensor(Int8Array.from(r.ints(n, -128, 127)), Q.qint8, shape);
  w.quantizer = perChannel
    ? { qscheme: 'per_channel_affine', scales: Float64Array.from({ length: c }, () => r.scale(0.001, 0.05)), zeroPoints: Float64Array.from({ length: c }, zp), axis: 0 }
    : { qscheme: 'per_tensor_affine', scale: r.scale(0.001, 0.05), zeroPoint: zp() };
  return w;
}

/** Multiples of 1/64 half the time (exact ties after scaling), else random floats. */
function fBias(r: Rand, n: number): Tensor {
  return Q.Tensor.fromTypedArray(Float32Array.from({ length: n }, () => (r.int(0, 1) ? r.int(-400, 400) / 64 : (r.int(-1e6, 1e6) / 1e6) * 3)), [n]);
}

const qparamsOf = (t: Tensor): { scale: number; zeroPoint: number } => {
  const q = t.quantizer as { scale: number; zeroPoint: number };
  return { scale: q.scale, zeroPoint: q.zeroPoint };
};

/** The packed weight as the addons hand it to C++: int8 rows, per-row zero points and scales, bias. */
function weightFields(p: Q.LinearPackedParams | Q.ConvPackedParams): Record<string, FieldData> {
  return {
    w: p.weight.q.slice(),
    wzp: Int32Array.from(p.weight.zeroPoints),
    w_scales: Float64Array.from(p.weight.scales),
    bias: p.bias ? Float32Array.from(p.bias) : noBias,
  };
}

/** sum_k (a - za) * (w - zw) with the plain loop (independent of every kernel). */
function naiveAcc(a: ArrayLike<number>, w: ArrayLike<number>, m: number, n: number, k: number, za: number, zw: ArrayLike<number>): Int32Array {
  const out = new Int32Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += (a[i * k + t]! - za) * (w[j * k + t]! - zw[zw.length === 1 ? 0 : j]!);
      out[i * n + j] = s;
    }
  return out;
}

/** Raw int32 GEMM with zero points (QGemmS32): odd shapes, K across the 2048-byte K block, narrow activation ranges. */
function qgemmCases(): VectorCase[] {
  const r = new Rand(101);
  const shapes: Array<[number, number, number]> = [[1, 1, 1], [3, 5, 7], [5, 131, 67], [7, 64, 64], [4, 2100, 70], [13, 17, 129], [2, 0, 3], [0, 5, 3], [9, 256, 130]];
  const full = shapes.map(([m, k, n], c) => {
    const a = Uint8Array.from(r.ints(m * k, 0, 255)), w = Int8Array.from(r.ints(n * k, -128, 127));
    const za = r.pick([0, 255, r.int(0, 255)]);
    const wzp = c % 2 ? Int32Array.from(r.ints(n, -128, 127)) : i32(r.pick([0, -128, 127]));
    return { op: 'qgemm_s32', label: `${m}x${k}x${n}`, fields: { a, m: i32(m), k: i32(k), n: i32(n), za: i32(za), w, wzp, expect_acc: naiveAcc(a, w, m, n, k, za, wzp) } };
  });
  // Activations within lo..hi: hi - lo <= 128 takes the AVX2 vpmaddubsw path (a - lo never
  // saturates an int16 pair sum), 129 the widening one. Only the range ends and the weight
  // extremes, the largest pair sums either way.
  const narrow: Array<[number, number, number, number, number]> = [[1, 600, 70, 0, 128], [2, 77, 33, 100, 228], [9, 1030, 40, 127, 255], [20, 64, 17, 0, 129]];
  const ranged = narrow.map(([m, k, n, lo, hi], c): VectorCase => {
    const a = Uint8Array.from({ length: m * k }, () => r.pick([lo, hi])), w = Int8Array.from({ length: n * k }, () => r.pick([-128, 127]));
    const za = r.pick([0, 255, r.int(0, 255)]);
    const wzp = c % 2 ? Int32Array.from(r.ints(n, -128, 127)) : i32(0);
    return { op: 'qgemm_s32', label: `${m}x${k}x${n} a in ${lo}..${hi}`, fields: { a, m: i32(m), k: i32(k), n: i32(n), za: i32(za), w, wzp, expect_acc: naiveAcc(a, w, m, n, k, za, wzp) } };
  });
  return [...full, ...ranged];
}

function linearCase(engine: EngineName, label: string, x: Tensor, packed: Q.LinearPackedParams, so: number, zo: number, relu: boolean): VectorCase {
  const y = reference(engine, () => (relu ? Q.quantizedLinearRelu : Q.quantizedLinear)(x, packed, so, zo));
  const k = packed.inFeatures, n = packed.outFeatures, m = x.numel() / k;
  const { scale, zeroPoint } = qparamsOf(x);
  return {
    op: 'qlinear',
    label: `${engine} ${label}`,
    fields: { engine: i32(engineCode(engine)), x: raw(x), m: i32(m), k: i32(k), n: i32(n), za: i32(zeroPoint), in_scale: f64(scale), ...weightFields(packed),
      out_scale: f64(so), out_zp: i32(zo), relu: i32(relu ? 1 : 0), expect_y: raw(y) },
  };
}

/** Static linear (QLinear): both dtypes, per-channel, relu, no bias, requantization ties. */
function linearCases(engine: EngineName): VectorCase[] {
  const r = new Rand(engine === 'fbgemm' ? 11 : 21);
  const out: VectorCase[] = [];
  for (let c = 0; c < 16; c++) {
    const m = r.pick([1, 2, 5, 7, 13]), k = r.pick([1, 3, 4, 5, 17, 63, 64, 65, 131]), n = r.pick([1, 7, 16, 63, 64, 65, 129]);
    const dtype = c % 4 === 3 ? Q.qint8 : Q.quint8;
    const x = qActivation(r, [m, k], dtype);
    const packed = Q.linearPrepack(qWeight(r, [n, k], c % 2 === 0), c % 4 === 2 ? null : fBias(r, n), engine);
    const [lo, hi] = rangeOf(dtype);
    out.push(linearCase(engine, `#${c} ${m}x${k}x${n} ${dtype.name}`, x, packed, r.scale(0.01, 0.5), r.pick([lo, hi, r.int(lo, hi)]), c % 3 === 1));
  }
  // Every accumulator in [-16.4k, 16.1k] (x = (u, v), weights [127, 1], zx = 128) through 16
  // channels of random scales and biases: a float evaluation order other than the reference's
  // shows in ~1e-6 of the outputs, so this many make it visible.
  const rows = 256 * 127, nc = 16;
  const xs = new Array<number>(rows * 2);
  for (let i = 0; i < rows; i++) [xs[2 * i], xs[2 * i + 1]] = [Math.floor(i / 127), i % 127];
  const x = Q.makeQTensor([rows, 2], Q.quint8, 0.0123, 128, xs);
  const w = new Q.Tensor(Int8Array.from({ length: nc * 2 }, (_, i) => (i & 1 ? 1 : 127)), Q.qint8, [nc, 2]);
  w.quantizer = { qscheme: 'per_channel_affine', scales: Float64Array.from({ length: nc }, () => 0.0005 + r.int(0, 1e6) / 2e7), zeroPoints: new Float64Array(nc), axis: 0 };
  const bias = Q.Tensor.fromTypedArray(Float32Array.from({ length: nc }, () => (r.int(-1e6, 1e6) / 1e6) * 4), [nc]);
  const packed = Q.linearPrepack(w, bias, engine);
  out.push(linearCase(engine, 'every accumulator, relu', x, packed, 0.0377, 3, true));
  // multipliers around 1: an int32 bias off by one (qnnpack) shows in the output
  out.push(linearCase(engine, 'every accumulator, large multipliers', x, packed, 0.00002, 128, false));
  return out;
}

/** Dynamic linear (QuantizePerTensor<u8> + QLinearF32), qparams chosen as the addons do. */
function dynamicCases(): VectorCase[] {
  const r = new Rand(12);
  const out: VectorCase[] = [];
  for (let c = 0; c < 10; c++) {
    const engine = ENGINES[c % 2]!;
    const m = r.pick([1, 3, 8]), k = r.pick([1, 5, 33, 64, 67]), n = r.pick([1, 9, 64, 70]);
    const vals = Float32Array.from(r.ints(m * k, -20000, 20000), (v) => (v / 1000) * (c % 4 === 0 ? 0.001 : 1));
    const x = Q.Tensor.fromTypedArray(vals, [m, k]);
    const packed = Q.linearPrepack(qWeight(r, [n, k], c % 3 === 1), c % 4 === 1 ? null : fBias(r, n), engine);
    const reduceRange = c % 3 === 0, relu = c % 5 === 2;
    const y = reference(engine, () => (relu ? Q.quantizedLinearReluDynamic : Q.quantizedLinearDynamic)(x, packed, { reduceRange }));
    let lo = 0, hi = 0;
    for (const v of vals) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    const qp = Q.chooseQuantizationParams(lo, hi, 0, 255, { reduceRange: reduceRange && engine === 'fbgemm' });
    out.push({
      op: 'qlinear_dynamic',
      label: `${engine} #${c} ${m}x${k}x${n}${reduceRange ? ' reduce_range' : ''}${relu ? ' relu' : ''}`,
      fields: { x: vals, m: i32(m), k: i32(k), n: i32(n), in_scale: f64(qp.scale), za: i32(qp.zeroPoint), ...weightFields(packed), relu: i32(relu ? 1 : 0), expect_y: raw(y) },
    });
  }
  return out;
}

interface ConvGeometry { b: number; cin: number; cout: number; groups: number; k: [number, number]; stride: [number, number]; pad: [number, number]; dil: [number, number]; h: number; w: number }
const geo = (b: number, cin: number, cout: number, groups: number, k: [number, number], s: number, p: number, d: number, h: number, w: number): ConvGeometry =>
  ({ b, cin, cout, groups, k, stride: [s, s], pad: [p, p], dil: [d, d], h, w });

/** QConv2d: im2col + GEMM, 1x1 GEMM, strided 1x1, depthwise / narrow groups (direct), wide groups. */
function convCases(engine: EngineName): VectorCase[] {
  const r = new Rand(engine === 'fbgemm' ? 13 : 23);
  const cases: ConvGeometry[] = [
    geo(1, 3, 8, 1, [3, 3], 1, 1, 1, 7, 9),
    geo(2, 16, 20, 1, [1, 1], 1, 0, 1, 5, 6),    // 1x1: GEMM without im2col
    geo(1, 5, 70, 1, [1, 1], 2, 1, 1, 7, 7),     // strided 1x1: im2col
    geo(1, 8, 8, 8, [3, 3], 1, 1, 1, 9, 11),     // depthwise: direct kernel
    geo(2, 6, 12, 6, [5, 5], 2, 2, 1, 11, 10),   // depthwise x2, 5x5 stride 2
    geo(1, 4, 8, 2, [3, 2], 2, 0, 2, 9, 8),      // grouped, narrow: direct
    geo(1, 6, 40, 2, [3, 3], 1, 1, 1, 6, 5),     // grouped, wide: GEMM per group
    geo(3, 7, 65, 1, [2, 3], 1, 2, 2, 5, 6),     // padding beyond the kernel's reach
    geo(1, 1, 1, 1, [3, 3], 3, 0, 1, 10, 10),
    geo(0, 4, 4, 1, [3, 3], 1, 1, 1, 4, 4),      // empty batch
    geo(1, 32, 32, 32, [3, 3], 1, 1, 1, 20, 37), // depthwise, rows longer than a vector
    { ...geo(2, 4, 6, 1, [1, 3], 1, 0, 1, 1, 17), stride: [1, 2], pad: [0, 1] }, // conv1d as height 1
  ];
  return cases.map((g, c) => {
    const dtype = c % 4 === 3 ? Q.qint8 : Q.quint8;
    const x = qActivation(r, [g.b, g.cin, g.h, g.w], dtype);
    const packed = Q.convPrepack(qWeight(r, [g.cout, g.cin / g.groups, ...g.k], c % 2 === 0), c % 3 === 2 ? null : fBias(r, g.cout),
      { stride: g.stride, padding: g.pad, dilation: g.dil, groups: g.groups }, engine);
    const [lo, hi] = rangeOf(dtype);
    const so = r.scale(0.01, 0.5), zo = r.pick([lo, hi, r.int(lo, hi)]), relu = c % 2 === 1;
    const y = reference(engine, () => (relu ? Q.quantizedConv2dRelu : Q.quantizedConv2d)(x, packed, so, zo));
    const { scale, zeroPoint } = qparamsOf(x);
    const geometry = i32(g.b, g.cin, g.h, g.w, g.k[0], g.k[1], g.stride[0], g.stride[1], g.pad[0], g.pad[1], g.dil[0], g.dil[1]);
    return {
      op: 'conv2d',
      label: `${engine} #${c} ${g.b}x${g.cin}x${g.h}x${g.w} -> ${g.cout} k${g.k.join('x')} s${g.stride.join('x')} g${g.groups} ${dtype.name}`,
      fields: { engine: i32(engineCode(engine)), x: raw(x), geometry, groups: i32(g.groups), cout: i32(g.cout), zx: i32(zeroPoint), in_scale: f64(scale),
        ...weightFields(packed), out_scale: f64(so), out_zp: i32(zo), relu: i32(relu ? 1 : 0), expect_y: raw(y) },
    };
  });
}

/** QAdd (both dtypes, relu, every (a, b) pair of values) and QRelu. */
function elementwiseCases(): VectorCase[] {
  const r = new Rand(15);
  const out: VectorCase[] = [];
  const add = (label: string, a: Tensor, b: Tensor, so: number, zo: number, relu: boolean): void => {
    const y = reference('fbgemm', () => (relu ? Q.quantizedAddRelu : Q.quantizedAdd)(a, b, so, zo));
    const qa = qparamsOf(a), qb = qparamsOf(b);
    out.push({ op: 'add', label, fields: { a: raw(a), sa: f64(qa.scale), za: i32(qa.zeroPoint), b: raw(b), sb: f64(qb.scale), zb: i32(qb.zeroPoint),
      so: f64(so), zo: i32(zo), relu: i32(relu ? 1 : 0), expect_y: raw(y) } });
  };
  for (let c = 0; c < 8; c++) {
    const dtype = c % 2 ? Q.qint8 : Q.quint8;
    const n = r.pick([1, 15, 42, 231, 1000]);
    const a = qActivation(r, [n], dtype), b = qActivation(r, [n], dtype);
    const [lo, hi] = rangeOf(dtype);
    add(`#${c} n=${n} ${dtype.name}`, a, b, r.scale(0.005, 0.2), r.pick([lo, hi, r.int(lo, hi)]), c % 3 === 0);
    const y = reference('fbgemm', () => Q.quantizedRelu(b));
    out.push({ op: 'relu', label: `#${c} n=${n} ${dtype.name}`, fields: { x: raw(b), zp: i32(qparamsOf(b).zeroPoint), expect_y: raw(y) } });
  }
  for (const dtype of [Q.quint8, Q.qint8]) {
    const [lo] = rangeOf(dtype);
    const a = Q.makeQTensor([65536], dtype, 0.0173, lo + 3, Array.from({ length: 65536 }, (_, i) => lo + (i >> 8)));
    const b = Q.makeQTensor([65536], dtype, 0.0291, lo + 200, Array.from({ length: 65536 }, (_, i) => lo + (i & 255)));
    add(`every pair ${dtype.name}`, a, b, 0.01 + r.int(0, 1e6) / 1e7, lo + 77, true);
  }
  return out;
}

/** Floats hitting every branch of quantize_val: ties, range ends, -0, NaN, infinities, huge. */
function specialFloats(r: Rand, scale: number, n: number): Float32Array {
  const special = [0, -0, NaN, Infinity, -Infinity, 3e38, -3e38, 1e19, -1e19, 0.5 * scale, 1.5 * scale, 2.5 * scale, -0.5 * scale, -2.5 * scale, 127.5 * scale, 300 * scale, -300 * scale];
  return Float32Array.from({ length: n }, (_, i) => (i < special.length ? special[i]! : (r.int(-40000, 40000) / 100) * scale));
}

/** QuantizePerTensor, DequantizePerTensor (every value), MinMaxF32 (NaN, -0, infinities). */
function quantizeCases(): VectorCase[] {
  const r = new Rand(16);
  const out: VectorCase[] = [];
  for (const dtype of [Q.quint8, Q.qint8]) {
    const [lo, hi] = rangeOf(dtype);
    for (const [scale, n] of [[0.05, 1000], [2 ** -5, 77], [0.0173, 4099]] as const) {
      const zp = r.pick([lo, hi, r.int(lo, hi)]);
      const x = specialFloats(r, scale, n);
      const q = reference('fbgemm', () => Q.quantizePerTensor(Q.Tensor.fromTypedArray(x, [n]), scale, zp, dtype));
      out.push({ op: 'quantize', label: `${dtype.name} scale=${scale} n=${n}`, fields: { x, scale: f64(scale), zp: i32(zp), expect_q: raw(q) } });
    }
    const all = Q.makeQTensor([256], dtype, 0.0371, r.int(lo, hi), Array.from({ length: 256 }, (_, i) => lo + i));
    const y = reference('fbgemm', () => Q.dequantize(all));
    const { scale, zeroPoint } = qparamsOf(all);
    out.push({ op: 'dequantize', label: `${dtype.name} every value`, fields: { q: raw(all), scale: f64(scale), zp: i32(zeroPoint), expect_y: raw(y) } });
  }
  const arrays: Array<[string, number[]]> = [
    ['empty', []], ['positive', [3, 1, 2]], ['negative', [-3, -1, -2]], ['signed zeros', [-0, 0, -0]],
    ['infinities', [1, Infinity, -Infinity]], ['NaN', [1, -5, NaN, 7]], ['random', r.ints(1001, -30000, 30000).map((v) => v / 7)],
  ];
  for (const [label, v] of arrays) {
    const x = Float32Array.from(v);
    let lo = 0, hi = 0;
    for (const e of x) {
      if (Number.isNaN(e)) { lo = hi = NaN; break; }
      if (e < lo) lo = e;
      if (e > hi) hi = e;
    }
    out.push({ op: 'minmax', label, fields: { x, expect_lohi: Float32Array.of(lo, hi) } });
  }
  return out;
}

/** SGemm (C = A B^T + bias): float32 results close to a float64 loop (order differs per ISA). */
function sgemmCases(): VectorCase[] {
  const r = new Rand(17);
  const shapes: Array<[number, number, number]> = [[1, 1, 1], [3, 17, 5], [7, 64, 33], [2, 2100, 19], [5, 0, 4]];
  return shapes.map(([m, k, n], c) => {
    const a = Float32Array.from(r.ints(m * k, -1000, 1000), (v) => v / 997), b = Float32Array.from(r.ints(n * k, -1000, 1000), (v) => v / 1009);
    const bias = c % 2 ? Float32Array.from(r.ints(n, -100, 100), (v) => v / 10) : noBias;
    // the float64 result and the sum of |terms|, which bounds the float32 rounding error
    const ref = new Float64Array(m * n), mag = new Float64Array(m * n);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = bias.length ? bias[j]! : 0, abs = Math.abs(s);
        for (let t = 0; t < k; t++) {
          const p = a[i * k + t]! * b[j * k + t]!;
          s += p;
          abs += Math.abs(p);
        }
        ref[i * n + j] = s;
        mag[i * n + j] = abs;
      }
    return { op: 'sgemm', label: `${m}x${k}x${n}`, fields: { a, b, bias, m: i32(m), k: i32(k), n: i32(n), expect_c: ref, expect_c_magnitude: mag } };
  });
}

/** The cells of the `rnn_gates` field `cell` (rnn.h's RnnCell): 0 LSTM, 1 GRU, 2 Elman tanh. */
const RNN_CELLS = [{ name: 'lstm', gates: 4 }, { name: 'gru', gates: 3 }, { name: 'tanh', gates: 1 }] as const;

/**
 * One batch row of recurrent gates (RunRnnGates): float32 sigmoid / tanh as qtensor computes
 * them, bit for bit on every ISA. Pre-activations sweep the saturating, polynomial and exp
 * ranges of both functions; specials (NaN, infinities, signed zeros, subnormals) lead.
 */
function rnnGatesCases(): VectorCase[] {
  const r = new Rand(18);
  const special = [NaN, Infinity, -Infinity, 0, -0, 1e-40, -1e-40, 0.624, 0.626, -0.625, 88, -88, 104, -104, 200, -200];
  const values = (n: number, spread: number): Float32Array =>
    Float32Array.from({ length: n }, (_, i) => (i < special.length && spread > 1 ? special[i]! : (r.int(-100000, 100000) / 100000) * spread));
  const f32 = (v: Float32Array, shape: number[]): Tensor => Q.Tensor.fromTypedArray(v, shape, Q.float32);
  const out: VectorCase[] = [];
  for (const [cell, { name, gates }] of RNN_CELLS.entries())
    for (const [n, spread] of [[1, 3], [8, 0.7], [13, 12], [37, 120]] as const) {
      const ig = values(gates * n, spread), hg = values(gates * n, spread / 4), h = values(n, 1), c = values(n, 4);
      const [igT, hgT] = [f32(ig, [1, gates * n]), f32(hg, [1, gates * n])];
      const [hOut, cOut] =
        name === 'lstm' ? lstmGates(igT, hgT, f32(c, [1, n])) : [name === 'gru' ? gruGates(igT, hgT, f32(h, [1, n])) : rnnGates(igT, hgT, 'tanh'), null];
      out.push({ op: 'rnn_gates', label: `${name} n=${n} spread=${spread}`, fields: {
        cell: i32(cell), n: i32(n), ig, hg, h, c, expect_h: raw(hOut), ...(cOut ? { expect_c: raw(cOut) } : {}),
      } });
    }
  return out;
}

/** Every case, in a fixed order. */
export function buildCases(): VectorCase[] {
  return [
    ...qgemmCases(),
    ...ENGINES.flatMap((e) => [...linearCases(e), ...convCases(e)]),
    ...dynamicCases(),
    ...elementwiseCases(),
    ...quantizeCases(),
    ...sgemmCases(),
    ...rnnGatesCases(),
  ];
}
