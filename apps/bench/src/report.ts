/**
 * Text tables and the JSON file of a bench run. Ratios are of median times, measured in the
 * same run: `int8/fp32` < 1 means the int8 path is faster than the float path of the same
 * implementation; `ours/peer` > 1 means the peer is faster than our best variant.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import type { BenchResult, Impl } from './harness.js';
import { type PeakReport, peakOf } from './peak/peak.js';

const OURS: readonly Impl[] = ['qtorch-native', 'qtorch-reference'];
export const isOurs = (r: BenchResult): boolean => OURS.includes(r.impl);

/** Peer engines grouped with ours: onednn/fbgemm/x86 numerics are our 'fbgemm', qnnpack is 'qnnpack'. */
function engineFamily(engine: string): string | null {
  if (engine === 'qnnpack') return 'qnnpack';
  if (engine === 'fbgemm' || engine === 'onednn' || engine === 'x86') return 'fbgemm';
  return null;
}

/** int8 time over the fp32 time of the same implementation family (ours / torch / onnxruntime; peers at the same thread count). */
export function int8OverFp32(r: BenchResult, rows: readonly BenchResult[]): number | null {
  if (r.dtype !== 'int8') return null;
  // our int8 rows on any thread count compare with our fastest float row (native fp32 GEMM or TypeScript)
  const sameFamily = (o: BenchResult): boolean => (isOurs(r) ? isOurs(o) : o.impl === r.impl && o.threads === r.threads);
  const fp = rows.filter((o) => o.case === r.case && o.dtype === 'fp32' && sameFamily(o));
  return fp.length ? r.medianMs / Math.min(...fp.map((o) => o.medianMs)) : null;
}

/**
 * Our best time (same case and dtype, on at most the peer's thread count, same engine family
 * when we have it) over the peer's time.
 */
export function oursOverPeer(r: BenchResult, rows: readonly BenchResult[]): number | null {
  if (isOurs(r)) return null;
  const ours = rows.filter((o) => isOurs(o) && o.case === r.case && o.dtype === r.dtype && o.threads <= r.threads);
  const fam = engineFamily(r.engine);
  const matched = fam ? ours.filter((o) => engineFamily(o.engine) === fam) : [];
  const pool = matched.length ? matched : ours;
  return pool.length ? Math.min(...pool.map((o) => o.medianMs)) / r.medianMs : null;
}

/**
 * Fraction of the machine's peak for the row's dtype and thread count: of the peak kernel timed
 * among the row's group (`peakGops`) when it was, else of the peak table.
 */
export function fractionOfPeak(r: BenchResult, peaks: PeakReport): number | null {
  if (!r.gops || r.suite === 'peak' || (r.dtype !== 'int8' && r.dtype !== 'fp32')) return null;
  const p = r.peakGops ?? peakOf(peaks, r.dtype, r.threads);
  return p ? r.gops / p : null;
}

