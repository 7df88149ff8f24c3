import type { BenchCase } from '../harness.js';
import { type CaseSpec, caseMeta } from '../specs.js';

/**
 * Sample length of a peer's variants on more than one thread. Each such sample is followed by a
 * wait for the peer's pool to stop spinning (`TimingOptions.settleMs`, the torch worker's
 * quiesce: 10-40 ms here), so fewer, longer samples keep the waits a small part of the run.
 */
export const MULTI_THREAD_SAMPLE_MS = 20;

/** A peer's variant of `spec` on `threads` threads, as the harness times it. */
export function peerCase(spec: CaseSpec, threads: number, variant: Pick<BenchCase, 'impl' | 'engine' | 'dtype' | 'run' | 'timed'>): BenchCase {
  return { ...caseMeta(spec), threads, ...variant, ...(threads > 1 ? { minSampleMs: MULTI_THREAD_SAMPLE_MS } : {}) };
}

/** A peer's variants of one case on one thread count, timed in the same group as ours. */
export interface PeerCases {
  cases: BenchCase[];
  /** Report lines: variants the peer could not run, and why. */
  lines: string[];
  /** Frees what the variants hold (sessions, the worker's prepared calls). */
  release(): Promise<void>;
}

/** A peer opened for one bench run (an in-process library, or a worker process). */
export interface PeerSession {
  /** Report lines: the peer's version and what it runs. */
  lines: string[];
  /** The peer's variants of `spec` on `threads` threads (none when it has no model of the case). */
  cases(spec: CaseSpec, threads: number): Promise<PeerCases>;
  /** Ends the session; resolves to closing report lines (cases it had no model for). */
  close(): Promise<string[]>;
}

/**
 * A library timed on the same cases in the same run, its samples interleaved with ours. `open`
 * resolves to a string saying why it cannot run here (not installed, fails to load).
 */
export interface Peer {
  name: string;
  open(): Promise<PeerSession | string>;
}
