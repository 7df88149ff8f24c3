// _choose_qparams_per_tensor and quantize_per_tensor_dynamic against PyTorch 1.13 (golden area A).
import { describe, expect, it } from 'vitest';
import {
  backends, chooseQparams, chooseQuantizationParams, dtypeFromName, float16, quantizePerTensorDynamic, tensor, withEngine,
} from '../src/index.js';
import { expectQTensorEqual, loadGolden, tensorFromGolden } from '../../../tools/testing/src/index.js';

describe('choose_qparams golden (onednn semantics: reduce_range honoured)', () => {
  for (const c of loadGolden('qtensor/choose_qparams.json').cases) {
    it(c.name, () => {
      withEngine('fbgemm', () => {
        const x = tensorFromGolden(c.inputs.x);
        if (c.op === '_choose_qparams_per_tensor') {
          const { scale, zeroPoint } = chooseQparams(x, c.args.reduce_range);
          expect(scale).toBe(c.expected.scale);
          expect(zeroPoint).toBe(c.expected.zero_point);
        } else {
          const q = quantizePerTensorDynamic(x, dtypeFromName(c.args.dtype), c.args.reduce_range);
          expectQTensorEqual(q, c.expected.q, { label: c.name });
        }
      });
    });
  }
});

describe('chooseQuantizationParams', () => {
  it('hand-computed: range [-1, 3] on 0..255', () => {
    // scale = 4 / 255; zero point from min: 0 + 1 / (4/255) = 63.75 -> 64
    expect(chooseQuantizationParams(-1, 3, 0, 255)).toEqual({ scale: 4 / 255, zeroPoint: 64 });
  });
  it('qnnpack ignores reduce_range', () => {
    const x = tensor([-1, 3]);
    const onQnnpack = withEngine('qnnpack', () => chooseQparams(x, true));
    expect(onQnnpack).toEqual(chooseQparams(x, false));
    expect(withEngine('fbgemm', () => chooseQparams(x, true)).scale).toBe(4 / 127);
    expect(backends.quantized.engine).toBeDefined();
  });
  it('float16 dynamic quantization is a cast; other dtypes are refused', () => {
    expect(quantizePerTensorDynamic(tensor([1.1]), float16).dtype).toBe(float16);
    expect(() => quantizePerTensorDynamic(tensor([1]), dtypeFromName('qint32'))).toThrow(/quint8, qint8 or float16/);
  });
});
