// The built .d.ts must give consumers the same API as the sources: methods that qtensor adds to
// Tensor through module augmentation (views, autograd, ops) must survive tsup's d.ts bundling.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const qtensorDist = join(root, 'packages', 'qtensor', 'dist', 'index.js');

function typeErrors(source: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'qtorch-dts-'));
  const file = join(dir, 'consumer.ts');
  writeFileSync(file, source);
  const program = ts.createProgram([file], {
    strict: true, noEmit: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
    // A Node consumer has @types/node (qtensor's worker-thread inference pool uses node:worker_threads).
    target: ts.ScriptTarget.ES2022, types: ['node'], typeRoots: [join(root, 'node_modules', '@types')],
  });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

it('augmented Tensor methods are visible through the built qtensor types', () => {
  const ok = typeErrors(`import { arange, type Tensor } from ${JSON.stringify(qtensorDist)};
const x: Tensor = arange(6).reshape(2, 3).t().contiguous();
x.backward();
`);
  expect(ok).toEqual([]);
  // And the check can fail: a method that does not exist is reported.
  const bad = typeErrors(`import { arange } from ${JSON.stringify(qtensorDist)};
arange(6).noSuchMethod();
`);
  expect(bad.join('\n')).toMatch(/noSuchMethod/);
});
