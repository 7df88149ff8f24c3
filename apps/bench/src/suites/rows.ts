/** Builders of the rows every op suite has: our quantized variants and the float path beside them. */
import type { Engine } from '@qtorch/qtensor';
import type { BenchCase } from '../harness.js';
import type { CaseSpec } from '../specs.js';
import { variantsOf, withVariant } from '../variants.js';

const metaOf = (spec: CaseSpec) => ({ suite: spec.suite, case: spec.case, threads: 1, ops: spec.ops, bytes: spec.bytes });

/**
 * One int8 row per variant of `op` (native and reference, per engine). `prepare(engine)` runs
 * untimed (packing weights for that engine) and returns the timed call.
 */
export function quantizedRows(spec: CaseSpec, op: string, prepare: (engine: Engine) => () => unknown): BenchCase[] {
  if (!spec.dtypes.includes('int8')) return [];
  return variantsOf(op).map((v) => {
    const call = prepare(v.engine);
    return { ...metaOf(spec), impl: v.impl, engine: v.engine, dtype: 'int8', run: () => withVariant(v, call) };
  });
}

/** The fp32 row: qtensor's float op (TypeScript; engine '-'). */
export function floatRow(spec: CaseSpec, call: () => unknown): BenchCase[] {
  if (!spec.dtypes.includes('fp32')) return [];
  return [{ ...metaOf(spec), impl: 'qtorch-reference', engine: '-', dtype: 'fp32', run: call }];
}
