/**
 * Independent references for the QAT tests: fake quantization written out from PyTorch's
 * formulas (golden README "Numerics"), not through qtensor's fake-quant kernels, and naive
 * float64 layers.
 */
import type { Tensor } from '@qtorch/qtensor';

const f32 = Math.fround;
const F32_EPS = 1.1920928955078125e-7;

/** Round half to even (C's nearbyint). */
export function rint(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The symmetric qint8 scale MinMax observers give for [lo, hi]: max(|lo|, hi) / 127.5 (>= eps). */
export function symmetricScale(lo: number, hi: number, qmin = -128, qmax = 127): number {
  const amax = Math.max(-Math.min(lo, 0), Math.max(hi, 0));
  return Math.max(f32(amax / ((qmax - qmin) / 2)), F32_EPS);
}

/** fake_quantize_per_tensor_affine of one value. */
export function fakeQuantValue(x: number, scale: number, zp: number, qmin: number, qmax: number): number {
  const inv = f32(1 / f32(scale));
  const q = Math.min(Math.max(f32(zp + rint(f32(x * inv))), qmin), qmax);
  return f32(f32(q - zp) * f32(scale));
}

/** Whether the straight-through estimator passes the gradient of x (unclamped quantized value). */
export function steMask(x: number, scale: number, zp: number, qmin: number, qmax: number): boolean {
  const q = zp + rint(f32(x * f32(1 / f32(scale))));
  return q >= qmin && q <= qmax;
}

/** Min and max of `values` (or of each channel: `axis` 0 of a contiguous tensor). */
export function channelRanges(values: ArrayLike<number>, channels: number): Array<[number, number]> {
  const per = values.length / channels;
  const out: Array<[number, number]> = [];
  for (let c = 0; c < channels; c++) {
    let lo = Infinity, hi = -Infinity;
    for (let i = c * per; i < (c + 1) * per; i++) { lo = Math.min(lo, values[i]!); hi = Math.max(hi, values[i]!); }
    out.push([lo, hi]);
  }
  return out;
}

/**
 * Symmetric qint8 fake quantization of a weight as a fresh MinMax / MovingAverage observer +
 * FakeQuantize gives it on the first call: per tensor (`perChannel` false) or per output
 * channel (dim 0). Returns the values and the scales used.
 */
export function fakeQuantWeight(w: Tensor, perChannel: boolean): { values: Float64Array; scales: number[] } {
  const v = w.contiguous().values();
  const channels = perChannel ? w.shape[0]! : 1;
  const scales = channelRanges(v, channels).map(([lo, hi]) => symmetricScale(lo, hi));
  const per = v.length / channels;
  const values = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) values[i] = fakeQuantValue(v[i]!, scales[Math.floor(i / per)]!, 0, -128, 127);
  return { values, scales };
}

/** Naive float64 `x W^T + b` for x [N, K], W [O, K]. */
export function linearRef(x: Tensor, w: ArrayLike<number>, b: ArrayLike<number> | null, outFeatures: number): Float64Array {
  const [N, K] = x.shape as [number, number];
  const xv = x.contiguous().values();
  const out = new Float64Array(N * outFeatures);
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < outFeatures; o++) {
      let s = b ? b[o]! : 0;
      for (let k = 0; k < K; k++) s += xv[n * K + k]! * w[o * K + k]!;
      out[n * outFeatures + o] = s;
    }
  }
  return out;
}

/** Largest absolute difference between two arrays of the same length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
