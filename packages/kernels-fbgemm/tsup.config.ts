import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  // src imports the shared TS of ../kernels-common/ts by relative path, so tsup bundles it
  // (JS and .d.ts) and the published kernels-common stays C++ only.
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  shims: true,
  // Module class names are user-visible (repr, error messages, mapping tables): keep them through bundling.
  keepNames: true, // import.meta.url in the CJS build
});
