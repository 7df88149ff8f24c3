/**
 * sigmoid and tanh of float32 tensors, computed in float32 as PyTorch computes them (its CPU
 * kernels evaluate float32 exp / tanh in float32, not in double).
 *
 * The algorithm is a contract shared with the native kernels (kernels-common's
 * `include/qtorch/f32_math.h`): Cephes' expf reduction and polynomial, every step one IEEE float32 operation
 * (here a double operation on float32 values rounded by `Math.fround`, which gives the same bits
 * for + - * /), no fused multiply-add. Any implementation that follows the steps (scalar, 8 AVX2
 * lanes, NEON) produces the same bits, so native layers stay bit-exact with this reference
 * while running 8 lanes of float instead of 4 of double.
 *
 * Accuracy against the exact functions: within 2 ulp for both (tested).
 */
const f = Math.fround;

/** log2(e), and ln 2 in two parts (Cephes' C1 has 9 significant bits: k * C1 is exact). */
const LOG2E = f(1.44269504088896341);
const LN2_HI = f(0.693359375);
const LN2_LO = f(-2.12194440e-4);
/** Cephes expf's polynomial for (exp(r) - 1 - r) / r^2 on |r| <= ln2 / 2, lowest degree first. */
const EXP_POLY = [5.0000001201e-1, 1.6666665459e-1, 4.1665795894e-2, 8.3334519073e-3, 1.3981999507e-3, 1.9875691500e-4].map(f);
/** exp's argument floor: exp(-104) is below half the least float32 subnormal. */
const EXP_ARG_MIN = -104;
/** |x| from which tanh is +-1 in float32 (the formula gives exactly 1 there). */
const TANH_ARG_MAX = 20;

/** c + a b, each step rounded to float32. */
const mulAdd = (a: number, b: number, c: number): number => f(c + f(a * b));

/**
 * c0 + c1 x + ... + c5 x^5 in float32 by Estrin's scheme, (q0 + q1 x^2) + q2 x^4 with
 * q_i = c_2i + c_2i+1 x: the native kernels' order (fewer dependent steps than Horner's).
 */
function estrin6(c: readonly number[], x: number): number {
  const x2 = f(x * x);
  const q0 = mulAdd(c[1]!, x, c[0]!), q1 = mulAdd(c[3]!, x, c[2]!), q2 = mulAdd(c[5]!, x, c[4]!);
  return mulAdd(q2, f(x2 * x2), mulAdd(q1, x2, q0));
}

/** 2^k for the integral k these functions scale by (-150..0), exact: `2 ** k` is a slow call. */
const POW2_MIN = -150;
const POW2 = Float64Array.from({ length: 1 - POW2_MIN }, (_, i) => 2 ** (i + POW2_MIN));
const pow2 = (k: number): number => POW2[k - POW2_MIN] ?? NaN; // NaN k (a NaN input) stays NaN

/** The k of the last {@link expReduce} (a module slot instead of a returned pair: no allocation per value). */
let reducedK = 0;

/**
 * y = k ln2 + r (k integral, |r| <= ln2 / 2): returns m = expm1(r) by Cephes' polynomial and
 * leaves k in {@link reducedK}.
 */
function expReduce(y: number): number {
  const k = Math.floor(f(f(y * LOG2E) + 0.5));
  const r = f(f(y - f(k * LN2_HI)) - f(k * LN2_LO));
  reducedK = k;
  return f(f(estrin6(EXP_POLY, r) * f(r * r)) + r);
}

/**
 * exp(y) for float32 y <= 0 (NaN propagates): 2^k (1 + m), the 2^k in two exact halves so that
 * results down to the subnormals round once, as a float32 product does.
 */
export function expNonPositiveF32(y: number): number {
  const m = expReduce(Math.max(EXP_ARG_MIN, y)); // NaN stays NaN
  const k = reducedK, k1 = Math.floor(k * 0.5);
  return f(f(f(m + 1) * pow2(k1)) * pow2(k - k1));
}

/** sigmoid(x) = 1 / (1 + e^-x) for x >= 0, e^x / (1 + e^x) below: e = exp(-|x|) never overflows. */
export function sigmoidF32(x: number): number {
  const e = expNonPositiveF32(-Math.abs(f(x)));
  const d = f(1 + e);
  return x >= 0 ? f(1 / d) : f(e / d);
}

/**
 * tanh|x| = -t / (t + 2) with t = expm1(-2|x|) = 2^k m + (2^k - 1) (accurate near 0, where
 * 1 - exp would cancel), x's sign put back.
 */
export function tanhF32(x: number): number {
  const v = f(x);
  const m = expReduce(f(-2 * Math.min(Math.abs(v), TANH_ARG_MAX)));
  const scale = pow2(reducedK);
  const t = f(f(scale * m) + f(scale - 1));
  const magnitude = Math.abs(f(-t / f(t + 2))); // copysign, as the kernels: tanh(+0) = +0
  return v < 0 || (v === 0 && 1 / v < 0) ? -magnitude : magnitude;
}
