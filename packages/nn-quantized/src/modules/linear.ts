/**
 * Quantized Linear (torch.ao.nn.quantized.Linear) and its packed-weight holder
 * `LinearPackedParams`. The weight is a qint8 quantized tensor packed for the engine current at
 * `setWeightBias` time; the packed object remembers that engine and runs its kernels (so a
 * module converted for one engine also runs while another is selected).
 *
 * State dict (PyTorch's keys; the packed tuple as two plain entries, PyTorch's version-2
 * layout of the same data):
 * - `scale` (float32 0-d), `zero_point` (int64 0-d): output qparams;
 * - `_packed_params.weight`: the quantized weight; `_packed_params.bias`: the float bias
 *   (left out when there is none). PyTorch 1.13 writes `_packed_params._packed_params` =
 *   (weight, bias) and `_packed_params.dtype`; a `[weight, bias]` array under that key loads too.
 */
import {
  checkOptions, type DType, LinearFp16PackedParams, LinearPackedParams as PackedLinear, QTorchTypeError, QTorchValueError, type Tensor,
  emptyAffineQuantized, float16, float32, fmtShape, fromValues, linearPrepack, linearPrepackFp16, qint8, quantizedLinear, zeros,
} from '@qtorch/qtensor';
import { type LoadContext, Linear as FloatLinear, Module, NonDynamicallyQuantizableLinear, type ModuleClass, type StateDict, moduleName } from '@qtorch/nn';
import { reprHiding } from './repr.js';
import { loadOutputQparams, reportUnexpected, saveOutputQparams } from './state.js';
import {
  activationObserver, checkQuantizedInput, floatSource, floatWeightBias, pyFloat, quantizeWeight, scalarQparams, torchQscheme, weightObserver,
} from './utils.js';

/** The packed object of either dtype. */
export type PackedLinearWeight = PackedLinear | LinearFp16PackedParams;

/**
 * Holds a linear layer's packed weight and bias (`_packed_params`). `dtype` is qint8 (static and
 * dynamic quantization) or float16 (dynamic only; fbgemm).
 */
export class LinearPackedParams extends Module {
  /** @internal State-dict version (PyTorch's `_version`), saved in metadata. */
  static _version = 3;
  /** Weight dtype: qint8 or float16. */
  dtype: DType;
  /** The packed weight and bias (qtensor's packed object). */
  _packed_params!: PackedLinearWeight;

  /**
   * @param dtype - qint8 (default) or float16.
   * @throws QTorchTypeError for another dtype.
   */
  constructor(dtype: DType = qint8) {
    super();
    if (dtype !== qint8 && dtype !== float16) throw new QTorchTypeError(`LinearPackedParams(): Unsupported dtype on dynamic quantized linear! (expected torch.qint8 or torch.float16, got ${dtype.torchName})`);
    this.dtype = dtype;
    const w = dtype === qint8 ? emptyAffineQuantized([1, 1], { scale: 1, zeroPoint: 0, dtype: qint8 }) : zeros([1, 1]);
    this.setWeightBias(w, null);
  }

  /** Packs `weight` (qint8 quantized, or float for float16) and `bias` for the current engine. */
  setWeightBias(weight: Tensor, bias: Tensor | null): void {
    this._packed_params = this.dtype === qint8 ? linearPrepack(weight, bias) : linearPrepackFp16(weight, bias);
  }

  /** `[weight, bias]`: the quantized (or float16-rounded float) weight and the float bias. */
  _weightBias(): [Tensor, Tensor | null] {
    const p = this._packed_params;
    if (p instanceof PackedLinear) return p.unpack();
    const w = fromValues(p.weight, p.shape, float32);
    return [w, p.bias ? fromValues(p.bias, [p.bias.length], float32) : null];
  }

  forward(x: Tensor): Tensor {
    return x;
  }

  override _saveToStateDict(dest: StateDict, prefix: string): void {
    const [w, b] = this._weightBias();
    dest[`${prefix}weight`] = w;
    if (b) dest[`${prefix}bias`] = b;
  }

  override _loadFromStateDict(sd: StateDict, prefix: string, ctx: LoadContext): void {
    const tuple = sd[`${prefix}_packed_params`] as unknown;
    let w: Tensor | undefined, b: Tensor | null;
    if (Array.isArray(tuple)) [w, b] = [tuple[0] as Tensor, (tuple[1] as Tensor | null) ?? null];
    else [w, b] = [sd[`${prefix}weight`], sd[`${prefix}bias`] ?? null];
    if (w === undefined) ctx.missingKeys.push(`${prefix}weight`);
    else {
      try {
        // PyTorch takes the dtype from the checkpoint's `dtype` entry, never from the weight: a
        // float weight loaded into a qint8 layer is an error, not a silent switch to float16.
        const saved = sd[`${prefix}dtype`] as unknown;
        if (saved === qint8 || saved === float16) this.dtype = saved as DType;
        this.setWeightBias(w, b);
      } catch (e) {
        ctx.errorMsgs.push(`While loading "${prefix}weight" (${fmtShape(w.shape)}): ${(e as Error).message}`);
      }
    }
    reportUnexpected(this, sd, prefix, ctx, ['weight', 'bias', '_packed_params', 'dtype']);
  }

  override toString(): string {
    const [w, b] = this._weightBias();
    return `(${w.toString()}, ${b ? b.toString() : 'None'})`;
  }
}

/** Options of the quantized Linear. */
export interface QuantizedLinearOptions {
  /** Whether the layer has a bias (PyTorch's `bias_`, default true). */
  bias?: boolean;
  /** Weight dtype: qint8 (default); float16 for dynamic Linear. */
  dtype?: DType;
}

