import type { BenchCase } from '../harness.js';

/** A suite builds its comparison groups; each group is timed interleaved. `quick` shrinks shapes for the CI smoke test. */
export interface Suite {
  name: string;
  description: string;
  groups(opts: { quick: boolean }): BenchCase[][];
}
