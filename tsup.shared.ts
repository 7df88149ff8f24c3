// The one tsup configuration every library package builds with: ESM + CJS + .d.ts for Node 20.
import { defineConfig, type Options } from 'tsup';

/** A package's tsup config: its entry points (name -> source file) and any overrides. */
export function packageConfig(entry: Record<string, string>, overrides: Options = {}) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    // import.meta.url in the CJS build
    shims: true,
    // Shared chunks in the CJS build too: one copy of each class across subpath entries, so
    // `instanceof` holds between `@qtorch/x` and `@qtorch/x/sub`.
    splitting: true,
    // Module class names are user-visible (repr, error messages, mapping tables): keep them through bundling.
    keepNames: true,
    ...overrides,
  });
}

/** An app's tsup config: one ESM entry, no declarations. */
export function appConfig(entry: Record<string, string>, overrides: Options = {}) {
  return defineConfig({ entry, format: ['esm'], dts: false, sourcemap: true, clean: true, target: 'node20', ...overrides });
}
