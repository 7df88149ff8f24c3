/**
 * The small CNN of golden area F (workflows/eager_ptq.json, `model_source`), rebuilt from the
 * fixture's float state dict and quantized through the eager workflow as the fixture did:
 * eval, fuse, qconfig, prepare, calibrate, convert.
 */
import { AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Linear, Module, ReLU, deepcopy } from '@qtorch/nn';
import { FloatFunctional } from '@qtorch/nn-quantized';
import { DeQuantStub, QuantStub, convert, fuseModules, getDefaultQconfig, prepare } from '@qtorch/quantization';
import { type Engine, type Tensor, flatten, withEngine } from '@qtorch/qtensor';
import { goldenCase, tensorFromGolden } from '@qtorch/testing';

export class SmallCNN extends Module {
  quant = new QuantStub();
  conv1 = new Conv2d(3, 8, 3);
  bn1 = new BatchNorm2d(8);
  relu1 = new ReLU();
  conv2 = new Conv2d(8, 8, 3, { padding: 1, groups: 8 });
  relu2 = new ReLU();
  skip_add = new FloatFunctional();
  pool = new AdaptiveAvgPool2d(1);
  fc = new Linear(8, 10);
  dequant = new DeQuantStub();

  forward(input: Tensor): Tensor {
    let x = this.quant.call(input);
    x = this.relu1.call(this.bn1.call(this.conv1.call(x)));
    const y = this.relu2.call(this.conv2.call(x));
    x = this.skip_add.add(x, y);
    x = flatten(this.pool.call(x), 1);
    return this.dequant.call(this.fc.call(x));
  }
}

export const FUSE_GROUPS = [['conv1', 'bn1', 'relu1'], ['conv2', 'relu2']];

/** The golden eager PTQ cases by (qconfig backend, engine); onednn runs on fbgemm here. */
export const CASES = {
  qnnpack: { ptq: 'eager_ptq_qnnpack_qconfig_on_qnnpack', qconfig: 'qnnpack', engine: 'qnnpack' as Engine, suffix: 'qnnpack_on_qnnpack' },
  fbgemm: { ptq: 'eager_ptq_fbgemm_qconfig_on_onednn', qconfig: 'fbgemm', engine: 'fbgemm' as Engine, suffix: 'fbgemm_on_onednn' },
};

/** The float model with the fixture's weights, in eval mode. */
export function floatSmallCnn(ptqCase: string): SmallCNN {
  const c = goldenCase('workflows/eager_ptq.json', ptqCase);
  const m = new SmallCNN();
  const sd = Object.fromEntries(Object.entries(c.inputs.float_state_dict as Record<string, any>).map(([k, v]) => [k, tensorFromGolden(v)]));
  m.loadStateDict(sd);
  return m.eval();
}

/** Float (fused) and quantized models of a golden case, plus its calibration and test inputs. */
export function buildSmallCnn(which: keyof typeof CASES): { fused: SmallCNN; quantized: SmallCNN; calibration: Tensor[]; test: Tensor } {
  const spec = CASES[which];
  const c = goldenCase('workflows/eager_ptq.json', spec.ptq);
  const calibration = (c.inputs.calibration as any[]).map(tensorFromGolden);
  const test = tensorFromGolden(c.inputs.test_input);
  return withEngine(spec.engine, () => {
    const fused = fuseModules(floatSmallCnn(spec.ptq), FUSE_GROUPS);
    const observed = deepcopy(fused);
    (observed as { qconfig?: unknown }).qconfig = getDefaultQconfig(spec.qconfig);
    const prepared = prepare(observed);
    for (const x of calibration) prepared.call(x);
    return { fused, quantized: convert(prepared), calibration, test };
  });
}
