/** The quantized operator library (`torch.ops.quantized`), reference kernels registered on import. */
export * from './requantize.js';
export * from './packed_params.js';
export * from './output_stage.js';
export * from './linear.js';
export * from './conv.js';
export * from './activation.js';
export * from './binary.js';
export * from './cat.js';
export * from './pool.js';
export * from './norm.js';
export * from './interpolate.js';
export * from './embedding.js';
export * from './dropout.js';
export * from './register_reference.js';
