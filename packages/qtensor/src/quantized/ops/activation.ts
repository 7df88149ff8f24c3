/**
 * Quantized activations. Two kinds, as in PyTorch's kernels:
 * - integer-only (exact): relu, relu6, clamp, hardtanh keep the input qparams and clamp the
 *   ints against quantized bounds;
 * - "dequantize -> float32 function -> quantize" (±1 allowed where a transcendental is
 *   involved): leaky_relu, threshold, hardsigmoid, hardswish, sigmoid, tanh, elu, celu, gelu,
 *   softmax. sigmoid / tanh / hardsigmoid have fixed output qparams unless given.
 * Both engines share these kernels (golden activations.json is identical on both).
 */
import { type DType } from '../../dtype.js';
import { QTorchValueError } from '../../errors.js';
import { getKernel } from '../../registry.js';
import { normalizeDim, shapeNumel } from '../../shape.js';
import type { Tensor } from '../../tensor.js';
import { dequantizeValue, inverseScale, quantizeValue } from '../numerics.js';
import { check8bit, checkOutputQparams, f32, makeQTensor, readPerTensor, type QInput } from './requantize.js';
import { assertTensor, checkOptions } from '../../args.js';

/** Kernel signature of every activation: input, then op-specific arguments. */
export type QActivationKernel = (x: Tensor, ...args: never[]) => Tensor;

/** Output qparams PyTorch fixes for sigmoid, tanh and hardsigmoid. */
export function fixedQparams(op: 'sigmoid' | 'tanh' | 'hardsigmoid', dtype: DType): { scale: number; zeroPoint: number } {
  const signed = dtype.name === 'qint8';
  if (op === 'tanh') return { scale: 2 / 256, zeroPoint: signed ? 0 : 128 };
  return { scale: 1 / 256, zeroPoint: signed ? -128 : 0 };
}

/** `f(dequantize(x))` quantized to (scale, zeroPoint); f works on float32 values. */
function mapDequantized(xi: QInput, f: (v: number) => number, scale: number, zeroPoint: number): Tensor {
  const s32 = f32(xi.scale), inv = inverseScale(scale);
  const y = makeQTensor(xi.shape, xi.dtype, scale, zeroPoint);
  const out = y.data;
  for (let i = 0; i < out.length; i++) out[i] = quantizeValue(f32(f(dequantizeValue(xi.q[i]!, s32, xi.zeroPoint))), inv, zeroPoint, xi.qmin, xi.qmax);
  return y;
}

/** Clamps the ints between quantized bounds (input qparams kept). */
function clampInts(xi: QInput, lo: number, hi: number): Tensor {
  const y = makeQTensor(xi.shape, xi.dtype, xi.scale, xi.zeroPoint);
  const out = y.data;
  for (let i = 0; i < out.length; i++) {
    const q = xi.q[i]!;
    out[i] = q < lo ? lo : q > hi ? hi : q;
  }
  return y;
}

/** `quantize_val(scale, zp, v)` with the input's qparams. */
const qOf = (xi: QInput, v: number): number => quantizeValue(v, inverseScale(xi.scale), xi.zeroPoint, xi.qmin, xi.qmax);

/** The error function in float64 (series below 2.5, continued fraction above): gelu's exact form. */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    // Maclaurin series: erf(x) = 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1))
    let term = ax, sum = ax;
    for (let n = 1; n < 60; n++) {
      term *= (-ax * ax) / n;
      const t = term / (2 * n + 1);
      sum += t;
      if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  // continued fraction for erfc (Lentz), accurate for x >= 2.5
  let f = ax, c = ax, d = 0;
  for (let n = 1; n < 200; n++) {
    const an = n / 2;
    d = ax + an * d;
    d = d === 0 ? 1e-300 : 1 / d;
    c = ax + an / c;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-ax * ax) / (f * Math.sqrt(Math.PI));
  return Math.sign(x) * (1 - erfc);
}

const sigmoidF = (v: number): number => 1 / (1 + Math.exp(-v));
const hardsigmoidF = (v: number): number => Math.min(Math.max(v + 3, 0), 6) / 6;

