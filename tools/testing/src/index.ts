/**
 * @qtorch/testing: golden fixtures (PyTorch 1.13 oracle) and tensor comparisons for qtorch's
 * test suites.
 */
export * from './golden.js';
export * from './compare.js';
export * from './tensors.js';
