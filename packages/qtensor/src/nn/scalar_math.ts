/**
 * Scalar formulas of the float activations, in float64, with their derivatives. The tensor
 * ops in `activation.ts` map these over typed arrays; quantized kernels reuse them to build
 * lookup tables (a quint8 activation is a 256-entry table of `f(dequantize(q))`).
 *
 * Each `xxxScalar(x, ...)` is the forward value; `xxxGradScalar(x, ...)` is d/dx at x.
 */

/** 2/sqrt(pi). */
const TWO_OVER_SQRT_PI = 1.1283791670955126;
/** 1/sqrt(pi). */
const ONE_OVER_SQRT_PI = 0.5641895835477563;
/** 1/sqrt(2*pi), the standard normal density at 0. */
const INV_SQRT_2PI = 0.3989422804014327;

/** SELU's alpha (Klambauer et al.), as PyTorch spells it. */
export const SELU_ALPHA = 1.6732632423543772848170429916717;
/** SELU's scale. */
export const SELU_SCALE = 1.0507009873554804934193349852946;

/**
 * erf for 0 <= x < 3 from the series erf(x) = 2/sqrt(pi) e^{-x^2} sum_n 2^n x^{2n+1} / (2n+1)!!:
 * every term is positive, so there is no cancellation and the sum is accurate to a few ulp.
 */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x, sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/**
 * erfc for x >= 2 from its continued fraction
 * erfc(x) = e^{-x^2}/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))),
 * evaluated with the modified Lentz method (converges fast for large x).
 */
function erfcContinuedFraction(x: number): number {
  const tiny = 1e-300;
  let f = x, c = x, d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = x + a * d;
    d = d === 0 ? tiny : d;
    c = x + a / c;
    c = c === 0 ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return (ONE_OVER_SQRT_PI * Math.exp(-x * x)) / f;
}

/** The error function in float64 (relative error ~1e-15). */
export function erfScalar(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  const r = a < 3 ? erfSeries(a) : a >= 6 ? 1 : 1 - erfcContinuedFraction(a);
  return x < 0 ? -r : r;
}

/** The complementary error function 1 - erf(x), accurate in the tails. */
export function erfcScalar(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfcScalar(-x);
  if (x < 2) return 1 - erfSeries(x);
  if (x > 27) return 0;
  return erfcContinuedFraction(x);
}

/** Standard normal CDF Phi(x), via erfc so the left tail keeps its digits. */
export function normalCdfScalar(x: number): number {
  return 0.5 * erfcScalar(-x * Math.SQRT1_2);
}

/** Standard normal density phi(x). */
export function normalPdfScalar(x: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}

export const reluScalar = (x: number): number => (x <= 0 ? 0 : x); // NaN propagates
export const reluGradScalar = (x: number): number => (x > 0 ? 1 : 0);

/** clamp(x, minVal, maxVal), NaN propagating (PyTorch's hardtanh). */
export function hardtanhScalar(x: number, minVal = -1, maxVal = 1): number {
  return x < minVal ? minVal : x > maxVal ? maxVal : x;
}
/** PyTorch passes the gradient only strictly inside (minVal, maxVal). */
export function hardtanhGradScalar(x: number, minVal = -1, maxVal = 1): number {
  return x > minVal && x < maxVal ? 1 : 0;
}

export const relu6Scalar = (x: number): number => hardtanhScalar(x, 0, 6);
export const relu6GradScalar = (x: number): number => hardtanhGradScalar(x, 0, 6);

export const leakyReluScalar = (x: number, slope = 0.01): number => (x > 0 ? x : x * slope);
export const leakyReluGradScalar = (x: number, slope = 0.01): number => (x > 0 ? 1 : slope);

export const eluScalar = (x: number, alpha = 1): number => (x > 0 ? x : alpha * Math.expm1(x));
export const eluGradScalar = (x: number, alpha = 1): number => (x > 0 ? 1 : alpha * Math.exp(x));

