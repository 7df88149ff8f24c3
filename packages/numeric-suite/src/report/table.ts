/** The terminal report: a fixed-width table of the per-layer comparison rows. */
import { type LayerReport, type ReportInput, toRows } from './summary.js';

/** Options of `formatReportTable`. */
export interface ReportTableOptions {
  /** Row order: as given (default), or by SQNR, worst first. */
  sortBy?: 'none' | 'sqnr';
  /** Flag rows whose SQNR is below this many dB with `<-` (default 20). */
  warnBelowSqnr?: number;
}

/** Formats a metric: fixed decimals, `inf` / `-inf` / `nan` spelled out. */
export function formatMetric(v: number, digits: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return v.toFixed(digits);
}

/**
 * The report as a text table: layer, op type, weight/activation, SQNR (dB), normalized L2
 * error, cosine similarity. Rows under the warning threshold are marked `<-`.
 * @example console.log(formatReportTable({ weights, activations, model: qModel }));
 */
export function formatReportTable(results: LayerReport[] | ReportInput, options: ReportTableOptions = {}): string {
  let rows = toRows(results);
  if (options.sortBy === 'sqnr') rows = [...rows].sort((a, b) => a.sqnr - b.sqnr);
  const warn = options.warnBelowSqnr ?? 20;
  const header = ['layer', 'op', 'kind', 'SQNR (dB)', 'norm. L2', 'cosine'];
  const body = rows.map((r) => [
    r.layer || '<model>', r.opType || '?', r.kind, formatMetric(r.sqnr, 2), formatMetric(r.normalizedL2, 5), formatMetric(r.cosine, 6),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((row) => row[c]!.length)));
  const numeric = new Set([3, 4, 5]);
  const line = (cells: string[]) => cells.map((cell, c) => (numeric.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ');
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  ')];
  body.forEach((cells, i) => out.push(line(cells) + (rows[i]!.sqnr < warn ? '  <-' : '')));
  return out.join('\n');
}
