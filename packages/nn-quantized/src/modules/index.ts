/** The quantized modules (torch.ao.nn.quantized.modules). */
export { Quantize, DeQuantize } from './quantize.js';
export { FloatFunctional, FXFloatFunctional, QFunctional } from './functional_modules.js';
export { LinearPackedParams, Linear, type PackedLinearWeight, type QuantizedLinearOptions, type ReferenceLinearLike } from './linear.js';
export {
  _ConvNd, Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d, type QuantizedConvOptions, type QuantizedConvTransposeOptions,
} from './conv.js';
export { ReLU6, Hardswish, ELU, LeakyReLU, Sigmoid, Softmax } from './activation.js';
export {
  BatchNorm2d, BatchNorm3d, LayerNorm, GroupNorm, _InstanceNorm, InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, type QuantizedInstanceNormOptions,
} from './normalization.js';
export {
  EmbeddingPackedParams, Embedding, EmbeddingBag, type QuantizedEmbeddingOptions, type QuantizedEmbeddingBagOptions,
} from './embedding.js';
export { Dropout } from './dropout.js';
export { type ObserverLike, type QConfigLike, isObserverLike, quantizeWeight as _quantizeWeight } from './utils.js';
