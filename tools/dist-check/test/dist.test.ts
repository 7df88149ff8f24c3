import { createRequire } from 'node:module';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const packagesDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'packages');
const require = createRequire(import.meta.url);

type ExportEntry = { import: { default: string }; require: { default: string } };

for (const dir of readdirSync(packagesDir)) {
  const pkgJson = join(packagesDir, dir, 'package.json');
  if (!existsSync(pkgJson)) continue;
  const pkg = JSON.parse(readFileSync(pkgJson, 'utf8')) as { name: string; exports: Record<string, ExportEntry | string> };
  // Only tsup-built entries (import + require) are dual; plain JS entries (kernels-common) are CJS only.
  const dual = Object.entries(pkg.exports).filter(
    (e): e is [string, ExportEntry] => typeof e[1] !== 'string' && !!e[1].import && !!e[1].require,
  );
  if (dual.length === 0) continue;
  describe(`${pkg.name} dist`, () => {
    for (const [sub, entry] of dual) {
      it(`${sub} loads as ESM and CJS with the same export names`, async () => {
        const esm = await import(pathToFileURL(join(packagesDir, dir, entry.import.default)).href);
        const cjs = require(join(packagesDir, dir, entry.require.default));
        expect(Object.keys(esm).sort()).toEqual(Object.keys(cjs).filter((k) => k !== '__esModule').sort());
      });
    }
  });
}

it('qtensor dist computes (ESM build is functional, not just loadable)', async () => {
  const q = await import(pathToFileURL(join(packagesDir, 'qtensor', 'dist', 'index.js')).href);
  const x = q.arange(6).reshape(2, 3).t();
  expect(x.toArray()).toEqual([0, 3, 1, 4, 2, 5]);
});
