/**
 * Golden area F(4): PyTorch 1.13's eager QAT run (workflows/qat.json). QATNet =
 * QuantStub -> ConvBnReLU2d (fused with fuse_modules_qat) -> flatten -> Linear -> DeQuantStub,
 * prepared with get_default_qat_qconfig('qnnpack' | 'fbgemm'), trained for 3 SGD steps.
 * The model is assembled here from the QAT modules the way prepare_qat assembles it (output
 * fake quantizers as `activation_post_process` children run by forward hooks), so the test
 * checks this package's modules without depending on the toolchain.
 */
import { describe, expect, it } from 'vitest';
import { BatchNorm2d, Conv2d, Linear, Module, ReLU } from '@qtorch/nn';
import * as F from '@qtorch/nn/functional';
import { type Engine, type Tensor, noGrad, qScale, qZeroPoint, withEngine } from '@qtorch/qtensor';
import { deepcopy } from '@qtorch/nn';
import * as nnq from '@qtorch/nn-quantized';
import { type QConfig, getDefaultQatQconfig } from '@qtorch/quantization';
import * as nnqat from '@qtorch/nn-qat';
import { type GoldenCase, expectTensorClose, loadGolden, tensorFromGolden } from '../../../tools/testing/src/index.js';
import * as nni from '../src/index.js';
import * as nniqat from '../src/qat/index.js';
import * as nniq from '../src/quantized/index.js';
import { expectQTensorEqual } from '../../../tools/testing/src/index.js';

/** Attaches an output fake quantizer the way eager prepare does (child + forward hook). */
function observeOutput<M extends Module>(m: M, qconfig: QConfig): M {
  Object.assign(m, { activation_post_process: qconfig.activation() as Module });
  m.registerForwardHook((mod, _inputs, out) => (mod as unknown as { activation_post_process: Module }).activation_post_process.call(out));
  return m;
}

/** QuantStub after prepare: its output fake quantizer. */
class QuantStubQat extends Module {
  activation_post_process: Module;
  constructor(qconfig: QConfig) {
    super();
    this.activation_post_process = qconfig.activation() as Module;
  }
  forward(x: Tensor): Tensor {
    return this.activation_post_process.call(x);
  }
}

class QATNet extends Module {
  quant: QuantStubQat;
  conv: nniqat.ConvBnReLU2d;
  fc: nnqat.Linear;
  constructor(c: GoldenCase, qconfig: QConfig) {
    super();
    const sd = c.inputs.float_state_dict as Record<string, never>;
    const conv = new Conv2d(3, 4, 3), bn = new BatchNorm2d(4), fc = new Linear(sd['fc.weight']['shape'][1], 5);
    const load = (m: Module, prefix: string) => m.loadStateDict(Object.fromEntries(
      Object.entries(sd).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), tensorFromGolden(v)]),
    ));
    load(conv, 'conv.');
    load(bn, 'bn.');
    load(fc, 'fc.');
    this.quant = new QuantStubQat(qconfig);
    this.conv = observeOutput(nniqat.ConvBnReLU2d.fromFloat(Object.assign(new nni.ConvBnReLU2d(conv, bn, new ReLU()), { qconfig })), qconfig);
    this.fc = observeOutput(nnqat.Linear.fromFloat(Object.assign(fc, { qconfig })), qconfig);
  }
  forward(x: Tensor): Tensor {
    return this.fc.call(this.conv.call(this.quant.call(x)).flatten(1));
  }
}

/**
 * A module output vs the fixture: int_repr exactly, zero point exactly, scale within 1 float32
 * ulp (output qparams come from float activations observed over four forwards, whose float
 * sums may round differently from PyTorch's kernels in the last place).
 */
function expectIntOutput(actual: Tensor, expected: Record<string, any>, label: string): void {
  expect(Math.abs(qScale(actual) - expected.scale), `${label} scale`).toBeLessThanOrEqual(2e-7 * expected.scale);
  expect(qZeroPoint(actual), `${label} zero point`).toBe(expected.zero_point);
  expect(actual.shape, `${label} shape`).toEqual(expected.shape);
  expect(Array.from(actual.values()), `${label} int_repr`).toEqual(expected.int_repr);
}

