import type { BenchCase, BenchResult } from '../harness.js';
import type { PeakReport } from '../peak/peak.js';
import type { CaseSpec } from '../specs.js';

export interface SuiteContext {
  /** Tiny shapes (CI smoke test, `--quick`). */
  quick: boolean;
  /** Thread counts our native kernels run on (the TypeScript paths are single-threaded). */
  threads: readonly number[];
}

/**
 * A suite lists its cases declaratively (`specs`, which the peers read too) and builds our
 * variants of each case lazily (`ours`: one comparison group, timed interleaved).
 */
export interface Suite<S extends CaseSpec = CaseSpec> {
  name: string;
  description: string;
  specs(ctx: Pick<SuiteContext, 'quick'>): S[];
  /** Our variants of one case (native per engine and thread count, reference per engine, the float path); [] if none. */
  ours(spec: S, ctx: SuiteContext): BenchCase[];
  /** Lines printed above the suite's table (what is not implemented, what was skipped). */
  notes?(ctx: Pick<SuiteContext, 'quick'>): string[];
  /** Rows measured outside the harness (the peak microbenchmark). */
  measured?(peaks: PeakReport): BenchResult[];
}
