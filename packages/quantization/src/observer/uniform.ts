/**
 * `UniformQuantizationObserverBase`: dtype / qscheme / quant range / eps handling shared by the
 * min-max, per-channel and histogram observers, and qparams tensors from min/max arrays.
 */
import {
  checkOptions, type DType, type QScheme, type Tensor, QTorchValueError, float32, fromValues, int32, int64, perTensorAffine, quint8,
} from '@qtorch/qtensor';
import { ObserverBase } from './base.js';
import { FLOAT32_EPS, OBSERVER_DTYPES, calculateQminQmax, checkMinMaxValid, computeQparams, validateQminQmax } from './qparams.js';
import { warnUser } from './warn.js';

/** Options of the uniform observers (PyTorch keyword arguments, camelCase). */
export interface UniformObserverOptions {
  /** Quantized dtype (default quint8). */
  dtype?: DType;
  /** Quantization scheme (default per_tensor_affine). */
  qscheme?: QScheme;
  /** Halve the quant range (x86 `vpmaddubsw` overflow); prefer quantMin/quantMax. */
  reduceRange?: boolean;
  /** Smallest quantized integer (default: from the dtype; both or neither with quantMax). */
  quantMin?: number | null;
  /** Largest quantized integer (default: from the dtype; both or neither with quantMin). */
  quantMax?: number | null;
  /** Smallest scale (default float32 eps). */
  eps?: number;
  /** Marks dynamic quantization (default false). */
  isDynamic?: boolean;
}

const QSCHEMES: readonly string[] = [
  'per_tensor_affine', 'per_tensor_symmetric', 'per_channel_affine', 'per_channel_symmetric', 'per_channel_affine_float_qparams',
];

/** Whether a qscheme is per-tensor. */
export const isPerTensorScheme = (q: QScheme): boolean => q === 'per_tensor_affine' || q === 'per_tensor_symmetric';

/** Whether a qscheme is per-channel. */
export const isPerChannelScheme = (q: QScheme): boolean =>
  q === 'per_channel_affine' || q === 'per_channel_symmetric' || q === 'per_channel_affine_float_qparams';

/** The "must run observer" default: scale [1.0], zero point [0] (int64), with PyTorch's warning. */
export function defaultQparams(): [Tensor, Tensor] {
  warnUser('must run observer before calling calculate_qparams. Returning default values.');
  return [fromValues([1], [1], float32), fromValues([0], [1], int64)];
}

/** Common base of observers computing uniform affine / symmetric qparams. */
export abstract class UniformQuantizationObserverBase extends ObserverBase {
  /** Quantization scheme. */
  qscheme: QScheme;
  /** Whether the quant range is halved. */
  reduceRange: boolean;
  /** Effective quant range (after `calculate_qmin_qmax`). */
  quantMin: number;
  /** Effective quant range (after `calculate_qmin_qmax`). */
  quantMax: number;
  /** Whether quantMin/quantMax were given. */
  hasCustomizedQrange: boolean;

  /**
   * @param opts - The uniform observer options.
   * @throws QTorchValueError on an unsupported dtype / qscheme or an invalid quantMin / quantMax.
   */
  constructor(opts: UniformObserverOptions = {}) {
    checkOptions(opts, new.target.name);
    super({ dtype: opts.dtype ?? quint8, isDynamic: opts.isDynamic ?? false });
    this.qscheme = opts.qscheme ?? perTensorAffine;
    this.reduceRange = opts.reduceRange ?? false;
    this.setBuffer('eps', fromValues([opts.eps ?? FLOAT32_EPS], [1], float32));
    const name = this.constructor.name;
    if (!QSCHEMES.includes(this.qscheme)) {
      throw new QTorchValueError(`${name}(): Default Observer only works for per_tensor_affine, per_tensor_symmetric, per_channel_affine, per_channel_symmetric and per_channel_float_qparams quantization scheme, got ${this.qscheme}`);
    }
    if (!OBSERVER_DTYPES.includes(this.dtype.name)) {
      throw new QTorchValueError(`${name}(): Default Observer only works for ${OBSERVER_DTYPES.join(', ')} data type, got ${this.dtype.torchName}`);
    }
    this.hasCustomizedQrange = opts.quantMin != null && opts.quantMax != null;
    if (this.hasCustomizedQrange) validateQminQmax(opts.quantMin!, opts.quantMax!);
    [this.quantMin, this.quantMax] = calculateQminQmax(opts.quantMin, opts.quantMax, this.hasCustomizedQrange, this.dtype, this.reduceRange);
  }

  /** The float32 eps buffer's value. */
  get eps(): number {
    return this.buffer('eps').values()[0]!;
  }

  /**
   * PyTorch's `_calculate_qparams(min_val, max_val)`: `[scale, zeroPoint]` tensors of shape
   * [channels] ([1] per-tensor). Zero points are int32 (affine), int64 (symmetric) or float32
   * (float qparams), as PyTorch returns them.
   */
  protected qparamsFromMinMax(minVal: ArrayLike<number>, maxVal: ArrayLike<number>, scalar: boolean): [Tensor, Tensor] {
    if (!checkMinMaxValid(minVal, maxVal, scalar)) return defaultQparams();
    const { scale, zeroPoint } = computeQparams(minVal, maxVal, this);
    const n = scale.length;
    const zpDtype = this.qscheme === 'per_channel_affine_float_qparams' ? float32
      : this.qscheme === 'per_tensor_symmetric' || this.qscheme === 'per_channel_symmetric' ? int64 : int32;
    return [fromValues(scale, [n], float32), fromValues(zeroPoint, [n], zpDtype)];
  }

  /** Resets the statistics (PyTorch's `reset_min_max_vals`). */
  resetMinMaxVals(): void {
    throw new QTorchValueError(`${this.constructor.name}.resetMinMaxVals(): cannot reset min/max values in this observer`);
  }
}
