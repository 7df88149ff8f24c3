import { packageConfig } from '../../tsup.shared.ts';

// src imports the shared TS of ../kernels-common/ts by relative path, so tsup bundles it
// (JS and .d.ts) and the published kernels-common stays C++ only. The declarations are a
// second, separate `tsup --dts-only` run (package.json): built concurrently with the JS, the
// .d.ts bundle intermittently failed to parse ../kernels-common/ts/binding.ts ("Error
// parsing ... binding.ts:7:7", about one build in three), sequentially it never did.
export default packageConfig({ index: 'src/index.ts' }, { dts: false });
