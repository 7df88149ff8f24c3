// TypeDoc configuration of qtorch's API reference (`pnpm docs` at the repository root writes
// it to docs/api/). The entry points are every public export of every package, read from the
// packages' package.json `exports` (./dist/<sub>/index.js -> src/<sub>/index.ts), so a new
// subpath is documented without touching this file. The module names shown are the import
// specifiers (`@qtorch/nn-quantized/dynamic`), set by ./typedoc-plugin.mjs.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

/** `[specifier, source file]` for each export of each package that has TypeScript sources. */
export function packageEntryPoints() {
  const out = [];
  const packages = join(root, 'packages');
  for (const dir of readdirSync(packages).sort()) {
    const pkgFile = join(packages, dir, 'package.json');
    if (!existsSync(pkgFile) || !existsSync(join(packages, dir, 'src', 'index.ts'))) continue;
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
    for (const key of Object.keys(pkg.exports ?? { '.': null })) {
      if (key === './package.json') continue;
      const sub = key === '.' ? '' : key.slice(2);
      const file = join(packages, dir, 'src', sub, 'index.ts');
      if (!existsSync(file)) throw new Error(`${pkg.name}: export '${key}' has no source ${relative(root, file)}`);
      out.push([sub ? `${pkg.name}/${sub}` : pkg.name, file]);
    }
  }
  return out;
}

/** @type {Partial<import('typedoc').TypeDocOptions>} */
const config = {
  name: 'qtorch',
  entryPoints: packageEntryPoints().map(([, file]) => file),
  entryPointStrategy: 'resolve',
  tsconfig: join(here, 'tsconfig.typedoc.json'),
  readme: join(root, 'README.md'),
  out: join(root, 'docs', 'api'),
  plugin: [join(here, 'typedoc-plugin.mjs')],
  // The packages' own `typecheck` tasks report compiler errors; this run documents.
  skipErrorChecking: true,
  excludePrivate: true,
  excludeInternal: true,
  // Re-exported types from other packages are documented where they are defined.
  excludeExternals: true,
  treatWarningsAsErrors: false,
  validation: { notExported: false, invalidLink: true, rewrittenLink: true, notDocumented: false, unusedMergeModuleWith: true },
  sort: ['kind', 'instance-first', 'alphabetical-ignoring-documents'],
};

export default config;
