/**
 * Timing primitives. Variants that are compared run interleaved (A B A B ...) so machine
 * drift affects them alike; each reports the median of its samples. A variant whose single
 * call is slow (the TypeScript reference kernels on big shapes) takes fewer samples, so one
 * `pnpm bench` stays within its time budget.
 */
import { performance } from 'node:perf_hooks';

/**
 * Who ran a case: our native kernels, our TypeScript reference kernels, a peer library, or the
 * machine-peak kernel timed among a group's variants (peak/probe.ts; never a result row).
 */
export type Impl = 'qtorch-native' | 'qtorch-reference' | 'torch' | 'onnxruntime' | 'peak-probe';
export type BenchDType = 'int8' | 'fp32' | 'fp16';

/** What a result row says about the case it measured (everything but the timing). */
export interface CaseMeta {
  suite: string;
  /** Shape label; rows of the same (suite, case) are compared with each other. */
  case: string;
  impl: Impl;
  /** Quantized engine ('fbgemm', 'qnnpack', 'onednn'), the peer's op, or '-' for float paths. */
  engine: string;
  dtype: BenchDType;
  threads: number;
  /** Operations per call (multiply-adds count 2), for GOP/s; 0 when not meaningful. */
  ops: number;
  /** Bytes moved per call, for GB/s (bandwidth-bound cases); optional. */
  bytes?: number;
}

export interface BenchCase extends CaseMeta {
  /** One call of the measured work (a promise for async peers such as onnxruntime). */
  run: () => unknown;
  /**
   * A case that times itself: `reps` back-to-back calls, resolving to the mean ms per call (a
   * peer in another process measures there, so the pipe's round trip is not counted).
   */
  timed?: (reps: number) => Promise<number>;
  /** This case's own `TimingOptions.minSampleMs` (a peer whose samples cost extra asks for fewer, longer ones). */
  minSampleMs?: number;
}

export interface BenchResult extends CaseMeta {
  medianMs: number;
  runs: number;
  gops: number;
  /** The machine peak of this dtype and thread count, timed between this row's group samples (GOP/s), when measured. */
  peakGops?: number;
}

export interface TimingOptions {
  /** Untimed calls per variant before sampling. */
  warmup: number;
  /** Minimum samples per variant. */
  minRuns: number;
  /** Samples per variant never exceed this. */
  maxRuns: number;
  /** Sampling time (ms) of a group, shared equally by its variants; a fast variant samples until its share is spent. */
  budgetMs: number;
  /** A variant whose warm-up call took longer than this (ms) is sampled only `slowRuns` times. */
  slowMs: number;
  slowRuns: number;
  /**
   * A variant whose first call took longer than this (ms) keeps that call as its only sample (no
   * warm-up): the TypeScript reference on the largest shapes, where one call is seconds of hot loops.
   */
  verySlowMs: number;
  /**
   * A sample of a variant faster than this (ms, judged by its last warm-up call) times a burst
   * of back-to-back calls lasting about this long and records the mean per call: a lone
   * 0.05 ms call right after another variant's run would measure a cold cache (and the
   * other variant's garbage collection) instead of the op. 0 or absent: one call per sample.
   */
  minSampleMs?: number;
  /**
   * On more than one thread, a sample whose implementation differs from the previous sample's
   * first waits until this process is idle: windows of this many ms until one passes with the
   * process's threads using under a tenth of it (at most 100 windows). onnxruntime's pool spins
   * for ~40 ms after a call here and would take a core from the next variant (a peer in another
   * process settles itself). 0 or absent: no wait.
   */
  settleMs?: number;
}

export const DEFAULT_TIMING: TimingOptions = { warmup: 2, minRuns: 5, maxRuns: 200, budgetMs: 1000, slowMs: 250, slowRuns: 3, verySlowMs: 2000, minSampleMs: 1, settleMs: 5 };
/** `--quick`: a handful of samples, enough to see orders of magnitude. */
export const QUICK_TIMING: TimingOptions = { warmup: 1, minRuns: 2, maxRuns: 20, budgetMs: 50, slowMs: 100, slowRuns: 1, verySlowMs: 2000 };