/** What fromReference reads from a reference (weight-simulated) quantized Linear. */
export interface ReferenceLinearLike {
  /** Input features. */
  inFeatures: number;
  /** Output features. */
  outFeatures: number;
  /** Float bias `[out]`, or null. */
  bias: Tensor | null;
  /** The weight quantized with the module's weight qparams. */
  getQuantizedWeight(): Tensor;
}

/**
 * A quantized Linear: quantized input, quantized output with `scale` / `zeroPoint`, qint8
 * weight. Build it with `Linear.fromFloat(observedFloatLinear)`.
 * @example const q = Linear.fromFloat(preparedFc); const y = q.call(quantizePerTensor(x, 0.1, 128, quint8));
 */
export class Linear extends Module {
  /** @internal PyTorch's class name, used in messages and saved graphs. */
  static _qualName = 'QuantizedLinear';
  /** @internal State-dict version (PyTorch's `_version`), saved in metadata. */
  static _version = 3;
  /** Float classes `fromFloat` accepts (subclasses for fused patterns replace it). */
  static _FLOAT_MODULE: readonly ModuleClass[] = [FloatLinear, NonDynamicallyQuantizableLinear];

  /** Size of each input sample. */
  inFeatures: number;
  /** Size of each output sample. */
  outFeatures: number;
  /** Output scale. */
  scale = 1;
  /** Output zero point. */
  zeroPoint = 0;
  /** The packed weight and bias (PyTorch's attribute name). */
  _packed_params: LinearPackedParams;

  /**
   * @param inFeatures - Size of each input sample.
   * @param outFeatures - Size of each output sample.
   * @param options - `bias` (default true) and `dtype` (qint8, or float16).
   * @throws QTorchTypeError for another dtype.
   */
  constructor(inFeatures: number, outFeatures: number, options: QuantizedLinearOptions = {}) {
    checkOptions(options, new.target.name);
    super();
    const dtype = options.dtype ?? qint8;
    if (dtype !== qint8 && dtype !== float16) throw new QTorchTypeError(`${new.target._qualName}(): Unsupported dtype specified for quantized Linear! (${dtype.torchName})`);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const bias = options.bias ?? true ? zeros([outFeatures]) : null;
    const w = dtype === qint8 ? emptyAffineQuantized([outFeatures, inFeatures], { scale: 1, zeroPoint: 0, dtype: qint8 }) : zeros([outFeatures, inFeatures]);
    this._packed_params = new LinearPackedParams(dtype);
    this._packed_params.setWeightBias(w, bias);
  }

  forward(x: Tensor): Tensor {
    checkQuantizedInput(this, x);
    return quantizedLinear(x, this._packed_params._packed_params as PackedLinear, this.scale, this.zeroPoint);
  }

  /** `[weight, bias]` (unpacked). */
  _weightBias(): [Tensor, Tensor | null] {
    return this._packed_params._weightBias();
  }

  /** The quantized weight. */
  weight(): Tensor {
    return this._weightBias()[0];
  }

  /** The float bias, or null. */
  bias(): Tensor | null {
    return this._weightBias()[1];
  }

  /** Replaces weight and bias (packed for the current engine). */
  setWeightBias(w: Tensor, b: Tensor | null): void {
    this._packed_params.setWeightBias(w, b);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, scale=${pyFloat(this.scale)}, zero_point=${this.zeroPoint}, qscheme=${torchQscheme(this.weight())}`;
  }

  override toString(): string {
    return reprHiding(this, '_packed_params');
  }

  override _saveToStateDict(dest: StateDict, prefix: string, keepVars: boolean): void {
    super._saveToStateDict(dest, prefix, keepVars);
    saveOutputQparams(this, dest, prefix);
  }

  override _loadFromStateDict(sd: StateDict, prefix: string, ctx: LoadContext): void {
    super._loadFromStateDict(loadOutputQparams(this, sd, prefix, ctx), prefix, ctx);
  }

  /**
   * Builds a quantized Linear from an observed float Linear (or a QAT Linear / LinearBn1d, or a
   * fused pattern listed in `_FLOAT_MODULE`): the weight observer comes from `weight_fake_quant`
   * or `qconfig.weight()`, the output qparams from `activation_post_process`.
   */
  static fromFloat(mod: Module): Linear {
    const cls = this._qualName;
    const qat = (mod as unknown as { weight_fake_quant?: unknown }).weight_fake_quant !== undefined;
    const src = qat ? mod : floatSource(mod, this._FLOAT_MODULE, cls);
    const act = activationObserver(mod, cls);
    const f = src as unknown as FloatLinear;
    const [w, b] = floatWeightBias(src, cls);
    const wObs = weightObserver(src, w, mod, cls);
    if (wObs.dtype !== qint8) throw new QTorchTypeError(`${cls}.fromFloat(): Weight observer must have dtype torch.qint8, got ${wObs.dtype.torchName}`);
    const q = new this(f.inFeatures, f.outFeatures);
    q.setWeightBias(quantizeWeight(w, wObs), b);
    [q.scale, q.zeroPoint] = scalarQparams(act);
    return q;
  }

  /** Builds a quantized Linear from a reference quantized Linear and the output qparams. */
  static fromReference(ref: ReferenceLinearLike, outputScale: number, outputZeroPoint: number): Linear {
    if (typeof ref.getQuantizedWeight !== 'function') throw new QTorchValueError(`${this._qualName}.fromReference(): expected a reference Linear with getQuantizedWeight(), got ${ref instanceof Module ? moduleName(ref) : String(ref)}`);
    const q = new this(ref.inFeatures, ref.outFeatures);
    q.setWeightBias(ref.getQuantizedWeight(), ref.bias ? ref.bias.detach() : null);
    q.scale = outputScale;
    q.zeroPoint = Math.trunc(outputZeroPoint);
    return q;
  }
}
