// The dynamic RNNs' native path (src/dynamic/rnn_native.ts) without an addon: a TypeScript
// stand-in registered as the 'native' qtorch::rnn_dynamic_layer (the contract of kernels-common
// ts/ops/rnn.ts, computed with qtensor's dynamic linear and nn's gate math) must give exactly the
// reference path's outputs and states: layers, directions, reversal, batch_first, given h0 / c0,
// the cells. (The addons test their kernel against the same step-by-step loop.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Engine, type LinearPackedParams, Tensor, float32, fromValues, quantizedLinearDynamic, registerKernel, setNativeEnabled, unregisterKernel, withEngine } from '@qtorch/qtensor';
import * as nn from '@qtorch/nn';
import { defaultDynamicQconfig, float16DynamicQconfig } from '@qtorch/quantization';
import { layerSteps } from '../../nn/test/rnn_steps.js';
import { GRU, GRUCell, LSTM, LSTMCell, RNNCell } from '../src/dynamic/index.js';

type Cell = 'lstm' | 'gru' | 'rnn_tanh' | 'rnn_relu';
interface LayerArgs {
  cell: Cell; igates: Float32Array; steps: number; batch: number; hidden: number; packedHh: LinearPackedParams;
  reduceRange: boolean; h0: Float32Array; c0: Float32Array | null; reverse: boolean;
}
const OP = 'qtorch::rnn_dynamic_layer';

/** Every call the stand-in served (args copied: the module may reuse buffers). */
const calls: Array<{ cell: Cell; steps: number; batch: number; reverse: boolean }> = [];

/** The stand-in kernel: the layer loop over tensors, with the reference numerics. */
function standIn(a: LayerArgs): { output: Float32Array; h: Float32Array; c: Float32Array | null } {
  calls.push({ cell: a.cell, steps: a.steps, batch: a.batch, reverse: a.reverse });
  return layerSteps(a, (h) => quantizedLinearDynamic(h, a.packedHh, { reduceRange: a.reduceRange }));
}

const ENGINES: Engine[] = ['fbgemm', 'qnnpack'];
beforeAll(() => {
  for (const engine of ENGINES) registerKernel({ op: OP, engine, source: 'native', impl: standIn as never });
});
afterAll(() => {
  for (const engine of ENGINES) unregisterKernel(OP, engine, 'native');
});

const seq = (shape: number[], phase: number): Tensor => fromValues(Array.from({ length: shape.reduce((p, q) => p * q, 1) }, (_, i) => Math.sin(i * 0.37 + phase) * 1.5), shape, float32);
const flat = (v: unknown): Tensor[] => (Array.isArray(v) ? v.flatMap(flat) : [v as Tensor]);

/** Runs `call` on the stand-in, then on the reference path (native disabled): identical tensors, and the stand-in ran `expected` times. */
function expectSameAsReference(label: string, call: () => unknown, expected: number): void {
  calls.length = 0;
  const native = flat(call());
  expect(calls.length, `${label}: stand-in calls`).toBe(expected);
  const prev = setNativeEnabled(false);
  try {
    calls.length = 0;
    const reference = flat(call());
    expect(calls.length, `${label}: the reference path ran without the kernel`).toBe(0);
    expect(native.map((t) => t.shape)).toEqual(reference.map((t) => t.shape));
    native.forEach((t, i) => expect(Array.from(t.values()), `${label} output ${i}`).toEqual(Array.from(reference[i]!.values())));
  } finally {
    setNativeEnabled(prev);
  }
}

const quantized = <M>(cls: { fromFloat(m: nn.Module): unknown }, f: nn.Module): M => cls.fromFloat(Object.assign(f, { qconfig: defaultDynamicQconfig })) as M;

describe('dynamic RNNs on a registered qtorch::rnn_dynamic_layer', () => {
  for (const engine of ENGINES) {
    it(`LSTM: 2 layers x 2 directions, batch_first, given h0 / c0 (${engine})`, () => withEngine(engine, () => {
      const q = quantized<LSTM>(LSTM, new nn.LSTM(5, 6, { numLayers: 2, bidirectional: true, batchFirst: true }));
      const x = seq([3, 4, 5], 0.1), h0 = seq([4, 3, 6], 0.2), c0 = seq([4, 3, 6], 0.3);
      expectSameAsReference('LSTM', () => q.call(x, [h0, c0]), 4);
    }));

    it(`GRU: 2 layers, zero initial state, then 1 direction of 3 steps (${engine})`, () => withEngine(engine, () => {
      const q = quantized<GRU>(GRU, new nn.GRU(4, 7, { numLayers: 2, bidirectional: true }));
      const x = seq([3, 2, 4], 0.5);
      calls.length = 0;
      q.call(x);
      expect(calls).toEqual([0, 1, 0, 1].map((d) => ({ cell: 'gru', steps: 3, batch: 2, reverse: d === 1 })));
      expectSameAsReference('GRU', () => q.call(x), 4);
      const one = quantized<GRU>(GRU, new nn.GRU(4, 7));
      expectSameAsReference('GRU 1 layer', () => one.call(x, seq([1, 2, 7], 0.9)), 1);
    }));

    it(`cells: LSTMCell, GRUCell, RNNCell tanh / relu, with and without states (${engine})`, () => withEngine(engine, () => {
      const x = seq([3, 5], 0.7), h = seq([3, 6], 0.8), c = seq([3, 6], 0.6);
      const lstm = quantized<LSTMCell>(LSTMCell, new nn.LSTMCell(5, 6));
      expectSameAsReference('LSTMCell', () => lstm.call(x, [h, c]), 1);
      expectSameAsReference('LSTMCell zeros', () => lstm.call(x), 1);
      const gru = quantized<GRUCell>(GRUCell, new nn.GRUCell(5, 6));
      expectSameAsReference('GRUCell', () => gru.call(x, h), 1);
      for (const nonlinearity of ['tanh', 'relu'] as const) {
        const rnn = quantized<RNNCell>(RNNCell, new nn.RNNCell(5, 6, { nonlinearity }));
        expectSameAsReference(`RNNCell ${nonlinearity}`, () => rnn.call(x, h), 1);
      }
    }));
  }

  it('falls back to the reference path: float16 weights, an empty sequence', () => withEngine('fbgemm', () => {
    const f16 = LSTM.fromFloat(Object.assign(new nn.LSTM(3, 4), { qconfig: float16DynamicQconfig }));
    calls.length = 0;
    f16.call(seq([2, 1, 3], 0));
    const q = quantized<LSTM>(LSTM, new nn.LSTM(3, 4));
    const [empty] = q.call(seq([0, 2, 3], 0));
    expect(empty.shape).toEqual([0, 2, 4]);
    expect(calls).toEqual([]);
  }));
});
