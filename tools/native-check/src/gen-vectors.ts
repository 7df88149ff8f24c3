/**
 * Writes the test vectors (src/cases.ts, outputs from the TypeScript reference) to a file.
 * Usage: node dist/gen-vectors.js <out.bin>
 */
import { writeFileSync } from 'node:fs';
import { buildCases } from './cases.js';
import { encodeVectors } from './format.js';

const out = process.argv[2];
if (!out) {
  console.error('usage: gen-vectors <out.bin>');
  process.exit(2);
}
const cases = buildCases();
const bytes = encodeVectors(cases);
writeFileSync(out, bytes);
const ops = new Map<string, number>();
for (const c of cases) ops.set(c.op, (ops.get(c.op) ?? 0) + 1);
console.log(`native-check: ${cases.length} vectors (${[...ops].map(([op, n]) => `${op} ${n}`).join(', ')}), ${(bytes.length / 1e6).toFixed(1)} MB -> ${out}`);
