import { packageConfig } from '../../tsup.shared.ts';

export default packageConfig({
    "index": "src/index.ts",
    "dynamic/index": "src/dynamic/index.ts",
    "functional/index": "src/functional/index.ts"
  });
