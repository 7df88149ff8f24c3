/**
 * Float and integer reductions: sum, mean, prod, var/std, max/min, amax/amin, argmax/argmin,
 * norm, logsumexp, all/any, sort/argsort/topk, cumsum/cumprod, and their Tensor methods.
 *
 * Numerics: float16/float32/float64 inputs are accumulated in float64 (JS numbers) and rounded
 * to the output dtype once, so float32 sums can differ from PyTorch's float32 cascade sums by
 * a few ulps (towards the exact value). Integer and bool sums, products and scans give int64.
 * Layout (lanes.ts): contiguous input reduced over its innermost dims is read in place; any
 * other view is gathered once into lane order by a strided walk.
 */
export type { DimArg } from './lanes.js';
export type { KeepdimOptions, ReduceOptions, ReduceDtypeOptions } from './common.js';
export * from './sum.js';
export * from './prod.js';
export * from './variance.js';
export * from './extrema.js';
export * from './norm.js';
export * from './logical.js';
export * from './sort.js';
export * from './cumulative.js';
import './methods.js';
