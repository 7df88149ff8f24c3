/**
 * Reference quantized modules (torch.ao.nn.quantized._reference): float modules whose weight
 * is quantized and dequantized on every call with the weight observer's qparams, so a
 * reference model (`convertFx(..., { isReference: true })`) computes "dequantize -> float op
 * with the quantized weight -> quantize". Lowering builds the quantized modules from them
 * (`fromReference` reads `getQuantizedWeight()`).
 */
import {
  Conv1d as FloatConv1d, Conv2d as FloatConv2d, Conv3d as FloatConv3d, Embedding as FloatEmbedding, Linear as FloatLinear, type Module, Parameter, type ModuleClass,
} from '@qtorch/nn';
import * as F from '@qtorch/nn/functional';
import {
  type DType, type QScheme, QTorchValueError, type Tensor, float16, float32, fromValues, int32, perChannelAffine, perChannelAffineFloatQparams,
  perTensorAffine, quantizePerChannel, quantizePerTensor, scalarTensor,
} from '@qtorch/qtensor';

/** The weight qparams a reference module is built with (PyTorch's `get_qparam_dict`). */
export interface WeightQparams {
  /** null for float16 weights (not quantized to integers). */
  qscheme: QScheme | null;
  dtype: DType;
  scale?: Tensor;
  zeroPoint?: Tensor;
  axis?: number;
}

/** What reading qparams needs from an observer or fake quantizer. */
interface WeightObserverLike {
  dtype: DType;
  qscheme?: QScheme;
  chAxis?: number;
  calculateQparams(): [Tensor, Tensor];
}

const INT_DTYPES = new Set(['quint8', 'qint8', 'quint4x2', 'qint32']);

/**
 * The weight qparams of an observer that has seen the weight: symmetric qschemes become the
 * affine ones (quantized tensors have no symmetric qscheme), per-channel ones keep the axis.
 */
export function getQparamDict(obs: WeightObserverLike): WeightQparams {
  if (!INT_DTYPES.has(obs.dtype.name)) return { qscheme: null, dtype: obs.dtype };
  const qs = obs.qscheme ?? perTensorAffine;
  const perChannel = qs === 'per_channel_affine' || qs === 'per_channel_symmetric' || qs === 'per_channel_affine_float_qparams';
  const [scale, zeroPoint] = obs.calculateQparams();
  if (!perChannel) return { qscheme: perTensorAffine, dtype: obs.dtype, scale, zeroPoint };
  return { qscheme: qs === 'per_channel_symmetric' ? perChannelAffine : qs, dtype: obs.dtype, scale, zeroPoint, axis: obs.chAxis ?? 0 };
}

/** The weight quantized with `q` (float16: the weight rounded to float16). */
export function quantizeWithQparams(w: Tensor, q: WeightQparams, op: string): Tensor {
  if (q.dtype === float16) return w.to(float16);
  if (q.qscheme === perTensorAffine && INT_DTYPES.has(q.dtype.name)) return quantizePerTensor(w, q.scale!, q.zeroPoint!, q.dtype);
  if ((q.qscheme === perChannelAffine || q.qscheme === perChannelAffineFloatQparams) && INT_DTYPES.has(q.dtype.name)) {
    // float qparams keep float zero points
    const zp = q.qscheme === perChannelAffineFloatQparams && !q.zeroPoint!.dtype.isFloatingPoint ? q.zeroPoint!.to(float32) : q.zeroPoint!;
    return quantizePerChannel(w, q.scale!, zp, q.axis ?? 0, q.dtype);
  }
  throw new QTorchValueError(`${op}: unsupported weight dtype and qscheme: ${q.dtype.torchName}, ${String(q.qscheme)}`);
}

/** The members every reference module has. */
export interface ReferenceQuantizedModule extends Module {
  weight: Parameter;
  weightQscheme: QScheme | null;
  weightDtype: DType;
  /** The weight qparams (from the `weight_scale` / `weight_zero_point` / `weight_axis` buffers). */
  readonly weightQparams: WeightQparams;
  /** The weight quantized and dequantized (float16 / float: the weight itself). */
  getWeight(): Tensor;
  /** The quantized weight (what the quantized module is built with). */
  getQuantizedWeight(): Tensor;
}

