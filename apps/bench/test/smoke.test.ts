import { describe, expect, it } from 'vitest';
import { type BenchCase, type BenchResult, QUICK_TIMING, median, settle, timeInterleaved, toResult } from '../src/harness.js';
import { type PeakReport, peakOf } from '../src/peak/peak.js';
import { formatTable, int8OverFp32, jsonReport, oursOverPeer, fractionOfPeak } from '../src/report.js';
import { SUITES } from '../src/suites/index.js';

const TINY = { ...QUICK_TIMING, warmup: 1, minRuns: 2, maxRuns: 3, budgetMs: 0 };
const NO_PEAKS: PeakReport = { rows: [], reason: 'not measured', features: {} };

describe('harness', () => {
  it('median of even and odd sample counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(RangeError);
  });

  it('toResult derives GOP/s from ops and the median', () => {
    const meta = { suite: 's', case: 'c', impl: 'qtorch-reference', engine: '-', dtype: 'fp32', threads: 1, ops: 4e6 } as const;
    const r = toResult(meta, [2, 4, 1]);
    expect(r.medianMs).toBe(2);
    expect(r.runs).toBe(3);
    expect(r.gops).toBeCloseTo(4e6 / (2 * 1e6), 12); // 2 GOP/s
  });

  it('runs every case of a group, awaits async cases, and samples slow cases less', async () => {
    let sync = 0, async_ = 0, slow = 0;
    const base = { suite: 's', case: 'c', engine: '-', dtype: 'int8', threads: 1, ops: 0 } as const;
    const cases: BenchCase[] = [
      { ...base, impl: 'qtorch-native', run: () => void sync++ },
      { ...base, impl: 'onnxruntime', run: () => new Promise<void>((res) => setTimeout(() => { async_++; res(); }, 1)) },
      { ...base, impl: 'qtorch-reference', run: () => { slow++; let s = 0; for (let i = 0; i < 2e5; i++) s += i; return s; } },
    ];
    // slowMs -1: every warmed-up case counts as slow, so each takes exactly slowRuns samples
    const results = await timeInterleaved(cases, { warmup: 1, minRuns: 4, maxRuns: 10, budgetMs: 0, slowMs: -1, slowRuns: 2, verySlowMs: 1e9 });
    expect(results.map((r) => r.runs)).toEqual([2, 2, 2]);
    expect([sync, async_, slow]).toEqual([3, 3, 3]);
    expect(results.every((r) => r.medianMs >= 0)).toBe(true);
    expect(results[1]!.medianMs).toBeGreaterThanOrEqual(0.5); // the awaited timer was inside the measurement

    // verySlowMs -1: every first call is "very slow" and is kept as the only sample (no warm-up)
    const once = await timeInterleaved(cases, { warmup: 2, minRuns: 4, maxRuns: 10, budgetMs: 100, slowMs: -1, slowRuns: 2, verySlowMs: -1 });
    expect(once.map((r) => r.runs)).toEqual([1, 1, 1]);
    expect([sync, async_, slow]).toEqual([4, 4, 4]);
  });

  it('a fast variant samples bursts of back-to-back calls (minSampleMs), the mean per call', async () => {
    let calls = 0;
    const fast: BenchCase = { suite: 's', case: 'c', engine: '-', dtype: 'int8', threads: 1, ops: 0, impl: 'qtorch-native', run: () => void calls++ };
    const timing = { warmup: 1, minRuns: 3, maxRuns: 3, budgetMs: 0, slowMs: 1e9, slowRuns: 1, verySlowMs: 1e9 };
    await timeInterleaved([fast], timing);
    expect(calls).toBe(1 + 3); // no minSampleMs: one call per sample
    calls = 0;
    const [r] = await timeInterleaved([fast], { ...timing, minSampleMs: 0.5 });
    expect(r!.runs).toBe(3);
    expect(calls).toBeGreaterThan(1 + 3 * 10); // each sample was a burst (a call takes microseconds)
    expect(r!.medianMs).toBeLessThan(0.05); // per call, not per burst
  });
});

