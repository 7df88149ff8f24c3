// torch.relu(qx), torch.sigmoid(qx), F.hardsigmoid(qx) ...: the float activations take quantized
// tensors as PyTorch's do (its QuantizedCPU dispatch), checked against PyTorch 1.13's recorded outputs.
import { describe, expect, it } from 'vitest';
import { type Engine, type Tensor, fromValues, float32, elu, gelu, hardsigmoid, hardswish, hardtanh, leakyRelu, qint8, quantizePerChannel, quantizePerTensor, quint8, relu, relu6, sigmoid, silu, tanh, threshold, withEngine } from '../src/index.js';
import { type GoldenCase, expectQTensorEqual, tensorFromGolden } from '../../../tools/testing/src/index.js';
import { casesFor } from '../../../tools/conformance/src/golden_engines.js';
import { toleranceFor } from '../../../tools/conformance/src/tolerance.js';

/** Golden op -> the float activation PyTorch's case called on the quantized input. */
const FLOAT_ENTRY: Record<string, (x: Tensor, c: GoldenCase) => Tensor> = {
  'torch.relu': (x) => relu(x),
  'torch.nn.functional.relu6': (x) => relu6(x),
  'torch.sigmoid': (x) => sigmoid(x),
  'torch.tanh': (x) => tanh(x),
  'torch.nn.functional.hardsigmoid': (x) => hardsigmoid(x),
  'torch.nn.functional.gelu': (x) => gelu(x),
  'torch.nn.functional.leaky_relu': (x, c) => leakyRelu(x, { negativeSlope: c.args.negative_slope }),
  // qF.hardtanh / qF.threshold are torch.nn.functional's with the quantized kernel underneath
  'torch.ao.nn.quantized.functional.hardtanh': (x, c) => hardtanh(x, { minVal: c.args.min_val, maxVal: c.args.max_val }),
  'torch.ao.nn.quantized.functional.threshold': (x, c) => threshold(x, c.args.threshold, c.args.value),
};

describe('float activations on quantized tensors vs golden', () => {
  for (const engine of ['qnnpack', 'fbgemm'] as Engine[]) {
    for (const c of casesFor('ops/activations.json', engine).filter((k) => FLOAT_ENTRY[k.op] && k.expected.error === undefined)) {
      it(`${c.name} on ${engine}`, () => withEngine(engine, () => {
        const tol = toleranceFor(c);
        const y = FLOAT_ENTRY[c.op]!(tensorFromGolden(c.inputs.x), c);
        expectQTensorEqual(y, c.expected.y, { maxIntDiff: tol.kind === 'quantized' ? tol.maxIntDiff : 0, label: c.name });
      }));
    }
  }
});

describe('float activations on quantized tensors: qparams and errors', () => {
  const qx = quantizePerTensor(fromValues([-2, -0.5, 0, 0.5, 2, 4], [6], float32), 0.05, 60, quint8);

  it('relu keeps the input qparams; sigmoid and tanh use the fixed ones', () => {
    expect(relu(qx).quantizer).toMatchObject({ scale: 0.05, zeroPoint: 60 });
    expect(sigmoid(qx).quantizer).toMatchObject({ scale: 1 / 256, zeroPoint: 0 });
    expect(tanh(qx).quantizer).toMatchObject({ scale: 2 / 256, zeroPoint: 128 });
    expect(Array.from(relu(qx).values())).toEqual([60, 60, 60, 70, 100, 140]);
  });

  it('hardswish, elu and silu refuse quantized input, as PyTorch 1.13 does (no QuantizedCPU kernel)', () => {
    for (const f of [hardswish, elu, silu]) expect(() => f(qx)).toThrow(/expected a float input but got a quantized/);
  });

  it('per-channel input names the op; gelu\'s tanh approximation is refused', () => {
    const pc = quantizePerChannel(fromValues([1, 2, 3, 4], [2, 2], float32), fromValues([0.1, 0.2], [2], float32), fromValues([0, 0], [2], float32), 0, qint8);
    expect(() => sigmoid(pc)).toThrow(/sigmoid\(\).*per-tensor/);
    expect(() => gelu(qx, { approximate: 'tanh' })).toThrow(/gelu\(\).*approximate 'none'/);
  });
});
