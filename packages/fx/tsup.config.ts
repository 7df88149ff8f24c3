import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    "index": "src/index.ts"
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
