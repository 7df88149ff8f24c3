/**
 * Module-level batch-norm folding for eval-mode fusion (torch.nn.utils.fusion's
 * `fuse_conv_bn_eval` / `fuse_linear_bn_eval`): a copy of the conv / linear whose output
 * equals `bn(layer(x))` with the BN's running statistics. `fuseModules` uses these.
 */
import { QTorchValueError } from '@qtorch/qtensor';
import { type Linear, type _BatchNorm, type _ConvNd, deepcopy, moduleName } from '@qtorch/nn';
import { type FuseConvBnWeightsOptions, fuseConvBnWeights, fuseLinearBnWeights } from './fusion_math.js';

function checkEval(op: string, layer: _ConvNd | Linear, bn: _BatchNorm): void {
  if (layer.training || bn.training) {
    const which = [layer, bn].filter((m) => m.training).map(moduleName).join(' and ');
    throw new QTorchValueError(`${op}(): Fusion only for eval! ${which} is in training mode; call .eval() first`);
  }
  if (!bn.running_mean || !bn.running_var) {
    throw new QTorchValueError(`${op}(): the batch norm has no running statistics (trackRunningStats: false); nothing to fold`);
  }
}

/**
 * A deep copy of `conv` with `bn` folded in (both must be in eval mode).
 * @example const fused = fuseConvBnEval(conv.eval(), bn.eval());
 */
export function fuseConvBnEval<C extends _ConvNd>(conv: C, bn: _BatchNorm, options: FuseConvBnWeightsOptions = {}): C {
  checkEval('fuseConvBnEval', conv, bn);
  const fused = deepcopy(conv);
  [fused.weight, fused.bias] = fuseConvBnWeights(fused.weight, fused.bias, bn.running_mean!, bn.running_var!, bn.eps, bn.weight, bn.bias, options);
  return fused;
}

/**
 * A deep copy of `linear` with `bn` (a BatchNorm1d over its outputs) folded in; eval mode only.
 * @example const fused = fuseLinearBnEval(fc.eval(), bn.eval());
 */
export function fuseLinearBnEval<L extends Linear>(linear: L, bn: _BatchNorm): L {
  checkEval('fuseLinearBnEval', linear, bn);
  if (!bn.weight || !bn.bias) throw new QTorchValueError('fuseLinearBnEval(): the batch norm must be affine (weight and bias)');
  const fused = deepcopy(linear);
  [fused.weight, fused.bias] = fuseLinearBnWeights(fused.weight, fused.bias, bn.running_mean!, bn.running_var!, bn.eps, bn.weight, bn.bias);
  return fused;
}
