/**
 * The HTML report: the results table and run facts, followed by the numeric suite's report
 * of the eager static model (per-layer SQNR of weights and activations against the fused
 * float model). The numeric suite is loaded with a guarded dynamic import: without it the
 * page still has the table and says why the rest is missing.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Tensor } from '@qtorch/qtensor';
import { type Module, deepcopy } from '@qtorch/nn';
import { type ResultRow, escapeHtml, latencyNote, tableHtml, missingNotes } from './table.js';

/** The static model the numeric suite examines, with its float reference. */
export interface StaticModelPair {
  /** Label (`eager static, fbgemm`). */
  label: string;
  /** The float model, fused the same way as the quantized one. */
  float: Module;
  quantized: Module;
  /** Input for the activation comparison. */
  input: Tensor;
}

/** What goes in the report. */
export interface ReportContent {
  rows: readonly ResultRow[];
  /** Lines about the run (data, engines, kernels, timings). */
  facts: readonly string[];
  staticModel?: StaticModelPair;
}

type NsModule = Record<string, unknown>;

/** The numeric suite's HTML for `pair`, or why there is none. */
async function numericSuiteHtml(pair: StaticModelPair | undefined): Promise<{ html?: string; missing?: string }> {
  if (!pair) return { missing: 'no static model was built' };
  let ns: NsModule;
  try {
    ns = (await import('@qtorch/numeric-suite')) as NsModule;
  } catch (e) {
    return { missing: `@qtorch/numeric-suite cannot be loaded (${(e as Error).message})` };
  }
  const { compareWeights, compareModelOutputs, renderHtmlReport } = ns as Record<string, ((...args: unknown[]) => unknown) | undefined>;
  if (!compareWeights || !renderHtmlReport) return { missing: '@qtorch/numeric-suite has no compareWeights / renderHtmlReport yet' };
  const weights = compareWeights(pair.float.stateDict(), pair.quantized.stateDict());
  // Activations too when this build of the numeric suite has compareModelOutputs.
  // It attaches loggers in place, so it gets copies.
  const activations = compareModelOutputs ? compareModelOutputs(deepcopy(pair.float), deepcopy(pair.quantized), [pair.input]) : undefined;
  const html = renderHtmlReport({ weights, activations, model: pair.quantized }, { title: `Numeric suite: ${pair.label}` }) as string;
  return { html };
}

const OWN_STYLE = `<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; }
table { border-collapse: collapse; } th, td { padding: 3px 10px; border-bottom: 1px solid #ddd; text-align: left; }
.demo-results td:nth-child(n+4) { text-align: right; font-variant-numeric: tabular-nums; }
</style>`;

/** The demo's own section: title, facts, table. */
function resultsSection(content: ReportContent, missing: string | undefined): string {
  return [
    '<section class="demo-results">',
    '<h1>qtorch demo: one model, three quantization workflows, two engines</h1>',
    `<ul>${content.facts.map((f) => `<li>${escapeHtml(f)}</li>`).join('')}</ul>`,
    tableHtml(content.rows),
    `<p>${escapeHtml(latencyNote(content.rows))}</p>`,
    ...missingNotes(content.rows).map((n) => `<p>${escapeHtml(n)}</p>`),
    missing ? `<p><b>Numeric suite report not available:</b> ${escapeHtml(missing)}</p>` : '',
    '</section>',
  ].join('\n');
}

/** Renders the report page. */
export async function renderReport(content: ReportContent): Promise<string> {
  const ns = await numericSuiteHtml(content.staticModel);
  const own = resultsSection(content, ns.missing);
  if (ns.html && ns.html.includes('<body>')) {
    // The numeric suite writes a complete page; the results go first in its body and use its styles.
    return ns.html.replace('<body>', `<body>\n${OWN_STYLE}\n${own}\n<hr>`);
  }
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>qtorch demo</title>${OWN_STYLE}</head><body>\n${own}\n</body></html>\n`;
}

/** Writes the report to `path` and returns the path. */
export async function writeReport(path: string, content: ReportContent): Promise<string> {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, await renderReport(content), 'utf8');
  return path;
}
