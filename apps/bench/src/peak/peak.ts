/**
 * The machine's measured int8 and fp32 peaks: assets/peak.cc (independent accumulator chains of
 * vpdpbusd / vpmaddubsw / vpmaddwd and FMA, on 1..T threads, throughput per second of each
 * thread's CPU time, so a busy machine does not lower them), compiled on demand with g++ into
 * a cache directory and run once per bench. Without a compiler the peaks are unknown and the
 * tables leave the fraction-of-peak column empty.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchResult } from '../harness.js';
import { assetPath } from '../paths.js';

/** One instruction sequence's measured throughput on `threads` threads. */
export interface PeakRow {
  name: string;
  dtype: 'int8' | 'fp32';
  threads: number;
  /** Wall time (ms) of the repetition with the best throughput (per CPU second, summed over threads). */
  ms: number;
  gops: number;
  runs: number;
  /** Operations per block of the kernel (what `peak --serve` runs in blocks); absent from older binaries. */
  opsPerBlock?: number;
}

export interface PeakReport {
  /** Empty when the microbenchmark could not run (`reason` says why). */
  rows: PeakRow[];
  reason: string | null;
  features: Record<string, boolean>;
}

/**
 * The machine peak of `dtype` on `threads` threads: the best instruction sequence measured on at
 * most `threads` threads (a core busy with other work must not make T threads "peak" below one), or
 * null when nothing was measured on `threads` threads.
 */
export function peakOf(report: PeakReport, dtype: 'int8' | 'fp32', threads: number): number | null {
  if (!report.rows.some((r) => r.dtype === dtype && r.threads === threads)) return null;
  return fastestRow(report, dtype, threads)?.gops ?? null;
}

/** The `dtype` row with the highest throughput measured on at most `threads` threads, or null. */
export function fastestRow(report: PeakReport, dtype: 'int8' | 'fp32', threads: number): PeakRow | null {
  let best: PeakRow | null = null;
  for (const r of report.rows) if (r.dtype === dtype && r.threads <= threads && (!best || r.gops > best.gops)) best = r;
  return best;
}

/** Compiles peak.cc (cached by source and compiler) and returns the binary, or a reason it could not. */
export function buildPeakBinary(compiler = process.env.CXX ?? 'g++'): { path: string } | { reason: string } {
  const version = spawnSync(compiler, ['--version'], { encoding: 'utf8' });
  if (version.error || version.status !== 0) return { reason: `no C++ compiler (${compiler} not found); set CXX to one` };
  if (process.arch !== 'x64') return { reason: `the peak microbenchmark is x86-64 only (this is ${process.arch})` };
  const src = assetPath('peak.cc');
  const hash = createHash('sha1').update(readFileSync(src)).update(version.stdout).digest('hex').slice(0, 12);
  const dir = join(tmpdir(), 'qtorch-bench');
  const bin = join(dir, `peak-${hash}`);
  if (existsSync(bin)) return { path: bin };
  mkdirSync(dir, { recursive: true });
  const cc = spawnSync(compiler, ['-O2', '-std=c++17', '-pthread', src, '-o', bin], { encoding: 'utf8' });
  if (cc.status !== 0) return { reason: `${compiler} failed to compile peak.cc: ${(cc.stderr || cc.error?.message || '').split('\n')[0]}` };
  return { path: bin };
}

/** Runs the microbenchmark on each thread count (`quick`: 3 short repetitions, for tests); never throws. */
export function measurePeaks(threads: readonly number[], { quick = false } = {}): PeakReport {
  const built = buildPeakBinary();
  if ('reason' in built) return { rows: [], reason: built.reason, features: {} };
  const run = spawnSync(built.path, [...(quick ? ['--quick'] : []), ...threads.map(String)], { encoding: 'utf8', timeout: 120_000 });
  if (run.status !== 0) return { rows: [], reason: `peak microbenchmark failed: ${run.stderr || run.error?.message || `exit ${run.status}`}`, features: {} };
  const out = JSON.parse(run.stdout) as { features: Record<string, boolean>; results: PeakRow[] };
  return { rows: out.results, reason: null, features: out.features };
}

/** The peak rows as results of the 'peak' suite (time: wall time of the best repetition, not a median). */
export function peakResults(report: PeakReport): BenchResult[] {
  return report.rows.map((r) => ({
    suite: 'peak', case: r.name, impl: 'qtorch-native', engine: 'cpu', dtype: r.dtype, threads: r.threads,
    ops: r.gops * r.ms * 1e6, medianMs: r.ms, runs: r.runs, gops: r.gops,
  }));
}
