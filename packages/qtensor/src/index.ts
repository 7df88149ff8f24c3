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
