/**
 * Dynamic quantization: `quantized::linear_dynamic` (float in, activations quantized per call,
 * float out) beside float linear, and the 2-layer LSTM of issue #13 dynamically quantized
 * (`quantizeDynamic`, per engine) beside the float LSTM.
 */
import { LSTM, Module } from '@qtorch/nn';
import { quantizeDynamic } from '@qtorch/quantization';
import { type Engine, type Tensor, linear, linearPrepack, noGrad, quantizedLinearDynamic, randn, withEngine } from '@qtorch/qtensor';
import { qWeight, seed } from '../fixtures.js';
import { type LinearSpec, type LstmSpec, lstmOps } from '../specs.js';
import { linearSpecs } from './linear.js';
import { floatRow, quantizedRows } from './rows.js';
import type { Suite } from './types.js';

const LINEAR_FULL: ReadonlyArray<[number, number, number]> = [[1, 1024, 1024], [32, 1024, 1024], [128, 1024, 1024]];
const LINEAR_QUICK: ReadonlyArray<[number, number, number]> = [[4, 32, 16]];

function lstmSpec(quick: boolean): LstmSpec {
  const g = quick ? { input: 16, hidden: 16, layers: 2, seq: 4, batch: 2 } : { input: 512, hidden: 512, layers: 2, seq: 32, batch: 8 };
  return { suite: 'dynamic', kind: 'lstm_dynamic', case: `LSTM ${g.input}->${g.hidden} x${g.layers} seq ${g.seq} batch ${g.batch}`, ...g, ops: lstmOps(g), dtypes: ['int8', 'fp32'] };
}

/** Holds the LSTM as a child, so `quantizeDynamic` swaps it (it never swaps the root, as in PyTorch). */
class LstmHolder extends Module {
  lstm: Module;
  constructor(lstm: Module) {
    super();
    this.lstm = lstm;
  }
  forward(x: Tensor): unknown {
    return (this.lstm as unknown as { call(t: Tensor): unknown }).call(x);
  }
}

/** Our rows of the LSTM case: the dynamically quantized LSTM per variant (its GEMMs are quantized::linear_dynamic), and the float LSTM. */
function lstmRows(s: LstmSpec, ctx: Parameters<Suite['ours']>[1]) {
  seed();
  const float = new LstmHolder(new LSTM(s.input, s.hidden, { numLayers: s.layers }));
  float.eval();
  const x = randn([s.seq, s.batch, s.input]);
  return [
    ...quantizedRows(s, ctx, 'quantized::linear_dynamic', (engine: Engine) => {
      const q = withEngine(engine, () => quantizeDynamic(float));
      return () => q.call(x);
    }),
    // inference, as torch.no_grad(): the float LSTM's parameters require grad, and a recorded graph would keep every step's activations
    ...floatRow(s, () => noGrad(() => float.call(x))),
  ];
}

export const dynamicSuite: Suite<LinearSpec | LstmSpec> = {
  name: 'dynamic',
  description: 'quantized::linear_dynamic (1|32|128,1024,1024) vs float linear; dynamic LSTM 512/512 x2, seq 32, batch 8 vs float LSTM',
  specs: ({ quick }) => [...linearSpecs('dynamic', 'linear_dynamic', quick ? LINEAR_QUICK : LINEAR_FULL), lstmSpec(quick)],
  ours(s, ctx) {
    if (s.kind === 'lstm_dynamic') return lstmRows(s, ctx);
    seed();
    const x = randn([s.m, s.k]), w = qWeight([s.n, s.k]), b = randn([s.n]);
    const wf = randn([s.n, s.k]);
    return [
      ...quantizedRows(s, ctx, 'quantized::linear_dynamic', (engine) => {
        const packed = linearPrepack(w, b, engine);
        // fbgemm's dynamic linear quantizes activations to 0..127 (reduce_range), as PyTorch's default qconfig does
        return () => quantizedLinearDynamic(x, packed, { reduceRange: engine === 'fbgemm' });
      }),
      ...floatRow(s, () => linear(x, wf, b)),
    ];
  },
};
