import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { goldenCase, tensorFromGolden } from '@qtorch/testing';
import { Conv2d, Linear, Module, ReLU } from '@qtorch/nn';
import { type Tensor, tensor } from '@qtorch/qtensor';
import {
  type ActivationCompareDict, type LayerReport, Shadow, ShadowLogger, type WeightCompareDict, formatReportTable, layerOfKey, renderHtmlReport,
  summarizeResults, writeHtmlReport,
} from '../src/index.js';
import { decodePng } from './png.js';

const NS = 'numeric_suite/numeric_suite.json';

/** Golden weights and activations of the qnnpack small CNN, as the suite's result dicts. */
function goldenResults(): { weights: WeightCompareDict; activations: ActivationCompareDict; sqnr: Record<string, number> } {
  const w = goldenCase(NS, 'compare_weights_qnnpack_on_qnnpack').expected.weights as Record<string, any>;
  const o = goldenCase(NS, 'compare_model_outputs_qnnpack_on_qnnpack').expected.outputs as Record<string, any>;
  const weights: WeightCompareDict = {}, activations: ActivationCompareDict = {}, sqnr: Record<string, number> = {};
  for (const [k, e] of Object.entries(w)) {
    weights[k] = { float: tensorFromGolden(e.float), quantized: tensorFromGolden(e.quantized) };
    sqnr[k] = e.sqnr;
  }
  for (const [k, e] of Object.entries(o)) {
    activations[k] = { float: e.float.map(tensorFromGolden), quantized: e.quantized.map(tensorFromGolden) };
    sqnr[k] = e.sqnr[0];
  }
  return { weights, activations, sqnr };
}

/** A module tree with the small CNN's layer names. */
class Named extends Module {
  quant = new ReLU();
  conv1 = new Conv2d(3, 8, 3);
  conv2 = new Conv2d(8, 8, 3);
  skip_add = new ReLU();
  fc: Module = new Shadow(new Linear(8, 10), new Linear(8, 10), ShadowLogger);
  forward(x: Tensor) { return x; }
}

describe('summarizeResults', () => {
  it('one row per weight and activation with PyTorch SQNRs (golden, within 1e-3 dB)', () => {
    const { weights, activations, sqnr } = goldenResults();
    const rows = summarizeResults({ weights, activations, model: new Named() });
    expect(rows.map((r) => r.key)).toEqual([...Object.keys(weights), ...Object.keys(activations)]);
    expect(rows.map((r) => r.layer)).toEqual(['conv1', 'conv2', 'fc', 'quant', 'conv1', 'conv2', 'skip_add', 'fc']);
    expect(rows.map((r) => r.kind)).toEqual(['weight', 'weight', 'weight', 'activation', 'activation', 'activation', 'activation', 'activation']);
    expect(rows[0]!.opType).toBe('Conv2d');
    expect(rows[2]!.opType).toBe('Linear'); // the Shadow's quantized module
    for (const r of rows) expect(Math.abs(r.sqnr - sqnr[r.key]!), r.key).toBeLessThan(1e-3);
  });

  it('normalized L2, cosine and per-channel SQNR (hand-computed)', () => {
    const rows = summarizeResults({ weights: { 'l.weight': { float: tensor([[1, 2], [3, 4]]), quantized: tensor([[1, 2], [3, 5]]) } } });
    const r = rows[0]!;
    expect(r.opType).toBe('');
    expect(r.normalizedL2).toBeCloseTo(Math.sqrt(1 / 30), 12);
    expect(r.cosine).toBeCloseTo(34 / Math.sqrt(30 * 39), 12);
    expect(r.channelSqnr[0]).toBe(Infinity);
    expect(r.channelSqnr[1]).toBeCloseTo(20 * Math.log10(5), 12);
  });

  it('activations: channels on dim 1, all logged calls pooled', () => {
    const f1 = tensor([[1, 10], [2, 20]]), q1 = tensor([[1, 11], [2, 20]]);
    const f2 = tensor([[3, 30]]), q2 = tensor([[4, 30]]);
    const [r] = summarizeResults({ activations: { 'a.stats': { float: [f1, f2], quantized: [q1, q2] } } });
    // channel 0: x = 1,2,3 vs 1,2,4; channel 1: 10,20,30 vs 11,20,30
    expect(r!.channelSqnr[0]).toBeCloseTo(20 * Math.log10(Math.sqrt(14)), 12);
    expect(r!.channelSqnr[1]).toBeCloseTo(20 * Math.log10(Math.sqrt(1400)), 12);
    expect(r!.sqnr).toBeCloseTo(20 * Math.log10(Math.sqrt(1414) / Math.sqrt(2)), 12);
    expect(r!.floatValues).toHaveLength(6);
  });

  it('layerOfKey strips the result suffixes', () => {
    expect(layerOfKey('fc._packed_params._packed_params')).toBe('fc');
    expect(layerOfKey('a.b.stats')).toBe('a.b');
    expect(layerOfKey('conv1.weight')).toBe('conv1');
    expect(layerOfKey('stats')).toBe('');
  });
});

