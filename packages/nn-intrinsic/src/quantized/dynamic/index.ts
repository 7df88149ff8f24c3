/**
 * @qtorch/nn-intrinsic/quantized/dynamic: dynamically quantized fused modules
 * (torch.ao.nn.intrinsic.quantized.dynamic): LinearReLU.
 *
 * @example
 * ```ts
 * import { LinearReLU } from '@qtorch/nn-intrinsic/quantized/dynamic';
 * const q = LinearReLU.fromFloat(fusedLinearReluWithDynamicQconfig);
 * const y = q.call(x);   // float in, float out
 * ```
 */
export * from './linear_relu.js';
export { fxLeafModules } from '../../fx_leaves.js';
