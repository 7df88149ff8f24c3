/**
 * Randomized comparisons against a float64 "dequantize -> float op -> quantize" model: GEMM-like
 * and averaging ops may differ by 1 integer step (float32 requantization), integer-only ops
 * (relu, max pool) must match exactly. Shapes include batch 0 and 1, odd sizes and
 * non-contiguous (transposed) inputs. Seeded, so failures reproduce.
 */
import { describe, expect, it } from 'vitest';
import * as Q from '@qtorch/qtensor';
import type { Engine, Tensor } from '@qtorch/qtensor';

/** mulberry32: a small seeded PRNG. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const randInt = (r: () => number, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

/** A random quint8 / qint8 per-tensor tensor of `shape`. */
function randQ(r: () => number, shape: number[], dtype: Q.DType = Q.quint8): Tensor {
  const [lo, hi] = Q.dtypeRange(dtype);
  const n = shape.reduce((a, b) => a * b, 1);
  const ints = Array.from({ length: n }, () => randInt(r, lo, hi));
  return Q.makeQTensor(shape, dtype, 0.005 + r() * 0.05, randInt(r, lo, hi), ints);
}

/** A non-contiguous view with the same logical shape: built transposed, then transposed back. */
function nonContiguous(r: () => number, shape: number[], dtype: Q.DType = Q.quint8): Tensor {
  const nd = shape.length;
  const t = randQ(r, [...shape.slice(0, nd - 2), shape[nd - 1]!, shape[nd - 2]!], dtype);
  return Q.transpose(t, nd - 2, nd - 1);
}

/** A random qint8 weight, per-tensor or per-channel (axis 0), symmetric. */
function randWeight(r: () => number, shape: number[], perChannel: boolean): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const w = new Q.Tensor(Int8Array.from({ length: n }, () => randInt(r, -128, 127)), Q.qint8, shape);
  w.quantizer = perChannel
    ? { qscheme: 'per_channel_affine', scales: Float64Array.from({ length: shape[0]! }, () => 0.002 + r() * 0.02), zeroPoints: new Float64Array(shape[0]!), axis: 0 }
    : { qscheme: 'per_tensor_affine', scale: 0.002 + r() * 0.02, zeroPoint: 0 };
  return w;
}

/** float64 dequantized values of a per-tensor or per-channel (axis 0) qtensor, row-major. */
function deq(t: Tensor): Float64Array {
  const q = t.rawValues(), qz = t.quantizer!;
  const out = new Float64Array(q.length);
  const inner = q.length / (t.shape[0] || 1);
  for (let i = 0; i < q.length; i++) {
    const c = Math.floor(i / inner);
    out[i] = 'scales' in qz ? (q[i]! - qz.zeroPoints[c]!) * qz.scales[c]! : (q[i]! - qz.zeroPoint) * qz.scale;
  }
  return out;
}

/** Quantizes a float64 model output with (scale, zp) and compares with `y` within `maxDiff` steps. */
function expectNear(y: Tensor, model: Float64Array, scale: number, zp: number, maxDiff: number, relu = false): void {
  const [lo, hi] = Q.dtypeRange(y.dtype);
  const got = y.rawValues();
  expect(got.length).toBe(model.length);
  let worst = 0;
  for (let i = 0; i < model.length; i++) {
    let q = Math.min(hi, Math.max(lo, Math.round(model[i]! / scale) + zp));
    if (relu) q = Math.max(q, zp);
    worst = Math.max(worst, Math.abs(got[i]! - q));
  }
  expect(worst).toBeLessThanOrEqual(maxDiff);
}

/** float64 linear model: x [M, K], w [N, K]. */
function linearModel(x: Tensor, w: Tensor, b: Float32Array | null): Float64Array {
  const xv = deq(x), wv = deq(w);
  const K = w.shape[1]!, N = w.shape[0]!, M = xv.length / K || 0;
  const out = new Float64Array(M * N);
  for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) {
    let s = b ? b[n]! : 0;
    for (let k = 0; k < K; k++) s += xv[m * K + k]! * wv[n * K + k]!;
    out[m * N + n] = s;
  }
  return out;
}

/** float64 conv2d model (zero padding in real space). */
function conv2dModel(x: Tensor, w: Tensor, b: Float32Array | null, stride: number, pad: number, dil: number, groups: number): [Float64Array, number[]] {
  const xv = deq(x), wv = deq(w);
  const [B, C, H, W] = x.shape as [number, number, number, number];
  const [O, CG, KH, KW] = w.shape as [number, number, number, number];
  const OH = Math.floor((H + 2 * pad - dil * (KH - 1) - 1) / stride) + 1, OW = Math.floor((W + 2 * pad - dil * (KW - 1) - 1) / stride) + 1;
  const out = new Float64Array(B * O * OH * OW);
  let i = 0;
  for (let bb = 0; bb < B; bb++) for (let o = 0; o < O; o++) for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++) {
    let s = b ? b[o]! : 0;
    const g = Math.floor(o / (O / groups));
    for (let c = 0; c < CG; c++) for (let kh = 0; kh < KH; kh++) for (let kw = 0; kw < KW; kw++) {
      const ih = oh * stride - pad + kh * dil, iw = ow * stride - pad + kw * dil;
      if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
      s += xv[((bb * C + g * CG + c) * H + ih) * W + iw]! * wv[((o * CG + c) * KH + kh) * KW + kw]!;
    }
    out[i++] = s;
  }
  return [out, [B, O, OH, OW]];
}

const randBias = (r: () => number, n: number): Float32Array => Float32Array.from({ length: n }, () => r() * 2 - 1);

