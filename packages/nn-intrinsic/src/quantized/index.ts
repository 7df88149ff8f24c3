/**
 * @qtorch/nn-intrinsic/quantized: quantized fused modules (torch.ao.nn.intrinsic.quantized):
 * LinearReLU, ConvReLU1d/2d/3d and BNReLU2d/3d, the ReLU folded into the requantization.
 *
 * @example
 * ```ts
 * import { ConvReLU2d } from '@qtorch/nn-intrinsic/quantized';
 * const q = ConvReLU2d.fromFloat(qatConvBnRelu);   // a prepared, trained QAT ConvBnReLU2d
 * ```
 */
export * from './linear_relu.js';
export * from './conv_relu.js';
export * from './bn_relu.js';
export { fxLeafModules } from '../fx_leaves.js';
