// x.half().float() against PyTorch 1.13 (golden qtensor/float16.json): round to nearest even,
// overflow to inf, subnormals, NaN kept.
import { describe, it } from 'vitest';
import '../src/index.js';
import { expectTensorClose, loadGolden, tensorFromGolden } from '../../../tools/testing/src/index.js';

describe('float16 round trip golden', () => {
  for (const c of loadGolden('qtensor/float16.json').cases) {
    it(c.name, () => {
      expectTensorClose(tensorFromGolden(c.inputs.x).half().float(), c.expected.y, { exact: true, label: c.name });
    });
  }
});