const QCONFIGS: Record<string, QConfig> = {
  qat_qnnpack_qconfig: getDefaultQatQconfig('qnnpack'),
  qat_fbgemm_qconfig: getDefaultQatQconfig('fbgemm'),
};

// issue #9 asks for 1e-5 relative (the golden README allows 1e-4)
const TOL = { rtol: 1e-5, atol: 1e-7 };

describe('golden QAT run (3 SGD steps on ConvBnReLU2d + Linear)', () => {
  for (const c of loadGolden('workflows/qat.json').cases) {
    it(c.name, () => {
      const model = new QATNet(c, QCONFIGS[c.name]!).train();
      const params = model.namedParameters();
      const steps = c.expected.steps as Array<Record<string, any>>;
      steps.forEach((step, i) => {
        const out = model.call(tensorFromGolden(c.inputs.data[i]));
        expectTensorClose(out, step.output, { ...TOL, label: `step ${i} output` });
        const loss = F.mseLoss(out, tensorFromGolden(c.inputs.targets[i]));
        expect(Math.abs(loss.item() - step.loss)).toBeLessThanOrEqual(1e-5 * Math.abs(step.loss));
        model.zeroGrad();
        loss.backward();
        for (const [name, p] of params) expectTensorClose(p.grad!, step.grads[name], { ...TOL, label: `step ${i} grad ${name}` });
        noGrad(() => { for (const [, p] of params) p.sub_(p.grad!.mul(0.01)); });
        const sd = model.stateDict();
        for (const [key, want] of Object.entries(step.state_dict_after as Record<string, never>)) {
          expect(sd[key], key).toBeDefined();
          expectTensorClose(sd[key]!, want, { ...TOL, label: `step ${i} ${key}` });
        }
      });
      model.eval();
      expectTensorClose(model.call(tensorFromGolden(c.inputs.test_input)), c.expected.qat_eval_output, { ...TOL, label: 'eval output' });

      // convert (per engine, on a copy, as the fixture does): Quantize, ConvReLU2d (BN folded), Linear
      for (const [goldenEngine, want] of Object.entries(c.expected.converted as Record<string, Record<string, any>>)) {
        const engine: Engine = goldenEngine === 'qnnpack' ? 'qnnpack' : 'fbgemm';
        withEngine(engine, () => {
          const m = deepcopy(model);
          const quant = nnq.Quantize.fromFloat(m.quant);
          const conv = nniq.ConvReLU2d.fromFloat(m.conv);
          const fc = nnq.Linear.fromFloat(m.fc);
          expect(conv).toBeInstanceOf(nniq.ConvReLU2d);
          const qm = want.quantized_modules;
          expectQTensorEqual(conv.weight(), qm.conv.weight, { label: `${engine} conv weight` });
          expectTensorClose(conv.bias()!, qm.conv.bias, { ...TOL, label: `${engine} conv bias` });
          // output qparams come from float activations observed over 4 forwards: 1 float32 ulp apart at most
          expect(Math.abs(conv.scale - qm.conv.scale)).toBeLessThanOrEqual(2e-7 * qm.conv.scale);
          expect(Math.abs(fc.scale - qm.fc.scale)).toBeLessThanOrEqual(2e-7 * qm.fc.scale);
          expect([conv.zeroPoint, fc.zeroPoint]).toEqual([qm.conv.zero_point, qm.fc.zero_point]);
          expectQTensorEqual(fc.weight(), qm.fc.weight, { label: `${engine} fc weight` });
          const outs = want.module_outputs;
          const xq = quant.call(tensorFromGolden(c.inputs.test_input));
          expectQTensorEqual(xq, outs.quant, { label: `${engine} quant` });
          const yc = conv.call(xq);
          expectIntOutput(yc, outs.conv, `${engine} conv`);
          const yf = fc.call(yc.flatten(1));
          expectIntOutput(yf, outs.fc, `${engine} fc`);
          // dequantized with a scale 1 ulp away: within float32 rounding of PyTorch's output
          expectTensorClose(yf.dequantize(), want.output, { rtol: 3e-7, atol: 0, label: `${engine} output` });
        });
      }
    });
  }
});
