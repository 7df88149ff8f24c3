/**
 * QAT convolutions (torch.ao.nn.qat.Conv1d/2d/3d): float convs whose weight passes through
 * `weight_fake_quant`. One mixin over nn's Conv1d/2d/3d holds everything; the classes only
 * name their float counterparts.
 */
import type { IntOrTuple, Tensor } from '@qtorch/qtensor';
import {
  Conv1d as FloatConv1d, Conv2d as FloatConv2d, Conv3d as FloatConv3d, type ConvNdOptions, Module, type ModuleClass, Parameter, Sequential,
  type _ConvNd,
} from '@qtorch/nn';
import { type QConfigLike, type QconfigOption, checkFloatModule, checkQconfig, makeWeightFakeQuant } from './qconfig.js';

/** Options of the QAT convs: the float conv's plus the (required) `qconfig`. */
export interface QatConvOptions extends ConvNdOptions, QconfigOption {}

/** A float Conv1d/2d/3d. */
export type FloatConv = FloatConv1d | FloatConv2d | FloatConv3d;

/** What the mixins need of a float conv: `_ConvNd` plus the forward with a given weight. @internal */
export type ConvLike = _ConvNd & { _convForward(input: Tensor, weight: Tensor, bias: Tensor | null): Tensor; forward(input: Tensor): Tensor };

/** Constructor of a float Conv1d/2d/3d. @internal */
export type FloatConvClass<T extends FloatConv = FloatConv> = new (inChannels: number, outChannels: number, kernelSize: IntOrTuple, options?: ConvNdOptions) => T;

/** The conv hyperparameters of `conv` as constructor options (to rebuild an equivalent conv). @internal */
export function convOptionsOf(conv: ConvLike): ConvNdOptions {
  return {
    stride: conv.stride, padding: conv.padding, dilation: conv.dilation, groups: conv.groups,
    bias: conv.bias !== null, paddingMode: conv.paddingMode,
  };
}

/**
 * A float conv of class `cls` with `src`'s hyperparameters and its weight / bias (detached,
 * sharing storage, as PyTorch's `to_float`), in `src`'s training mode. @internal
 */
export function floatConvLike<T extends FloatConv>(cls: FloatConvClass<T>, src: ConvLike, weight: Tensor = src.weight, bias: Tensor | null = src.bias): T {
  const conv = new cls(src.inChannels, src.outChannels, src.kernelSize, { ...convOptionsOf(src), bias: bias !== null });
  conv.weight = new Parameter(weight.detach());
  if (bias) conv.bias = new Parameter(bias.detach());
  conv.train(src.training);
  return conv;
}

/** The statics the QAT conv classes define (PyTorch's class attributes). @internal */
export interface QatConvStatics {
  /** The float module `fromFloat` accepts (a conv, or a fused float module). */
  readonly _FLOAT_MODULE: ModuleClass;
  /** The float conv class `toFloat` builds. */
  readonly _FLOAT_CONV_MODULE: FloatConvClass;
  /** The activation a fused class appends in `toFloat` (null: none). */
  readonly _FLOAT_RELU_MODULE: (new () => Module) | null;
}

/** A QAT conv class: its constructor plus statics. @internal */
export type QatConvClass<T extends FloatConv = FloatConv> =
  (new (inChannels: number, outChannels: number, kernelSize: IntOrTuple, options?: QatConvOptions) => T) & QatConvStatics;

/** A constructor (mixin base). @internal */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Ctor<T> = new (...args: any[]) => T;

/** What `qatConvMixin` adds to a float conv's instances. */
export interface QatConvMembers {
  /** The qconfig whose weight fake quantizer the weight passes through. */
  qconfig: QConfigLike;
  /** Fake quantizer of the weight (a child module, state-dict prefix `weight_fake_quant.`). */
  weight_fake_quant: Module;
  /** The float equivalent (a conv, or the fused float module of a fused class). */
  toFloat(): Module;
}

/** What `qatConvMixin` adds to a float conv class. @internal */
export interface QatConvMixinStatics extends QatConvStatics {
  fromFloat<T extends FloatConv>(this: QatConvClass<T>, mod: Module): T;
}

/**
 * Adds QAT weight fake quantization to a float conv class. (The explicit return type keeps
 * Module's private members out of the emitted declarations.) @internal
 */
