/** QAT LinearBn1d (torch.ao.nn.intrinsic.qat.LinearBn1d): Linear + BatchNorm1d with BN folding. */
import type { Tensor } from '@qtorch/qtensor';
import { BatchNorm1d, Linear as FloatLinear, type LinearOptions, type Module, Parameter } from '@qtorch/nn';
import * as F from '@qtorch/nn/functional';
import { checkFloatModule } from '@qtorch/nn-qat';
import * as nni from '../fused.js';
import { fuseLinearBnWeights } from '../fusion_math.js';
import { type BnFoldOptions, bnFoldMixin, bnFoldOptionsOf, fusedLayerAndBn, shareFloatParameters } from './bn_fold.js';

/** Options of LinearBn1d: Linear's, BN's and the (required) qconfig. */
export interface QatLinearBnOptions extends LinearOptions, BnFoldOptions {}

const LinearBnBase = bnFoldMixin(FloatLinear, {
  bn: BatchNorm1d,
  optionsIndex: 2,
  run: (_mod, input, weight, bias) => F.linear(input, weight, bias),
  outChannels: (mod) => (mod as FloatLinear).outFeatures,
});

/**
 * Linear followed by BatchNorm1d for QAT: the weight is scaled by the BN's
 * `gamma / sqrt(running_var + eps)` before fake quantization (see bn_fold.ts).
 * @example const m = new LinearBn1d(8, 4, { qconfig });
 */
export class LinearBn1d extends LinearBnBase {
  /** @internal The float module class `fromFloat` accepts (PyTorch's `_FLOAT_MODULE`). */
  static readonly _FLOAT_MODULE = nni.LinearBn1d;
  /** @internal Marks fused module classes (see `isFusedModule`). */
  static readonly _isFusedModule = true;

  /**
   * @param inFeatures - Size of each input sample.
   * @param outFeatures - Size of each output sample.
   * @param options - `qconfig` (required), `bias`, and the BatchNorm1d options (`eps`, `momentum`, `freezeBn`).
   */
  constructor(inFeatures: number, outFeatures: number, options: QatLinearBnOptions = {}) {
    super(inFeatures, outFeatures, options);
  }

  /** The QAT module of a float nni.LinearBn1d with a `qconfig`; parameters and buffers are shared. */
  static fromFloat(mod: Module): LinearBn1d {
    const qconfig = checkFloatModule(mod, nni.LinearBn1d, 'qat.LinearBn1d.fromFloat()');
    const [linear, bn] = fusedLayerAndBn<FloatLinear>(mod);
    const qat = new LinearBn1d(linear.inFeatures, linear.outFeatures, { bias: linear.bias !== null, ...bnFoldOptionsOf(bn), qconfig });
    shareFloatParameters(qat, linear, bn);
    return qat;
  }

  /**
   * Weight and bias with BN folded in by its running statistics (`fuseLinearBnWeights`),
   * detached: what the quantized Linear's `fromFloat` should quantize.
   */
  _foldedWeightBias(): [Tensor, Tensor] {
    const bn = this.bn;
    const [weight, bias] = fuseLinearBnWeights(this.weight, this.bias, bn.running_mean!, bn.running_var!, bn.eps, bn.weight!, bn.bias!);
    return [weight.detach(), bias.detach()];
  }

  /** A float Linear with the BN folded in (`fuseLinearBnWeights`, running statistics). */
  toFloat(): FloatLinear {
    const linear = new FloatLinear(this.inFeatures, this.outFeatures);
    const [weight, bias] = this._foldedWeightBias();
    linear.weight = new Parameter(weight);
    linear.bias = new Parameter(bias);
    linear.train(this.training);
    return linear;
  }
}
