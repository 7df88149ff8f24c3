import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    "index": "src/index.ts",
    "functional/index": "src/functional/index.ts",
    "init/index": "src/init/index.ts",
    "optim/index": "src/optim/index.ts",
    "data/index": "src/data/index.ts"
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  shims: true,
  // Module class names are user-visible (repr, error messages, mapping tables): keep them through bundling.
  keepNames: true,
});
