/**
 * What each addon package does when imported: build the typed API over its load result and
 * register its kernels (low-level GEMM entry points and the quantized ops) with qtensor's
 * registry under its engine. Both @qtorch/kernels-fbgemm and @qtorch/kernels-qnnpack call it.
 */
import { createKernelsApi, type KernelsApi } from './api.js';
import type { Engine } from './binding.js';
import type { LoadResult } from './load.js';
import type { QtensorApi } from './qtensor_api.js';
import { registerNativeKernels, registerNativeOps } from './register.js';

/**
 * Loads nothing itself: takes the addon's load result, registers with `qt` (@qtorch/qtensor,
 * passed in because kernels-common does not depend on it), and returns the API.
 */
export function setupAddon(qt: QtensorApi, engine: Engine, nativeLoad: LoadResult): KernelsApi {
  const api = createKernelsApi(engine, nativeLoad);
  registerNativeKernels(qt.registerKernel, engine, api, nativeLoad);
  // The quantized ops (quantized::linear, conv2d, add, ...) under the reference kernels' names.
  registerNativeOps(qt, engine, nativeLoad);
  return api;
}
