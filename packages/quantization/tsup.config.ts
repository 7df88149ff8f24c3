import { packageConfig } from '../../tsup.shared.ts';

export default packageConfig({
    "index": "src/index.ts",
    "fx/index": "src/fx/index.ts"
  });
