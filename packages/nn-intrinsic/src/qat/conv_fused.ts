/**
 * QAT fused convolutions (torch.ao.nn.intrinsic.qat): ConvBn1d/2d/3d and ConvBnReLU1d/2d/3d
 * (BN folded during training, see bn_fold.ts), and ConvReLU1d/2d/3d (a QAT conv + relu).
 */
import type { IntOrTuple, Tensor } from '@qtorch/qtensor';
import {
  BatchNorm1d, BatchNorm2d, BatchNorm3d, Conv1d as FloatConv1d, Conv2d as FloatConv2d, Conv3d as FloatConv3d, type ConvNdOptions,
  Module, type ModuleClass, ReLU, type _BatchNorm,
} from '@qtorch/nn';
import * as F from '@qtorch/nn/functional';
import * as nnqat from '@qtorch/nn-qat';
import { type ConvLike, type Ctor, type FloatConv, type FloatConvClass, checkFloatModule, convOptionsOf, floatConvLike } from '@qtorch/nn-qat';
import * as nni from '../fused.js';
import { fuseConvBnWeights } from '../fusion_math.js';
import { type BnFoldMembers, type BnFoldOptions, bnFoldMixin, bnFoldOptionsOf, fusedLayerAndBn, shareFloatParameters } from './bn_fold.js';

/** Options of ConvBn*d / ConvBnReLU*d: the conv's (bias defaults to false here) plus BN and QAT options. */
export interface QatConvBnOptions extends ConvNdOptions, BnFoldOptions {}

/** The statics of a QAT ConvBn class (PyTorch's class attributes). @internal */
export interface QatConvBnStatics {
  /** The float fused module `fromFloat` accepts (nni.ConvBn2d, nni.ConvBnReLU2d, ...). */
  readonly _FLOAT_MODULE: ModuleClass;
  /** The float conv `toFloat` builds. */
  readonly _FLOAT_CONV_MODULE: FloatConvClass;
  /** The float BatchNorm class. */
  readonly _FLOAT_BN_MODULE: ModuleClass;
  /** The activation appended by `toFloat` (null: none). */
  readonly _FLOAT_RELU_MODULE: (new () => Module) | null;
  /** The float fused module of conv + activation `toFloat` builds (null: none). */
  readonly _FUSED_FLOAT_MODULE: (new (conv: never, relu: never) => Module) | null;
  /** Marks QAT fused classes (see `isFusedModule`). */
  readonly _isFusedModule: boolean;
}

/** A QAT ConvBn class: constructor plus statics. @internal */
export type QatConvBnClass<T> = (new (inChannels: number, outChannels: number, kernelSize: IntOrTuple, options?: QatConvBnOptions) => T) & QatConvBnStatics;

/** What a QAT ConvBn instance has: a float conv with BN folding. */
export type QatConvBnMembers = BnFoldMembers & { toFloat(): Module; _foldedWeightBias(): [Tensor, Tensor] };

/** What `convBnMixin` adds to a float conv class. @internal */
export interface QatConvBnMixinStatics extends QatConvBnStatics {
  fromFloat<T extends FloatConv & BnFoldMembers>(this: QatConvBnClass<T>, mod: Module): T;
}

/**
 * PyTorch's `_ConvBnNd` over one of nn's Conv1d/2d/3d with its BatchNorm class; `fused` is the
 * float fused class `fromFloat` accepts (nni.ConvBn2d, ...). @internal
 */
