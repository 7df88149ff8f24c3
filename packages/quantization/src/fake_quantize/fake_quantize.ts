/**
 * `FakeQuantize` (an observer plus `fake_quantize_per_{tensor,channel}_affine`, with the
 * observed scale / zero point kept in buffers) and `FixedQParamsFakeQuantize`.
 */
import {
  assertTensor, checkOptions,
  type DType, type QScheme, type Tensor, QTorchValueError, dtypeRange, fakeQuantizePerChannelAffine,
  fakeQuantizePerTensorAffine, float32, fromValues, int32, quint8,
} from '@qtorch/qtensor';
import { type Args, type Factory, type ObserverBase, isFactory } from '../observer/base.js';
import { MovingAverageMinMaxObserver } from '../observer/minmax.js';
import { FixedQParamsObserver } from '../observer/simple.js';
import { isPerChannelScheme, isPerTensorScheme } from '../observer/uniform.js';
import { FakeQuantizeBase } from './base.js';
import { fakeQuantizePerChannelFloatQparams } from './float_qparams.js';

/** An observer class or a `withArgs` factory of one. */
export type ObserverSpec = (new (opts?: any) => ObserverBase) | Factory<ObserverBase>;

/** Options of `FakeQuantize`: the observer, its quant range, and any observer keyword. */
export interface FakeQuantizeOptions extends Args {
  /** Observer class or factory (default `MovingAverageMinMaxObserver`). */
  observer?: ObserverSpec;
  /** Smallest quantized integer (default: from the observer's dtype). */
  quantMin?: number | null;
  /** Largest quantized integer (default: from the observer's dtype). */
  quantMax?: number | null;
}

/** Builds the observer as PyTorch's `observer(**observer_kwargs)` does (kwargs override bound args). */
export function buildObserver(spec: ObserverSpec, kwargs: Args): ObserverBase {
  return isFactory(spec) ? spec.withArgs(kwargs)() : new spec(kwargs);
}

/** The dtype the observer will get: the keyword, else the factory's bound dtype, else quint8. */
function observerDtype(spec: ObserverSpec, kwargs: Args): DType {
  const bound = isFactory(spec) ? (spec.args.dtype as DType | undefined) : undefined;
  return bound ?? (kwargs.dtype as DType | undefined) ?? quint8;
}

/** Reads a property observers may or may not have. */
const prop = <T>(o: object, key: string, fallback: T): T => (key in o ? ((o as Record<string, unknown>)[key] as T) : fallback);

/**
 * Simulates quantize/dequantize in training: observes `x` (if enabled), stores the observer's
 * qparams in the `scale` / `zero_point` buffers and fake-quantizes `x` (if enabled).
 */
export class FakeQuantize extends FakeQuantizeBase {
  /** The observer (PyTorch's attribute name; {@link FakeQuantize.activationPostProcess} is the camelCase alias). */
  declare activation_post_process: ObserverBase;

  /** The observer: the child module `activation_post_process` (one object, one state-dict entry). */
  get activationPostProcess(): ObserverBase {
    return this.activation_post_process;
  }
  /** Smallest quantized integer. */
  quantMin: number;
  /** Largest quantized integer. */
  quantMax: number;
  /** The observer's quantization scheme. */
  qscheme: QScheme;
  /** Channel axis (-1 for per-tensor). */
  chAxis: number;
  /** Whether the qscheme is per channel. */
  isPerChannel: boolean;

  /**
   * @param opts - The observer (default MovingAverageMinMaxObserver), `quantMin` / `quantMax`, and any observer keyword (`dtype`, `qscheme`, ...).
   * @param flagDtype - dtype of the enable-flag buffers (default uint8).
   * @throws QTorchValueError when `quantMin` / `quantMax` do not fit the observer's dtype.
   */
  constructor(opts: FakeQuantizeOptions = {}, flagDtype?: DType) {
    checkOptions(opts, new.target.name);
    const { observer = MovingAverageMinMaxObserver, quantMin = null, quantMax = null, ...observerKwargs } = opts;
    const kwargs: Args = { ...observerKwargs };
    if (quantMin != null && quantMax != null) {
      if (!(quantMin <= quantMax)) throw new QTorchValueError(`FakeQuantize(): quant_min must be less than or equal to quant_max, got ${quantMin} and ${quantMax}`);
      const dt = observerDtype(observer, kwargs);
      if (dt.isQuantized && dt.name !== 'quint4x2') {
        const [lo, hi] = dtypeRange(dt);
        if (quantMin < lo) throw new QTorchValueError(`FakeQuantize(): quant_min out of bound: ${quantMin} < ${lo} for ${dt.torchName}`);
        if (quantMax > hi) throw new QTorchValueError(`FakeQuantize(): quant_max out of bound: ${quantMax} > ${hi} for ${dt.torchName}`);
      }
      Object.assign(kwargs, { quantMin, quantMax });
    }
    const obs = buildObserver(observer, kwargs);
    super({ dtype: obs.dtype }, flagDtype);
    this.registerModule('activation_post_process', obs);
    this.quantMin = prop(obs, 'quantMin', 0);
    this.quantMax = prop(obs, 'quantMax', 255);
    this.qscheme = prop<QScheme>(obs, 'qscheme', 'per_tensor_affine');
    const zpDtype = this.qscheme === 'per_channel_affine_float_qparams' ? float32 : int32;
    this.setBuffer('scale', fromValues([1], [1], float32));
    this.setBuffer('zero_point', fromValues([0], [1], zpDtype));
    this.chAxis = prop(obs, 'chAxis', -1);
    if (!isPerChannelScheme(this.qscheme) && !isPerTensorScheme(this.qscheme)) {
      throw new QTorchValueError(`FakeQuantize(): Only per channel and per tensor quantization are supported in fake quantize got qscheme: ${this.qscheme}`);
    }
    this.isPerChannel = isPerChannelScheme(this.qscheme);
  }

