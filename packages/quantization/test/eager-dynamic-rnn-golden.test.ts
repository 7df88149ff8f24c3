// quantizeDynamic on recurrent models against PyTorch 1.13 (golden workflows/dynamic.json):
// LSTM (stacked, bidirectional batch-first), GRU and the three cells, wrapped as child 'm'.
import { describe, expect, it } from 'vitest';
import { GRU, GRUCell, LSTM, LSTMCell, Module, RNNCell, type StateDict } from '@qtorch/nn';
import { type Engine, type Tensor, float16, qint8, withEngine } from '@qtorch/qtensor';
import {
  type GoldenCase, type GoldenTensor, expectQTensorEqual, expectTensorClose, loadGolden, tensorFromGolden,
} from '../../../tools/testing/src/index.js';
import { quantizeDynamic } from '../src/eager/index.js';

class Wrap extends Module {
  constructor(public m: Module) {
    super();
  }
  forward(...args: unknown[]): unknown {
    return (this.m.call as (...a: unknown[]) => unknown)(...args);
  }
}

/** The fixture's `Wrap(...)` expression -> the float model. */
const MODELS: Array<[RegExp, () => Module]> = [
  [/^Wrap\(LSTM\(8, 16, num_layers=2\)\)/, () => new LSTM(8, 16, { numLayers: 2 })],
  [/^Wrap\(LSTM\(8, 16, batch_first=True, bidirectional=True\)\)/, () => new LSTM(8, 16, { batchFirst: true, bidirectional: true })],
  [/^Wrap\(GRU\(8, 16, num_layers=2\)\)/, () => new GRU(8, 16, { numLayers: 2 })],
  [/^Wrap\(LSTMCell\(8, 16\)\)/, () => new LSTMCell(8, 16)],
  [/^Wrap\(GRUCell\(8, 16\)\)/, () => new GRUCell(8, 16)],
  [/^Wrap\(RNNCell\(8, 16, nonlinearity=relu\)\)/, () => new RNNCell(8, 16, { nonlinearity: 'relu' })],
  [/^Wrap\(RNNCell\(8, 16\)\)/, () => new RNNCell(8, 16)],
];

type Nested = GoldenTensor | Nested[];
const build = (x: Nested): unknown => (Array.isArray(x) ? x.map(build) : tensorFromGolden(x));

function expectNestedClose(actual: unknown, expected: Nested, label: string, tol: { atol: number; rtol: number }): void {
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), label).toBe(true);
    expected.forEach((e, i) => expectNestedClose((actual as unknown[])[i], e, `${label}[${i}]`, tol));
  } else {
    expectTensorClose(actual as Tensor, expected as never, { ...tol, label });
  }
}

const engineOf = (name: string): Engine => (name.endsWith('@qnnpack') ? 'qnnpack' : 'fbgemm');

describe('quantizeDynamic on recurrent models (golden workflows/dynamic.json)', () => {
  const cases = (loadGolden('workflows/dynamic.json').cases as GoldenCase[]).filter((c) => !c.name.startsWith('mlp_'));
  it('covers every recurrent model of the fixture', () => {
    for (const c of cases) expect(MODELS.some(([re]) => re.test((c.args as { model_source: string }).model_source)), c.name).toBe(true);
  });
  for (const c of cases) {
    const args = c.args as { model_source: string; dtype: string };
    const exp = c.expected as Record<string, any>;
    const make = () => new Wrap(MODELS.find(([re]) => re.test(args.model_source))![1]());
    if (exp.error !== undefined) {
      // Debian's PyTorch has neither fbgemm nor float16 dynamic RNNs; qnnpack must refuse float16.
      if (!c.name.endsWith('@qnnpack')) continue;
      it(c.name, () => {
        withEngine('qnnpack', () => expect(() => quantizeDynamic(make(), undefined, { dtype: float16 })).toThrow(/fp16|float16/i));
      });
      continue;
    }
    it(c.name, () => {
      const inputs = c.inputs as { float_state_dict: Record<string, GoldenTensor>; inputs: Nested[] };
      withEngine(engineOf(c.name), () => {
        const model = make();
        model.loadStateDict(Object.fromEntries(Object.entries(inputs.float_state_dict).map(([k, v]) => [k, tensorFromGolden(v)])) as StateDict);
        const args2 = inputs.inputs.map(build);
        expectNestedClose(model.call(...args2), exp.float_output, 'float output', { atol: 1e-5, rtol: 1e-5 });
        const q = quantizeDynamic(model, undefined, { dtype: qint8 });
        expect(q.m.constructor.name).toBe((exp.quantized_modules.m as string).split('.').pop());
        const m = q.m as unknown as { weights?: () => Record<string, Tensor | null>; weightsByName?: () => Record<string, Tensor | null> };
        const ours = (m.weightsByName ?? m.weights)!.call(m);
        for (const [key, spec] of Object.entries(exp.quantized_weights as Record<string, any>)) {
          const name = key.replace(/^m\./, '');
          if (spec.qscheme) expectQTensorEqual(ours[name]!, spec, { label: key });
        }
        expectNestedClose(q.call(...args2), exp.output, 'dynamic output', { atol: 1e-5, rtol: 1e-5 });
      });
    });
  }
});
