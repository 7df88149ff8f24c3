#!/usr/bin/env node
// Sums every workspace package's vitest JSON report into the one plain line CI reads:
// "tests: N passed, N failed, N skipped". Exits 1 if anything failed or nothing ran.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
let passed = 0, failed = 0, skipped = 0;
const perPackage = [];
for (const group of ['packages', 'apps', 'tools']) {
  const groupDir = join(root, group);
  if (!existsSync(groupDir)) continue;
  for (const name of readdirSync(groupDir)) {
    const report = join(groupDir, name, '.vitest', 'report.json');
    if (!existsSync(report)) continue;
    const r = JSON.parse(readFileSync(report, 'utf8'));
    const p = r.numPassedTests ?? 0, f = r.numFailedTests ?? 0;
    const s = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    passed += p; failed += f; skipped += s;
    perPackage.push(`${group}/${name}: ${p} passed, ${f} failed${s ? `, ${s} skipped` : ''}`);
  }
}
for (const line of perPackage) console.log(`  ${line}`);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
