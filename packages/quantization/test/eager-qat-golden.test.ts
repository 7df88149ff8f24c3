// Eager quantization-aware training against PyTorch 1.13 (golden workflows/qat.json): fuse for
// QAT, prepareQat, three SGD steps (outputs, losses, gradients), eval output, and the converted
// model under both engines.
import { describe, expect, it } from 'vitest';
import { BatchNorm2d, Conv2d, Linear, Module, ReLU, type StateDict } from '@qtorch/nn';
import { SGD } from '@qtorch/nn/optim';
import { type Engine, type Tensor, mseLoss, withEngine } from '@qtorch/qtensor';
import {
  type GoldenCase, type GoldenTensor, expectTensorClose, loadGolden, tensorFromGolden,
} from '../../../tools/testing/src/index.js';
import { getDefaultQatQconfig } from '../src/qconfig/qconfig.js';
import { DeQuantStub, QuantStub, convert, fuseModulesQat, prepareQat } from '../src/eager/index.js';

class QATNet extends Module {
  quant = new QuantStub();
  conv = new Conv2d(3, 4, 3);
  bn = new BatchNorm2d(4);
  relu = new ReLU();
  fc: Linear;
  dequant = new DeQuantStub();
  constructor(hw: number) {
    super();
    this.fc = new Linear(4 * (hw - 2) * (hw - 2), 5);
  }
  forward(x: Tensor): Tensor {
    x = this.quant.call(x);
    x = this.relu.call(this.bn.call(this.conv.call(x)));
    x = x.flatten(1);
    x = this.fc.call(x);
    return this.dequant.call(x);
  }
}

const stateDictFrom = (spec: Record<string, GoldenTensor>): StateDict =>
  Object.fromEntries(Object.entries(spec).map(([k, v]) => [k, tensorFromGolden(v)]));

const engineOf = (name: string): Engine => (name === 'qnnpack' ? 'qnnpack' : 'fbgemm');

describe('eager QAT (golden workflows/qat.json)', () => {
  for (const c of loadGolden('workflows/qat.json').cases as GoldenCase[]) {
    it(c.name, () => {
      const args = c.args as { qconfig: string; engine: string; fuse_modules_qat: string[][] };
      const inputs = c.inputs as { float_state_dict: Record<string, GoldenTensor>; data: GoldenTensor[]; targets: GoldenTensor[]; test_input: GoldenTensor };
      const exp = c.expected as Record<string, any>;
      const backend = /get_default_qat_qconfig\('(\w+)'\)/.exec(args.qconfig)![1]!;
      const model = withEngine(engineOf(args.engine), () => {
        const m = new QATNet(6);
        m.loadStateDict(stateDictFrom(inputs.float_state_dict));
        m.train();
        (m as unknown as { qconfig: unknown }).qconfig = getDefaultQatQconfig(backend);
        const fused = fuseModulesQat(m, args.fuse_modules_qat);
        const prepared = prepareQat(fused);
        const opt = new SGD(prepared.parameters(), { lr: 0.01 });
        inputs.data.forEach((d, i) => {
          const step = exp.steps[i];
          const out = prepared.call(tensorFromGolden(d));
          // Float training math (fake quant, BN folding, SGD) agrees with PyTorch to 1e-5.
          expectTensorClose(out, step.output, { atol: 1e-5, rtol: 0, label: `step ${i} output` });
          const loss = mseLoss(out, tensorFromGolden(inputs.targets[i]!));
          expect(Math.abs(loss.item() - step.loss), `step ${i} loss`).toBeLessThan(1e-3 * Math.max(1, Math.abs(step.loss)));
          opt.zeroGrad();
          loss.backward();
          const params = Object.fromEntries(prepared.namedParameters());
          for (const [name, g] of Object.entries(step.grads as Record<string, GoldenTensor>)) {
            expectTensorClose(params[name]!.grad!, g as never, { atol: 1e-5, rtol: 1e-4, label: `step ${i} grad ${name}` } as never);
          }
          opt.step();
        });
        prepared.eval();
        expectTensorClose(prepared.call(tensorFromGolden(inputs.test_input)), exp.qat_eval_output, { atol: 1e-5, rtol: 0, label: "qat eval output" });
        return prepared;
      });
      for (const [engineName, conv] of Object.entries(exp.converted as Record<string, any>)) {
        withEngine(engineOf(engineName), () => {
          const q = convert(model);
          expect(q.getSubmodule('conv').constructor.name).toBe('ConvReLU2d');
          const y = q.call(tensorFromGolden(inputs.test_input));
          // Same integers; the output scale may differ from PyTorch's in its last float32 ulp.
          expectTensorClose(y, conv.output, { atol: 1e-6, rtol: 1e-6, label: `converted output (${engineName})` });
        });
      }
    });
  }
});