const fmtMs = (ms: number): string => (ms >= 100 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(3) : ms.toFixed(4));
const fmtRatio = (x: number | null): string => (x === null ? '' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

interface Column {
  title: string;
  width: number;
  right?: boolean;
  cell(r: BenchResult): string;
}

/** Rows in display order: by case (first appearance), ours before peers, then by threads; ours in measured order, peers by engine. */
export function orderRows(rows: readonly BenchResult[]): BenchResult[] {
  const caseOrder = new Map<string, number>();
  rows.forEach((r) => caseOrder.has(r.case) || caseOrder.set(r.case, caseOrder.size));
  const rank = (r: BenchResult): number => (isOurs(r) ? 0 : r.impl === 'torch' ? 1 : 2);
  return rows
    .map((r, i) => ({ r, i }))
    .sort((a, b) =>
      caseOrder.get(a.r.case)! - caseOrder.get(b.r.case)! || rank(a.r) - rank(b.r) ||
      a.r.threads - b.r.threads || (isOurs(a.r) ? a.i - b.i : a.r.engine.localeCompare(b.r.engine) || a.r.dtype.localeCompare(b.r.dtype)))
    .map(({ r }) => r);
}

/** One table: case, impl, engine, dtype, threads, median ms, GOP/s, GB/s, % of peak, int8/fp32, ours/peer. */
export function formatTable(suite: string, rows: readonly BenchResult[], peaks: PeakReport): string {
  const ordered = orderRows(rows);
  const caseWidth = Math.max(20, ...ordered.map((r) => r.case.length));
  const engineWidth = Math.max(8, ...ordered.map((r) => r.engine.length));
  const cols: Column[] = [
    { title: 'case', width: caseWidth, cell: (r) => r.case },
    { title: 'impl', width: 16, cell: (r) => r.impl },
    { title: 'engine', width: engineWidth, cell: (r) => r.engine },
    { title: 'dtype', width: 5, cell: (r) => r.dtype },
    { title: 'thr', width: 3, right: true, cell: (r) => String(r.threads) },
    { title: 'median ms', width: 10, right: true, cell: (r) => fmtMs(r.medianMs) },
    { title: 'runs', width: 4, right: true, cell: (r) => String(r.runs) },
    { title: 'GOP/s', width: 7, right: true, cell: (r) => (r.gops ? r.gops.toFixed(r.gops >= 100 ? 0 : 2) : '') },
    { title: 'GB/s', width: 6, right: true, cell: (r) => (r.bytes ? (r.bytes / (r.medianMs * 1e6)).toFixed(2) : '') },
    { title: '% peak', width: 6, right: true, cell: (r) => { const f = fractionOfPeak(r, peaks); return f === null ? '' : (100 * f).toFixed(f < 0.1 ? 2 : 1); } },
    { title: 'int8/fp32', width: 9, right: true, cell: (r) => fmtRatio(int8OverFp32(r, ordered)) },
    { title: 'ours/peer', width: 9, right: true, cell: (r) => fmtRatio(oursOverPeer(r, ordered)) },
  ];
  const line = (cells: string[]): string => cells.map((c, i) => (cols[i]!.right ? c.padStart(cols[i]!.width) : c.padEnd(cols[i]!.width))).join(' ').trimEnd();
  return [`## ${suite}`, line(cols.map((c) => c.title)), ...ordered.map((r) => line(cols.map((c) => c.cell(r))))].join('\n');
}

/** Tables of every suite that has rows, in `suiteOrder`. */
export function formatTables(results: readonly BenchResult[], peaks: PeakReport, suiteOrder: readonly string[]): string {
  return suiteOrder
    .map((s) => results.filter((r) => r.suite === s))
    .filter((rows) => rows.length > 0)
    .map((rows) => formatTable(rows[0]!.suite, rows, peaks))
    .join('\n\n');
}

/** The `--json FILE` document (issue #13's schema; `peaksByThreads`, `notes` and a result's `peakGops` are extra). */
export function jsonReport(results: readonly BenchResult[], peaks: PeakReport, notes: readonly string[] = []) {
  const byThreads: Record<string, { int8Gops: number | null; fp32Gflops: number | null }> = {};
  for (const t of new Set(peaks.rows.map((r) => r.threads))) byThreads[t] = { int8Gops: peakOf(peaks, 'int8', t), fp32Gflops: peakOf(peaks, 'fp32', t) };
  const one = byThreads[1];
  return {
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      /** 1-minute load average when the report was written: other work on the machine skews multi-thread rows. */
      loadAverage: loadavg()[0],
      peaks: one && one.int8Gops !== null && one.fp32Gflops !== null ? { int8Gops: one.int8Gops, fp32Gflops: one.fp32Gflops } : null,
      peaksByThreads: byThreads,
    },
    results: results.map(({ suite, case: c, impl, engine, dtype, threads, medianMs, runs, gops, peakGops }) =>
      ({ suite, case: c, impl, engine, dtype, threads, medianMs, runs, gops, ...(peakGops === undefined ? {} : { peakGops }) })),
    notes: [...notes],
  };
}

export function writeJson(path: string, results: readonly BenchResult[], peaks: PeakReport, notes: readonly string[] = []): void {
  writeFileSync(path, JSON.stringify(jsonReport(results, peaks, notes), null, 2) + '\n');
}
