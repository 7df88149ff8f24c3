/**
 * @qtorch/nn/init: weight initializations (torch.nn.init). Every function fills its tensor in
 * place (under `noGrad`, so Parameters work) from qtensor's seeded generator and returns it.
 *
 * @example
 * ```ts
 * import { kaimingUniform_, zeros_ } from '@qtorch/nn/init';
 * kaimingUniform_(linear.weight, { a: Math.sqrt(5) });
 * zeros_(linear.bias!);
 * ```
 */
export * from './fan.js';
export * from './fill.js';
export * from './scaled.js';
export * from './orthogonal.js';
