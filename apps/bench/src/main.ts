/**
 * `pnpm bench [--suite NAME[,NAME]] [--json FILE] [--quick]`: times every suite and prints a
 * table per suite (median ms, GOP/s, ratio to the first implementation of each case).
 */
import { parseArgs } from 'node:util';
import { timeInterleaved, DEFAULT_TIMING, type BenchResult } from './harness.js';
import { formatTable, writeJson } from './report.js';
import { SUITES } from './suites/index.js';

const { values } = parseArgs({
  options: {
    suite: { type: 'string' },
    json: { type: 'string' },
    quick: { type: 'boolean', default: false },
    list: { type: 'boolean', default: false },
  },
});

if (values.list) {
  for (const s of SUITES) console.log(`${s.name.padEnd(12)} ${s.description}`);
  process.exit(0);
}
const wanted = values.suite ? new Set(values.suite.split(',')) : null;
const unknown = wanted ? [...wanted].filter((w) => !SUITES.some((s) => s.name === w)) : [];
if (unknown.length) {
  console.error(`bench: unknown suite(s) ${unknown.join(', ')}; known: ${SUITES.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
const timing = values.quick ? { warmup: 1, minRuns: 2, budgetMs: 50 } : DEFAULT_TIMING;
const results: BenchResult[] = [];
for (const suite of SUITES) {
  if (wanted && !wanted.has(suite.name)) continue;
  for (const group of suite.groups({ quick: values.quick })) results.push(...timeInterleaved(group, timing));
}
console.log(formatTable(results));
if (values.json) writeJson(values.json, results, null);