/** Defines the randomized suites for `engine`. */
export function defineRandomizedChecks(engine: Engine, label: string): void {
  const run = <T>(fn: () => T): T => Q.withEngine(engine, fn);
  describe(`${label} [${engine}] randomized vs float64 model`, () => {
    it('linear (per-tensor / per-channel, bias, M = 0, 1, odd; non-contiguous input) within 1 step', () => run(() => {
      const r = rng(1);
      for (let t = 0; t < 24; t++) {
        const M = [0, 1, 3, 7][t % 4]!, K = randInt(r, 1, 37), N = randInt(r, 1, 9);
        const x = t % 3 === 0 && M > 1 ? nonContiguous(r, [M, K]) : randQ(r, [M, K]);
        const w = randWeight(r, [N, K], t % 2 === 1);
        const b = t % 4 < 2 ? randBias(r, N) : null;
        const packed = Q.linearPrepack(w, b ? Q.Tensor.fromTypedArray(b, [N]) : null);
        const so = 0.02 + r() * 0.2, zo = randInt(r, 0, 255);
        const relu = t % 5 === 0;
        const y = (relu ? Q.quantizedLinearRelu : Q.quantizedLinear)(x, packed, so, zo);
        expect(y.shape).toEqual([M, N]);
        expectNear(y, linearModel(x, w, b), so, zo, 1, relu);
      }
    }));

    it('conv2d (stride, padding, dilation, groups, depthwise, batch 0/1/2) within 1 step', () => run(() => {
      const r = rng(2);
      for (let t = 0; t < 16; t++) {
        const groups = [1, 2, 3][t % 3]!, cg = randInt(r, 1, 3), og = randInt(r, 1, 2);
        const B = [1, 2, 0][t % 3]!, H = randInt(r, 4, 8), W = randInt(r, 4, 9);
        const K = randInt(r, 1, 3), stride = randInt(r, 1, 2), pad = randInt(r, 0, 1), dil = randInt(r, 1, 2);
        const x = randQ(r, [B, groups * cg, H, W]);
        const w = randWeight(r, [groups * og, cg, K, K], t % 2 === 0);
        const b = t % 3 !== 1 ? randBias(r, groups * og) : null;
        const packed = Q.conv2dPrepack(w, b ? Q.Tensor.fromTypedArray(b, [groups * og]) : null, stride, pad, dil, groups);
        const so = 0.02 + r() * 0.2, zo = randInt(r, 0, 255);
        const y = Q.quantizedConv2d(x, packed, so, zo);
        const [model, shape] = conv2dModel(x, w, b, stride, pad, dil, groups);
        expect(y.shape).toEqual(shape);
        expectNear(y, model, so, zo, 1);
      }
    }));

    it('add / mul with broadcasting and non-contiguous inputs within 1 step', () => run(() => {
      const r = rng(3);
      for (let t = 0; t < 12; t++) {
        const dtype = t % 2 ? Q.qint8 : Q.quint8;
        const a = t % 3 === 0 ? nonContiguous(r, [2, 3, 5], dtype) : randQ(r, [2, 3, 5], dtype);
        const b = randQ(r, t % 4 === 0 ? [3, 1] : [2, 3, 5], dtype);
        const [lo, hi] = Q.dtypeRange(dtype);
        const so = 0.02 + r() * 0.2, zo = randInt(r, lo, hi);
        const av = deq(Q.contiguous(a)), bv = deq(b);
        const bAt = (i: number): number => (b.shape.length === 2 ? bv[Math.floor(i / 5) % 3]! : bv[i]!);
        const add = Float64Array.from(av, (v, i) => v + bAt(i));
        const mul = Float64Array.from(av, (v, i) => v * bAt(i));
        expectNear(Q.quantizedAdd(a, b, so, zo), add, so, zo, 1);
        expectNear(Q.quantizedMul(a, b, so, zo), mul, so, zo, 1);
        expectNear(Q.quantizedAddRelu(a, b, so, zo), add, so, zo, 1, true);
      }
    }));

    it('relu and max_pool2d are exact; avg_pool2d within 1 step', () => run(() => {
      const r = rng(4);
      for (let t = 0; t < 8; t++) {
        const x = t % 2 ? nonContiguous(r, [1, 2, 7, 6]) : randQ(r, [2, 3, 5, 9]);
        const { scale, zeroPoint } = x.quantizer as { scale: number; zeroPoint: number };
        const xv = deq(Q.contiguous(x));
        expectNear(Q.quantizedRelu(x), Float64Array.from(xv, (v) => Math.max(v, 0)), scale, zeroPoint, 0);
        const [, C, H, W] = x.shape as number[];
        const N = x.shape[0]!, OH = Math.floor((H! - 3) / 2) + 1, OW = Math.floor((W! - 3) / 2) + 1;
        const mx = new Float64Array(N * C! * OH * OW), av = new Float64Array(N * C! * OH * OW);
        let i = 0;
        for (let p = 0; p < N * C!; p++) for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++) {
          let m = -Infinity, s = 0;
          for (let kh = 0; kh < 3; kh++) for (let kw = 0; kw < 3; kw++) {
            const v = xv[(p * H! + oh * 2 + kh) * W! + ow * 2 + kw]!;
            m = Math.max(m, v);
            s += v;
          }
          mx[i] = m;
          av[i++] = s / 9;
        }
        expectNear(Q.quantizedMaxPool2d(x, 3, { stride: 2 }), mx, scale, zeroPoint, 0);
        expectNear(Q.quantizedAvgPool2d(x, 3, { stride: 2 }), av, scale, zeroPoint, 1);
      }
    }));
  });
}
