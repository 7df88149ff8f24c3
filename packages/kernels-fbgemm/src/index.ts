/**
 * @qtorch/kernels-fbgemm: native INT8/FP32 GEMM kernels with fbgemm numerics (AVX-512 VNNI,
 * AVX-512BW, AVX2 and scalar paths chosen at run time). Importing it loads the addon and
 * registers its kernels into @qtorch/qtensor's registry: the quantized ops
 * (`NATIVE_QUANTIZED_OPS`: quantized::linear, conv2d, add, relu, ...) bit-exact with the
 * reference, and low-level GEMM entry points. Without the addon nothing is registered and
 * qtensor's reference kernels serve every op (`backendInfo()` says why).
 *
 * @example
 * ```ts
 * import { backendInfo, packWeights, qlinear } from '@qtorch/kernels-fbgemm';
 * const packed = packWeights(w, n, k);  // once
 * const y = qlinear(x, m, packed, { inputScale, inputZeroPoint, weightScales, outputScale, outputZeroPoint });
 * ```
 */
import * as qt from '@qtorch/qtensor';
// Every type the API's signatures use is imported here (not only re-exported): the declaration
// emitter then names them locally instead of reaching kernels-common through
// node_modules/@qtorch/kernels-common, which made the .d.ts bundle duplicate them, import a
// missing './binding.js' and intermittently fail to parse (tools/dist-check guards this).
import {
  setupAddon,
  type BackendInfo,
  type Bytes8,
  type Engine,
  type FloatActivationKind,
  type Isa,
  type KernelsApi,
  type LoadResult,
  type PackedWeights,
  type QLinearDynamicOptions,
  type QLinearOptions,
  type RnnCellKind,
  type RnnDynamicLayerResult,
  type RnnFloatLayerArgs,
  type RnnLayerStates,
  type SGemmPackedB,
  type WeightScales,
} from '../../kernels-common/ts/index.js';
import { loadNative } from './native.js';

export { loadNative, packageRoot } from './native.js';
export { NATIVE_KERNEL_OPS, NATIVE_QUANTIZED_OPS, type NativeBinding } from '../../kernels-common/ts/index.js';
export type {
  BackendInfo, Bytes8, Engine, FloatActivationKind, Isa, KernelsApi, LoadResult, PackedWeights, QLinearDynamicOptions, QLinearOptions, RnnCellKind, RnnDynamicLayerResult,
  RnnFloatLayerArgs, RnnLayerStates, SGemmPackedB, WeightScales,
};

/** The engine whose numerics this package implements. */
export const ENGINE = 'fbgemm' as const;

/** How the addon loaded (binding or null, and the reason). */
export const nativeLoad: LoadResult = loadNative();

const api: KernelsApi = setupAddon(qt, ENGINE, nativeLoad);

/**
 * The kernel API (see `KernelsApi` for each function): `backendInfo`, `setIsa`, `detectedIsa`,
 * `numThreads`, `setNumThreads`, `packWeights`, `qgemmS32`, `qlinear` (this engine's
 * requantization), `qlinearDynamic`, `sgemm`, `sgemmStrided`, `sgemmPackBT`, `sgemmPrepacked`, `im2colF32`, `rnnLayerFloat`, `floatActivation`, `quantizeInto`, `dequantizeInto`.
 */
export const { backendInfo, setIsa, detectedIsa, numThreads, setNumThreads, packWeights, qgemmS32, qlinear, qlinearDynamic, sgemm, sgemmStrided, sgemmPackBT, sgemmPrepacked, im2colF32, rnnLayerFloat, floatActivation, quantizeInto, dequantizeInto } = api;