/** Registers PyTorch's `weight_scale` / `weight_zero_point` / `weight_axis` buffers. */
function initWeightQparams(m: Module, q: WeightQparams): void {
  const quantized = INT_DTYPES.has(q.dtype.name);
  m.registerBuffer('weight_scale', quantized ? q.scale!.clone() : scalarTensor(1, float32));
  m.registerBuffer('weight_zero_point', quantized ? q.zeroPoint!.clone() : scalarTensor(0, int32));
  m.registerBuffer('weight_axis', fromValues([q.axis ?? 0], [], int32));
}

/** The weight qparams kept in a reference module's attributes and buffers. */
function qparamsOf(m: ReferenceQuantizedModule): WeightQparams {
  const b = (n: string) => m._buffers.get(n)!;
  return { qscheme: m.weightQscheme, dtype: m.weightDtype, scale: b('weight_scale'), zeroPoint: b('weight_zero_point'), axis: b('weight_axis').item() };
}

/** The weight quantized and dequantized with the module's qparams (float weights unchanged). */
function weightOf(m: ReferenceQuantizedModule): Tensor {
  if (m.weightQscheme === null) return m.weight;
  return quantizeWithQparams(m.weight, m.weightQparams, `${m.constructor.name}.getWeight()`).dequantize();
}

function quantizedWeightOf(m: ReferenceQuantizedModule): Tensor {
  return quantizeWithQparams(m.weight, m.weightQparams, `${m.constructor.name}.getQuantizedWeight()`);
}

/** Sets the qparams attributes and buffers of a new reference module. */
function initReference(m: ReferenceQuantizedModule, q: WeightQparams, training: boolean): void {
  m.weightQscheme = q.qscheme;
  m.weightDtype = q.dtype;
  initWeightQparams(m, q);
  m.training = training;
}

/** Copies a float module's weight and bias (detached) into `ref`. */
function copyParams(ref: Module & { weight: Parameter; bias: Parameter | null }, f: { weight: Tensor; bias: Tensor | null }): void {
  ref.weight = new Parameter(f.weight.detach());
  ref.bias = f.bias ? new Parameter(f.bias.detach()) : null;
}

/** The members `installReferenceMembers` adds to a reference class's prototype. */
interface ReferenceMembers {
  readonly weightQparams: WeightQparams;
  getWeight(): Tensor;
  getQuantizedWeight(): Tensor;
}

/** Adds `weightQparams`, `getWeight`, `getQuantizedWeight` to a reference class (one body for all). */
function installReferenceMembers(cls: { prototype: object }): void {
  Object.defineProperties(cls.prototype, {
    weightQparams: { get(this: ReferenceQuantizedModule) { return qparamsOf(this); }, configurable: true },
    getWeight: { value(this: ReferenceQuantizedModule) { return weightOf(this); }, writable: true, configurable: true },
    getQuantizedWeight: { value(this: ReferenceQuantizedModule) { return quantizedWeightOf(this); }, writable: true, configurable: true },
  });
}

/** Reference quantized Linear: `F.linear(x, dequantize(quantize(weight)), bias)`. */
export interface Linear extends ReferenceMembers {}
export class Linear extends FloatLinear {
  static _qualName = 'QuantizedLinear(Reference)';
  declare weightQscheme: QScheme | null;
  declare weightDtype: DType;

  override forward(x: Tensor): Tensor {
    return F.linear(x, this.getWeight(), this.bias);
  }

  /** From a float Linear and its weight qparams. */
  static fromFloat(f: FloatLinear, weightQparams: WeightQparams): Linear {
    const ref = new Linear(f.inFeatures, f.outFeatures, { bias: f.bias !== null });
    copyParams(ref, f);
    initReference(ref, weightQparams, f.training);
    return ref;
  }
}
installReferenceMembers(Linear);

