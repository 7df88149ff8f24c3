// FX graph mode quantization against PyTorch 1.13 (golden workflows/fx.json, area F(5)):
// FxNet (functionals: F.relu, torch.add, torch.cat, F.adaptive_avg_pool2d, torch.flatten) is
// prepared with {'': get_default_qconfig('qnnpack')}, calibrated and converted; the prepared
// and converted graphs, the observers' qparams, the quantized modules, the qparam buffers and
// the integer output must be PyTorch's.
import { describe, expect, it } from 'vitest';
import { Conv2d, Linear, Module, type StateDict } from '@qtorch/nn';
import * as F from '@qtorch/nn/functional';
import * as nnq from '@qtorch/nn-quantized';
import * as nniq from '@qtorch/nn-intrinsic/quantized';
import { type GraphModule, torch } from '@qtorch/fx';
import { type Engine, type Tensor, withEngine } from '@qtorch/qtensor';
import {
  type GoldenCase, type GoldenPlainTensor, type GoldenTensor, expectQTensorEqual, expectTensorClose, goldenNumber, loadGolden, tensorFromGolden,
} from '../../../tools/testing/src/index.js';
import { getDefaultQconfig } from '../src/index.js';
import { convertFx, prepareFx } from '../src/fx/index.js';

import { FxNet } from '../../fx/test/models.js';

const stateDictFrom = (spec: Record<string, GoldenTensor>): StateDict => Object.fromEntries(Object.entries(spec).map(([k, v]) => [k, tensorFromGolden(v)]));
/** The golden engine name -> ours (onednn cases stand for fbgemm, as in tools/conformance). */
const engineOf = (name: string): Engine => (name === 'qnnpack' ? 'qnnpack' : 'fbgemm');
const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * The sequence of calls of PyTorch's printed forward, normalized: `self.conv1(...)` ->
 * `module:conv1`, `torch.ops.quantized.add(...)` -> `quantized.add`, `x.dequantize()` ->
 * `dequantize`; attribute reads are left out.
 */
