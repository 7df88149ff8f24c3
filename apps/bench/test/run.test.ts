import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nativeThreadsAvailable } from '../src/addons.js';
import { nativeFloatGemm } from '@qtorch/qtensor';
import { type BenchResult, QUICK_TIMING } from '../src/harness.js';
import { formatTables, writeJson } from '../src/report.js';
import { runBench } from '../src/run.js';
import { SUITES } from '../src/suites/index.js';

/** Per case: one fp32 row on the TypeScript loops, and one on the native float GEMM (1 thread) when an addon registered it. */
function expectFloatRows(rows: readonly BenchResult[]): void {
  for (const name of new Set(rows.map((r) => r.case))) {
    const fp = rows.filter((r) => r.case === name && r.dtype === 'fp32');
    expect(fp.filter((r) => r.impl === 'qtorch-reference').map((r) => r.threads)).toEqual([1]);
    expect(fp.filter((r) => r.impl === 'qtorch-native').map((r) => r.threads)).toEqual(nativeFloatGemm() ? [1] : []);
  }
}

describe('runBench --quick (no peers, no peak)', () => {
  it('times our variants of every case, reports addons and not-implemented parts, and writes the JSON schema', async () => {
    const suites = SUITES.filter((s) => ['linear', 'dynamic'].includes(s.name));
    const out = await runBench({ suites, threads: [1, 2], peers: [], quick: true, timing: { ...QUICK_TIMING, budgetMs: 0 }, peaks: false });
    expect(out.notes.some((n) => n.startsWith('@qtorch/kernels-fbgemm'))).toBe(true);
    // linear: per engine at least the reference, plus the float path; dynamic: the same for linear_dynamic
    for (const suite of ['linear', 'dynamic']) {
      const rows = out.results.filter((r) => r.suite === suite && !r.case.startsWith('LSTM'));
      expect(rows.filter((r) => r.impl === 'qtorch-reference' && r.dtype === 'int8').map((r) => r.engine)).toEqual(['fbgemm', 'qnnpack']);
      expectFloatRows(rows);
      expect(rows.every((r) => r.ops === 2 * 4 * 32 * 16)).toBe(true);
      // TypeScript paths run on 1 thread; native rows (where an addon registered the op) on each count
      expect(rows.filter((r) => r.impl !== 'qtorch-native').every((r) => r.threads === 1)).toBe(true);
      for (const engine of ['fbgemm', 'qnnpack']) {
        const native = rows.filter((r) => r.impl === 'qtorch-native' && r.engine === engine).map((r) => r.threads);
        expect(native.length === 0 || (nativeThreadsAvailable() ? native.join() === '1,2' : native.join() === '1')).toBe(true);
      }
    }
    // the dynamic LSTM: the quantized LSTM per engine (reference at least) beside the float LSTM
    const lstm = out.results.filter((r) => r.case.startsWith('LSTM'));
    expect(lstm.filter((r) => r.impl === 'qtorch-reference' && r.dtype === 'int8').map((r) => r.engine)).toEqual(['fbgemm', 'qnnpack']);
    expectFloatRows(lstm);
    const text = formatTables(out.results, out.peaks, suites.map((s) => s.name));
    expect(text).toContain('## linear');
    expect(text).not.toContain('## conv');

    const file = join(mkdtempSync(join(tmpdir(), 'qtorch-bench-test-')), 'out.json');
    writeJson(file, out.results, out.peaks, out.notes);
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    expect(Object.keys(doc.machine)).toEqual(expect.arrayContaining(['cpu', 'cores', 'peaks']));
    expect(doc.machine.peaks).toBeNull(); // not measured here
    expect(doc.results).toHaveLength(out.results.length);
    for (const r of doc.results) {
      expect(Object.keys(r).sort()).toEqual(['case', 'dtype', 'engine', 'gops', 'impl', 'medianMs', 'runs', 'suite', 'threads']);
      expect(['qtorch-native', 'qtorch-reference', 'torch', 'onnxruntime']).toContain(r.impl);
    }
  });
});

describe('runBench --case', () => {
  const timing = { ...QUICK_TIMING, budgetMs: 0 };
  it('times only the cases whose label contains the text, and says when none matched', async () => {
    const suites = SUITES.filter((s) => ['linear', 'dynamic'].includes(s.name));
    const out = await runBench({ suites, threads: [1], peers: [], caseFilter: 'LSTM', quick: true, timing, peaks: false });
    expect(out.results.length).toBeGreaterThan(0);
    expect(new Set(out.results.map((r) => `${r.suite} ${r.case}`))).toEqual(new Set(['dynamic LSTM 16->16 x2 seq 4 batch 2']));
    const none = await runBench({ suites, threads: [1], peers: [], caseFilter: 'no such case', quick: true, timing, peaks: false });
    expect(none.results).toEqual([]);
    expect(none.notes).toContain("--case 'no such case' matched no case of the selected suites");
  });
});
