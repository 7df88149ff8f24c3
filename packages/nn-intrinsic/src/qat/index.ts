/**
 * @qtorch/nn-intrinsic/qat: fused modules for quantization-aware training
 * (torch.ao.nn.intrinsic.qat): ConvBn*, ConvBnReLU* (batch norm folded into the fake-quantized
 * weight), ConvReLU*, LinearReLU, LinearBn1d, and `freezeBnStats` / `updateBnStats`.
 *
 * @example
 * ```ts
 * import { ConvBnReLU2d, freezeBnStats } from '@qtorch/nn-intrinsic/qat';
 * const qat = ConvBnReLU2d.fromFloat(fused);   // fused: nni.ConvBnReLU2d with a qconfig
 * model.apply(freezeBnStats);                  // late in training
 * ```
 */
export * from './bn_fold.js';
export * from './conv_fused.js';
export * from './linear_relu.js';
export * from './linear_fused.js';
export { fxLeafModules } from '../fx_leaves.js';
