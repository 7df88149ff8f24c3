/**
 * Scalar quantize / dequantize with PyTorch's exact float32 evaluation order (golden README,
 * "Numerics"). Every quantized kernel and fake quantize builds on these.
 */

/** Rounds a double to float32. */
export const f32 = Math.fround;

/** Round half to even (C's `nearbyint`); `Math.round` rounds half up, which is wrong here. */
export function rint(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The float32 inverse scale the kernels multiply by: `f32(1 / f32(scale))`. */
export function inverseScale(scale: number): number {
  return f32(1 / f32(scale));
}

// x86 converts NaN, infinities and |v| >= 2^63 to int64 as 0x8000000000000000 ("integer
// indefinite"), which then clamps to qmin. PyTorch inherits that; we reproduce it on purpose.
const INT64_LIMIT = 2 ** 63;

/**
 * PyTorch's `quantize_val`: `clamp(int64(f32(f32(zp) + rint(f32(x * invScale)))), qmin, qmax)`.
 * The zero point is added in float32 (so qint32 loses precision above 2^24), and non-finite or
 * huge inputs give `qmin` (the x86 artifact).
 */
export function quantizeValue(x: number, invScale: number, zeroPoint: number, qmin: number, qmax: number): number {
  const v = f32(f32(zeroPoint) + rint(f32(x * invScale)));
  if (!(Math.abs(v) < INT64_LIMIT)) return qmin;
  return v < qmin ? qmin : v > qmax ? qmax : v;
}

/** Float-qparams quantize (`quantize_val_float_qparams`): `clamp(lrintf(f32(x * invScale) + zp))`. */
export function quantizeValueFloatQparams(x: number, invScale: number, zeroPoint: number, qmin: number, qmax: number): number {
  const v = rint(f32(f32(x * invScale) + f32(zeroPoint)));
  if (!(Math.abs(v) < INT64_LIMIT)) return qmin;
  return v < qmin ? qmin : v > qmax ? qmax : v;
}

/** Per-tensor dequantize: `f32(f32(int32(q - zp)) * f32(scale))` (the subtraction wraps in int32). */
export function dequantizeValue(q: number, scale32: number, zeroPoint: number): number {
  return f32(f32((q - zeroPoint) | 0) * scale32);
}