/** The reference activation kernels, by op name (engine independent). */
export const ACTIVATION_KERNELS: Record<string, QActivationKernel> = {
  'quantized::relu': ((x: Tensor) => {
    const xi = readPerTensor(x, 'relu');
    return clampInts(xi, Math.max(xi.zeroPoint, xi.qmin), xi.qmax);
  }) as QActivationKernel,
  'quantized::relu6': ((x: Tensor) => {
    const xi = readPerTensor(x, 'relu6');
    return clampInts(xi, Math.max(xi.zeroPoint, xi.qmin), qOf(xi, 6));
  }) as QActivationKernel,
  'quantized::clamp': ((x: Tensor, min: number | null, max: number | null) => {
    const xi = readPerTensor(x, 'clamp');
    return clampInts(xi, min === null ? xi.qmin : qOf(xi, min), max === null ? xi.qmax : qOf(xi, max));
  }) as QActivationKernel,
  'quantized::leaky_relu': ((x: Tensor, slope: number, scale: number, zeroPoint: number) =>
    mapDequantized(readPerTensor(x, 'leaky_relu'), (v) => (v >= 0 ? v : f32(v * f32(slope))), scale, zeroPoint)) as QActivationKernel,
  'quantized::threshold': ((x: Tensor, threshold: number, value: number) => {
    const xi = readPerTensor(x, 'threshold');
    return mapDequantized(xi, (v) => (v <= f32(threshold) ? value : v), xi.scale, xi.zeroPoint);
  }) as QActivationKernel,
  'quantized::hardsigmoid': ((x: Tensor, scale: number, zeroPoint: number) =>
    mapDequantized(readPerTensor(x, 'hardsigmoid'), hardsigmoidF, scale, zeroPoint)) as QActivationKernel,
  'quantized::hardswish': ((x: Tensor, scale: number, zeroPoint: number) =>
    mapDequantized(readPerTensor(x, 'hardswish'), (v) => v * hardsigmoidF(v), scale, zeroPoint)) as QActivationKernel,
  'quantized::sigmoid': ((x: Tensor, scale: number, zeroPoint: number) =>
    mapDequantized(readPerTensor(x, 'sigmoid'), sigmoidF, scale, zeroPoint)) as QActivationKernel,
  'quantized::tanh': ((x: Tensor, scale: number, zeroPoint: number) =>
    mapDequantized(readPerTensor(x, 'tanh'), Math.tanh, scale, zeroPoint)) as QActivationKernel,
  'quantized::elu': ((x: Tensor, scale: number, zeroPoint: number, alpha: number) =>
    mapDequantized(readPerTensor(x, 'elu'), (v) => (v > 0 ? v : alpha * Math.expm1(v)), scale, zeroPoint)) as QActivationKernel,
  'quantized::celu': ((x: Tensor, scale: number, zeroPoint: number, alpha: number) =>
    mapDequantized(readPerTensor(x, 'celu'), (v) => (v > 0 ? v : alpha * Math.expm1(v / alpha)), scale, zeroPoint)) as QActivationKernel,
  'quantized::gelu': ((x: Tensor) => {
    const xi = readPerTensor(x, 'gelu');
    return mapDequantized(xi, (v) => v * 0.5 * (1 + erf(v / Math.SQRT2)), xi.scale, xi.zeroPoint);
  }) as QActivationKernel,
  'quantized::softmax': ((x: Tensor, dim: number, scale: number, zeroPoint: number) => softmaxRef(readPerTensor(x, 'softmax'), dim, scale, zeroPoint)) as QActivationKernel,
};

/** Softmax over `dim` of the dequantized input (max-subtracted, float64 sums), quantized. */
function softmaxRef(xi: QInput, dim: number, scale: number, zeroPoint: number): Tensor {
  const d = normalizeDim(dim, xi.shape.length, 'quantized::softmax');
  const n = xi.shape[d] ?? 1, inner = shapeNumel(xi.shape.slice(d + 1)), outer = shapeNumel(xi.shape.slice(0, d));
  const s32 = f32(xi.scale), inv = inverseScale(scale);
  const y = makeQTensor(xi.shape, xi.dtype, scale, zeroPoint);
  const out = y.data, e = new Float64Array(n);
  for (let o = 0; o < outer; o++) for (let j = 0; j < inner; j++) {
    const at = (k: number): number => (o * n + k) * inner + j;
    let m = -Infinity;
    for (let k = 0; k < n; k++) m = Math.max(m, dequantizeValue(xi.q[at(k)]!, s32, xi.zeroPoint));
    let sum = 0;
    for (let k = 0; k < n; k++) sum += e[k] = Math.exp(dequantizeValue(xi.q[at(k)]!, s32, xi.zeroPoint) - m);
    for (let k = 0; k < n; k++) out[at(k)] = quantizeValue(f32(e[k]! / sum), inv, zeroPoint, xi.qmin, xi.qmax);
  }
  return y;
}

function run(op: string, x: Tensor, ...args: unknown[]): Tensor {
  check8bit(readPerTensor(x, op), op);
  return getKernel<(x: Tensor, ...a: unknown[]) => Tensor>(op)(x, ...args);
}

function outQparams(op: string, x: Tensor, scale: number | undefined, zeroPoint: number | undefined, dflt?: { scale: number; zeroPoint: number }): [number, number] {
  const q = dflt ?? (x.quantizer as { scale: number; zeroPoint: number } | null);
  const s = scale ?? q!.scale, z = zeroPoint ?? q!.zeroPoint;
  checkOutputQparams(s, z, x.dtype, op);
  return [s, z];
}

/** Output qparams of the ops that accept them (default: the input's, or the op's fixed ones). */
export interface QOutputOptions {
  /** Output scale (default: the input's, or the op's fixed one). */
  scale?: number;
  /** Output zero point (default: the input's, or the op's fixed one). */
  zeroPoint?: number;
}