describe('formatReportTable', () => {
  it('prints one aligned line per row, flags low SQNR, sorts on request', () => {
    const rows: LayerReport[] = summarizeResults({
      weights: {
        'a.weight': { float: tensor([1, 2, 3, 4]), quantized: tensor([1, 2, 3, 5]) },
        'b.weight': { float: tensor([1, 2]), quantized: tensor([1, 2]) },
      },
    });
    const lines = formatReportTable(rows).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^layer\s+op\s+kind\s+SQNR \(dB\)\s+norm\. L2\s+cosine$/);
    expect(lines[2]).toMatch(/^a\s+\?\s+weight\s+14\.77\s+0\.18257\s+0\.993999\s+<-$/);
    expect(lines[3]).toMatch(/^b\s+\?\s+weight\s+inf\s+0\.00000\s+1\.000000$/);
    expect(new Set(lines.map((l) => l.replace(/\s+<-$/, '').length)).size).toBe(1);
    const sorted = formatReportTable(rows.slice().reverse(), { sortBy: 'sqnr', warnBelowSqnr: 10 }).split('\n');
    expect(sorted[2]).toMatch(/^a .*14\.77\s+0\.18257\s+0\.993999$/);
  });
});

/** Checks tag balance of an HTML document (void elements and self-closing SVG tags allowed). */
function checkBalanced(html: string): void {
  const voids = new Set(['meta', 'br', 'hr', 'img', 'input', 'link']);
  const stack: string[] = [];
  const body = html.replace(/^<!DOCTYPE html>/i, '').replace(/<style>[\s\S]*?<\/style>/g, '<style></style>');
  for (const m of body.matchAll(/<(\/?)([a-zA-Z][\w-]*)([^>]*?)(\/?)>/g)) {
    const [, close, name, , self] = m;
    const tag = name!.toLowerCase();
    if (close) {
      const top = stack.pop();
      if (top !== tag) throw new Error(`unbalanced </${tag}>, open <${top}> at ${m.index}`);
    } else if (!self && !voids.has(tag)) stack.push(tag);
  }
  if (stack.length) throw new Error(`unclosed: ${stack.join(', ')}`);
}

describe('HTML report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qtorch-ns-'));
  const { weights, activations } = goldenResults();
  const path = join(dir, 'sub', 'report.html');
  writeHtmlReport(path, { weights, activations, model: new Named() }, { title: 'small <CNN>', worstCount: 2 });
  const html = readFileSync(path, 'utf8');

  it('writes one well-formed, self-contained HTML file', () => {
    expect(existsSync(path)).toBe(true);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    checkBalanced(html);
    expect(html).toContain('<title>small &lt;CNN&gt;</title>');
    expect(html).not.toMatch(/<script|<link|<img|src=|url\(|href="?http/i);
  });

  it('has a summary chart with a bar per layer, a table row per layer and an SVG chart per layer', () => {
    const summary = html.match(/<svg[^>]*data-chart="summary"[\s\S]*?<\/svg>/)![0];
    expect(summary.match(/<rect /g)).toHaveLength(8);
    expect(html.match(/<tr class="(bad|ok)">/g)).toHaveLength(8);
    const sections = [...html.matchAll(/<section class="layer"[^>]*data-layer="([^"]*)"[^>]*>([\s\S]*?)<\/section>/g)];
    expect(sections.map((s) => s[1])).toEqual([...Object.keys(weights), ...Object.keys(activations)]);
    for (const s of sections) expect(s[2]!.match(/<svg /g), s[1]).toHaveLength(1);
    // conv1 weight: 8 output channels -> 8 bars
    expect(sections[0]![2]!.match(/<rect /g)).toHaveLength(8);
  });

  it('has histograms for the worst layers only, lowest SQNR first', () => {
    const hist = [...html.matchAll(/<section class="histogram" data-layer="([^"]*)">/g)].map((m) => m[1]);
    expect(hist).toEqual(['fc.stats', 'conv2.stats']); // golden SQNRs 31.59 and 39.41 dB are the lowest
    expect(html.match(/<svg[^>]*class="chart histogram"/g)).toHaveLength(2);
  });

  const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find(existsSync);
  if (!chromium) console.warn('HTML report screenshot test skipped: no chromium binary (apt-get install -y chromium)');
  it.skipIf(!chromium)('renders in headless Chromium without console errors', () => {
    const png = join(dir, 'shot.png');
    const run = spawnSync(chromium!, [
      '--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', `--screenshot=${png}`, '--window-size=900,1400',
      '--enable-logging=stderr', '--v=0', `file://${path}`,
    ], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    // page console output (CSP violations, failed loads, script errors) is logged as CONSOLE lines
    expect(run.stderr.split('\n').filter((l) => /CONSOLE|Refused|Uncaught/.test(l))).toEqual([]);
    const img = decodePng(readFileSync(png));
    expect([img.width, img.height]).toEqual([900, 1400]);
    // the weight bars (#4c78a8) and activation bars (#f58518) were painted
    let weightPx = 0, actPx = 0;
    for (let i = 0; i < img.rgba.length; i += 4) {
      const [r, g, b] = [img.rgba[i]!, img.rgba[i + 1]!, img.rgba[i + 2]!];
      if (Math.abs(r - 0x4c) < 4 && Math.abs(g - 0x78) < 4 && Math.abs(b - 0xa8) < 4) weightPx++;
      if (Math.abs(r - 0xf5) < 4 && Math.abs(g - 0x85) < 4 && Math.abs(b - 0x18) < 4) actPx++;
    }
    expect(weightPx).toBeGreaterThan(500);
    expect(actPx).toBeGreaterThan(500);
  });

  it('renderHtmlReport takes rows as well', () => {
    const rows = summarizeResults({ weights });
    expect(renderHtmlReport(rows).match(/<section class="layer"/g)).toHaveLength(3);
  });
});
