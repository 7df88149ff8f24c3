// The docs' FX graph mode quantization examples (seeds: "(Prototype) FX Graph Mode Quantization"
// and the custom module API), in TypeScript. Results are checked against independent references:
// the eager workflows (golden-tested against PyTorch in eager-*.test.ts) on the same model, the
// float model, and the QAT model's fake-quantized forward.
import { describe, expect, it } from 'vitest';
import { BatchNorm2d, Conv2d, Linear, MaxPool2d, Module, ReLU, Sequential, deepcopy } from '@qtorch/nn';
import { SGD } from '@qtorch/nn/optim';
import * as nni from '@qtorch/nn-intrinsic';
import * as nniqat from '@qtorch/nn-intrinsic/qat';
import * as nniq from '@qtorch/nn-intrinsic/quantized';
import * as nniqd from '@qtorch/nn-intrinsic/quantized/dynamic';
import * as nnq from '@qtorch/nn-quantized';
import * as nnqd from '@qtorch/nn-quantized/dynamic';
import { type Tensor, manualSeed, mseLoss, randn, withEngine } from '@qtorch/qtensor';
import { expectTensorClose } from '../../../tools/testing/src/index.js';
import {
  FusedMovingAvgObsFakeQuantize, QuantWrapper, convert, defaultDynamicQconfig, defaultQconfig, fuseModules, getDefaultQatQconfig,
  getDefaultQconfig, prepare, quantizeDynamic,
} from '../src/index.js';
import { convertFx, fuseFx, prepareFx, prepareQatFx } from '../src/fx/index.js';

/** A user model: conv-bn-relu, max pool, flatten, linear-relu, linear. */
class UserModel extends Module {
  conv = new Conv2d(3, 6, 3, { padding: 1 });
  bn = new BatchNorm2d(6);
  relu = new ReLU();
  pool = new MaxPool2d(2);
  fc1 = new Linear(6 * 4 * 4, 16);
  relu2 = new ReLU();
  fc2 = new Linear(16, 4);
  forward(x: Tensor): Tensor {
    const y = this.pool.call(this.relu.call(this.bn.call(this.conv.call(x)))).flatten(1);
    return this.fc2.call(this.relu2.call(this.fc1.call(y)));
  }
}

function userModel(): UserModel {
  manualSeed(7);
  const m = new UserModel();
  // non-trivial batch norm statistics, so folding matters
  m.bn.running_mean = randn([6]).mul(0.1);
  m.bn.running_var = randn([6]).abs().add(0.5);
  return m;
}

const data = () => Array.from({ length: 4 }, () => randn([2, 3, 8, 8]));
/** The integer values of a dequantized output with output qparams (scale, zero point). */
const ints = (y: Tensor, scale: number, zp: number) => Array.from(y.values(), (v) => Math.round(v / scale) + zp);

