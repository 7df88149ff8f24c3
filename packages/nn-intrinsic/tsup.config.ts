import { packageConfig } from '../../tsup.shared.ts';

export default packageConfig({
    "index": "src/index.ts",
    "qat/index": "src/qat/index.ts",
    "quantized/index": "src/quantized/index.ts",
    "quantized/dynamic/index": "src/quantized/dynamic/index.ts"
  });
