/**
 * Registration into qtensor's kernel registry (source 'native') when an addon loads: the
 * low-level `kernels::*` entry points and the quantized ops under the reference kernels' names,
 * so `getKernel(op, engine)` dispatches to native code transparently. Without the binary nothing
 * is registered and the reference serves every op.
 */
import type { KernelsApi } from './api.js';
import type { Engine, NativeBinding } from './binding.js';
import type { LoadResult } from './load.js';
import type { OpContext } from './ops/common.js';
import { nativeConv } from './ops/conv.js';
import { nativeAdd, nativeDequantize, nativeMul, nativeQuantizePerTensor, nativeRelu } from './ops/elementwise.js';
import { nativeActivation, nativeClamp, nativeElu, nativeLeakyRelu, nativeRelu6, nativeScalarOp, nativeThreshold } from './ops/activation.js';
import { nativeAdaptiveAvgPool2d, nativeAvgPool2d, nativeMaxPool1d, nativeMaxPool2d } from './ops/pool.js';
import { nativeLinear, nativeLinearDynamic, nativeLinearDynamicFp16 } from './ops/linear.js';
import { nativeRnnDynamicLayer } from './ops/rnn.js';
import { NativeWeightCache } from './ops/weights.js';
import type { QtensorApi, RegisterKernelFn } from './qtensor_api.js';

/**
 * Low-level kernels this package registers: op, the {@link KernelsApi} function serving it (its
 * contract), and the binding function it needs.
 */
const KERNELS: ReadonlyArray<readonly [string, keyof KernelsApi, keyof NativeBinding]> = [
  ['kernels::qgemm_s32', 'qgemmS32', 'qgemmS32'],
  ['kernels::qlinear', 'qlinear', 'qlinear'],
  ['kernels::qlinear_dynamic', 'qlinearDynamic', 'qlinearDynamic'],
  ['kernels::sgemm', 'sgemm', 'sgemm'],
  ['kernels::sgemm_strided', 'sgemmStrided', 'sgemmStrided'],
  ['kernels::im2col_f32', 'im2colF32', 'im2colF32'],
  ['kernels::sgemm_pack_bt', 'sgemmPackBT', 'sgemmPackBT'],
  ['kernels::sgemm_prepacked', 'sgemmPrepacked', 'sgemmPrepacked'],
  ['kernels::rnn_float_layer', 'rnnLayerFloat', 'rnnLayerFloat'],
  ['kernels::float_activation', 'floatActivation', 'floatActivation'],
  ['kernels::quantize_per_tensor', 'quantizeInto', 'quantizePerTensor'],
  ['kernels::dequantize', 'dequantizeInto', 'dequantize'],
];

/** Low-level kernels this package registers (their contracts are the {@link KernelsApi} signatures). */
export const NATIVE_KERNEL_OPS: readonly string[] = KERNELS.map(([op]) => op);

type Impl = (...args: never[]) => unknown;
type OpFactory = (ctx: OpContext, weights: NativeWeightCache) => Impl;

