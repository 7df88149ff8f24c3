// The eager workflows against PyTorch 1.13 (golden workflows/eager_ptq.json and dynamic.json):
// fuse -> prepare -> calibrate -> convert must give PyTorch's observers' qparams, quantized
// weights and integer outputs exactly.
import { describe, expect, it } from 'vitest';
import { Linear, Module, ReLU, type StateDict } from '@qtorch/nn';
import { type Engine, type Tensor, float16, qint8, randn, withEngine } from '@qtorch/qtensor';
import {
  type GoldenCase, type GoldenTensor, expectQTensorEqual, expectTensorClose, goldenNumber, loadGolden, tensorFromGolden,
} from '../../../tools/testing/src/index.js';
import { getDefaultQconfig } from '../src/qconfig/qconfig.js';
import { convert, fuseModules, prepare, quantizeDynamic } from '../src/eager/index.js';
import { SmallCNN } from './models/small_cnn.js';

function stateDictFrom(spec: Record<string, GoldenTensor>): StateDict {
  return Object.fromEntries(Object.entries(spec).map(([k, v]) => [k, tensorFromGolden(v)]));
}

/** "get_default_qconfig('fbgemm')" -> the qconfig. */
function qconfigFrom(expr: string) {
  const m = /get_default_qconfig\('(\w+)'\)/.exec(expr);
  if (!m) throw new Error(`unknown qconfig expression ${expr}`);
  return getDefaultQconfig(m[1]!);
}

/** The golden engine name -> ours (onednn cases stand for fbgemm, as in tools/conformance). */
const engineOf = (name: string): Engine => (name === 'qnnpack' ? 'qnnpack' : 'fbgemm');

describe('eager static PTQ (golden workflows/eager_ptq.json)', () => {
  for (const c of loadGolden('workflows/eager_ptq.json').cases as GoldenCase[]) {
    it(c.name, () => {
      const args = c.args as { engine: string; qconfig: string; fuse_modules: string[][] };
      const inputs = c.inputs as { float_state_dict: Record<string, GoldenTensor>; calibration: GoldenTensor[]; test_input: GoldenTensor };
      const exp = c.expected as Record<string, any>;
      withEngine(engineOf(args.engine), () => {
        const model = new SmallCNN();
        model.loadStateDict(stateDictFrom(inputs.float_state_dict));
        model.eval();
        const x = tensorFromGolden(inputs.test_input);
        expectTensorClose(model.call(x), exp.float_output, { atol: 1e-5, rtol: 1e-5, label: 'float output' });
        const fused = fuseModules(model, args.fuse_modules);
        const fusedSd = fused.stateDict();
        for (const [k, v] of Object.entries(exp.fused_state_dict as Record<string, GoldenTensor>)) {
          expectTensorClose(fusedSd[k]!, v as never, { atol: 1e-6, rtol: 1e-5, label: `fused ${k}` });
        }
        (fused as unknown as { qconfig: unknown }).qconfig = qconfigFrom(args.qconfig);
        const prepared = prepare(fused);
        for (const calib of inputs.calibration) prepared.call(tensorFromGolden(calib));
        for (const obs of exp.observers as Array<Record<string, any>>) {
          const o = prepared.getSubmodule(obs.name) as unknown as { calculateQparams(): [Tensor, Tensor] };
          const [scale, zp] = o.calculateQparams();
          // The first observer sees the input itself: bit-exact. Later ones see float conv/linear
          // outputs, whose summation order differs from PyTorch's by float32 ulps.
          const first = obs.name === 'quant.activation_post_process';
          expectTensorClose(scale, obs.scale, { atol: 0, rtol: first ? 0 : 1e-5, label: `${obs.name} scale` });
          expectTensorClose(zp, obs.zero_point, { atol: first ? 0 : 1, rtol: 0, label: `${obs.name} zero_point` });
        }
        const q = convert(prepared);
        for (const [name, spec] of Object.entries(exp.quantized_modules as Record<string, any>)) {
          expect(q.getSubmodule(name).constructor.name, `${name} class`).toBe(spec.class.split('.').pop());
          const mod = q.getSubmodule(name) as unknown as { weight?: () => Tensor; scale?: number | Tensor };
          const scale = typeof mod.scale === 'number' ? mod.scale : mod.scale?.item();
          // Folded BN weights are float math: an integer may round the other way.
          if (spec.weight) expectQTensorEqual(mod.weight!(), spec.weight, { maxIntDiff: 1, label: `${name}.weight` });
          if (spec.scale !== undefined) expect(Math.abs(scale! - goldenNumber(spec.scale)) / goldenNumber(spec.scale), `${name}.scale`).toBeLessThan(1e-5);
        }
        const y = q.call(x);
        // Within one quantization step of PyTorch's output (float ulps upstream can flip a rounding).
        const outScale = goldenNumber(exp.quantized_modules.fc.scale);
        expectTensorClose(y, exp.output, { atol: outScale * 1.001, rtol: 0, label: 'quantized output' });
      });
    });
  }
});

