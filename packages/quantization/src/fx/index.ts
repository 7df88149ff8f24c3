/**
 * @qtorch/quantization/fx: FX graph mode quantization (torch.ao.quantization.quantize_fx and
 * torch.ao.quantization.fx / backend_config): the model is traced into a graph, fused,
 * observed where its qconfigs say, and converted to quantized modules and ops.
 *
 * @example
 * ```ts
 * import { prepareFx, convertFx } from '@qtorch/quantization/fx';
 * import { getDefaultQconfigMapping } from '@qtorch/quantization';
 * const prepared = prepareFx(model.eval(), getDefaultQconfigMapping('qnnpack'), { exampleInputs: [x] });
 * for (const batch of calibration) prepared.call(batch);
 * const quantized = convertFx(prepared);
 * ```
 */
export { fuseFx, prepareFx, prepareQatFx, convertFx, convertToReferenceFx, type FuseFxOptions, type PrepareFxOptions, type ConvertFxOptions } from './quantize_fx.js';
export {
  BackendConfig, BackendPatternConfig, DTypeConfig, ObservationType, type DTypeConfigOptions, type Pattern, type FuserMethod, type InputTypeToIndex,
} from './backend_config/backend_config.js';
export {
  getNativeBackendConfig, getFbgemmBackendConfig, getQnnpackBackendConfig, weightedOpInt8DtypeConfig, defaultOpQuint8DtypeConfig,
  defaultOpFp16DtypeConfig, defaultDynamicInt8DtypeConfig, defaultDynamicFloat16DtypeConfig, inputOutputOnlyQuint8DtypeConfig,
  weightOnlyQuint8DtypeConfig, weightOnlyQuint4x2DtypeConfig,
} from './backend_config/native.js';
export { reverseSequentialWrapper2, reverse2, reverse3 } from './backend_config/fuser_methods.js';
export {
  PrepareCustomConfig, ConvertCustomConfig, FuseCustomConfig, QuantType, type StandaloneModuleConfigEntry, type ObservedCustomModuleClass,
  type QuantizedCustomModuleClass, type PrepareCustomConfigDict, type ConvertCustomConfigDict, type FuseCustomConfigDict,
} from './custom_config.js';
export { QuantizationTracer, type QuantizationTracerOptions, type Scope, type NodeNameToScope } from './tracer.js';
export * as nnqr from './reference_modules.js';
export { registerQuantizationModules, ConvPackedParamsModule } from './registration.js';
export { QConfigMapping, getDefaultQconfigMapping, getDefaultQatQconfigMapping } from '../qconfig/qconfig_mapping.js';