type FloatConv = FloatConv1d | FloatConv2d | FloatConv3d;
type ConvCtor<T> = new (inC: number, outC: number, k: number[], o: Record<string, unknown>) => T;

/** A reference conv with a float conv's geometry, weight and bias. */
function convFromFloat<T extends FloatConv & ReferenceQuantizedModule>(cls: ConvCtor<T>, f: FloatConv, q: WeightQparams): T {
  const ref = new cls(f.inChannels, f.outChannels, [...f.kernelSize], {
    stride: [...f.stride], padding: typeof f.padding === 'string' ? f.padding : [...f.padding], dilation: [...f.dilation],
    groups: f.groups, bias: f.bias !== null, paddingMode: f.paddingMode,
  });
  copyParams(ref, f);
  initReference(ref, q, f.training);
  return ref;
}

/** Reference quantized Conv1d: the convolution with the quantized-dequantized weight. */
export interface Conv1d extends ReferenceMembers {}
export class Conv1d extends FloatConv1d {
  static _qualName = 'QuantizedConv1d(Reference)';
  declare weightQscheme: QScheme | null;
  declare weightDtype: DType;
  override forward(x: Tensor): Tensor {
    return this._convForward(x, this.getWeight(), this.bias);
  }
  static fromFloat(f: FloatConv1d, q: WeightQparams): Conv1d {
    return convFromFloat(Conv1d as unknown as ConvCtor<Conv1d>, f, q);
  }
}
installReferenceMembers(Conv1d);

/** Reference quantized Conv2d. */
export interface Conv2d extends ReferenceMembers {}
export class Conv2d extends FloatConv2d {
  static _qualName = 'QuantizedConv2d(Reference)';
  declare weightQscheme: QScheme | null;
  declare weightDtype: DType;
  override forward(x: Tensor): Tensor {
    return this._convForward(x, this.getWeight(), this.bias);
  }
  static fromFloat(f: FloatConv2d, q: WeightQparams): Conv2d {
    return convFromFloat(Conv2d as unknown as ConvCtor<Conv2d>, f, q);
  }
}
installReferenceMembers(Conv2d);

/** Reference quantized Conv3d. */
export interface Conv3d extends ReferenceMembers {}
export class Conv3d extends FloatConv3d {
  static _qualName = 'QuantizedConv3d(Reference)';
  declare weightQscheme: QScheme | null;
  declare weightDtype: DType;
  override forward(x: Tensor): Tensor {
    return this._convForward(x, this.getWeight(), this.bias);
  }
  static fromFloat(f: FloatConv3d, q: WeightQparams): Conv3d {
    return convFromFloat(Conv3d as unknown as ConvCtor<Conv3d>, f, q);
  }
}
installReferenceMembers(Conv3d);

/** Reference quantized Embedding: lookups in the quantized-dequantized table (weight-only quantization). */
export interface Embedding extends ReferenceMembers {}
export class Embedding extends FloatEmbedding {
  static _qualName = 'QuantizedEmbedding(Reference)';
  declare weightQscheme: QScheme | null;
  declare weightDtype: DType;
  override forward(x: Tensor): Tensor {
    return F.embedding(x, this.getWeight(), { paddingIdx: this.paddingIdx });
  }
  static fromFloat(f: FloatEmbedding, q: WeightQparams): Embedding {
    const ref = new Embedding(f.numEmbeddings, f.embeddingDim, { paddingIdx: f.paddingIdx });
    ref.weight = new Parameter(f.weight.detach());
    initReference(ref, q, f.training);
    return ref;
  }
}
installReferenceMembers(Embedding);

/** A reference class's `fromFloat`. */
export type ReferenceClass = ModuleClass & { fromFloat(f: Module, q: WeightQparams): ReferenceQuantizedModule };

/** Whether `m` is a reference quantized module. */
export function isReferenceModule(m: unknown): m is ReferenceQuantizedModule {
  return m instanceof Linear || m instanceof Conv1d || m instanceof Conv2d || m instanceof Conv3d || m instanceof Embedding;
}