/** `torch.relu` on a quantized tensor: `max(q, zero_point)`. */
export const quantizedRelu = (x: Tensor): Tensor => run('quantized::relu', x);
/** `torch.nn.functional.relu6` / `quantized::relu6`: clamps to [zp, quantize(6)]. */
export const quantizedRelu6 = (x: Tensor): Tensor => run('quantized::relu6', x);
/** `torch.clamp(x, min, max)` on a quantized tensor (bounds quantized with x's qparams). */
export function quantizedClamp(x: Tensor, min: number | null = null, max: number | null = null): Tensor {
  if (min === null && max === null) throw new QTorchValueError('quantized::clamp(): at least one of min and max must be given');
  return run('quantized::clamp', x, min, max);
}
/** `qF.hardtanh(x, min_val, max_val)`: clamp with x's qparams. */
export function quantizedHardtanh(x: Tensor, minVal = -1, maxVal = 1): Tensor {
  if (!(minVal <= maxVal)) throw new QTorchValueError(`quantized::hardtanh(): min_val (${minVal}) must not exceed max_val (${maxVal})`);
  return run('quantized::clamp', x, minVal, maxVal);
}
/** `F.leaky_relu` (input qparams) / `qF.leaky_relu(x, slope, scale, zero_point)` (output qparams). */
export function quantizedLeakyRelu(x: Tensor, negativeSlope = 0.01, opts: QOutputOptions = {}): Tensor {
  checkOptions(opts, 'quantizedLeakyRelu');
  assertTensor(x, 'quantized::leaky_relu');
  return run('quantized::leaky_relu', x, negativeSlope, ...outQparams('quantized::leaky_relu', x, opts.scale, opts.zeroPoint));
}
/** `qF.threshold(x, threshold, value)`: `x <= threshold ? value : x`, input qparams. */
export const quantizedThreshold = (x: Tensor, threshold: number, value: number): Tensor => run('quantized::threshold', x, threshold, value);
/** `F.hardsigmoid` on a quantized tensor: fixed output qparams 1/256 (zp 0, or -128 for qint8). */
export function quantizedHardsigmoid(x: Tensor, opts: QOutputOptions = {}): Tensor {
  checkOptions(opts, 'quantizedHardsigmoid');
  assertTensor(x, 'quantized::hardsigmoid');
  return run('quantized::hardsigmoid', x, ...outQparams('quantized::hardsigmoid', x, opts.scale, opts.zeroPoint, fixedQparams('hardsigmoid', x.dtype)));
}
/** `quantized::hardswish(x, scale, zero_point)`. */
export function quantizedHardswish(x: Tensor, scale: number, zeroPoint: number): Tensor {
  assertTensor(x, 'quantized::hardswish');
  return run('quantized::hardswish', x, ...outQparams('quantized::hardswish', x, scale, zeroPoint));
}
/** `torch.sigmoid` (fixed qparams 1/256) / `quantized::sigmoid(x, scale, zero_point)`. */
export function quantizedSigmoid(x: Tensor, opts: QOutputOptions = {}): Tensor {
  checkOptions(opts, 'quantizedSigmoid');
  assertTensor(x, 'quantized::sigmoid');
  return run('quantized::sigmoid', x, ...outQparams('quantized::sigmoid', x, opts.scale, opts.zeroPoint, fixedQparams('sigmoid', x.dtype)));
}
/** `torch.tanh` on a quantized tensor: fixed qparams 2/256 (zp 128, or 0 for qint8). */
export function quantizedTanh(x: Tensor, opts: QOutputOptions = {}): Tensor {
  checkOptions(opts, 'quantizedTanh');
  assertTensor(x, 'quantized::tanh');
  return run('quantized::tanh', x, ...outQparams('quantized::tanh', x, opts.scale, opts.zeroPoint, fixedQparams('tanh', x.dtype)));
}
/** `quantized::elu(x, scale, zero_point, alpha)`. */
export function quantizedElu(x: Tensor, scale: number, zeroPoint: number, alpha = 1): Tensor {
  assertTensor(x, 'quantized::elu');
  return run('quantized::elu', x, ...outQparams('quantized::elu', x, scale, zeroPoint), alpha);
}
/** `quantized::celu(x, scale, zero_point, alpha)`. */
export function quantizedCelu(x: Tensor, scale: number, zeroPoint: number, alpha = 1): Tensor {
  assertTensor(x, 'quantized::celu');
  if (alpha === 0) throw new QTorchValueError('quantized::celu(): alpha must not be 0');
  return run('quantized::celu', x, ...outQparams('quantized::celu', x, scale, zeroPoint), alpha);
}
/** `F.gelu` on a quantized tensor (exact erf form), input qparams. */
export const quantizedGelu = (x: Tensor): Tensor => run('quantized::gelu', x);
/** `quantized::softmax(x, dim, scale, zero_point)`. */
export function quantizedSoftmax(x: Tensor, dim: number, scale: number, zeroPoint: number): Tensor {
  assertTensor(x, 'quantized::softmax');
  return run('quantized::softmax', x, dim, ...outQparams('quantized::softmax', x, scale, zeroPoint));
}