export const seluScalar = (x: number): number => SELU_SCALE * eluScalar(x, SELU_ALPHA);
export const seluGradScalar = (x: number): number => SELU_SCALE * eluGradScalar(x, SELU_ALPHA);

export const celuScalar = (x: number, alpha = 1): number => (x > 0 ? x : alpha * Math.expm1(x / alpha));
export const celuGradScalar = (x: number, alpha = 1): number => (x > 0 ? 1 : Math.exp(x / alpha));

/** sigmoid without overflow for either sign. */
export function sigmoidScalar(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}
export function sigmoidGradScalar(x: number): number {
  const s = sigmoidScalar(x);
  return s * (1 - s);
}

export const tanhScalar = Math.tanh;
export function tanhGradScalar(x: number): number {
  const t = Math.tanh(x);
  return 1 - t * t;
}

/** log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)). */
export const logsigmoidScalar = (x: number): number => Math.min(x, 0) - Math.log1p(Math.exp(-Math.abs(x)));
export const logsigmoidGradScalar = (x: number): number => sigmoidScalar(-x);

export const siluScalar = (x: number): number => x * sigmoidScalar(x);
export function siluGradScalar(x: number): number {
  const s = sigmoidScalar(x);
  return s * (1 + x * (1 - s));
}

/** relu6(x + 3) / 6. */
export const hardsigmoidScalar = (x: number): number => relu6Scalar(x + 3) / 6;
export const hardsigmoidGradScalar = (x: number): number => (x > -3 && x < 3 ? 1 / 6 : 0);

/** x * relu6(x + 3) / 6. */
export const hardswishScalar = (x: number): number => (x * relu6Scalar(x + 3)) / 6;
/** PyTorch's hardswish_backward: 0 below -3, x/3 + 1/2 on [-3, 3], 1 above. */
export const hardswishGradScalar = (x: number): number => (x < -3 ? 0 : x <= 3 ? x / 3 + 0.5 : 1);

/** log(1 + exp(beta x)) / beta, linear once beta x > threshold (as PyTorch). */
export function softplusScalar(x: number, beta = 1, threshold = 20): number {
  const z = x * beta;
  return z > threshold ? x : (Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)))) / beta;
}
export function softplusGradScalar(x: number, beta = 1, threshold = 20): number {
  const z = x * beta;
  return z > threshold ? 1 : sigmoidScalar(z);
}

/** x * tanh(softplus(x)). */
export const mishScalar = (x: number): number => x * Math.tanh(softplusScalar(x));
export function mishGradScalar(x: number): number {
  const t = Math.tanh(softplusScalar(x));
  return t + x * sigmoidScalar(x) * (1 - t * t);
}

/** sqrt(2/pi), the tanh-approximation constant of gelu. */
const SQRT_2_OVER_PI = 0.7978845608028654;
const GELU_CUBIC = 0.044715;

/** gelu: exact x * Phi(x), or the tanh approximation when `approximate === 'tanh'`. */
export function geluScalar(x: number, approximate: 'none' | 'tanh' = 'none'): number {
  if (approximate === 'tanh') {
    const inner = SQRT_2_OVER_PI * (x + GELU_CUBIC * x * x * x);
    return 0.5 * x * (1 + Math.tanh(inner));
  }
  return x * normalCdfScalar(x);
}
export function geluGradScalar(x: number, approximate: 'none' | 'tanh' = 'none'): number {
  if (approximate === 'tanh') {
    const inner = SQRT_2_OVER_PI * (x + GELU_CUBIC * x * x * x);
    const t = Math.tanh(inner);
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * GELU_CUBIC * x * x);
  }
  return normalCdfScalar(x) + x * normalPdfScalar(x);
}

/** x if x > threshold else value. */
export const thresholdScalar = (x: number, threshold: number, value: number): number => (x > threshold ? x : value);
export const thresholdGradScalar = (x: number, threshold: number): number => (x > threshold ? 1 : 0);
