// Shared vitest settings for every workspace package. Tests resolve `@qtorch/*` (and its
// subpaths, `@qtorch/nn-quantized/dynamic` -> packages/nn-quantized/src/dynamic/index.ts) to
// the packages' TypeScript sources, so a test run never depends on a stale dist/ and
// packages are tested without building each other first. The built dist/ is exercised by
// the smoke test in tools/testing.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));

function subpathEntries(srcDir: string, dir = srcDir): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (!statSync(full).isDirectory()) continue;
    const index = join(full, 'index.ts');
    if (existsSync(index)) out.push([relative(srcDir, full).split('\\').join('/'), index]);
    out.push(...subpathEntries(srcDir, full));
  }
  return out;
}

function buildAliases(): Array<{ find: RegExp; replacement: string }> {
  const aliases: Array<{ find: RegExp; replacement: string }> = [];
  for (const group of ['packages', 'tools', 'apps']) {
    const groupDir = join(root, group);
    if (!existsSync(groupDir)) continue;
    for (const pkg of readdirSync(groupDir)) {
      const src = join(groupDir, pkg, 'src');
      if (!existsSync(join(src, 'index.ts'))) continue;
      for (const [sub, file] of subpathEntries(src)) {
        aliases.push({ find: new RegExp(`^@qtorch/${pkg}/${sub}$`), replacement: file });
      }
      aliases.push({ find: new RegExp(`^@qtorch/${pkg}$`), replacement: join(src, 'index.ts') });
    }
  }
  return aliases;
}

export const sharedTestConfig = {
  resolve: { alias: buildAliases() },
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest/report.json' },
    testTimeout: 60_000,
    // the native kernels' new outputs start as 0xA5 bytes, not zeros: an unwritten element fails the exact comparisons
    env: { QTORCH_POISON_OUTPUTS: '1' },
  },
};