function convBnMixin<B extends Ctor<ConvLike>>(Base: B, Bn: new (n: number) => _BatchNorm, fused: ModuleClass): B & Ctor<QatConvBnMembers> & QatConvBnMixinStatics {
  const Folded = bnFoldMixin(Base, {
    bn: Bn,
    optionsIndex: 3,
    run: (mod, input, weight, bias) => (mod as unknown as ConvLike)._convForward(input, weight, bias),
    outChannels: (mod) => (mod as unknown as ConvLike).outChannels,
  });
  class ConvBnNd extends Folded {
    static readonly _FLOAT_MODULE: ModuleClass = fused;
    static readonly _FLOAT_CONV_MODULE: FloatConvClass = Base as unknown as FloatConvClass;
    static readonly _FLOAT_BN_MODULE: ModuleClass = Bn;
    static readonly _FLOAT_RELU_MODULE: (new () => Module) | null = null;
    static readonly _FUSED_FLOAT_MODULE: (new (conv: never, relu: never) => Module) | null = null;
    static readonly _isFusedModule = true;

    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    constructor(...args: any[]) {
      // ConvBn's conv bias defaults to off (PyTorch's `bias=None`)
      const options = (args[3] ?? {}) as QatConvBnOptions;
      super(args[0], args[1], args[2], { ...options, bias: options.bias ?? false });
    }

    /**
     * The QAT module of a float nni.ConvBn*d / ConvBnReLU*d carrying a `qconfig`. Conv and BN
     * parameters and BN buffers are shared with the float module, not copied.
     */
    static fromFloat<T extends FloatConv & BnFoldMembers>(this: QatConvBnClass<T>, mod: Module): T {
      const qconfig = checkFloatModule(mod, this._FLOAT_MODULE, `qat.${this.name}.fromFloat()`);
      const [conv, bn] = fusedLayerAndBn<FloatConv>(mod);
      const qat = new this(conv.inChannels, conv.outChannels, conv.kernelSize, { ...convOptionsOf(conv), ...bnFoldOptionsOf(bn), qconfig });
      shareFloatParameters(qat, conv, bn);
      return qat;
    }

    /**
     * Weight and bias with BN folded in by its running statistics (`fuseConvBnWeights`),
     * detached: what the quantized conv's `fromFloat` quantizes (PyTorch folds in `from_float`).
     */
    _foldedWeightBias(): [Tensor, Tensor] {
      const bn = this.bn;
      const [weight, bias] = fuseConvBnWeights(this.weight, this.bias, bn.running_mean!, bn.running_var!, bn.eps, bn.weight, bn.bias);
      return [weight.detach(), bias.detach()];
    }

    /**
     * The float equivalent with BN folded into the conv using the running statistics
     * (`fuseConvBnWeights`): a conv, or nni.ConvReLU*d(conv, relu) for ConvBnReLU.
     */
    toFloat(): Module {
      const statics = this.constructor as unknown as QatConvBnStatics;
      const [weight, bias] = this._foldedWeightBias();
      const conv = floatConvLike(statics._FLOAT_CONV_MODULE, this, weight, bias);
      if (!statics._FLOAT_RELU_MODULE || !statics._FUSED_FLOAT_MODULE) return conv;
      const Fused = statics._FUSED_FLOAT_MODULE as unknown as new (conv: Module, relu: Module) => Module;
      const fused = new Fused(conv, new statics._FLOAT_RELU_MODULE());
      fused.train(this.training);
      return fused;
    }
  }
  return ConvBnNd;
}

/** Constructor arguments of ConvBn*d / ConvBnReLU*d. */
export type QatConvBnArgs = [inChannels: number, outChannels: number, kernelSize: IntOrTuple, options?: QatConvBnOptions];

/**
 * Conv1d + BatchNorm1d for QAT, BN folded into the fake-quantized weight.
 * @example new ConvBn1d(4, 8, 3, { qconfig })
 */
export class ConvBn1d extends convBnMixin(FloatConv1d, BatchNorm1d, nni.ConvBn1d) {
  /** Same arguments as torch.ao.nn.intrinsic.qat.ConvBn1d: `(inChannels, outChannels, kernelSize, options)`, options with a required `qconfig`. */
  constructor(...args: QatConvBnArgs) {
    super(...args);
  }
}

/**
 * Conv2d + BatchNorm2d for QAT, BN folded into the fake-quantized weight.
 * @example new ConvBn2d(3, 8, 3, { padding: 1, qconfig })
 */