describe('docs: FX graph mode quantization API example', () => {
  it('post training dynamic quantization: Linear layers dynamically quantized, as the eager quantizeDynamic', () => {
    withEngine('fbgemm', () => {
      const modelFp = userModel();
      const modelToQuantize = deepcopy(modelFp).eval();
      const modelPrepared = prepareFx(modelToQuantize, { '': defaultDynamicQconfig });
      // no calibration needed when we only have dynamic / weight-only quantization
      const modelQuantized = convertFx(modelPrepared);
      // linear + relu fuse into a dynamic LinearReLU
      expect(modelQuantized.getSubmodule('fc1')).toBeInstanceOf(nniqd.LinearReLU);
      expect(modelQuantized.getSubmodule('fc2')).toBeInstanceOf(nnqd.Linear);
      // conv-bn-relu is fused (prepare fuses whatever the qconfig) but stays float: no dynamic conv
      expect(modelQuantized.getSubmodule('conv')).toBeInstanceOf(nni.ConvReLU2d);
      const eager = quantizeDynamic(deepcopy(modelFp).eval(), new Set([Linear]));
      for (const x of data()) expectTensorClose(modelQuantized.call(x), eager.call(x), { atol: 0, rtol: 0, label: 'fx vs eager dynamic' });
      // the input model is not modified
      expect(modelToQuantize.fc1).toBeInstanceOf(Linear);
    });
  });

  it('post training static quantization: calibrate, convert; integer kernels within a step or two of float', () => {
    withEngine('qnnpack', () => {
      const modelFp = userModel();
      const modelToQuantize = deepcopy(modelFp).eval();
      const modelPrepared = prepareFx(modelToQuantize, { '': getDefaultQconfig('qnnpack') });
      const calib = data();
      for (const x of calib) modelPrepared.call(x);
      const modelQuantized = convertFx(modelPrepared);
      expect(modelQuantized.getSubmodule('conv')).toBeInstanceOf(nniq.ConvReLU2d);
      expect(modelQuantized.getSubmodule('fc1')).toBeInstanceOf(nniq.LinearReLU);
      expect(modelQuantized.getSubmodule('fc2')).toBeInstanceOf(nnq.Linear);
      const fc2 = modelQuantized.getSubmodule('fc2') as nnq.Linear;
      const x = calib[0]!;
      // quantization error: a few output steps at most on calibration data
      expectTensorClose(modelQuantized.call(x), modelFp.eval().call(x), { atol: 4 * fc2.scale, rtol: 0, label: 'quantized vs float' });
    });
  });

  it('static quantization gives the eager workflow\'s integer output on the same model (MinMax observers)', () => {
    withEngine('fbgemm', () => {
      const calib = data();
      const fx = prepareFx(userModel().eval(), { '': defaultQconfig });
      for (const x of calib) fx.call(x);
      const qfx = convertFx(fx);
      const eagerModel = fuseModules(userModel().eval(), [['conv', 'bn', 'relu'], ['fc1', 'relu2']]);
      const wrapped = new QuantWrapper(eagerModel);
      (wrapped as unknown as { qconfig: unknown }).qconfig = defaultQconfig;
      const prepared = prepare(wrapped);
      for (const x of calib) prepared.call(x);
      const qeager = convert(prepared);
      const fc2 = qfx.getSubmodule('fc2') as nnq.Linear;
      const efc2 = (qeager.module as UserModel).fc2 as unknown as nnq.Linear;
      expect([fc2.scale, fc2.zeroPoint]).toEqual([efc2.scale, efc2.zeroPoint]);
      for (const x of calib) expect(ints(qfx.call(x), fc2.scale, fc2.zeroPoint)).toEqual(ints(qeager.call(x), fc2.scale, fc2.zeroPoint));
    });
  });

  it('quantization aware training for static quantization: QAT modules, training, convert', () => {
    withEngine('qnnpack', () => {
      const modelFp = userModel();
      const modelToQuantize = deepcopy(modelFp).train();
      const modelPrepared = prepareQatFx(modelToQuantize, { '': getDefaultQatQconfig('qnnpack') });
      expect(modelPrepared.getSubmodule('conv')).toBeInstanceOf(nniqat.ConvBnReLU2d);
      expect(modelPrepared.getSubmodule('fc1')).toBeInstanceOf(nniqat.LinearReLU);
      expect(modelPrepared.getSubmodule('activation_post_process_0')).toBeInstanceOf(FusedMovingAvgObsFakeQuantize);
      expect(() => prepareQatFx(deepcopy(modelFp).eval(), { '': getDefaultQatQconfig('qnnpack') })).toThrow(/training mode/);
      // training loop
      const opt = new SGD(modelPrepared.parameters(), { lr: 0.01 });
      for (const x of data()) {
        opt.zeroGrad();
        mseLoss(modelPrepared.call(x) as Tensor, randn([2, 4])).backward();
        opt.step();
      }
      modelPrepared.eval();
      const x = randn([2, 3, 8, 8]);
      const simulated = modelPrepared.call(x) as Tensor;
      const modelQuantized = convertFx(modelPrepared);
      expect(modelQuantized.getSubmodule('conv')).toBeInstanceOf(nniq.ConvReLU2d);
      expect(modelQuantized.getSubmodule('fc1')).toBeInstanceOf(nniq.LinearReLU);
      const fc2 = modelQuantized.getSubmodule('fc2') as nnq.Linear;
      // fake quantization simulates the integer kernels: a rounding that differs in one layer
      // moves later outputs by a step, so within two output steps
      const got = ints(modelQuantized.call(x), fc2.scale, fc2.zeroPoint), want = ints(simulated, fc2.scale, fc2.zeroPoint);
      got.forEach((v, i) => expect(Math.abs(v - want[i]!), `output ${i}: ${v} vs ${want[i]}`).toBeLessThanOrEqual(2));
    });
  });

  it('fusion: conv-bn-relu and linear-relu fused, batch norm folded, same float results', () => {
    const modelFp = userModel().eval();
    const modelFused = fuseFx(deepcopy(modelFp));
    expect(modelFused.getSubmodule('conv')).toBeInstanceOf(nni.ConvReLU2d);
    expect(modelFused.getSubmodule('fc1')).toBeInstanceOf(nni.LinearReLU);
    expect(Object.keys(Object.fromEntries(modelFused.namedChildren())).sort()).toEqual(['conv', 'fc1', 'fc2', 'pool']);
    const x = randn([2, 3, 8, 8]);
    expectTensorClose(modelFused.call(x), modelFp.call(x), { atol: 1e-5, rtol: 1e-5, label: 'fused vs float' });
    expect(() => fuseFx(userModel().train())).toThrow(/eval/);
    // a fused GraphModule can be prepared and converted in turn
    const prepared = prepareFx(modelFused, { '': defaultQconfig });
    prepared.call(x);
    expect(convertFx(prepared).getSubmodule('conv')).toBeInstanceOf(nniq.ConvReLU2d);
  });
});

