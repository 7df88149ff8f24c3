import type { BenchCase, BenchResult } from '../harness.js';
import type { PeakReport } from '../peak/peak.js';
import type { CaseSpec } from '../specs.js';

export interface SuiteContext {
  /** Tiny shapes (CI smoke test, `--quick`). */
  quick: boolean;
}

/**
 * A suite lists its cases declaratively (`specs`, which the peers read too) and builds our
 * variants of each case lazily (`ours`: one comparison group, timed interleaved).
 */
export interface Suite<S extends CaseSpec = CaseSpec> {
  name: string;
  description: string;
  specs(ctx: SuiteContext): S[];
  /** Our variants of one case (native and reference per engine, and the float path); [] if we have none. */
  ours(spec: S): BenchCase[];
  /** Lines printed above the suite's table (what is not implemented, what was skipped). */
  notes?(ctx: SuiteContext): string[];
  /** Rows measured outside the harness (the peak microbenchmark). */
  measured?(peaks: PeakReport): BenchResult[];
}
