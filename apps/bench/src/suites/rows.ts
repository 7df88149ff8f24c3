/** Builders of the rows every op suite has: our quantized variants and the float path beside them. */
import { type Engine, nativeFloatGemm } from '@qtorch/qtensor';
import { nativeThreadsAvailable } from '../addons.js';
import type { BenchCase } from '../harness.js';
import { type CaseSpec, caseMeta } from '../specs.js';
import { type Variant, variantsOf, withNative, withVariant } from '../variants.js';
import type { SuiteContext } from './types.js';

/** Thread counts a variant runs on: native kernels on each requested count (if their pool is controllable), TypeScript on 1. */
export const threadCountsOf = (v: Variant, ctx: SuiteContext): readonly number[] =>
  v.impl === 'qtorch-native' && nativeThreadsAvailable() ? ctx.threads : [1];

/**
 * One int8 row per variant of `op` (native per thread count, reference, per engine).
 * `prepare(engine)` runs untimed, once per engine (packing weights for it), and returns the timed call.
 */
export function quantizedRows(spec: CaseSpec, ctx: SuiteContext, op: string, prepare: (engine: Engine) => () => unknown): BenchCase[] {
  if (!spec.dtypes.includes('int8')) return [];
  const calls = new Map<Engine, () => unknown>();
  const callFor = (engine: Engine): (() => unknown) => {
    if (!calls.has(engine)) calls.set(engine, prepare(engine));
    return calls.get(engine)!;
  };
  return variantsOf(op).flatMap((v) => {
    const call = callFor(v.engine);
    return threadCountsOf(v, ctx).map((threads): BenchCase => ({ ...caseMeta(spec), threads, impl: v.impl, engine: v.engine, dtype: 'int8', run: () => withVariant(v, call) }));
  });
}

/**
 * The fp32 rows of qtensor's float op (engine '-'): on the native float32 GEMM when an addon
 * registered it (per thread count of `ctx`, else 1 thread), and on the TypeScript loops
 * (native kernels off, 1 thread).
 */
export function floatRow(spec: CaseSpec, call: () => unknown, ctx?: SuiteContext): BenchCase[] {
  if (!spec.dtypes.includes('fp32')) return [];
  return [...nativeFloatRows(spec, '-', call, ctx), floatCase(spec, '-', 'qtorch-reference', 1, call)];
}

/** Native fp32 rows of a float variant labelled `engine` (e.g. 'prepacked'), per thread count; none without the native GEMM. */
export function nativeFloatRows(spec: CaseSpec, engine: string, call: () => unknown, ctx?: SuiteContext): BenchCase[] {
  if (!spec.dtypes.includes('fp32') || !withNative(true, () => nativeFloatGemm() !== null)) return [];
  const threads = ctx ? threadCountsOf({ impl: 'qtorch-native', engine: 'fbgemm' }, ctx) : [1];
  return threads.map((t) => floatCase(spec, engine, 'qtorch-native', t, call));
}

const floatCase = (spec: CaseSpec, engine: string, impl: Variant['impl'], threads: number, call: () => unknown): BenchCase =>
  ({ ...caseMeta(spec), threads, impl, engine, dtype: 'fp32', run: () => withNative(impl === 'qtorch-native', call) });
