// quantize_per_tensor / quantize_per_channel / dequantize against PyTorch 1.13 (golden area A).
import { describe, expect, it } from 'vitest';
import { dtypeFromName, float64, quantizePerChannel, quantizePerTensor, tensor } from '../src/index.js';
import { expectQTensorEqual, expectTensorClose, loadGolden, tensorFromGolden } from '../../../tools/testing/src/index.js';

describe('quantize_per_tensor golden', () => {
  for (const c of loadGolden('qtensor/quantize_per_tensor.json').cases) {
    it(c.name, () => {
      const x = tensorFromGolden(c.inputs.x);
      const tensorQparams = c.op === 'quantize_per_tensor.tensor_qparams';
      const scale = tensorQparams ? tensorFromGolden(c.args.scale) : c.args.scale;
      const zp = tensorQparams ? tensorFromGolden(c.args.zero_point) : c.args.zero_point;
      const q = quantizePerTensor(x, scale, zp, dtypeFromName(c.args.dtype));
      // artifact cases (x86 integer indefinite for nan/inf/huge) are matched too
      expectQTensorEqual(q, c.expected.q, { label: c.name });
      if (c.expected.dequantized) expectTensorClose(q.dequantize(), c.expected.dequantized, { exact: true, label: c.name });
    });
  }
});

describe('quantize_per_channel golden', () => {
  for (const c of loadGolden('qtensor/quantize_per_channel.json').cases) {
    it(c.name, () => {
      const q = quantizePerChannel(
        tensorFromGolden(c.inputs.x), tensorFromGolden(c.args.scales), tensorFromGolden(c.args.zero_points),
        c.args.axis, dtypeFromName(c.args.dtype),
      );
      expectQTensorEqual(q, c.expected.q, { label: c.name });
      expectTensorClose(q.dequantize(), c.expected.dequantized, { exact: true, label: c.name });
    });
  }
});

describe('dequantize golden', () => {
  for (const c of loadGolden('qtensor/dequantize.json').cases) {
    it(c.name, () => {
      expectTensorClose(tensorFromGolden(c.inputs.q).dequantize(), c.expected.y, { exact: true, label: c.name });
    });
  }
});
