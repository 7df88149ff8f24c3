// Compiles every runnable ```ts block of the docs against the packages' sources.
import { afterAll, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { docBlocks } from '../src/docs.js';
import { isRunnable } from '../src/extract.js';
import { typecheckBlockFiles } from '../src/typecheck.js';
import { scratchDir, writeBlockFiles } from '../src/workspace.js';

const dir = scratchDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('every runnable documentation example type-checks (strict, as the packages are)', () => {
  const files = writeBlockFiles(docBlocks().filter(isRunnable), dir);
  const errors = typecheckBlockFiles(files).map((d) => `${d.where}: ${d.message}`);
  expect(errors).toEqual([]);
});

it('reports errors at their Markdown line', () => {
  const block = { file: 'FAKE.md', line: 10, flags: [], code: "const ok = 1;\nconst n: string = ok;\n" };
  const errors = typecheckBlockFiles(writeBlockFiles([block], scratchDir()));
  expect(errors).toEqual([{ where: 'FAKE.md:12', message: "Type 'number' is not assignable to type 'string'." }]);
});