function pythonOps(code: string): string[] {
  const ops: string[] = [];
  for (const line of code.split('\n')) {
    const m = /^\s+\w+ = (.*?)(?:;|$)/.exec(line);
    if (!m) continue;
    const expr = m[1]!;
    let k: RegExpExecArray | null;
    if ((k = /^self\.([\w.]+)\(/.exec(expr))) ops.push(`module:${k[1]}`);
    else if (/^\w+\.(\w+)\(\)$/.test(expr)) ops.push(/^\w+\.(\w+)\(\)$/.exec(expr)![1]!);
    else if ((k = /^([\w.]+)\(/.exec(expr))) ops.push(k[1]!.replace(/^torch\.ops\./, '').replace(/^torch\.nn\.functional\./, '').replace(/^torch\./, ''));
  }
  return ops;
}

/** The same for our graph. */
function graphOps(gm: GraphModule): string[] {
  return gm.graph.nodes.flatMap((n) => {
    if (n.op === 'call_module') return [`module:${String(n.target)}`];
    if (n.op === 'call_method') return [snake(String(n.target))];
    if (n.op !== 'call_function') return [];
    const t = String(n.target);
    return [t.startsWith('quantized.') ? `quantized.${snake(t.slice(10))}` : snake(t.replace(/^(F|torch)\./, ''))];
  });
}

describe('FX graph mode PTQ of FxNet (golden workflows/fx.json)', () => {
  const cases = loadGolden('workflows/fx.json').cases as GoldenCase[];
  it('covers both engines', () => expect(cases.map((c) => (c.args as { engine: string }).engine).sort()).toEqual(['onednn', 'qnnpack']));
  for (const c of cases) {
    it(c.name, () => {
      const inputs = c.inputs as { float_state_dict: Record<string, GoldenTensor>; calibration: GoldenTensor[]; test_input: GoldenTensor };
      const exp = c.expected as Record<string, any>;
      withEngine(engineOf((c.args as { engine: string }).engine), () => {
        const model = new FxNet();
        model.loadStateDict(stateDictFrom(inputs.float_state_dict));
        model.eval();
        const x = tensorFromGolden(inputs.test_input);
        expectTensorClose(model.call(x), exp.float_output, { atol: 1e-5, rtol: 1e-5, label: 'float output' });

        const prepared = prepareFx(model, { '': getDefaultQconfig('qnnpack') }, { exampleInputs: [tensorFromGolden(inputs.calibration[0]!)] });
        // the same observers in the same places as PyTorch's prepared graph
        expect(graphOps(prepared)).toEqual(pythonOps(exp.prepared_code));
        for (const b of inputs.calibration) prepared.call(tensorFromGolden(b));
        for (const obs of exp.observers as Array<Record<string, any>>) {
          const o = prepared.getSubmodule(obs.name) as unknown as { calculateQparams(): [Tensor, Tensor]; constructor: { name: string } };
          expect(o.constructor.name).toBe(obs.class);
          const [scale, zp] = o.calculateQparams();
          // The first observer sees the input itself: bit-exact. Later ones see float conv/linear
          // outputs, whose summation order differs from PyTorch's by float32 ulps.
          const first = obs.name === 'activation_post_process_0';
          expectTensorClose(scale, obs.scale, { atol: 0, rtol: first ? 0 : 1e-5, label: `${obs.name} scale` });
          expectTensorClose(zp, obs.zero_point, { atol: first ? 0 : 1, rtol: 0, label: `${obs.name} zero_point` });
        }
        // observers of ops sharing their input's qparams (add output via cat, cat, pool, flatten) are one instance
        for (const shared of ['activation_post_process_3', 'activation_post_process_4', 'activation_post_process_5', 'activation_post_process_6']) {
          expect(prepared.getSubmodule(shared), shared).toBe(prepared.getSubmodule('activation_post_process_1'));
        }

        const q = convertFx(prepared);
        expect(graphOps(q)).toEqual(pythonOps(exp.converted_code));
        const classes: Record<string, unknown> = { conv1: nniq.ConvReLU2d, conv2: nnq.Conv2d, fc: nniq.LinearReLU };
        for (const [name, spec] of Object.entries(exp.quantized_modules as Record<string, any>)) {
          const mod = q.getSubmodule(name) as unknown as { weight(): Tensor; bias(): Tensor | null; scale: number; zeroPoint: number };
          expect(mod.constructor, `${name} class`).toBe(classes[name]);
          expect(spec.class.split('.').pop()).toBe(mod.constructor.name);
          expectQTensorEqual(mod.weight(), spec.weight, { label: `${name}.weight` });
          expectTensorClose(mod.bias()!, spec.bias, { atol: 0, rtol: 0, label: `${name}.bias` });
          expect(Math.abs(mod.scale - goldenNumber(spec.scale)) / goldenNumber(spec.scale), `${name}.scale`).toBeLessThan(1e-5);
          expect(Math.abs(mod.zeroPoint - spec.zero_point), `${name}.zero_point`).toBeLessThanOrEqual(1);
        }
        // the qparams the converted graph keeps as buffers: same names and values
        const buffers = Object.fromEntries(q.namedBuffers());
        expect(Object.keys(buffers).sort()).toEqual(Object.keys(exp.graph_module_tensors).sort());
        for (const [name, spec] of Object.entries(exp.graph_module_tensors as Record<string, GoldenPlainTensor>)) {
          // conv1's input qparams come from the first observer (exact); the others from later ones
          const exact = name.startsWith('conv1_input');
          const tol = name.includes('zero_point') ? { atol: exact ? 0 : 1, rtol: 0 } : { atol: 0, rtol: exact ? 0 : 1e-5 };
          expectTensorClose(buffers[name]!, spec, { ...tol, label: name });
        }
        // the integer output: the same quantized values as PyTorch
        const fc = q.getSubmodule('fc') as unknown as { scale: number; zeroPoint: number };
        const expScale = goldenNumber(exp.quantized_modules.fc.scale), expZp = exp.quantized_modules.fc.zero_point as number;
        const ints = Array.from(q.call(x).values(), (v: number) => Math.round(v / fc.scale) + fc.zeroPoint);
        const expInts = Array.from(tensorFromGolden(exp.output).values(), (v: number) => Math.round(v / expScale) + expZp);
        expect(ints).toEqual(expInts);
      });
    });
  }
});
