import { packageConfig } from '../../tsup.shared.ts';

export default packageConfig({
    "index": "src/index.ts",
    "functional/index": "src/functional/index.ts",
    "init/index": "src/init/index.ts",
    "optim/index": "src/optim/index.ts",
    "data/index": "src/data/index.ts"
  });
