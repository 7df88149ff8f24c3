/**
 * The demo end to end on the `--quick` preset (what CI runs): every int8 variant must stay
 * within 2 accuracy points of its float model, its saved state dict must be at most 30% of
 * the float one, and the model reloaded from that file must compute identical outputs.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../src/cli.js';
import { type DemoResult, runDemo } from '../src/run.js';
import type { ResultRow } from '../src/table.js';

const outDir = mkdtempSync(join(tmpdir(), 'qtorch-demo-'));
const logLines: string[] = [];
const progress: string[] = [];
let result: DemoResult;

beforeAll(async () => {
  const options = parseArgs(['--quick', '--out', outDir], outDir);
  if ('help' in options) throw new Error('unexpected --help');
  result = await runDemo(options, { log: (l) => logLines.push(l), sink: { write: (s) => progress.push(s), isTTY: false } });
}, 300_000);

const floatOf = (r: ResultRow) => result.rows.find((f) => f.variant === 'float' && f.model === r.model)!;
const int8Rows = () => result.rows.filter((r) => r.variant !== 'float');

describe('demo --quick', () => {
  it('has a float row per model and each quantized variant under both engines', () => {
    const keys = result.rows.map((r) => `${r.variant}/${r.model}/${r.engine}`);
    expect(keys).toEqual([
      'float/cnn/-', 'float/mlp/-',
      'dynamic/mlp/fbgemm', 'dynamic/mlp/qnnpack',
      'eager static/cnn/fbgemm', 'eager static/cnn/qnnpack',
      'fx static/cnn/fbgemm', 'fx static/cnn/qnnpack',
      'qat/cnn/fbgemm', 'qat/cnn/qnnpack',
    ]);
    for (const r of result.rows.filter((x) => x.variant === 'float')) {
      // A trained model, far above chance (10%).
      expect(r.accuracy).toBeGreaterThan(0.7);
      expect(r.reloadIdentical).toBe(true);
    }
  });

  it('runs every int8 variant (FX only once @qtorch/quantization/fx has prepareFx/convertFx)', () => {
    for (const r of int8Rows()) {
      if (r.variant === 'fx static' && r.missing?.status === 'not available') expect(r.missing.reason).toMatch(/@qtorch\/quantization\/fx/);
      else expect(r.missing, `${r.variant}/${r.engine}`).toBeUndefined();
    }
  });

  it('loses at most 2 accuracy points per int8 variant', () => {
    for (const r of int8Rows().filter((x) => !x.missing)) {
      expect(floatOf(r).accuracy - r.accuracy, `${r.variant}/${r.engine}: ${r.accuracy} vs float ${floatOf(r).accuracy}`).toBeLessThanOrEqual(0.02);
    }
  });

  it('saves every int8 model in at most 30% of the float file, and reloads it with identical outputs', () => {
    for (const r of int8Rows().filter((x) => !x.missing)) {
      expect(r.sizeBytes / floatOf(r).sizeBytes, `${r.variant}/${r.engine}`).toBeLessThanOrEqual(0.3);
      expect(r.reloadIdentical, `${r.variant}/${r.engine}`).toBe(true);
      expect(existsSync(join(outDir, 'models', `${r.model}-${r.variant.replace(' ', '-')}-${r.engine}.safetensors`))).toBe(true);
    }
  });

  it('prints the table and the report path, and shows training progress with loss', () => {
    const text = logLines.join('\n');
    expect(text).toMatch(/^variant +model +engine +accuracy +size \(bytes\)/m);
    expect(text).toContain(`report: ${result.reportPath}`);
    expect(progress.some((l) => /^train cnn \[#+\] 100% \d+\/\d+ loss \d\.\d{4} in /.test(l))).toBe(true);
    expect(progress.some((l) => l.startsWith('calibrate eager/fbgemm'))).toBe(true);
  });

  it('writes an HTML report with the table and the numeric suite analysis of the static model', () => {
    const html = readFileSync(result.reportPath!, 'utf8');
    expect(html).toContain('<td>eager static</td>');
    expect(html).toContain('Numeric suite: eager static model, fbgemm');
    expect(html).toMatch(/SQNR/);
  });

  it('reuses the checkpoints it trained on a second run', async () => {
    const options = parseArgs(['--quick', '--out', outDir, '--train-only'], outDir);
    if ('help' in options) throw new Error('unexpected --help');
    const lines: string[] = [];
    await runDemo(options, { log: (l) => lines.push(l), sink: { write: () => true } });
    expect(lines.filter((l) => l.startsWith('loaded checkpoint')).length).toBe(2);
  });
});
