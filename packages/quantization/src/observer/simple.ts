/**
 * Observers that compute nothing from data: `PlaceholderObserver` / `NoopObserver` (carry a
 * dtype, e.g. float16), `RecordingObserver` (debug: keeps every input) and
 * `FixedQParamsObserver` (constant qparams for sigmoid / tanh-like outputs).
 */
import {
  checkOptions, checkScale, type DType, type QScheme, type Tensor, QTorchValueError, clone, float16, float32, fromValues, int32, perTensorAffine, quint8,
} from '@qtorch/qtensor';
import { ObserverBase } from './base.js';
import { FLOAT32_EPS } from './qparams.js';
import { warnUser } from './warn.js';

function noQparams(cls: string): never {
  throw new QTorchValueError(`calculate_qparams should not be called for ${cls}`);
}

/** Options of `PlaceholderObserver`. */
export interface PlaceholderObserverOptions {
  /** dtype of the target (default float32). */
  dtype?: DType;
  /** Name of the custom op the converted module calls (PyTorch's `custom_op_name`). */
  customOpName?: string;
  /** Deprecated: marks dynamic quantization; use `isDynamic`. */
  computeDtype?: DType | null;
  /** Smallest quantized integer passed on (default null). */
  quantMin?: number | null;
  /** Largest quantized integer passed on (default null). */
  quantMax?: number | null;
  /** Quantization scheme passed on (default per_tensor_affine). */
  qscheme?: QScheme | null;
  /** Smallest scale passed on (default float32 eps). */
  eps?: number | null;
  /** Marks dynamic quantization (default false). */
  isDynamic?: boolean;
}

/** Passes its configuration (dtype, ...) to the converted module; observes nothing. */
export class PlaceholderObserver extends ObserverBase {
  /** Quantization scheme passed to the converted module. */
  qscheme: QScheme;
  /** Smallest quantized integer, or null. */
  quantMin: number | null;
  /** Largest quantized integer, or null. */
  quantMax: number | null;
  /** Smallest scale. */
  eps: number;
  /** Name of the custom op ('' for none). */
  customOp: string;
  /** Deprecated dynamic-quantization marker, or null. */
  computeDtype: DType | null;

  /** @param opts - `dtype` (default float32) and the settings passed to the converted module. */
  constructor(opts: PlaceholderObserverOptions = {}) {
    checkOptions(opts, new.target.name);
    super({ dtype: opts.dtype ?? float32, isDynamic: opts.isDynamic ?? false });
    this.qscheme = opts.qscheme ?? perTensorAffine;
    this.quantMin = opts.quantMin ?? null;
    this.quantMax = opts.quantMax ?? null;
    this.eps = opts.eps ?? FLOAT32_EPS;
    this.customOp = opts.customOpName ?? '';
    this.computeDtype = opts.computeDtype ?? null;
    if (this.computeDtype) {
      this.isDynamic = true;
      warnUser('Please use `is_dynamic` instead of `compute_dtype`. `compute_dtype` will be deprecated in a future release of PyTorch.');
    }
  }

  override forward(x: Tensor): Tensor {
    return x;
  }

  override calculateQparams(): [Tensor, Tensor] {
    return noQparams('PlaceholderObserver');
  }

  override extraRepr(): string {
    return `dtype=${this.dtype.torchName}, is_dynamic=${this.isDynamic ? 'True' : 'False'}`;
  }
}

/** Records (clones of) every observed tensor, for debugging. */
export class RecordingObserver extends ObserverBase {
  /** The recorded tensors, in order. */
  readonly tensorVal: Tensor[] = [];

  /** @param opts - `dtype` (default quint8). */
  constructor(opts: { dtype?: DType } = {}) {
    checkOptions(opts, new.target.name);
    super({ dtype: opts.dtype ?? quint8 });
  }

  override forward(x: Tensor): Tensor {
    this.tensorVal.push(clone(x));
    return x;
  }

  override calculateQparams(): [Tensor, Tensor] {
    return noQparams('RecordingObserver');
  }

  /** The recorded tensors (PyTorch's `get_tensor_value`). */
  getTensorValue(): Tensor[] {
    return this.tensorVal;
  }
}

/** Does nothing; carries a dtype (default float16) for the converted module. */
export class NoopObserver extends ObserverBase {
  /** Name of the custom op ('' for none). */
  customOp: string;

  /** @param opts - `dtype` (default float16) and `customOpName`. */
  constructor(opts: { dtype?: DType; customOpName?: string } = {}) {
    checkOptions(opts, new.target.name);
    super({ dtype: opts.dtype ?? float16 });
    this.customOp = opts.customOpName ?? '';
  }

  override forward(x: Tensor): Tensor {
    return x;
  }

  override calculateQparams(): [Tensor, Tensor] {
    return noQparams('NoopObserver');
  }
}

/** Options of `FixedQParamsObserver` (`scale` and `zeroPoint` are required). */
export interface FixedQParamsObserverOptions {
  /** The fixed scale. */
  scale: number;
  /** The fixed zero point. */
  zeroPoint: number;
  /** Quantized dtype (default quint8). */
  dtype?: DType;
  /** Quantization scheme (default per_tensor_affine). */
  qscheme?: QScheme;
  /** Smallest quantized integer (default 0). */
  quantMin?: number;
  /** Largest quantized integer (default 255). */
  quantMax?: number;
  /** Marks dynamic quantization (default false). */
  isDynamic?: boolean;
}

/** Returns fixed qparams (buffers `scale` float32 [1], `zero_point` int32 [1]). */
export class FixedQParamsObserver extends ObserverBase {
  /** Quantization scheme. */
  qscheme: QScheme;
  /** Smallest quantized integer. */
  quantMin: number;
  /** Largest quantized integer. */
  quantMax: number;

  /** @param opts - The fixed `scale` and `zeroPoint`, and the dtype and range they are for. */
  constructor(opts: FixedQParamsObserverOptions) {
    checkOptions(opts, new.target.name);
    checkScale(opts.scale, new.target.name);
    if (!Number.isInteger(opts.zeroPoint)) throw new QTorchValueError(`${new.target.name}(): zero_point must be an integer, got ${String(opts.zeroPoint)}`);
    if (opts.isDynamic) throw new QTorchValueError("FixedQParamsObserver(): doesn't support dynamic quantization");
    super({ dtype: opts.dtype ?? quint8 });
    this.qscheme = opts.qscheme ?? perTensorAffine;
    this.quantMin = opts.quantMin ?? 0;
    this.quantMax = opts.quantMax ?? 255;
    this.setBuffer('scale', fromValues([opts.scale], [1], float32));
    this.setBuffer('zero_point', fromValues([opts.zeroPoint], [1], int32));
  }

  /** The fixed scale buffer. */
  get scale(): Tensor {
    return this.buffer('scale');
  }

  /** The fixed zero point buffer. */
  get zeroPoint(): Tensor {
    return this.buffer('zero_point');
  }

  override forward(x: Tensor): Tensor {
    return x;
  }

  override calculateQparams(): [Tensor, Tensor] {
    return [this.scale, this.zeroPoint];
  }
}
