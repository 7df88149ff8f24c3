/**
 * The HTML report: one self-contained file (inline CSS and SVG, no scripts, no network) with
 * a per-layer SQNR bar chart, the metrics table, a per-channel SQNR chart for every layer and
 * float vs dequantized histograms for the worst layers.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { barChartSvg, escapeXml, histogramSvg } from './svg.js';
import { type LayerReport, type ReportInput, toRows, worstLayers } from './summary.js';
import { formatMetric } from './table.js';

/** Options of `renderHtmlReport` / `writeHtmlReport`. */
export interface HtmlReportOptions {
  /** Page title (default "qtorch numeric suite report"). */
  title?: string;
  /** How many of the lowest-SQNR layers get histograms (default 3). */
  worstCount?: number;
  /** SQNR drawn as the "good enough" reference line, in dB (default 20). */
  referenceSqnr?: number;
}

const COLORS: Record<LayerReport['kind'], string> = { weight: '#4c78a8', activation: '#f58518' };

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 28px; } h3 { font-size: 15px; margin: 18px 0 4px; }
table { border-collapse: collapse; } th, td { padding: 3px 10px; border-bottom: 1px solid #ddd; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; } tr.bad td { background: #fde8e8; }
.chart-title { font-weight: 600; font-size: 13px; } .bar-label, .bar-value, .axis { font-size: 11px; fill: #333; }
.reference { stroke: #c00; stroke-dasharray: 4 3; } .axis-line { stroke: #888; }
.hist-float { fill: #4c78a8; opacity: 0.55; } .hist-quantized { fill: none; stroke: #e45756; stroke-width: 1.5; }
.hist-quantized-key { fill: #e45756; } .legend span { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 12px; }
section.layer { margin-bottom: 12px; }
`;

function barLabel(r: LayerReport): string {
  return `${r.layer || '<model>'} (${r.kind === 'weight' ? 'w' : 'act'})`;
}

function metricsTable(rows: readonly LayerReport[], reference: number): string {
  const head = '<tr><th>layer</th><th>op</th><th>kind</th><th>SQNR (dB)</th><th>norm. L2</th><th>cosine</th></tr>';
  const body = rows.map((r) => `<tr class="${r.sqnr < reference ? 'bad' : 'ok'}"><td>${escapeXml(r.layer || '<model>')}</td><td>${escapeXml(r.opType || '?')}</td>`
    + `<td>${r.kind}</td><td class="num">${formatMetric(r.sqnr, 2)}</td><td class="num">${formatMetric(r.normalizedL2, 5)}</td>`
    + `<td class="num">${formatMetric(r.cosine, 6)}</td></tr>`);
  return `<table class="metrics"><thead>${head}</thead><tbody>${body.join('')}</tbody></table>`;
}

function layerSection(r: LayerReport, index: number, reference: number): string {
  const what = r.kind === 'weight' ? 'output channel' : 'channel';
  const bars = r.channelSqnr.map((v, c) => ({ label: `${what} ${c}`, value: v, color: COLORS[r.kind] }));
  return `<section class="layer" id="layer-${index}" data-layer="${escapeXml(r.key)}" data-kind="${r.kind}">`
    + `<h3>${escapeXml(r.key)} <small>${escapeXml(r.opType || '')}</small></h3>`
    + barChartSvg(bars, { title: `SQNR per ${what}: ${r.key}`, unit: 'dB', reference, chartId: `layer-${index}` })
    + '</section>';
}

/** The report as an HTML string (see `writeHtmlReport`). */
export function renderHtmlReport(results: LayerReport[] | ReportInput, options: HtmlReportOptions = {}): string {
  const rows = toRows(results);
  const title = options.title ?? 'qtorch numeric suite report';
  const reference = options.referenceSqnr ?? 20;
  const worst = worstLayers(rows, options.worstCount ?? 3);
  const summary = barChartSvg(rows.map((r) => ({ label: barLabel(r), value: r.sqnr, color: COLORS[r.kind] })), {
    title: 'SQNR per layer (dB, higher is better)', unit: 'dB', reference, chartId: 'summary', width: 760,
  });
  const worstText = worst[0] ? `Lowest SQNR: <b>${escapeXml(worst[0].key)}</b> (${formatMetric(worst[0].sqnr, 2)} dB).` : 'No layers compared.';
  const histograms = worst.map((r) => `<section class="histogram" data-layer="${escapeXml(r.key)}"><h3>${escapeXml(r.key)}</h3>`
    + histogramSvg(r.floatValues, r.quantizedValues, { title: `float vs dequantized values: ${r.key}`, chartId: `hist-${r.key}` })
    + '</section>');
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    // nothing may be fetched: the file must render offline, and a stray request shows as a CSP error
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<title>${escapeXml(title)}</title><style>${STYLE}</style></head><body>`,
    `<h1>${escapeXml(title)}</h1>`,
    `<p>${rows.length} compared places. ${worstText}</p>`,
    `<p class="legend"><span style="background:${COLORS.weight}"></span>weight<span style="background:${COLORS.activation}"></span>activation; dashed line: ${reference} dB</p>`,
    summary,
    '<h2>Metrics</h2>', metricsTable(rows, reference),
    '<h2>Worst layers: float vs dequantized</h2>', ...histograms,
    '<h2>Per-layer detail</h2>', ...rows.map((r, i) => layerSection(r, i, reference)),
    '</body></html>',
  ].join('\n');
}

/**
 * Writes the report to `path` as one self-contained HTML file (viewable offline): per-layer
 * SQNR bar chart, metrics table, per-channel SQNR charts and histograms of the worst layers.
 * @example writeHtmlReport('report.html', { weights, activations, model: qModel });
 */
export function writeHtmlReport(path: string, results: LayerReport[] | ReportInput, options: HtmlReportOptions = {}): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, renderHtmlReport(results, options), 'utf8');
}
