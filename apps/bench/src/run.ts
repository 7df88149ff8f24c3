/**
 * One bench run: load the addons, measure the machine peaks, open the peers, then time every
 * case of the selected suites: per thread count, our variants and the peers' in one group,
 * their samples interleaved (the ratios then compare like with like on a drifting machine).
 */
import { loadAddons, nativeThreadsAvailable, withNativeThreads } from './addons.js';
import { type BenchResult, type TimingOptions, timeInterleaved } from './harness.js';
import { type PeakReport, measurePeaks } from './peak/peak.js';
import { PeakProbe, withInterleavedPeaks } from './peak/probe.js';
import type { Peer, PeerSession } from './peers/types.js';
import type { CaseSpec } from './specs.js';
import type { Suite } from './suites/types.js';

export interface RunOptions {
  suites: readonly Suite[];
  threads: readonly number[];
  peers: readonly Peer[];
  /** Only cases whose label contains this text (null or absent: every case). */
  caseFilter?: string | null;
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
  const probe = PeakProbe.open(peaks);
  if (probe) note('% peak: of the fastest peak kernel timed between the samples of each case (its median), not of the peak table');

  const sessions: PeerSession[] = [];
  for (const peer of opts.peers) {
    const session = await peer.open();
    if (typeof session === 'string') {
      note(`${peer.name}: skipped (${session})`);
      continue;
    }
    session.lines.forEach(note);
    sessions.push(session);
  }
  const ctx = { quick: opts.quick, threads: opts.threads };
  const results: BenchResult[] = [];
  const peerLines = new Set<string>();
  let matched = 0;
  try {
    for (const suite of opts.suites) {
      for (const line of suite.notes?.(ctx) ?? []) note(line);
      if (suite.measured) results.push(...suite.measured(peaks));
      for (const spec of suite.specs(ctx).filter((s) => !opts.caseFilter || s.case.includes(opts.caseFilter))) {
        matched++;
        const ours = suite.ours(spec, ctx);
        // our TypeScript paths run on 1 thread only; peers on every requested count
        for (const t of new Set([...opts.threads, ...ours.map((c) => c.threads)])) {
          const theirs = await Promise.all(sessions.map((s) => s.cases(spec, t)));
          theirs.flatMap((p) => p.lines).forEach((l) => peerLines.add(l));
          const group = [...ours.filter((c) => c.threads === t), ...theirs.flatMap((p) => p.cases)];
          if (group.length > 0) {
            log(`${suite.name}: ${spec.case}, ${t} thread(s) (${group.length} variants)`);
            const probed = [...group, ...(probe?.casesFor(group) ?? [])];
            // with the native pool at t threads
            results.push(...withInterleavedPeaks(await withNativeThreads(t, () => timeInterleaved(probed, opts.timing))));
          }
          await Promise.all(theirs.map((p) => p.release()));
        }
      }
    }
  } finally {
    for (const s of sessions) (await s.close()).forEach((l) => peerLines.add(l));
    await probe?.close();
  }
  peerLines.forEach(note);
  if (opts.caseFilter && matched === 0) note(`--case '${opts.caseFilter}' matched no case of the selected suites`);
  return { results, peaks, notes };
}
