import type { BenchResult, TimingOptions } from '../harness.js';
import type { CaseSpec } from '../specs.js';

/** What a peer measured, plus lines for the report (version, what it skipped and why). */
export interface PeerOutcome {
  results: BenchResult[];
  lines: string[];
}

/** A library timed on the same cases in the same run. An absent peer returns no results and a line saying so. */
export interface Peer {
  name: string;
  run(specs: readonly CaseSpec[], threads: readonly number[], timing: TimingOptions): Promise<PeerOutcome>;
}