export class ConvBn2d extends convBnMixin(FloatConv2d, BatchNorm2d, nni.ConvBn2d) {
  /** Same arguments as torch.ao.nn.intrinsic.qat.ConvBn2d: `(inChannels, outChannels, kernelSize, options)`, options with a required `qconfig`. */
  constructor(...args: QatConvBnArgs) {
    super(...args);
  }
}

/** Conv3d + BatchNorm3d for QAT, BN folded into the fake-quantized weight. */
export class ConvBn3d extends convBnMixin(FloatConv3d, BatchNorm3d, nni.ConvBn3d) {
  /** Same arguments as torch.ao.nn.intrinsic.qat.ConvBn3d: `(inChannels, outChannels, kernelSize, options)`, options with a required `qconfig`. */
  constructor(...args: QatConvBnArgs) {
    super(...args);
  }
}

/**
 * Appends ReLU to a QAT conv class (ConvReLU*d) or QAT ConvBn class (ConvBnReLU*d): `forward`
 * is relu of the base's, and `toFloat` appends a float ReLU. `float` is the float fused class
 * `fromFloat` accepts; `fusedFloat` the conv + relu module a ConvBnReLU's `toFloat` builds
 * around the BN-folded conv. @internal
 */
function withRelu<B extends Ctor<Module & { forward(input: Tensor): Tensor }>>(
  Base: B, float: ModuleClass, fusedFloat: QatConvBnStatics['_FUSED_FLOAT_MODULE'] = null,
): B {
  class WithReLU extends Base {
    static readonly _FLOAT_MODULE: ModuleClass = float;
    static readonly _FLOAT_RELU_MODULE: (new () => Module) | null = ReLU;
    static readonly _FUSED_FLOAT_MODULE = fusedFloat;
    static readonly _isFusedModule = true;
    override forward(input: Tensor): Tensor {
      return F.relu(super.forward(input));
    }
  }
  return WithReLU;
}

/** Conv1d + BatchNorm1d + ReLU for QAT. */
export class ConvBnReLU1d extends withRelu(ConvBn1d, nni.ConvBnReLU1d, nni.ConvReLU1d) {}

/**
 * Conv2d + BatchNorm2d + ReLU for QAT (what `prepareQat` makes of nni.ConvBnReLU2d).
 * @example const m = ConvBnReLU2d.fromFloat(fused); m.freezeBnStats();
 */
export class ConvBnReLU2d extends withRelu(ConvBn2d, nni.ConvBnReLU2d, nni.ConvReLU2d) {}

/** Conv3d + BatchNorm3d + ReLU for QAT. */
export class ConvBnReLU3d extends withRelu(ConvBn3d, nni.ConvBnReLU3d, nni.ConvReLU3d) {}

/** QAT Conv1d followed by ReLU (from nni.ConvReLU1d). */
export class ConvReLU1d extends withRelu(nnqat.Conv1d, nni.ConvReLU1d) {}

/**
 * QAT Conv2d followed by ReLU (from nni.ConvReLU2d).
 * @example const m = ConvReLU2d.fromFloat(new nni.ConvReLU2d(conv, new ReLU()));
 */
export class ConvReLU2d extends withRelu(nnqat.Conv2d, nni.ConvReLU2d) {}

/** QAT Conv3d followed by ReLU (from nni.ConvReLU3d). */
export class ConvReLU3d extends withRelu(nnqat.Conv3d, nni.ConvReLU3d) {}

const CONV_BN_CLASSES: ReadonlySet<unknown> = new Set([ConvBn1d, ConvBn2d, ConvBn3d, ConvBnReLU1d, ConvBnReLU2d, ConvBnReLU3d]);

/** For `model.apply(updateBnStats)`: lets the BN of QAT ConvBn modules update its statistics. */
export function updateBnStats(mod: Module): void {
  if (CONV_BN_CLASSES.has(mod.constructor)) (mod as ConvBn2d).updateBnStats();
}

/** For `model.apply(freezeBnStats)`: freezes the BN statistics of QAT ConvBn modules. */
export function freezeBnStats(mod: Module): void {
  if (CONV_BN_CLASSES.has(mod.constructor)) (mod as ConvBn2d).freezeBnStats();
}
