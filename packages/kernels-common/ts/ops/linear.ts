/**
 * Native `quantized::linear(_relu)` and `quantized::linear(_relu)_dynamic`, with the reference
 * kernels' signatures (qtensor src/quantized/ops/linear.ts) and bit-exact results.
 */
import type { LinearFp16PackedLike, LinearPackedLike, QTensor } from '../qtensor_api.js';
import { type OpContext, dynamicQparams, isFloat32, readInput8, withFallback, wrapQuantized } from './common.js';
import type { NativeWeightCache } from './weights.js';

const outShape = (x: QTensor, n: number): number[] => [...x.shape.slice(0, -1), n];

/** `quantized::linear` / `linear_relu`: (x, packed, outScale, outZeroPoint) -> quantized tensor. */
export function nativeLinear(ctx: OpContext, weights: NativeWeightCache, relu: boolean) {
  const op = relu ? 'quantized::linear_relu' : 'quantized::linear';
  return withFallback(ctx, op, (x: QTensor, packed: LinearPackedLike, outScale: number, outZeroPoint: number) => {
    const xi = readInput8(x);
    const k = packed.inFeatures;
    if (!xi || k === 0) return null;
    const m = xi.ints.length / k;
    const y = ctx.binding.qlinear(xi.ints, m, xi.zeroPoint, weights.linear(packed), xi.scale, packed.weight.scales, packed.bias,
      outScale, outZeroPoint, relu);
    return wrapQuantized(ctx.qt, y, outShape(x, packed.outFeatures), x.dtype, outScale, outZeroPoint);
  });
}

/**
 * `quantized::linear_dynamic` / `linear_relu_dynamic`: (x, packed, reduceRange) -> float32.
 * The input range comes from a native scan, the qparams from qtensor's
 * `chooseQuantizationParams` (fbgemm honours reduceRange, qnnpack ignores it, as the reference),
 * then quantization, GEMM and the float output stage run in one native call.
 */
export function nativeLinearDynamic(ctx: OpContext, weights: NativeWeightCache, relu: boolean) {
  const op = relu ? 'quantized::linear_relu_dynamic' : 'quantized::linear_dynamic';
  return withFallback(ctx, op, (x: QTensor, packed: LinearPackedLike, reduceRange: boolean) => {
    const k = packed.inFeatures;
    const xv = x.rawValues();
    if (!isFloat32(x.dtype) || !(xv instanceof Float32Array) || k === 0) return null;
    const qp = dynamicQparams(ctx, xv, reduceRange);
    const y = ctx.binding.linearDynamic(xv, xv.length / k, weights.linear(packed), qp.scale, qp.zeroPoint, packed.weight.scales,
      packed.bias, relu);
    return ctx.qt.Tensor.fromTypedArray(y, outShape(x, packed.outFeatures), ctx.qt.float32);
  });
}

/**
 * `quantized::linear_dynamic_fp16`: (x, packed, relu) -> float32, on the native float32 GEMM
 * (`x @ w^T + bias`). Float32 sums in another order than the reference's sequential loop, so
 * within float32 rounding of it, as PyTorch's fbgemm FP16 GEMM is.
 */
export function nativeLinearDynamicFp16(ctx: OpContext) {
  return withFallback(ctx, 'quantized::linear_dynamic_fp16', (x: QTensor, packed: LinearFp16PackedLike, relu: boolean) => {
    const [n, k] = packed.shape;
    const xv = x.rawValues();
    if (!isFloat32(x.dtype) || !(xv instanceof Float32Array) || k === 0 || n === 0) return null;
    // a zero bias without one: the reference adds 0 (turning -0 into +0)
    const y = ctx.binding.sgemm(xv, xv.length / k, k, packed.weight, n, packed.bias ?? new Float32Array(n));
    if (relu) for (let i = 0; i < y.length; i++) if (y[i]! < 0) y[i] = 0;  // -0 stays, as the reference's `v < 0 ? 0 : v`
    return ctx.qt.Tensor.fromTypedArray(y, outShape(x, n), ctx.qt.float32);
  });
}