/** op name -> factory of its native implementation (one weight cache per addon). */
const QUANTIZED_OPS: ReadonlyArray<[string, OpFactory]> = [
  ['quantized::linear', (c, w) => nativeLinear(c, w, false)],
  ['quantized::linear_relu', (c, w) => nativeLinear(c, w, true)],
  ['quantized::linear_dynamic', (c, w) => nativeLinearDynamic(c, w, false)],
  ['quantized::linear_relu_dynamic', (c, w) => nativeLinearDynamic(c, w, true)],
  ['quantized::linear_dynamic_fp16', (c) => nativeLinearDynamicFp16(c)],
  ['quantized::conv1d', (c, w) => nativeConv(c, w, 1, false)],
  ['quantized::conv1d_relu', (c, w) => nativeConv(c, w, 1, true)],
  ['quantized::conv2d', (c, w) => nativeConv(c, w, 2, false)],
  ['quantized::conv2d_relu', (c, w) => nativeConv(c, w, 2, true)],
  ['quantized::add', (c) => nativeAdd(c, false)],
  ['quantized::add_relu', (c) => nativeAdd(c, true)],
  ['quantized::relu', (c) => nativeRelu(c)],
  ['aten::quantize_per_tensor', (c) => nativeQuantizePerTensor(c)],
  ['aten::dequantize', (c) => nativeDequantize(c)],
  ['quantized::mul', (c) => nativeMul(c, false)],
  ['quantized::mul_relu', (c) => nativeMul(c, true)],
  ['quantized::add_scalar', (c) => nativeScalarOp(c, 'quantized::add_scalar')],
  ['quantized::add_scalar_relu', (c) => nativeScalarOp(c, 'quantized::add_scalar_relu')],
  ['quantized::mul_scalar', (c) => nativeScalarOp(c, 'quantized::mul_scalar')],
  ['quantized::mul_scalar_relu', (c) => nativeScalarOp(c, 'quantized::mul_scalar_relu')],
  ['quantized::hardswish', (c) => nativeActivation(c, 'hardswish')],
  ['quantized::hardsigmoid', (c) => nativeActivation(c, 'hardsigmoid')],
  ['quantized::sigmoid', (c) => nativeActivation(c, 'sigmoid')],
  ['quantized::tanh', (c) => nativeActivation(c, 'tanh')],
  ['quantized::leaky_relu', (c) => nativeLeakyRelu(c)],
  ['quantized::elu', (c) => nativeElu(c, 'elu')],
  ['quantized::celu', (c) => nativeElu(c, 'celu')],
  ['quantized::threshold', (c) => nativeThreshold(c)],
  ['quantized::clamp', (c) => nativeClamp(c)],
  ['quantized::relu6', (c) => nativeRelu6(c)],
  ['quantized::max_pool2d', (c) => nativeMaxPool2d(c)],
  ['quantized::avg_pool2d', (c) => nativeAvgPool2d(c)],
  ['quantized::adaptive_avg_pool2d', (c) => nativeAdaptiveAvgPool2d(c)],
  ['quantized::max_pool1d', (c) => nativeMaxPool1d(c)],
  ['qtorch::rnn_dynamic_layer', (c, w) => nativeRnnDynamicLayer(c, w)],
];

/** Binding functions the quantized ops call: a binary built from older sources lacks some. */
const REQUIRED_FUNCTIONS = ['qlinear', 'linearDynamic', 'minMax', 'qconv2d', 'qadd', 'qrelu', 'quantizePerTensor', 'dequantize',
  'qmul', 'qactivation', 'qlut', 'qmaxPool2d', 'qavgPool2d', 'qadaptiveAvgPool2d', 'rnnLayerDynamic', 'rnnLayerDynamicProjected', 'sgemm'] as const;

/** The binding functions the quantized ops need that `binding` lacks (empty when complete). */
export function missingOpFunctions(binding: NativeBinding): string[] {
  return REQUIRED_FUNCTIONS.filter((f) => typeof (binding as unknown as Record<string, unknown>)[f] !== 'function');
}

/** Names of the quantized ops an addon registers natively. */
export const NATIVE_QUANTIZED_OPS: readonly string[] = QUANTIZED_OPS.map(([op]) => op);

/**
 * Registers the low-level kernels into qtensor's registry (no-op without the addon). A kernel
 * whose binding function the loaded binary lacks (a stale build) is left out: qtensor's float
 * hooks then keep the TypeScript loops instead of throwing.
 */
export function registerNativeKernels(registerKernel: RegisterKernelFn, engine: Engine, api: KernelsApi, load: LoadResult): void {
  const binding = load.binding as unknown as Record<string, unknown> | null;
  if (!binding) return;
  for (const [op, fn, needs] of KERNELS) {
    if (typeof binding[needs] !== 'function') continue;
    // replace: an ESM and a CJS copy of one addon in a process register the same kernels.
    registerKernel({ op, engine, source: 'native', impl: api[fn] as Impl }, { replace: true });
  }
}

/**
 * Registers the native quantized ops of `engine` into qtensor's registry. No-op without the
 * addon, or with a binary that lacks their entry points (a stale build): the reference runs.
 */
export function registerNativeOps(qt: QtensorApi, engine: Engine, load: LoadResult): void {
  if (!load.binding || missingOpFunctions(load.binding).length > 0) return;
  const ctx: OpContext = { binding: load.binding, engine, qt };
  const weights = new NativeWeightCache(load.binding, qt);
  for (const [op, make] of QUANTIZED_OPS) qt.registerKernel({ op, engine, source: 'native', impl: make(ctx, weights) }, { replace: true });
}
