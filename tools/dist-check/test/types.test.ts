// The built .d.ts must give consumers the same API as the sources: methods that qtensor adds to
// Tensor through module augmentation (views, autograd, ops) must survive tsup's d.ts bundling.
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
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
    // The consumer's code is what is checked (the .d.ts files' own imports are checked below):
    // type-checking @types/node and every declaration file again took 40+ s under CI load.
    skipLibCheck: true,
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

// Every relative import in every package's bundled declarations must name a file the bundle
// wrote: tsup's .d.ts bundler once emitted `from './binding.js'` (a source file of
// kernels-common reached through node_modules) into the kernels packages' index.d.ts.
const packagesDir = join(root, 'packages');
for (const pkg of readdirSync(packagesDir)) {
  const dist = join(packagesDir, pkg, 'dist');
  if (!existsSync(dist)) continue;
  it(`@qtorch/${pkg}: relative imports of the built .d.ts files resolve inside dist`, () => {
    const missing: string[] = [];
    const files = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((f) => /\.d\.c?ts$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const text = readFileSync(join(dist, file), 'utf8');
      for (const [, spec] of text.matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
        const base = join(dist, dirname(file), spec!).replace(/\.c?js$/, '');
        if (!['.d.ts', '.d.cts'].some((ext) => existsSync(base + ext))) missing.push(`${file}: ${spec}`);
      }
    }
    expect(missing).toEqual([]);
  });
}

it('the kernels packages type-check through their built declarations', () => {
  for (const pkg of ['kernels-fbgemm', 'kernels-qnnpack']) {
    const entry = JSON.stringify(join(packagesDir, pkg, 'dist', 'index.js'));
    const errors = typeErrors(`import { backendInfo, packWeights, qlinear, type Isa } from ${entry};
const isa: Isa | null = backendInfo().isa;
const packed = packWeights(new Int8Array(4), 2, 2);
const y: Uint8Array = qlinear(new Uint8Array(2), 1, packed, { inputScale: 1, inputZeroPoint: 0, weightScales: 1, outputScale: 1, outputZeroPoint: 0 });
void isa; void y;
`);
    expect(errors).toEqual([]);
  }
});
