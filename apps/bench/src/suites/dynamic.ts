/**
 * Dynamic quantization: `quantized::linear_dynamic` (float in, activations quantized per call,
 * float out) beside float linear, and the 2-layer dynamic LSTM of issue #13 (peers only until
 * qtorch has a quantized dynamic LSTM).
 */
import { linear, linearPrepack, quantizedLinearDynamic, randn } from '@qtorch/qtensor';
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

/** Whether qtorch has a quantized dynamic LSTM yet (nn-quantized/dynamic is still empty). */
export const HAS_DYNAMIC_LSTM = false;

export const dynamicSuite: Suite<LinearSpec | LstmSpec> = {
  name: 'dynamic',
  description: 'quantized::linear_dynamic (1|32|128,1024,1024) vs float linear; dynamic LSTM 512/512 x2, seq 32, batch 8',
  specs: ({ quick }) => [...linearSpecs('dynamic', 'linear_dynamic', quick ? LINEAR_QUICK : LINEAR_FULL), lstmSpec(quick)],
  notes: () => (HAS_DYNAMIC_LSTM ? [] : ['dynamic LSTM: not implemented in qtorch yet (no quantized dynamic LSTM); peers only']),
  ours(s) {
    if (s.kind === 'lstm_dynamic') return [];
    seed();
    const x = randn([s.m, s.k]), w = qWeight([s.n, s.k]), b = randn([s.n]);
    const wf = randn([s.n, s.k]);
    return [
      ...quantizedRows(s, 'quantized::linear_dynamic', (engine) => {
        const packed = linearPrepack(w, b, engine);
        // fbgemm's dynamic linear quantizes activations to 0..127 (reduce_range), as PyTorch's default qconfig does
        return () => quantizedLinearDynamic(x, packed, { reduceRange: engine === 'fbgemm' });
      }),
      ...floatRow(s, () => linear(x, wf, b)),
    ];
  },
};
