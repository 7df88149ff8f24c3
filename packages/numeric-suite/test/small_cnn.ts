/**
 * The small CNN of golden area F (workflows/eager_ptq.json, `model_source`), rebuilt from the
 * fixture's float state dict and quantized through the eager workflow as the fixture did:
 * eval, fuse, qconfig, prepare, calibrate, convert.
 */
import { type Module, deepcopy } from '@qtorch/nn';
import { convert, fuseModules, getDefaultQconfig, prepare } from '@qtorch/quantization';
import { type Engine, type Tensor, flatten, withEngine } from '@qtorch/qtensor';
import { goldenCase, tensorFromGolden } from '@qtorch/testing';

export { SmallCNN } from '../../quantization/test/models/small_cnn.js';
import { SmallCNN } from '../../quantization/test/models/small_cnn.js';

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
