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
import { createKernelsApi, registerNativeKernels, registerNativeOps, type KernelsApi, type LoadResult } from '../../kernels-common/ts/index.js';
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

const api: KernelsApi = createKernelsApi(ENGINE, nativeLoad);
registerNativeKernels(qt.registerKernel, ENGINE, api, nativeLoad);
// The quantized ops (quantized::linear, conv2d, add, ...) under the reference kernels' names.
registerNativeOps(qt, ENGINE, nativeLoad);

/** `{ engine, native, isa, reason }`: which path serves the kernels and why. */
export const backendInfo = api.backendInfo;
/** Forces an ISA level ('scalar' | 'avx2' | 'avx512' | 'avx512vnni'); RangeError if the CPU lacks it. */
export const setIsa = api.setIsa;
/** Highest ISA level this CPU supports. */
export const detectedIsa = api.detectedIsa;
/** Threads of the intra-op pool (default: `QTORCH_NUM_THREADS`, else the CPU count). */
export const numThreads = api.numThreads;
/** Sets the intra-op thread count; results are identical for any count. Returns the previous one. */
export const setNumThreads = api.setNumThreads;
/** Packs N x K int8 weights once (opaque handle, `unpack()` gives them back). */
export const packWeights = api.packWeights;
/** int32 accumulators `sum_k (x - zx) * (w - zw)`. */
export const qgemmS32 = api.qgemmS32;
/** Static quantized linear (quint8 in/out) with qnnpack requantization. */
export const qlinear = api.qlinear;
/** Dynamic quantized linear: float32 output `float(acc) * sx * sw + bias`. */
export const qlinearDynamic = api.qlinearDynamic;
/** float32 `a * b^T + bias` (a: m x k, b: n x k). */
export const sgemm = api.sgemm;
