/** Text tables and the JSON file of a bench run. */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { BenchResult } from './harness.js';

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

/** One table per suite: case, impl, engine, dtype, threads, median ms, GOP/s, GB/s, and the speed relative to the first row of its comparison group. */
export function formatTable(results: readonly BenchResult[]): string {
  const bySuite = new Map<string, BenchResult[]>();
  for (const r of results) bySuite.set(r.suite, [...(bySuite.get(r.suite) ?? []), r]);
  const lines: string[] = [];
  for (const [suite, rows] of bySuite) {
    lines.push(`\n## ${suite}`);
    lines.push(`${pad('case', 34)} ${pad('impl', 17)} ${pad('engine', 8)} ${pad('dtype', 5)} ${pad('thr', 3, true)} ${pad('median ms', 11, true)} ${pad('GOP/s', 8, true)} ${pad('GB/s', 7, true)} ${pad('vs first', 9, true)}`);
    const firstOfGroup = new Map<number, BenchResult>();
    for (const r of rows) {
      if (!firstOfGroup.has(r.group)) firstOfGroup.set(r.group, r);
      const ref = firstOfGroup.get(r.group)!;
      const gbs = r.bytes ? (r.bytes / (r.medianMs * 1e6)).toFixed(2) : '';
      lines.push(
        `${pad(r.case, 34)} ${pad(r.impl, 17)} ${pad(r.engine, 8)} ${pad(r.dtype, 5)} ${pad(String(r.threads), 3, true)} ${pad(r.medianMs.toFixed(3), 11, true)} ${pad(r.gops ? r.gops.toFixed(1) : '', 8, true)} ${pad(gbs, 7, true)} ${pad((ref.medianMs / r.medianMs).toFixed(2) + 'x', 9, true)}`,
      );
    }
  }
  return lines.join('\n');
}

export function writeJson(path: string, results: readonly BenchResult[], peaks: { int8Gops: number; fp32Gflops: number } | null): void {
  const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, peaks };
  const out = {
    machine,
    results: results.map(({ suite, case: c, impl, engine, dtype, threads, medianMs, runs, gops }) => ({ suite, case: c, impl, engine, dtype, threads, medianMs, runs, gops })),
  };
  writeFileSync(path, JSON.stringify(out, null, 2) + '\n');
}
