/**
 * @qtorch/nn-qat: quantization-aware-training modules (torch.ao.nn.qat). Float modules whose
 * weights pass through a fake quantizer built from `qconfig.weight()`; `fromFloat` converts a
 * float module carrying a `qconfig`, `toFloat` goes back.
 *
 * @example
 * ```ts
 * import { Linear as FloatLinear } from '@qtorch/nn';
 * import { Linear } from '@qtorch/nn-qat';
 * import { getDefaultQatQconfig } from '@qtorch/quantization';
 * const fc = Object.assign(new FloatLinear(4, 2), { qconfig: getDefaultQatQconfig('qnnpack') });
 * const qat = Linear.fromFloat(fc);
 * ```
 */
export * from './qconfig.js';
export * from './linear.js';
export * from './conv.js';
export * from './embedding.js';
export { fxLeafModules } from './fx_leaves.js';
