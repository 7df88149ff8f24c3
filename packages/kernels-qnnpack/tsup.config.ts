import { packageConfig } from '../../tsup.shared.ts';

// src imports the shared TS of ../kernels-common/ts by relative path, so tsup bundles it
// (JS and .d.ts) and the published kernels-common stays C++ only. The declarations are a
// second, separate `tsup --dts-only` run (package.json). src/index.ts imports every type its
// API's signatures use: without them TypeScript reached kernels-common through node_modules/, and
// the .d.ts bundle then duplicated its types, imported a missing './binding.js', and intermittently
// failed to parse it ("Error parsing ... binding.ts:7:7"); tools/dist-check guards this.
export default packageConfig({ index: 'src/index.ts' }, { dts: false });
