/**
 * Float elementwise ops (torch's pointwise math): broadcasting, PyTorch type promotion,
 * autograd, in-place `_` forms and Tensor methods. Importing this module installs the methods.
 */
export { resultType, canCast } from './promote.js';
export { roundHalfEven } from './scalar.js';
export * from './arith.js';
export * from './compare.js';
export * from './unary.js';
export * from './ternary.js';