export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError('median(): expected at least one sample, got none');
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** GOP/s of `ops` operations done in `ms` milliseconds (0 when ops is 0). */
export const gopsOf = (ops: number, ms: number): number => (ops && ms > 0 ? ops / (ms * 1e6) : 0);

/** Attaches a timing to a case's metadata. */
export function toResult(meta: CaseMeta, samplesMs: readonly number[]): BenchResult {
  const medianMs = median(samplesMs);
  return { ...meta, medianMs, runs: samplesMs.length, gops: gopsOf(meta.ops, medianMs) };
}

/**
 * Mean time of `reps` back-to-back calls; awaits only when a call returned a promise (sync
 * kernels pay no microtask).
 */
async function timeOnce(c: BenchCase, reps = 1): Promise<number> {
  if (c.timed) return c.timed(reps);
  const run = c.run;
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) {
    const out = run();
    if (out instanceof Promise) await out;
  }
  return (performance.now() - t0) / reps;
}

/** Calls per sample so that a sample lasts about `minSampleMs` (1 when a call is that slow). */
const burstOf = (callMs: number, minSampleMs = 0): number => (callMs > 0 && callMs < minSampleMs ? Math.min(1000, Math.ceil(minSampleMs / callMs)) : 1);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** CPU time (ms) this process's threads used while `ms` passed. */
async function cpuMsDuring(ms: number): Promise<number> {
  const before = process.cpuUsage();
  await sleep(ms);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

/**
 * Waits until this process's threads use under a tenth of a `windowMs` window (at most 100
 * windows); resolves to the number of windows waited. `measure` is the window's probe (tests).
 */
export async function settle(windowMs: number, measure: (ms: number) => Promise<number> = cpuMsDuring): Promise<number> {
  for (let w = 1; w < 100; w++) if ((await measure(windowMs)) < windowMs / 10) return w;
  return 100;
}

/**
 * Runs the cases of one comparison group round-robin (ours and the peers' alike, so drift of
 * the machine affects them alike) and returns one result per case.
 */
export async function timeInterleaved(cases: readonly BenchCase[], opts: TimingOptions = DEFAULT_TIMING): Promise<BenchResult[]> {
  const want = cases.map(() => opts.minRuns);
  const reps = cases.map(() => 1);
  const samples = cases.map(() => [] as number[]);
  for (const [i, c] of cases.entries()) {
    for (let w = 0; w < opts.warmup; w++) {
      const ms = await timeOnce(c);
      reps[i] = burstOf(ms, c.minSampleMs ?? opts.minSampleMs);
      if (w === 0 && ms > opts.verySlowMs) {
        samples[i]!.push(ms);
        want[i] = 1;
        break;
      }
      // one warm-up call is enough for a slow variant (its first call already amortizes packing)
      if (ms > opts.slowMs) {
        want[i] = Math.min(opts.minRuns, opts.slowRuns);
        break;
      }
    }
  }
  // each variant gets an equal share of the budget, so slow variants in a group cannot starve fast ones
  const share = opts.budgetMs / Math.max(1, cases.length);
  const spent = cases.map(() => 0);
  let last: Impl | null = null;
  for (;;) {
    let ran = false;
    for (const [i, c] of cases.entries()) {
      const n = samples[i]!.length;
      const more = n < want[i]! || (want[i] === opts.minRuns && n < opts.maxRuns && spent[i]! < share);
      if (!more) continue;
      if (opts.settleMs && c.threads > 1 && last !== null && last !== c.impl) await settle(opts.settleMs);
      last = c.impl;
      const ms = await timeOnce(c, reps[i]);
      samples[i]!.push(ms);
      spent[i]! += ms * reps[i]!;
      ran = true;
    }
    if (!ran) break;
  }
  return cases.map((c, i) => {
    const { run: _run, timed: _timed, minSampleMs: _minSampleMs, ...meta } = c;
    return toResult(meta, samples[i]!);
  });
}
