/**
 * The results table: one row per (variant, engine) with test accuracy, the size of the saved
 * state dict, latency per batch and per image, and the speedup over the float model the
 * variant was made from. Rendered as aligned text for the terminal and as HTML for the report.
 */

/** Why a row has no numbers: its API is not in this build, or building / measuring it threw. */
export interface MissingResult {
  status: 'not available' | 'failed';
  reason: string;
}

/** One measured model. */
export interface ResultRow {
  /** `float`, `dynamic`, `eager static`, `fx static`, `qat`. */
  variant: string;
  /** The float model it comes from (`cnn`, `mlp`). */
  model: string;
  /** `fbgemm`, `qnnpack`, or `-` for float models. */
  engine: string;
  /** Test accuracy in [0, 1]. */
  accuracy: number;
  /** Bytes of the saved safetensors state dict. */
  sizeBytes: number;
  /** Median latency of one call on a batch of `batchSize` images, in milliseconds. */
  batchMs: number;
  batchSize: number;
  /** Median latency of one call on a single image, in milliseconds. */
  imageMs: number;
  /** Whether the model reloaded from its file gives identical outputs (undefined: not checked). */
  reloadIdentical?: boolean;
  /** Set when the variant has no numbers (they are NaN then). */
  missing?: MissingResult;
}

const COLUMNS = ['variant', 'model', 'engine', 'accuracy', 'size (bytes)', 'size vs float', 'ms/batch', 'ms/image', 'speedup', 'reload'] as const;

/** What the latency columns mean (printed under the table). */
export function latencyNote(rows: readonly ResultRow[]): string {
  const b = rows.find((r) => !r.missing)?.batchSize ?? 0;
  return `ms/batch: one call on ${b} images; ms/image: one call on 1 image; both the median of repeated runs. `
    + 'speedup: float ms/batch / variant ms/batch, against the float model the variant was made from.';
}

/** The float row a variant is compared with: same model, engine '-'. */
export function baselineOf(row: ResultRow, rows: readonly ResultRow[]): ResultRow | undefined {
  return rows.find((r) => r.variant === 'float' && r.model === row.model);
}

const fixed = (v: number, digits: number): string => (Number.isFinite(v) ? v.toFixed(digits) : '-');

/** The cells of one row, in `COLUMNS` order. */
export function rowCells(row: ResultRow, rows: readonly ResultRow[]): string[] {
  if (row.missing) return [row.variant, row.model, row.engine, row.missing.status === 'failed' ? 'FAILED' : 'not available', '', '', '', '', '', ''];
  const base = baselineOf(row, rows);
  const speedup = base && base !== row ? base.batchMs / row.batchMs : 1;
  const sizeRatio = base && base !== row ? row.sizeBytes / base.sizeBytes : 1;
  return [
    row.variant,
    row.model,
    row.engine,
    `${fixed(row.accuracy * 100, 2)}%`,
    String(row.sizeBytes),
    `${fixed(sizeRatio * 100, 1)}%`,
    fixed(row.batchMs, 2),
    fixed(row.imageMs, 3),
    `${fixed(speedup, 2)}x`,
    row.reloadIdentical === undefined ? '-' : row.reloadIdentical ? 'identical' : 'DIFFERS',
  ];
}

/** The table as aligned plain text (text columns left, numbers right). */
export function formatTable(rows: readonly ResultRow[]): string {
  const body = rows.map((r) => rowCells(r, rows));
  const all = [[...COLUMNS], ...body];
  const widths = COLUMNS.map((_, c) => Math.max(...all.map((cells) => (cells[c] ?? '').length)));
  const leftAligned = 3;
  const line = (cells: readonly string[]) =>
    cells.map((cell, c) => (c < leftAligned || cell === 'not available' || cell === 'FAILED' ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd();
  return [line(COLUMNS), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** One line per row without numbers, saying why. */
export function missingNotes(rows: readonly ResultRow[]): string[] {
  return rows.filter((r) => r.missing).map((r) => `${r.variant} (${r.engine}): ${r.missing!.status}: ${r.missing!.reason}`);
}

/** Escapes text for HTML. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The table as an HTML `<table>`. */
export function tableHtml(rows: readonly ResultRow[]): string {
  const head = COLUMNS.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const body = rows.map((r) => `<tr>${rowCells(r, rows).map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}
