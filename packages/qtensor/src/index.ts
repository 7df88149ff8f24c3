/**
 * @qtorch/qtensor: tensors (float and quantized), autograd, ops, the kernel registry and
 * engines, and serialization. The `torch` namespace of qtorch.
 *
 * @example
 * ```ts
 * import { tensor, quint8 } from '@qtorch/qtensor';
 * const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * x.mul(x).sum().backward();
 * ```
 */
export * from './dtype.js';
export * from './errors.js';
export * from './shape.js';
export * from './strided.js';
export { Tensor, isTensor, type TensorLike, type Storage } from './tensor.js';
export * from './autograd.js';
export * from './random.js';
export * from './creation.js';
export * from './views.js';
export * from './quantizer.js';
export * from './registry.js';
export { floatToHalfBits, halfBitsToFloat } from './half.js';
export * from './gradcheck.js';
export * from './quantized/qschemes.js';
export * from './quantized/checks.js';
export { _makePerTensorQuantizedTensor, _makePerChannelQuantizedTensor, emptyAffineQuantized, _emptyPerChannelAffineQuantized, type QparamList, type EmptyAffineQuantizedOptions, type EmptyPerChannelOptions } from './quantized/make.js';
export * from './quantized/quantize.js';
export * from './quantized/accessors.js';
export * from './quantized/choose_qparams.js';
export * from './nn/activation.js';
export * from './nn/softmax.js';
export * from './nn/norm.js';
export * from './nn/loss.js';
export * from './nn/embedding.js';
export * from './nn/dropout.js';
export type { Reduction } from './nn/float_io.js';
export * from './quantized/fake_quantize.js';
export * from './quantized/dispatch.js';
export * from './quantized/reduce.js';
export * from './quantized/tensor_ops.js';
export * from './nn/geometry.js';
export * from './nn/linalg.js';
export * from './nn/conv.js';
export * from './quantized/ops/index.js';
export * from './nn/pool.js';
export * from './nn/pad.js';
export * from './nn/interpolate.js';
export * from './ops/reduce/index.js';
export * from './serialize/index.js';
export * from './format/index.js';
export * from './ops/elementwise/index.js';
export * from './fx_hook.js';
export * from './args.js';
export * from './async/index.js';
export {
  FLOAT_ACTIVATION_OP, FLOAT_GEMM_OP, FLOAT_IM2COL_OP, FLOAT_PACK_OP, FLOAT_PREPACKED_GEMM_OP, FLOAT_RNN_LAYER_OP, nativeFloatGemm, nativeFloatIm2col, nativeFloatPack,
  nativeFloatActivation, nativeFloatPrepackedGemm, nativeFloatRnnLayer, type FloatActivationKernel, type FloatGemmKernel, type FloatIm2colKernel, type FloatPackKernel, type FloatPackedWeight,
  type FloatPrepackedGemmKernel, type FloatRnnLayerArgs, type FloatRnnLayerKernel,
} from './nn/native_gemm.js';
export { PackedLinearWeight, linearPacked, packLinearWeight } from './nn/linear_packed.js';
export { NATIVE_GEMM_MIN_MACS } from './nn/gemm.js';
