/**
 * @qtorch/kernels-qnnpack: native INT8/FP32 GEMM kernels with qnnpack numerics (AVX-512 VNNI,
 * AVX-512BW, AVX2 and scalar paths chosen at run time). Importing it loads the addon and
 * registers its kernels into @qtorch/qtensor's registry: the quantized ops
 * (`NATIVE_QUANTIZED_OPS`: quantized::linear, conv2d, add, relu, ...) bit-exact with the
 * reference, and low-level GEMM entry points. Without the addon nothing is registered and
 * qtensor's reference kernels serve every op (`backendInfo()` says why).
 *
 * @example
 * ```ts
 * import { backendInfo, packWeights, qlinear } from '@qtorch/kernels-qnnpack';
 * const packed = packWeights(w, n, k);  // once
 * const y = qlinear(x, m, packed, { inputScale, inputZeroPoint, weightScales, outputScale, outputZeroPoint });
 * ```
 */
import * as qt from '@qtorch/qtensor';
import { setupAddon, type KernelsApi, type LoadResult } from '../../kernels-common/ts/index.js';
import { loadNative } from './native.js';

export { loadNative, packageRoot } from './native.js';
export {
  NATIVE_KERNEL_OPS,
  NATIVE_QUANTIZED_OPS,
  type BackendInfo,
  type Isa,
  type KernelsApi,
  type LoadResult,
  type NativeBinding,
  type PackedWeights,
  type QLinearDynamicOptions,
  type QLinearOptions,
} from '../../kernels-common/ts/index.js';

/** The engine whose numerics this package implements. */
export const ENGINE = 'qnnpack' as const;

/** How the addon loaded (binding or null, and the reason). */
export const nativeLoad: LoadResult = loadNative();

const api: KernelsApi = setupAddon(qt, ENGINE, nativeLoad);

/**
 * The kernel API (see `KernelsApi` for each function): `backendInfo`, `setIsa`, `detectedIsa`,
 * `numThreads`, `setNumThreads`, `packWeights`, `qgemmS32`, `qlinear` (this engine's
 * requantization), `qlinearDynamic`, `sgemm`, `sgemmStrided`, `im2colF32`, `quantizeInto`, `dequantizeInto`.
 */
// Each export is typed as its KernelsApi member so the declaration emitter names the types through
// the import above: inferred from a destructuring it reached them by a node_modules/@qtorch/
// kernels-common path, which made the .d.ts bundle duplicate them and, intermittently, fail to parse.
export const backendInfo: KernelsApi['backendInfo'] = api.backendInfo;
export const setIsa: KernelsApi['setIsa'] = api.setIsa;
export const detectedIsa: KernelsApi['detectedIsa'] = api.detectedIsa;
export const numThreads: KernelsApi['numThreads'] = api.numThreads;
export const setNumThreads: KernelsApi['setNumThreads'] = api.setNumThreads;
export const packWeights: KernelsApi['packWeights'] = api.packWeights;
export const qgemmS32: KernelsApi['qgemmS32'] = api.qgemmS32;
export const qlinear: KernelsApi['qlinear'] = api.qlinear;
export const qlinearDynamic: KernelsApi['qlinearDynamic'] = api.qlinearDynamic;
export const sgemm: KernelsApi['sgemm'] = api.sgemm;
export const sgemmStrided: KernelsApi['sgemmStrided'] = api.sgemmStrided;
export const im2colF32: KernelsApi['im2colF32'] = api.im2colF32;
export const quantizeInto: KernelsApi['quantizeInto'] = api.quantizeInto;
export const dequantizeInto: KernelsApi['dequantizeInto'] = api.dequantizeInto;
