/** QAT Linear (torch.ao.nn.qat.Linear): a float Linear whose weight passes through `weight_fake_quant`. */
import type { Tensor } from '@qtorch/qtensor';
import { Linear as FloatLinear, type LinearOptions, type Module, type ModuleClass, Parameter, Sequential } from '@qtorch/nn';
import * as F from '@qtorch/nn/functional';
import { type QConfigLike, type QconfigOption, checkFloatModule, checkQconfig, makeWeightFakeQuant } from './qconfig.js';
import { checkOptions } from '@qtorch/qtensor';

/** Options of the QAT Linear: Linear's plus the (required) `qconfig`. */
export interface QatLinearOptions extends LinearOptions, QconfigOption {}

/** A QAT Linear class: its constructor and the float class `fromFloat` accepts. @internal */
export type QatLinearClass<T extends Linear = Linear> = (new (inFeatures: number, outFeatures: number, options?: QatLinearOptions) => T) & {
  readonly _FLOAT_MODULE: ModuleClass;
};

/**
 * A Linear with fake-quantized weights for quantization-aware training:
 * `y = x fq(W)^T + b`, where `fq = qconfig.weight()` is the child `weight_fake_quant`. Output
 * fake quantization is attached by `prepareQat`, as in PyTorch.
 * @example
 * const fc = new Linear(4, 2, { qconfig: getDefaultQatQconfig('qnnpack') });
 * const y = fc.call(randn([3, 4]));
 */
export class Linear extends FloatLinear {
  /** The float module `fromFloat` converts (PyTorch's `_FLOAT_MODULE`). */
  static readonly _FLOAT_MODULE: ModuleClass = FloatLinear;
  /** The qconfig whose weight fake quantizer the weight passes through. */
  qconfig: QConfigLike;
  /** Fake quantizer of the weight (a child module, state-dict prefix `weight_fake_quant.`). */
  weight_fake_quant: Module;

  /**
   * @param inFeatures - Size of each input sample.
   * @param outFeatures - Size of each output sample.
   * @param options - `qconfig` (required) and `bias`.
   * @throws QTorchValueError when no qconfig is given.
   */
  constructor(inFeatures: number, outFeatures: number, options: QatLinearOptions = {}) {
    checkOptions(options, new.target.name);
    super(inFeatures, outFeatures, options);
    this.qconfig = checkQconfig(options.qconfig, new.target.name);
    this.weight_fake_quant = makeWeightFakeQuant(this.qconfig, new.target.name);
  }

  override forward(input: Tensor): Tensor {
    return F.linear(input, this.weight_fake_quant.call(this.weight), this.bias);
  }

  /**
   * The QAT module of a float Linear (or of a fused float module for subclasses) carrying a
   * `qconfig`; the weight and bias Parameters are shared, not copied (as PyTorch does).
   */
  static fromFloat<T extends Linear>(this: QatLinearClass<T>, mod: Module): T {
    const qconfig = checkFloatModule(mod, this._FLOAT_MODULE, `qat.${this.name}.fromFloat()`);
    // a fused float module (LinearReLU, ...) holds the Linear first
    const linear = (mod instanceof Sequential ? mod.at(0) : mod) as FloatLinear;
    const qat = new this(linear.inFeatures, linear.outFeatures, { bias: linear.bias !== null, qconfig });
    qat.weight = linear.weight;
    qat.bias = linear.bias;
    return qat;
  }

  /** A float `nn.Linear` with this module's weight and bias (detached, sharing storage as PyTorch's `to_float` does) and training mode. */
  toFloat(): Module {
    return this.toFloatLinear();
  }

  /** The float Linear of `toFloat()`; fused subclasses wrap it. @internal */
  protected toFloatLinear(): FloatLinear {
    const linear = new FloatLinear(this.inFeatures, this.outFeatures, { bias: this.bias !== null });
    linear.weight = new Parameter(this.weight.detach());
    if (this.bias) linear.bias = new Parameter(this.bias.detach());
    linear.train(this.training);
    return linear;
  }
}