class MLP extends Module {
  fc1: Linear;
  relu = new ReLU();
  fc2: Linear;
  constructor(i: number, h: number, o: number) {
    super();
    this.fc1 = new Linear(i, h);
    this.fc2 = new Linear(h, o);
  }
  forward(x: Tensor): Tensor {
    return this.fc2.call(this.relu.call(this.fc1.call(x)));
  }
}

describe('dynamic quantization (golden workflows/dynamic.json, MLP cases)', () => {
  const cases = (loadGolden('workflows/dynamic.json').cases as GoldenCase[]).filter((c) => c.name.startsWith('mlp_'));
  it('covers the MLP cases of both engines', () => expect(cases.length).toBe(4));
  for (const c of cases) {
    const args = c.args as { engine: string; dtype: string };
    const exp = c.expected as Record<string, any>;
    if (exp.error !== undefined) {
      // Debian's PyTorch has no fbgemm: float16 dynamic linear fails on both of its engines. Our
      // fbgemm engine supports it (as real fbgemm does); qnnpack must refuse it as PyTorch does.
      if (args.engine !== 'qnnpack') continue;
      it(c.name, () => {
        withEngine('qnnpack', () => {
          const model = new MLP(8, 14, 7);
          expect(() => quantizeDynamic(model, new Set([Linear]), { dtype: float16 }).call(randn([2, 8]))).toThrow(/fp16|float16/i);
        });
      });
      continue;
    }
    it(c.name, () => {
      const inputs = c.inputs as { float_state_dict: Record<string, GoldenTensor>; inputs: GoldenTensor[] };
      withEngine(engineOf(args.engine), () => {
        const sd = stateDictFrom(inputs.float_state_dict);
        const model = new MLP(sd['fc1.weight']!.shape[1]!, sd['fc1.weight']!.shape[0]!, sd['fc2.weight']!.shape[0]!);
        model.loadStateDict(sd);
        const x = tensorFromGolden(inputs.inputs[0]!);
        expectTensorClose(model.call(x), exp.float_output, { atol: 1e-5, rtol: 1e-5, label: 'float output' });
        const q = quantizeDynamic(model, new Set([Linear]), { dtype: qint8 });
        expect(q.fc1).not.toBeInstanceOf(Linear);
        expect(model.fc1).toBeInstanceOf(Linear);
        for (const name of ['fc1', 'fc2']) {
          expect(q.getSubmodule(name).constructor.name).toBe(exp.quantized_modules[name].split('.').pop());
          const mod = q.getSubmodule(name) as unknown as { weight(): Tensor };
          expectQTensorEqual(mod.weight(), exp.quantized_weights[`${name}.weight`], { label: `${name}.weight` });
        }
        expectTensorClose(q.call(x), exp.output, { atol: 1e-6, rtol: 1e-6, label: 'dynamic output' });
      });
    });
  }
});
