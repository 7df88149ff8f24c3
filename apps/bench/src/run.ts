/**
 * One bench run: load the addons, measure the machine peaks, time our variants of every case
 * of the selected suites, then let each peer time the same cases.
 */
import { loadAddons, nativeThreadsAvailable, withNativeThreads } from './addons.js';
import { type BenchResult, type TimingOptions, timeInterleaved } from './harness.js';
import { type PeakReport, measurePeaks } from './peak/peak.js';
import type { Peer } from './peers/types.js';
import type { CaseSpec } from './specs.js';
import type { Suite } from './suites/types.js';

export interface RunOptions {
  suites: readonly Suite[];
  threads: readonly number[];
  peers: readonly Peer[];
  quick: boolean;
  timing: TimingOptions;
  /** Measure the machine peaks (off in unit tests). */
  peaks?: boolean;
  /** Progress lines (stderr in the CLI). */
  log?: (line: string) => void;
}

export interface RunOutput {
  results: BenchResult[];
  peaks: PeakReport;
  /** Lines for the report header: addons, peers, what was skipped and why. */
  notes: string[];
}

export async function runBench(opts: RunOptions): Promise<RunOutput> {
  const log = opts.log ?? (() => {});
  const notes: string[] = [];
  const note = (line: string): void => {
    notes.push(line);
    log(line);
  };
  for (const a of await loadAddons()) note(a.line);
  note(nativeThreadsAvailable()
    ? `threads ${opts.threads.join(', ')}: our native kernels (one intra-op pool) incl. the native fp32 GEMM, peers and peaks; our TypeScript paths are single-threaded`
    : `threads ${opts.threads.join(', ')}: peers and peaks; our kernels run on 1 thread (no native thread pool loaded)`);
  const peaks: PeakReport = opts.peaks === false ? { rows: [], reason: 'not measured', features: {} } : measurePeaks(opts.threads);
  if (peaks.reason) note(`peak: ${peaks.reason}; "% peak" left empty`);

  const ctx = { quick: opts.quick, threads: opts.threads };
  const results: BenchResult[] = [];
  const specs: CaseSpec[] = [];
  for (const suite of opts.suites) {
    for (const line of suite.notes?.(ctx) ?? []) note(line);
    if (suite.measured) results.push(...suite.measured(peaks));
    for (const spec of suite.specs(ctx)) {
      specs.push(spec);
      const cases = suite.ours(spec, ctx);
      if (cases.length === 0) continue;
      log(`${suite.name}: ${spec.case} (${cases.length} variants)`);
      // variants on the same thread count are timed together, with the native pool at that count
      for (const t of new Set(cases.map((c) => c.threads))) {
        results.push(...(await withNativeThreads(t, () => timeInterleaved(cases.filter((c) => c.threads === t), opts.timing))));
      }
    }
  }
  for (const peer of opts.peers) {
    if (specs.length === 0) break;
    log(`${peer.name}: timing ${specs.length} cases on ${opts.threads.join(', ')} thread(s)`);
    const outcome = await peer.run(specs, opts.threads, opts.timing);
    for (const line of outcome.lines) note(line);
    results.push(...outcome.results);
  }
  return { results, peaks, notes };
}
