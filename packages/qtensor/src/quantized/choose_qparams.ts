/**
 * Choosing qparams from a tensor's range: PyTorch's `quant_utils::ChooseQuantizationParams`
 * (float32 min/max, double scale), `_choose_qparams_per_tensor` and
 * `quantize_per_tensor_dynamic`.
 */
import { type DType, float16, qint8, quint8 } from '../dtype.js';
import { QTorchTypeError, QTorchValueError } from '../errors.js';
import { backends } from '../registry.js';
import type { Tensor } from '../tensor.js';
import { to } from '../views.js';
import { assertFloat } from './checks.js';
import { f32, rint } from './numerics.js';
import { quantizePerTensor } from './quantize.js';
import { assertTensor, checkOptions } from '../args.js';

/** A scale (double) and an integer zero point. */
export interface Qparams {
  /** The scale (a double; kernels use its float32 rounding). */
  scale: number;
  /** The integer zero point, within the dtype's range. */
  zeroPoint: number;
}

// fp16's smallest normal: scales below it are raised to it (PyTorch: consistency with Glow / NNPI)
const SMALL_SCALE_THRESHOLD = f32(6.1e-5);

/** Options of `chooseQuantizationParams` (PyTorch's trailing bool arguments). */
export interface ChooseQuantizationParamsOptions {
  /** Widen a range that straddles 0 to be symmetric, so 0 maps to the middle (default false). */
  preserveSparsity?: boolean;
  /** Round the scale up to a power of two (default false). */
  forceScalePowerOfTwo?: boolean;
  /** Use half the integer range (7 bits for 8-bit types), as fbgemm does to avoid overflow (default false). */
  reduceRange?: boolean;
}

/**
 * PyTorch's `ChooseQuantizationParams(min, max, qmin, qmax, ...)` with its float32 / double
 * evaluation order: the range is widened to contain 0, the scale is `(max - min) / (qmax - qmin)`
 * in double (0.1 when it underflows float32, at least 6.1e-5), and the zero point is the
 * rounded (half to even), clamped zero point of the endpoint with the smaller error.
 */
export function chooseQuantizationParams(
  minIn: number, maxIn: number, qminIn: number, qmaxIn: number, opts: ChooseQuantizationParamsOptions = {},
): Qparams {
  checkOptions(opts, 'chooseQuantizationParams');
  const op = 'ChooseQuantizationParams';
  let min = f32(minIn), max = f32(maxIn);
  // PyTorch fails on NaN and +Inf here (or in quantize) but returns scale=inf for -Inf: refuse all three
  if (Number.isNaN(min) || Number.isNaN(max) || !Number.isFinite(min) || !Number.isFinite(max)) {
    throw new QTorchValueError(`${op}(): min and max must be finite, got min=${minIn}, max=${maxIn} (the input holds NaN or ±Inf, which has no usable scale)`);
  }
  if (!(min <= max)) throw new QTorchValueError(`${op}(): min should be less than or equal to max, got min=${minIn}, max=${maxIn}`);
  let qmin = qminIn, qmax = qmaxIn;
  if (opts.reduceRange) {
    qmin = Math.trunc(qmin / 2);
    qmax = Math.trunc(qmax / 2);
  }
  if (min < 0 && max > 0 && opts.preserveSparsity) {
    const symQmin = -(Math.trunc((qmax - qmin) / 2) + 1);
    const symQmax = Math.trunc((qmax - qmin) / 2);
    const maxScale = Math.max(Math.abs(min / symQmin), Math.abs(max / symQmax));
    min = f32(maxScale * symQmin);
    max = f32(maxScale * symQmax);
  }
  min = Math.min(min, 0);
  max = Math.max(max, 0);
  if (!(qmin < qmax)) throw new QTorchValueError(`${op}(): qmin should be less than qmax, got ${qmin} and ${qmax}`);
  let scale = (max - min) / (qmax - qmin);
  if (f32(scale) === 0 || !Number.isFinite(f32(1 / f32(scale)))) scale = 0.1;
  if (opts.forceScalePowerOfTwo) {
    scale = scale < 1 ? 1 / 2 ** Math.floor(Math.log(1 / scale) / Math.log(2)) : 2 ** Math.ceil(Math.log(scale) / Math.log(2));
  }
  if (scale < SMALL_SCALE_THRESHOLD) {
    const orgScale = f32(scale);
    scale = SMALL_SCALE_THRESHOLD;
    if (min === 0) max = f32(SMALL_SCALE_THRESHOLD * (qmax - qmin));
    else if (max === 0) min = f32(-SMALL_SCALE_THRESHOLD * (qmax - qmin));
    else {
      const amplifier = f32(SMALL_SCALE_THRESHOLD / orgScale);
      min = f32(min * amplifier);
      max = f32(max * amplifier);
    }
  }
  const zpFromMin = qmin - min / scale;
  const zpFromMax = qmax - max / scale;
  const zpFromMinError = Math.abs(qmin) - Math.abs(min / scale);
  const zpFromMaxError = Math.abs(qmax) - Math.abs(max / scale);
  let initial = zpFromMinError < zpFromMaxError ? zpFromMin : zpFromMax;
  if (min < 0 && max > 0 && opts.preserveSparsity) initial = (qmin + qmax) / 2;
  const zeroPoint = initial < qmin ? qmin : initial > qmax ? qmax : rint(initial);
  return { scale, zeroPoint };
}

/** float32 min and max of a float tensor (the values PyTorch reads with `.item<float>()`). */
function floatRange(x: Tensor, op: string): [number, number] {
  assertFloat(x, op);
  const v = x.values();
  if (v.length === 0) throw new QTorchValueError(`${op}(): cannot choose qparams for an empty tensor (min/max of no elements)`);
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < v.length; i++) {
    const e = v[i]!;
    if (Number.isNaN(e)) return [NaN, NaN];
    if (e < lo) lo = e;
    if (e > hi) hi = e;
  }
  return [f32(lo), f32(hi)];
}

// qnnpack ignores reduce_range (its kernels have no vpmaddubsw overflow to avoid)
const effectiveReduceRange = (reduceRange: boolean): boolean => reduceRange && backends.quantized.engine !== 'qnnpack';

/**
 * PyTorch's `_choose_qparams_per_tensor(x, reduce_range)`: quint8 qparams (0..255, or 0..127
 * with `reduceRange`) covering `x`'s range.
 */
export function chooseQparams(x: Tensor, reduceRange = false): Qparams {
  const [min, max] = floatRange(x, '_choose_qparams_per_tensor');
  return chooseQuantizationParams(min, max, 0, 255, { reduceRange: effectiveReduceRange(reduceRange) });
}

/**
 * Quantizes with qparams chosen from `x`'s range (dynamic quantization of activations).
 * `dtype` is quint8 or qint8; float16 just casts.
 */
export function quantizePerTensorDynamic(x: Tensor, dtype: DType, reduceRange = false): Tensor {
  assertTensor(x, 'quantize_per_tensor_dynamic');
  const op = 'quantize_per_tensor_dynamic';
  if (dtype === float16) return to(x, float16);
  if (dtype !== quint8 && dtype !== qint8) {
    throw new QTorchTypeError(`${op}(): dtype must be quint8, qint8 or float16, got ${dtype.torchName}`);
  }
  const [min, max] = floatRange(x, op);
  const [qmin, qmax] = dtype === qint8 ? [-128, 127] : [0, 255];
  const { scale, zeroPoint } = chooseQuantizationParams(min, max, qmin, qmax, { reduceRange: effectiveReduceRange(reduceRange) });
  return quantizePerTensor(x, scale, zeroPoint, dtype);
}
