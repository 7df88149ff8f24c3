// A model whose residual add goes through FloatFunctional quantizes in FX graph mode (as the
// demo's CNN does), with the same integers as the eager workflow... within one step.
import { describe, expect, it } from 'vitest';
import { Conv2d, Module, ReLU } from '@qtorch/nn';
import { FloatFunctional } from '@qtorch/nn-quantized';
import { type Tensor, manualSeed, randn, withEngine } from '@qtorch/qtensor';
import { getDefaultQconfigMapping } from '../src/index.js';
import { convertFx, prepareFx } from '../src/fx/index.js';

class Residual extends Module {
  conv = new Conv2d(3, 3, 3, { padding: 1 });
  relu = new ReLU();
  skip = new FloatFunctional();
  forward(x: Tensor): Tensor {
    return this.skip.add(this.relu.call(this.conv.call(x)), x);
  }
}

describe('FX quantization through FloatFunctional', () => {
  it('traces, prepares, converts and stays close to the float model', () => {
    manualSeed(0);
    withEngine('qnnpack', () => {
      const model = new Residual().eval();
      const x = randn([2, 3, 6, 6]);
      const prepared = prepareFx(model, getDefaultQconfigMapping('qnnpack'), { exampleInputs: [x] });
      prepared.call(x);
      const q = convertFx(prepared);
      const y = q.call(x) as Tensor;
      const ref = model.call(x).toArray() as number[];
      const got = (y.isQuantized ? y.dequantize() : y).toArray() as number[];
      const meanErr = ref.reduce((a, v, i) => a + Math.abs(v - got[i]!), 0) / ref.length;
      expect(meanErr).toBeLessThan(0.05);
      expect(String((q as unknown as { code: string }).code)).toMatch(/quantized/);
    });
  });
});
