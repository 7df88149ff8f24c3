/**
 * The TypeScript face of the shared native kernels. Each addon imports this file by relative
 * path and tsup bundles it into the addon's dist (it is not published as part of
 * kernels-common, which ships C++ only): loading with fallback, typed wrappers over the N-API
 * functions, the native quantized ops and their registration into qtensor's kernel registry.
 * The addons only supply their package root, engine and qtensor, so the two stay identical by
 * construction.
 */
export type { ActivationKind, AvgPool2dGeometry, Bytes8, Conv2dGeometry, Engine, MaxPool2dGeometry, Isa, NativeBinding, PackedWeights, WeightScales } from './binding.js';
export { loadNativeFrom, type LoadResult } from './load.js';
export { createKernelsApi, type BackendInfo, type KernelsApi, type QLinearDynamicOptions, type QLinearOptions, type SGemmPackedB } from './api.js';
export type { QtensorApi, RegisterKernelFn } from './qtensor_api.js';
export { NATIVE_KERNEL_OPS, NATIVE_QUANTIZED_OPS, missingOpFunctions, registerNativeKernels, registerNativeOps } from './register.js';
export { setupAddon } from './addon.js';
export type { FloatActivationKind } from './ops/activation.js';
export { RNN_CELLS, type RnnCellKind, type RnnDynamicLayerArgs, type RnnDynamicLayerResult, type RnnFloatLayerArgs, type RnnLayerStates } from './ops/rnn.js';
