/**
 * @qtorch/nn-quantized: quantized modules (torch.ao.nn.quantized). Subpaths:
 * `@qtorch/nn-quantized/functional` (torch.ao.nn.quantized.functional) and
 * `@qtorch/nn-quantized/dynamic` (torch.ao.nn.quantized.dynamic).
 *
 * Each module takes the float module's constructor arguments, runs on quantized tensors, holds
 * quantized (packed) weights and is built from an observed float module by `fromFloat`.
 *
 * @example
 * ```ts
 * import { Linear } from '@qtorch/nn-quantized';
 * import { quantizePerTensor, quint8, randn } from '@qtorch/qtensor';
 * const fc = new Linear(4, 2);                          // weights: setWeightBias(qweight, bias)
 * const y = fc.call(quantizePerTensor(randn([3, 4]), 0.05, 128, quint8));
 * ```
 */
export * from './modules/index.js';
// Float modules that run on quantized tensors as they are (torch.nn.quantized re-exports MaxPool2d).
export { MaxPool2d } from '@qtorch/nn';
export { fxLeafModules } from './fx_leaves.js';