// ---- the docs' custom module API example, FX graph mode ------------------------------------

import { CustomModule, ObservedCustomModule, StaticQuantCustomModule } from './models/custom_module.js';

describe('docs: custom module API example (FX graph mode)', () => {
  it('prepare swaps in the observed class, convert the quantized class, with quantized input and output', () => {
    manualSeed(3);
    const m = new Sequential(new CustomModule()).eval();
    const prepareCustomConfigDict = { floatToObservedCustomModuleClass: { static: new Map([[CustomModule, ObservedCustomModule]]) } };
    const convertCustomConfigDict = { observedToQuantizedCustomModuleClass: { static: new Map([[ObservedCustomModule, StaticQuantCustomModule]]) } };
    const mp = prepareFx(m, { '': defaultQconfig }, { prepareCustomConfigDict });
    expect(mp.getSubmodule('0')).toBeInstanceOf(ObservedCustomModule);
    const xs = [randn([4, 3]), randn([4, 3])];
    for (const x of xs) mp.call(x);
    const mq = convertFx(mp, { convertCustomConfigDict });
    const quantized = mq.getSubmodule('0') as StaticQuantCustomModule;
    expect(quantized).toBeInstanceOf(StaticQuantCustomModule);
    expect(quantized.linear).toBeInstanceOf(nnq.Linear);
    // quantize -> custom quantized module -> dequantize
    expect(mq.graph.nodes.map((n) => `${n.op}:${String(n.target)}`)).toEqual([
      'placeholder:input', 'get_attr:_0_input_scale_0', 'get_attr:_0_input_zero_point_0', 'call_function:torch.quantizePerTensor', 'call_module:0',
      'call_method:dequantize', 'output:output',
    ]);
    // the same as the eager custom module flow on the same data
    const e = new Sequential(new CustomModule()).eval();
    e.loadStateDict(m.stateDict());
    const wrapped = new QuantWrapper(e);
    (wrapped as unknown as { qconfig: unknown }).qconfig = defaultQconfig;
    const ep = prepare(wrapped, { prepareCustomConfigDict: { floatToObservedCustomModuleClass: new Map([[CustomModule, ObservedCustomModule]]) } });
    for (const x of xs) ep.call(x);
    const eq = convert(ep, { convertCustomConfigDict: { observedToQuantizedCustomModuleClass: new Map([[ObservedCustomModule, StaticQuantCustomModule]]) } });
    for (const x of xs) expectTensorClose(mq.call(x), eq.call(x), { atol: 0, rtol: 0, label: 'fx vs eager custom module' });
  });
});
