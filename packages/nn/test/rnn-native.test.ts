// The float RNNs' and cells' native path (modules/rnn_native.ts: `kernels::rnn_float_layer`) without an addon:
// a TypeScript stand-in registered as the native kernel (its contract, computed with qtensor's
// linear and nn's gate math) must give exactly the step-by-step path's outputs and states
// (layers, directions, batch_first, unbatched input, given states, every cell, the single-step
// cells), and serve only
// calls that record no gradient. (The addons test their kernel against the same loop.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FLOAT_RNN_LAYER_OP, type FloatRnnLayerArgs, Tensor, float32, float64, fromValues, linear, noGrad, registerKernel, setNativeEnabled, unregisterKernel,
} from '@qtorch/qtensor';
import { GRU, GRUCell, LSTM, LSTMCell, RNN, RNNCell } from '../src/index.js';
import type { Module } from '../src/module.js';
import { layerSteps } from './rnn_steps.js';

/** Every call the stand-in served. */
const calls: Array<{ cell: string; steps: number; batch: number; reverse: boolean }> = [];

/** The stand-in kernel: the layer's steps over tensors, with nn's numerics. */
function standIn(a: FloatRnnLayerArgs): { output: Float32Array; h: Float32Array; c: Float32Array | null } {
  calls.push({ cell: a.cell, steps: a.steps, batch: a.batch, reverse: a.reverse });
  const gh = a.whh.length / a.hidden;
  const whh = Tensor.fromTypedArray(Float32Array.from(a.whh), [gh, a.hidden]), bhh = a.bhh ? Tensor.fromTypedArray(Float32Array.from(a.bhh), [gh]) : null;
  return layerSteps(a, (h) => linear(h, whh, bhh));
}

beforeAll(() => registerKernel({ op: FLOAT_RNN_LAYER_OP, engine: 'fbgemm', source: 'native', impl: standIn as never }));
afterAll(() => unregisterKernel(FLOAT_RNN_LAYER_OP, 'fbgemm', 'native'));

const seq = (shape: number[], phase: number, dtype = float32): Tensor =>
  fromValues(Array.from({ length: shape.reduce((p, q) => p * q, 1) }, (_, i) => Math.sin(i * 0.37 + phase) * 1.5), shape, dtype);
const flat = (v: unknown): Tensor[] => (Array.isArray(v) ? v.flatMap(flat) : [v as Tensor]);

/** `call` under noGrad on the stand-in (`expected` layer-directions), then on the step-by-step path: identical tensors. */
function expectSameAsSteps(label: string, call: () => unknown, expected: number): void {
  calls.length = 0;
  const native = flat(noGrad(call));
  expect(calls.length, `${label}: stand-in calls`).toBe(expected);
  const prev = setNativeEnabled(false);
  try {
    const steps = flat(noGrad(call));
    expect(native.map((t) => t.shape)).toEqual(steps.map((t) => t.shape));
    native.forEach((t, i) => expect(Array.from(t.values()), `${label} output ${i}`).toEqual(Array.from(steps[i]!.values())));
  } finally {
    setNativeEnabled(prev);
  }
}

const evaluated = <M extends Module>(m: M): M => {
  m.eval();
  return m;
};

describe('float RNNs on a registered kernels::rnn_float_layer (inference)', () => {
  it('LSTM: 2 layers x 2 directions, batch_first, given h0 / c0; and unbatched input', () => {
    const m = evaluated(new LSTM(5, 6, { numLayers: 2, bidirectional: true, batchFirst: true }));
    expectSameAsSteps('LSTM', () => m.call(seq([3, 4, 5], 0.1), [seq([4, 3, 6], 0.2), seq([4, 3, 6], 0.3)]), 4);
    expectSameAsSteps('LSTM unbatched', () => m.call(seq([4, 5], 0.4)), 4);
    calls.length = 0;
    noGrad(() => m.call(seq([3, 4, 5], 0.1)));
    expect(calls.map((c) => `${c.cell} ${c.steps}x${c.batch} ${c.reverse}`)).toEqual(['lstm 4x3 false', 'lstm 4x3 true', 'lstm 4x3 false', 'lstm 4x3 true']);
  });

  it('GRU and RNN (tanh, relu): stacked, given and zero initial states', () => {
    const gru = evaluated(new GRU(4, 7, { numLayers: 2 }));
    expectSameAsSteps('GRU', () => gru.call(seq([3, 2, 4], 0.5), seq([2, 2, 7], 0.6)), 2);
    for (const nonlinearity of ['tanh', 'relu'] as const) {
      const rnn = evaluated(new RNN(4, 3, { nonlinearity, bidirectional: true, bias: false }));
      expectSameAsSteps(`RNN ${nonlinearity}`, () => rnn.call(seq([5, 2, 4], 0.7)), 2);
    }
  });

  it('cells: LSTMCell, GRUCell, RNNCell tanh / relu, batched and unbatched, with and without states (one step each)', () => {
    const x = seq([3, 5], 0.7), h = seq([3, 6], 0.8), c = seq([3, 6], 0.6);
    const lstm = new LSTMCell(5, 6);
    expectSameAsSteps('LSTMCell', () => lstm.call(x, [h, c]), 1);
    expectSameAsSteps('LSTMCell zeros, unbatched', () => lstm.call(seq([5], 0.1)), 1);
    const gru = new GRUCell(5, 6, { bias: false });
    expectSameAsSteps('GRUCell', () => gru.call(x, h), 1);
    for (const nonlinearity of ['tanh', 'relu'] as const) {
      const rnn = new RNNCell(5, 6, { nonlinearity });
      expectSameAsSteps(`RNNCell ${nonlinearity}`, () => rnn.call(x, h), 1);
      calls.length = 0;
      noGrad(() => rnn.call(x));
      expect(calls).toEqual([{ cell: `rnn_${nonlinearity}`, steps: 1, batch: 3, reverse: false }]);
    }
  });

  it('serves no call that records a gradient, an LSTM projection, float64, or an empty sequence', () => {
    const m = new LSTM(3, 4);
    const x = seq([2, 1, 3], 0);
    calls.length = 0;
    const [out] = m.call(x);
    expect(calls, 'parameters require grad and grad is on').toEqual([]);
    out.sum().backward();
    expect(m.allWeights[0]![1]!.grad, 'the step-by-step path recorded the graph (weight_hh_l0)').not.toBeNull();
    for (const p of m.parameters()) p.requiresGrad = false;
    m.call(x);
    expect(calls.length, 'nothing requires grad').toBe(1);
    calls.length = 0;
    noGrad(() => new LSTM(3, 4, { projSize: 2 }).call(x));
    noGrad(() => new LSTM(3, 4).call(seq([2, 1, 3], 0, float64)));
    const cell = new LSTMCell(3, 4);
    cell.call(seq([2, 3], 0));
    expect(calls, 'LSTMCell: parameters require grad').toEqual([]);
    const [empty] = noGrad(() => new GRU(3, 4).call(seq([0, 2, 3], 0)));
    expect(empty.shape).toEqual([0, 2, 4]);
    expect(calls).toEqual([]);
  });
});
