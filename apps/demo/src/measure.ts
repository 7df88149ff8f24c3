/**
 * Latency measurement: the median of repeated timed runs after a warm-up run (the median
 * ignores the odd slow run caused by garbage collection or the OS).
 */
import { QTorchValueError } from '@qtorch/qtensor';

/** The median of `values` (the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new QTorchValueError('median(): expected at least one value, got none');
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** How many runs to time. */
export interface LatencyOptions {
  /** Always time at least this many runs (default 3). */
  minRuns?: number;
  /** Never more than this many (default 15). */
  maxRuns?: number;
  /** Stop after `minRuns` once this much time went into timed runs (default 1000 ms). */
  budgetMs?: number;
  /** The clock (default `performance.now`). */
  now?: () => number;
}

/** Median wall time of `fn` in milliseconds, after one untimed warm-up call. */
export function medianLatencyMs(fn: () => unknown, options: LatencyOptions = {}): number {
  const { minRuns = 3, maxRuns = 15, budgetMs = 1000, now = () => performance.now() } = options;
  fn();
  const times: number[] = [];
  let spent = 0;
  while (times.length < maxRuns && (times.length < minRuns || spent < budgetMs)) {
    const t0 = now();
    fn();
    const dt = now() - t0;
    times.push(dt);
    spent += dt;
  }
  return median(times);
}
