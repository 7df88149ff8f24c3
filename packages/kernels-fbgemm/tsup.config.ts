import { packageConfig } from '../../tsup.shared.ts';

// src imports the shared TS of ../kernels-common/ts by relative path, so tsup bundles it
// (JS and .d.ts) and the published kernels-common stays C++ only.
export default packageConfig({ index: 'src/index.ts' });
