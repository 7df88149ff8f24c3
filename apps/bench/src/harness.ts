/**
 * Timing primitives. Variants that are compared run interleaved (A B A B ...) so machine
 * drift affects them alike; each reports the median of its samples.
 */
import { performance } from 'node:perf_hooks';

export interface BenchCase {
  suite: string;
  case: string;
  impl: 'qtorch-native' | 'qtorch-reference' | 'torch' | 'onnxruntime';
  engine: string;
  dtype: 'int8' | 'fp32' | 'fp16';
  threads: number;
  /** Operations per call (multiply-adds count 2), for GOP/s; 0 when not meaningful. */
  ops: number;
  /** Bytes moved per call, for GB/s (bandwidth-bound cases); optional. */
  bytes?: number;
  run: () => void;
}

export interface BenchResult extends Omit<BenchCase, 'run'> {
  /** Index of the comparison group (cases timed together); ratios are taken within a group. */
  group: number;
  medianMs: number;
  runs: number;
  gops: number;
}

export interface TimingOptions {
  warmup: number;
  /** Minimum samples per variant. */
  minRuns: number;
  /** Stop sampling a group after this long (ms), once minRuns is reached. */
  budgetMs: number;
}

export const DEFAULT_TIMING: TimingOptions = { warmup: 2, minRuns: 5, budgetMs: 2000 };

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Runs the cases of one comparison group round-robin and returns one result per case. */
let nextGroup = 0;

export function timeInterleaved(cases: readonly BenchCase[], opts: TimingOptions = DEFAULT_TIMING): BenchResult[] {
  const group = nextGroup++;
  for (const c of cases) for (let i = 0; i < opts.warmup; i++) c.run();
  const samples = cases.map(() => [] as number[]);
  const start = performance.now();
  while (samples[0]!.length < opts.minRuns || performance.now() - start < opts.budgetMs) {
    cases.forEach((c, i) => {
      const t0 = performance.now();
      c.run();
      samples[i]!.push(performance.now() - t0);
    });
    if (samples[0]!.length >= 200) break;
  }
  return cases.map((c, i) => {
    const { run: _run, ...meta } = c;
    const medianMs = median(samples[i]!);
    return { ...meta, group, medianMs, runs: samples[i]!.length, gops: c.ops ? c.ops / (medianMs * 1e6) : 0 };
  });
}
