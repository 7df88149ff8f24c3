/**
 * The numeric core shared by every uniform observer: PyTorch 1.13's `calculate_qmin_qmax`
 * (torch/ao/quantization/utils.py) and `_calculate_qparams` (observer.py), evaluated in
 * float32 in PyTorch's order, so scales match the golden fixtures bit for bit.
 */
import { type DType, QTorchValueError, qint32, qint8, quint8 } from '@qtorch/qtensor';
import type { QScheme } from '@qtorch/qtensor';

const f32 = Math.fround;

/** `torch.finfo(torch.float32).eps`, the default lower bound of observer scales. */
export const FLOAT32_EPS = 1.1920928955078125e-7;

/** Round half to even (`torch.round`, C `nearbyint`). */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Python's floor division. */
const floorDiv = (a: number, b: number): number => Math.floor(a / b);

/** Checks a user-given quant range as `_validate_qmin_qmax` does: it must include 0 and be non-empty. */
export function validateQminQmax(quantMin: number, quantMax: number): void {
  if (!(quantMin <= 0 && 0 <= quantMax)) {
    throw new QTorchValueError(`validate_qmin_qmax(): user-specified quantization range must include 0, got [${quantMin}, ${quantMax}]`);
  }
  if (!(quantMin < quantMax)) {
    throw new QTorchValueError(`validate_qmin_qmax(): qmin must be strictly less than qmax, got [${quantMin}, ${quantMax}]`);
  }
}

/**
 * PyTorch 1.13's `calculate_qmin_qmax`. A customized range is kept as given (its length checked:
 * at most 256 levels, 2^31 for qint32) and halved by `reduceRange`; otherwise the dtype's
 * default applies (quint8 0..255 / 0..127, qint8 -128..127 / -64..63, qint32 its full range,
 * anything else, i.e. quint4x2, 0..15). The qconfig fixtures pin the custom case (-127..127 stays).
 */
export function calculateQminQmax(
  quantMin: number | null | undefined, quantMax: number | null | undefined, hasCustomizedQrange: boolean, dtype: DType, reduceRange: boolean,
): [number, number] {
  if (hasCustomizedQrange) {
    const len = quantMax! - quantMin! + 1;
    const limit = dtype === qint32 ? 2 ** 31 : 256;
    if (!(len > 0 && len <= limit)) {
      throw new QTorchValueError(`calculate_qmin_qmax(): quantization range should be positive and not exceed the maximum bit range (=${limit}), got ${len}`);
    }
    return reduceRange ? [floorDiv(quantMin!, 2), floorDiv(quantMax!, 2)] : [quantMin!, quantMax!];
  }
  if (dtype === qint8) return reduceRange ? [-64, 63] : [-128, 127];
  if (dtype === quint8) return reduceRange ? [0, 127] : [0, 255];
  if (dtype === qint32) return [-(2 ** 31), 2 ** 31 - 1];
  return [0, 15];
}

/** Whether observed statistics exist (`check_min_max_valid`); throws when min > max. */
export function checkMinMaxValid(minVal: ArrayLike<number>, maxVal: ArrayLike<number>, scalar: boolean): boolean {
  if (minVal.length === 0 || maxVal.length === 0) return false;
  if (scalar && minVal[0] === Infinity && maxVal[0] === -Infinity) return false;
  for (let i = 0; i < minVal.length; i++) {
    // PyTorch asserts on NaN (below) but silently returns scale=inf for ±Inf: a garbage scale, refused here
    const lo = minVal[i]!, hi = maxVal[i]!;
    if (!Number.isNaN(lo) && !Number.isNaN(hi) && (!Number.isFinite(lo) || !Number.isFinite(hi))) {
      throw new QTorchValueError(
        `calculate_qparams(): observed min ${minVal[i]} and max ${maxVal[i]} must be finite; the observed input held ±Inf, which has no usable scale`,
      );
    }
    if (!(minVal[i]! <= maxVal[i]!)) {
      throw new QTorchValueError(`calculate_qparams(): min ${minVal[i]} should be less than max ${maxVal[i]}`);
    }
  }
  return true;
}

/** What `computeQparams` needs to know about an observer. */
export interface QparamsConfig {
  /** The quantized dtype. */
  dtype: DType;
  /** Affine or symmetric, per tensor or per channel. */
  qscheme: QScheme;
  /** Smallest quantized integer. */
  quantMin: number;
  /** Largest quantized integer. */
  quantMax: number;
  /** Whether quantMin / quantMax were given (not derived from the dtype). */
  hasCustomizedQrange: boolean;
  /** float32 eps. */
  eps: number;
}

/** Scales (float32 values) and zero points (integers, or floats for the float-qparams scheme). */
export interface QparamsArrays {
  /** Scales, float32 values. */
  scale: Float32Array;
  /** Zero points. */
  zeroPoint: Float64Array;
}

/**
 * `_calculate_qparams` on plain arrays (one entry per channel, or one for per-tensor), every
 * step rounded to float32 like the tensor ops it mirrors. Callers handle "no data yet".
 */
export function computeQparams(minVal: ArrayLike<number>, maxVal: ArrayLike<number>, cfg: QparamsConfig): QparamsArrays {
  const { quantMin, quantMax, qscheme } = cfg;
  const eps = f32(cfg.eps);
  const n = minVal.length;
  const scale = new Float32Array(n), zeroPoint = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const lo = f32(minVal[i]!), hi = f32(maxVal[i]!);
    const minNeg = Math.min(lo, 0), maxPos = Math.max(hi, 0);
    if (qscheme === 'per_tensor_symmetric' || qscheme === 'per_channel_symmetric') {
      const amax = Math.max(-minNeg, maxPos);
      scale[i] = Math.max(f32(amax / f32((quantMax - quantMin) / 2)), eps);
      if (cfg.dtype === quint8) zeroPoint[i] = cfg.hasCustomizedQrange ? floorDiv(quantMin + quantMax, 2) : 128;
    } else if (qscheme === 'per_channel_affine_float_qparams') {
      const s = f32(f32(hi - lo) / (quantMax - quantMin));
      scale[i] = s > eps ? s : 1;
      zeroPoint[i] = f32(-lo / scale[i]!);
    } else {
      const s = Math.max(f32(f32(maxPos - minNeg) / (quantMax - quantMin)), eps);
      scale[i] = s;
      const zp = quantMin - roundHalfEven(f32(minNeg / s));
      zeroPoint[i] = Math.min(Math.max(zp, quantMin), quantMax);
    }
  }
  return { scale, zeroPoint };
}

/** The dtypes a uniform observer accepts (PyTorch 1.13's `_ALLOWED_DTYPES`, by name). */
export const OBSERVER_DTYPES: readonly string[] = ['qint8', 'quint8', 'quint4x2', 'qint32', 'int8', 'uint8', 'int32'];
