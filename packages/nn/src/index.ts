/**
 * @qtorch/nn: the Module system and the float modules quantization consumes (torch.nn).
 *
 * @example
 * ```ts
 * import { Sequential, Linear, ReLU } from '@qtorch/nn';
 * import { randn } from '@qtorch/qtensor';
 * const model = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 2));
 * const y = model.call(randn(3, 4));
 * console.log(model.toString(), y.shape);
 * ```
 */
export * from './parameter.js';
export * from './hooks.js';
export * from './module.js';
export * from './deepcopy.js';
export * from './modules/index.js';