  /** Buffer `scale` (float32). */
  get scale(): Tensor {
    return this.buffer('scale');
  }

  /** Buffer `zero_point` (int32; float32 for float qparams). */
  get zeroPoint(): Tensor {
    return this.buffer('zero_point');
  }

  /** The observer's qparams. */
  override calculateQparams(): [Tensor, Tensor] {
    return this.activationPostProcess.calculateQparams();
  }

  override forward(x: Tensor): Tensor {
    assertTensor(x, `${this.constructor.name}.forward`);
    if (this.observerOn) {
      this.activationPostProcess.forward(x.detach());
      const [s, zp] = this.calculateQparams();
      this.storeQparams(s.values(), zp.values());
    }
    return this.fakeQuantOn ? this.fakeQuant(x) : x;
  }

  /** Copies qparams into the `scale` / `zero_point` buffers (resizing them when needed). */
  protected storeQparams(scale: ArrayLike<number>, zeroPoint: ArrayLike<number>): void {
    this.writeFloatBuffer('scale', scale, [scale.length]);
    const zp = this.zeroPoint;
    if (zp.numel() === zeroPoint.length) zp.data.set(Array.from(zeroPoint), 0);
    else this.setBuffer('zero_point', fromValues(zeroPoint, [zeroPoint.length], zp.dtype));
  }

  /** Fake-quantizes with the stored qparams (per channel along `chAxis`, or per tensor). */
  protected fakeQuant(x: Tensor): Tensor {
    if (this.qscheme === 'per_channel_affine_float_qparams') {
      return fakeQuantizePerChannelFloatQparams(x, this.scale, this.zeroPoint, this.chAxis, this.quantMin, this.quantMax);
    }
    return this.isPerChannel
      ? fakeQuantizePerChannelAffine(x, this.scale, this.zeroPoint, this.chAxis, this.quantMin, this.quantMax)
      : fakeQuantizePerTensorAffine(x, this.scale, this.zeroPoint, this.quantMin, this.quantMax);
  }

  override extraRepr(): string {
    return `fake_quant_enabled=${this.fakeQuantEnabled.item()}, observer_enabled=${this.observerEnabled.item()}, `
      + `quant_min=${this.quantMin}, quant_max=${this.quantMax}, dtype=${this.dtype.torchName}, qscheme=torch.${this.qscheme}, `
      + `ch_axis=${this.chAxis}, scale=[${Array.from(this.scale.values()).join(', ')}], zero_point=[${Array.from(this.zeroPoint.values()).join(', ')}]`;
  }
}

/** Fake quantization with constant qparams from a `FixedQParamsObserver` (sigmoid, tanh, ...). */
export class FixedQParamsFakeQuantize extends FakeQuantize {
  /** @param opts - `observer`: a FixedQParamsObserver (or its factory) that fixes scale and zero point. */
  constructor(opts: { observer: ObserverSpec }) {
    super({ observer: opts.observer });
    const obs = this.activationPostProcess;
    if (!(obs instanceof FixedQParamsObserver)) {
      throw new QTorchValueError(`FixedQParamsFakeQuantize(): observer must be a FixedQParamsObserver, got ${obs.constructor.name}`);
    }
    // share the observer's buffers, as PyTorch assigns them
    this.setBuffer('scale', obs.scale);
    this.setBuffer('zero_point', obs.zeroPoint);
    if (!isPerTensorScheme(this.qscheme)) {
      throw new QTorchValueError(`FixedQParamsFakeQuantize(): Only per tensor quantization is supported, got qscheme: ${this.qscheme}`);
    }
  }

  override calculateQparams(): [Tensor, Tensor] {
    return [this.scale, this.zeroPoint];
  }
}
