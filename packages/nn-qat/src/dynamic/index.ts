/**
 * @qtorch/nn-qat/dynamic: QAT modules for dynamically quantized targets
 * (torch.ao.nn.qat.dynamic).
 *
 * @example
 * ```ts
 * import { Linear } from '@qtorch/nn-qat/dynamic';
 * import { defaultDynamicQatQconfig } from '@qtorch/quantization';
 * const fc = new Linear(16, 8, { qconfig: defaultDynamicQatQconfig });
 * ```
 */
export * from './linear.js';
export { fxLeafModules } from '../fx_leaves.js';