export function qatConvMixin<B extends Ctor<ConvLike>>(Base: B): B & Ctor<QatConvMembers> & QatConvMixinStatics {
  class QatConvNd extends Base {
    static readonly _FLOAT_MODULE: ModuleClass = Base;
    static readonly _FLOAT_CONV_MODULE: FloatConvClass = Base;
    static readonly _FLOAT_RELU_MODULE: (new () => Module) | null = null;
    qconfig!: QConfigLike;
    /** Fake quantizer of the weight (a child module, state-dict prefix `weight_fake_quant.`). */
    weight_fake_quant!: Module;

    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    constructor(...args: any[]) {
      super(...args);
      const options = (args[3] ?? {}) as QatConvOptions;
      this.qconfig = checkQconfig(options.qconfig, new.target.name);
      this.weight_fake_quant = makeWeightFakeQuant(this.qconfig, new.target.name);
    }

    override forward(input: Tensor): Tensor {
      return this._convForward(input, this.weight_fake_quant.call(this.weight), this.bias);
    }

    /**
     * The QAT module of a float conv (or, for fused subclasses, a fused float module whose
     * first module is the conv) carrying a `qconfig`; weight and bias are shared.
     */
    static fromFloat<T extends FloatConv>(this: QatConvClass<T>, mod: Module): T {
      const qconfig = checkFloatModule(mod, this._FLOAT_MODULE, `qat.${this.name}.fromFloat()`);
      const conv = (mod instanceof Sequential ? mod.at(0) : mod) as FloatConv;
      const qat = new this(conv.inChannels, conv.outChannels, conv.kernelSize, { ...convOptionsOf(conv), qconfig });
      qat.weight = conv.weight;
      qat.bias = conv.bias;
      return qat;
    }

    /**
     * The float equivalent: a float conv with this weight and bias, wrapped with the fused
     * activation for fused classes (ConvReLU2d -> nni.ConvReLU2d(conv, relu)).
     */
    toFloat(): Module {
      const statics = this.constructor as unknown as QatConvStatics;
      const conv = floatConvLike(statics._FLOAT_CONV_MODULE, this);
      if (!statics._FLOAT_RELU_MODULE) return conv;
      const Fused = statics._FLOAT_MODULE as unknown as new (...mods: Module[]) => Module;
      const fused = new Fused(conv, new statics._FLOAT_RELU_MODULE());
      fused.train(this.training);
      return fused;
    }
  }
  return QatConvNd;
}

/**
 * QAT 1-d convolution.
 * @example new Conv1d(4, 8, 3, { qconfig: getDefaultQatQconfig('qnnpack') })
 */
export class Conv1d extends qatConvMixin(FloatConv1d) {
  /** @internal The float module class `fromFloat` accepts (PyTorch's `_FLOAT_MODULE`). */
  static override readonly _FLOAT_MODULE: ModuleClass = FloatConv1d;
  /** @internal The float convolution class the QAT class mirrors. */
  static override readonly _FLOAT_CONV_MODULE: FloatConvClass = FloatConv1d;
  /**
   * @param inChannels - Input channels.
   * @param outChannels - Output channels.
   * @param kernelSize - Kernel size (one number or one per spatial dim).
   * @param options - torch.nn.Conv1d's options, with a required `qconfig`.
   */
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, options: QatConvOptions = {}) {
    super(inChannels, outChannels, kernelSize, options);
  }
}

/**
 * QAT 2-d convolution.
 * @example new Conv2d(3, 8, 3, { padding: 1, qconfig: getDefaultQatQconfig('qnnpack') })
 */
export class Conv2d extends qatConvMixin(FloatConv2d) {
  /** @internal The float module class `fromFloat` accepts (PyTorch's `_FLOAT_MODULE`). */
  static override readonly _FLOAT_MODULE: ModuleClass = FloatConv2d;
  /** @internal The float convolution class the QAT class mirrors. */
  static override readonly _FLOAT_CONV_MODULE: FloatConvClass = FloatConv2d;
  /**
   * @param inChannels - Input channels.
   * @param outChannels - Output channels.
   * @param kernelSize - Kernel size (one number or one per spatial dim).
   * @param options - torch.nn.Conv2d's options, with a required `qconfig`.
   */
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, options: QatConvOptions = {}) {
    super(inChannels, outChannels, kernelSize, options);
  }
}

/** QAT 3-d convolution. */
export class Conv3d extends qatConvMixin(FloatConv3d) {
  /** @internal The float module class `fromFloat` accepts (PyTorch's `_FLOAT_MODULE`). */
  static override readonly _FLOAT_MODULE: ModuleClass = FloatConv3d;
  /** @internal The float convolution class the QAT class mirrors. */
  static override readonly _FLOAT_CONV_MODULE: FloatConvClass = FloatConv3d;
  /**
   * @param inChannels - Input channels.
   * @param outChannels - Output channels.
   * @param kernelSize - Kernel size (one number or one per spatial dim).
   * @param options - torch.nn.Conv3d's options, with a required `qconfig`.
   */
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, options: QatConvOptions = {}) {
    super(inChannels, outChannels, kernelSize, options);
  }
}
