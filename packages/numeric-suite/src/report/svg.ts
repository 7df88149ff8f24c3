/**
 * Inline SVG charts of the HTML report (no scripts, no external resources): a horizontal bar
 * chart and an overlaid two-series histogram.
 */

/** Escapes text for HTML / SVG text and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Compact number formatting for axis labels and bar values. */
function fmt(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : v > 0 ? '∞' : '-∞';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
  return Number(v.toPrecision(4)).toString();
}

/** One bar. */
export interface Bar {
  /** Text under the bar. */
  label: string;
  /** Bar height, in the chart's units. */
  value: number;
  /** CSS fill color. */
  color: string;
}

/** Options of `barChartSvg`. */
export interface BarChartOptions {
  /** Heading of the chart. */
  title: string;
  /** Unit shown after values (`dB`). */
  unit?: string;
  /** Draws a dashed reference line at this value (a "good enough" SQNR). */
  reference?: number;
  /** Width in pixels. */
  width?: number;
  /** CSS class / data attribute identifying the chart in the page. */
  chartId?: string;
}

const ROW_H = 18;
const LABEL_W = 190;

/**
 * A horizontal bar chart. Infinite values (exact matches) are drawn full length and labelled
 * `∞`; negative values are clamped at zero length.
 */
export function barChartSvg(bars: readonly Bar[], options: BarChartOptions): string {
  const width = options.width ?? 720;
  const plotW = width - LABEL_W - 70;
  const height = 30 + bars.length * ROW_H + 20;
  const finite = bars.map((b) => b.value).filter(Number.isFinite);
  const max = Math.max(1e-12, ...finite.map((v) => Math.max(v, 0)), options.reference ?? 0);
  const scale = (v: number) => (Number.isFinite(v) ? Math.max(0, v) / max : v > 0 ? 1 : 0) * plotW;
  const unit = options.unit ? ` ${options.unit}` : '';
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart bar-chart" data-chart="${escapeXml(options.chartId ?? '')}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img">`,
    `<title>${escapeXml(options.title)}</title>`,
    `<text x="0" y="14" class="chart-title">${escapeXml(options.title)}</text>`,
  ];
  bars.forEach((b, i) => {
    const y = 26 + i * ROW_H;
    const w = scale(b.value);
    parts.push(
      `<text x="${LABEL_W - 6}" y="${y + 12}" text-anchor="end" class="bar-label">${escapeXml(b.label)}</text>`,
      `<rect x="${LABEL_W}" y="${y + 2}" width="${w.toFixed(1)}" height="${ROW_H - 5}" fill="${b.color}"><title>${escapeXml(`${b.label}: ${fmt(b.value)}${unit}`)}</title></rect>`,
      `<text x="${(LABEL_W + w + 4).toFixed(1)}" y="${y + 12}" class="bar-value">${escapeXml(fmt(b.value) + unit)}</text>`,
    );
  });
  if (options.reference !== undefined) {
    const x = LABEL_W + scale(options.reference);
    parts.push(`<line x1="${x.toFixed(1)}" y1="22" x2="${x.toFixed(1)}" y2="${height - 16}" class="reference"/>`);
    parts.push(`<text x="${x.toFixed(1)}" y="${height - 4}" text-anchor="middle" class="axis">${escapeXml(fmt(options.reference) + unit)}</text>`);
  }
  parts.push('</svg>');
  return parts.join('');
}

/** Options of `histogramSvg`. */
export interface HistogramOptions {
  /** Heading of the chart. */
  title: string;
  /** Number of bins (default 64). */
  bins?: number;
  /** Width in pixels. */
  width?: number;
  /** Height in pixels. */
  height?: number;
  /** Id prefix of the SVG elements (for several charts on one page). */
  chartId?: string;
}

/** Bin counts of `values` over [lo, hi]. */
function binCounts(values: ArrayLike<number>, lo: number, hi: number, bins: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  const span = hi - lo || 1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    counts[Math.min(bins - 1, Math.max(0, Math.floor(((v - lo) / span) * bins)))]! += 1;
  }
  return counts;
}

/**
 * Overlaid histograms of the float values (filled) and the dequantized values (outline) on
 * shared bins, so clipping and rounding show as the two shapes parting.
 */
export function histogramSvg(floatValues: ArrayLike<number>, quantizedValues: ArrayLike<number>, options: HistogramOptions): string {
  const width = options.width ?? 720, height = options.height ?? 220, bins = options.bins ?? 64;
  let lo = Infinity, hi = -Infinity;
  for (const arr of [floatValues, quantizedValues]) {
    for (let i = 0; i < arr.length; i++) {
      const v = arr[i]!;
      if (Number.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
  }
  if (lo > hi) [lo, hi] = [0, 1];
  const fc = binCounts(floatValues, lo, hi, bins), qc = binCounts(quantizedValues, lo, hi, bins);
  const top = 24, bottom = height - 22, left = 40, plotW = width - left - 10;
  const maxCount = Math.max(1, ...fc, ...qc);
  const bw = plotW / bins;
  // log scale: ReLU outputs put most values in the zero bin, which would flatten the rest
  const y = (c: number) => bottom - (Math.log1p(c) / Math.log1p(maxCount)) * (bottom - top);
  const rects = fc.map((c, i) => `<rect x="${(left + i * bw).toFixed(1)}" y="${y(c).toFixed(1)}" width="${Math.max(bw - 0.5, 0.5).toFixed(1)}" height="${(bottom - y(c)).toFixed(1)}" class="hist-float"/>`);
  let path = `M${left},${bottom}`;
  qc.forEach((c, i) => {
    path += ` L${(left + i * bw).toFixed(1)},${y(c).toFixed(1)} L${(left + (i + 1) * bw).toFixed(1)},${y(c).toFixed(1)}`;
  });
  path += ` L${left + plotW},${bottom}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart histogram" data-chart="${escapeXml(options.chartId ?? '')}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img">`,
    `<title>${escapeXml(options.title)}</title>`,
    `<text x="0" y="14" class="chart-title">${escapeXml(options.title)} <tspan class="axis">(count, log scale)</tspan></text>`,
    ...rects,
    `<path d="${path}" class="hist-quantized"/>`,
    `<line x1="${left}" y1="${bottom}" x2="${left + plotW}" y2="${bottom}" class="axis-line"/>`,
    `<text x="${left}" y="${height - 6}" class="axis">${escapeXml(fmt(lo))}</text>`,
    `<text x="${left + plotW}" y="${height - 6}" text-anchor="end" class="axis">${escapeXml(fmt(hi))}</text>`,
    `<text x="${left - 4}" y="${top + 8}" text-anchor="end" class="axis">${maxCount}</text>`,
    `<text x="${left - 4}" y="${bottom}" text-anchor="end" class="axis">0</text>`,
    `<rect x="${width - 200}" y="4" width="10" height="10" class="hist-float"/><text x="${width - 186}" y="13" class="axis">float</text>`,
    `<rect x="${width - 130}" y="4" width="10" height="10" class="hist-quantized-key"/><text x="${width - 116}" y="13" class="axis">dequantized</text>`,
    '</svg>',
  ].join('');
}