describe('settling between implementations (settleMs)', () => {
  const timing = { warmup: 0, minRuns: 3, maxRuns: 3, budgetMs: 0, slowMs: 1e9, slowRuns: 1, verySlowMs: 1e9 };
  const pair = (threads: number): BenchCase[] => (['qtorch-native', 'onnxruntime'] as const).map((impl) =>
    ({ suite: 's', case: 'c', engine: '-', dtype: 'int8', threads, ops: 0, impl, run: () => {} }));

  it('pauses before a multi-threaded sample that follows another implementation', async () => {
    const t0 = performance.now();
    await timeInterleaved(pair(2), { ...timing, settleMs: 40 });
    // 3 rounds of (ours, peer): 5 switches
    expect(performance.now() - t0).toBeGreaterThanOrEqual(5 * 40 - 5);
  });

  it('settle waits for a window in which the process was idle, at most 100 windows', async () => {
    const probe = (usedMs: number[]) => {
      const asked: number[] = [];
      return { asked, measure: async (ms: number) => (asked.push(ms), usedMs.shift() ?? 0) };
    };
    const busy = probe([5, 4.9, 0.6, 0.4]); // 5 ms windows: idle means under 0.5 ms used
    expect(await settle(5, busy.measure)).toBe(4);
    expect(busy.asked).toEqual([5, 5, 5, 5]);
    expect(await settle(5, probe([0]).measure)).toBe(1);
    expect(await settle(5, async () => 5)).toBe(100); // never idle: gives up
  });

  it('does not pause on one thread (no pool to go idle)', async () => {
    const t0 = performance.now();
    await timeInterleaved(pair(1), { ...timing, settleMs: 1000 });
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});

describe('report ratios', () => {
  const row = (p: Partial<BenchResult>): BenchResult => ({ suite: 'linear', case: 'c', impl: 'qtorch-native', engine: 'fbgemm', dtype: 'int8', threads: 1, ops: 2e9, medianMs: 10, runs: 5, gops: 200, ...p });
  const ours = row({ medianMs: 10 });
  const oursQnn = row({ engine: 'qnnpack', medianMs: 40 });
  const oursFp = row({ impl: 'qtorch-reference', engine: '-', dtype: 'fp32', medianMs: 50 });
  const torchOne = row({ impl: 'torch', engine: 'onednn', medianMs: 5 });
  const torchQnn = row({ impl: 'torch', engine: 'qnnpack', medianMs: 20 });
  const torchFp = row({ impl: 'torch', engine: '-', dtype: 'fp32', medianMs: 4 });
  const ortRow = row({ impl: 'onnxruntime', engine: 'QLinearMatMul', medianMs: 8 });
  const rows = [ours, oursQnn, oursFp, torchOne, torchQnn, torchFp, ortRow];

  it('int8/fp32 within one implementation family', () => {
    expect(int8OverFp32(ours, rows)).toBeCloseTo(10 / 50, 12);
    expect(int8OverFp32(torchOne, rows)).toBeCloseTo(5 / 4, 12);
    expect(int8OverFp32(ortRow, rows)).toBeNull(); // no onnxruntime fp32 row
    expect(int8OverFp32(oursFp, rows)).toBeNull();
  });

  it('ours/peer matches engine families, falls back to our best', () => {
    expect(oursOverPeer(torchOne, rows)).toBeCloseTo(10 / 5, 12); // onednn vs our fbgemm
    expect(oursOverPeer(torchQnn, rows)).toBeCloseTo(40 / 20, 12); // qnnpack vs our qnnpack
    expect(oursOverPeer(ortRow, rows)).toBeCloseTo(10 / 8, 12); // no engine family: our fastest
    expect(oursOverPeer(torchFp, rows)).toBeCloseTo(50 / 4, 12);
    expect(oursOverPeer(ours, rows)).toBeNull();
    // a 1-thread peer is compared with our 1-thread rows, not with a faster 2-thread one
    const ours2 = row({ threads: 2, medianMs: 2 });
    expect(oursOverPeer(ortRow, [...rows, ours2])).toBeCloseTo(10 / 8, 12);
    expect(oursOverPeer({ ...ortRow, threads: 2 }, [...rows, ours2])).toBeCloseTo(2 / 8, 12);
  });

  it('fraction of peak per dtype and thread count', () => {
    const peaks: PeakReport = { reason: null, features: {}, rows: [
      { name: 'a', dtype: 'int8', threads: 1, ms: 1, gops: 400, runs: 1 },
      { name: 'b', dtype: 'int8', threads: 1, ms: 1, gops: 800, runs: 1 },
      { name: 'c', dtype: 'fp32', threads: 1, ms: 1, gops: 100, runs: 1 },
    ] };
    expect(peakOf(peaks, 'int8', 1)).toBe(800);
    expect(peakOf(peaks, 'int8', 2)).toBeNull(); // nothing measured on 2 threads
    // a 2-thread measurement below the 1-thread one (the second core was busy) does not lower the peak
    const busy: PeakReport = { ...peaks, rows: [...peaks.rows, { name: 'b', dtype: 'int8', threads: 2, ms: 1, gops: 500, runs: 1 }] };
    expect(peakOf(busy, 'int8', 2)).toBe(800);
    expect(peakOf(busy, 'fp32', 2)).toBeNull();
    expect(fractionOfPeak(ours, peaks)).toBeCloseTo(200 / 800, 12);
    expect(fractionOfPeak(row({ dtype: 'fp32', gops: 25 }), peaks)).toBeCloseTo(0.25, 12);
    expect(fractionOfPeak(row({ threads: 2 }), peaks)).toBeNull();
    // the peak timed among the row's own group wins over the peak table (and fills its gaps)
    expect(fractionOfPeak({ ...ours, peakGops: 250 }, peaks)).toBeCloseTo(200 / 250, 12);
    expect(fractionOfPeak(row({ threads: 2, peakGops: 500 }), peaks)).toBeCloseTo(200 / 500, 12);
    // and the JSON rows carry it where it was measured
    expect(jsonReport([{ ...ours, peakGops: 250 }, ortRow], peaks).results.map((r) => 'peakGops' in r ? r.peakGops : null)).toEqual([250, null]);
    const table = formatTable('linear', rows, peaks);
    expect(table.split('\n')).toHaveLength(2 + rows.length);
    expect(table.split('\n')[2]).toMatch(/qtorch-native\s+fbgemm\s+int8\s+1\s+10\.000\s+5\s+200\s+25\.0\s+0\.20\s*$/);
  });
});

describe('suites (one tiny case each; harness correctness, not speed)', () => {
  for (const suite of SUITES) {
    it(`suite ${suite.name}`, async () => {
      const specs = suite.specs({ quick: true });
      if (suite.name === 'peak') {
        expect(specs).toHaveLength(0);
        const rows = suite.measured!({ reason: null, features: {}, rows: [{ name: 'fma-ymm', dtype: 'fp32', threads: 2, ms: 10, gops: 64, runs: 3 }] });
        expect(rows).toEqual([expect.objectContaining({ suite: 'peak', case: 'fma-ymm', threads: 2, gops: 64, ops: 64 * 10 * 1e6 })]);
        return;
      }
      expect(specs.length).toBeGreaterThan(0);
      for (const s of specs) expect(s.suite).toBe(suite.name);
      const cases = suite.ours(specs[0]!, { quick: true, threads: [1] });
      expect(cases.length).toBeGreaterThan(0);
      const results = await timeInterleaved(cases, TINY);
      expect(results).toHaveLength(cases.length);
      for (const r of results) {
        expect(r.runs).toBeGreaterThanOrEqual(1);
        expect(r.medianMs).toBeGreaterThanOrEqual(0);
        expect(r.case).toBe(specs[0]!.case);
      }
      expect(formatTable(suite.name, results, NO_PEAKS)).toContain(`## ${suite.name}`);
    });
  }
});
