/**
 * PyTorch 1.13 float modules (tools/golden/nn/float_modules.json, from gen_nn.py): the same
 * module built in TypeScript, loaded with PyTorch's state dict, must reproduce PyTorch's
 * outputs within 1e-5 relative.
 */
import { type Tensor, isTensor } from '@qtorch/qtensor';
import { type GoldenPlainTensor, type GoldenTensor, expectTensorClose, loadGolden, tensorFromGolden } from '@qtorch/testing';
import { describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';

type Inputs = Record<string, Tensor>;
type Maker = [() => nn.Module, (m: nn.Module, i: Inputs) => unknown];
const call = (m: nn.Module, ...args: unknown[]): unknown => (m.call as (...a: unknown[]) => unknown)(...args);

const MAKERS: Record<string, Maker> = {
  linear: [() => new nn.Linear(5, 3), (m, i) => call(m, i.x)],
  linear_nobias_3d: [() => new nn.Linear(4, 2, { bias: false }), (m, i) => call(m, i.x)],
  conv2d: [() => new nn.Conv2d(3, 4, 3, { stride: 2, padding: 1 }), (m, i) => call(m, i.x)],
  conv2d_groups_reflect: [() => new nn.Conv2d(4, 6, 3, { groups: 2, dilation: 2, padding: 'same', paddingMode: 'reflect' }), (m, i) => call(m, i.x)],
  conv_transpose2d: [() => new nn.ConvTranspose2d(3, 2, 3, { stride: 2, padding: 1, outputPadding: 1 }), (m, i) => call(m, i.x)],
  bn2d_train: [() => new nn.BatchNorm2d(4), (m, i) => call(m, i.x)],
  bn2d_eval: [() => new nn.BatchNorm2d(4), (m, i) => call(m, i.x)],
  bn1d_train_momentum_none: [() => new nn.BatchNorm1d(3, { momentum: null }), (m, i) => call(m, i.x)],
  layernorm: [() => new nn.LayerNorm([3, 4]), (m, i) => call(m, i.x)],
  groupnorm: [() => new nn.GroupNorm(2, 4), (m, i) => call(m, i.x)],
  lstm_2layer_bidir_batch_first: [() => new nn.LSTM(4, 6, { numLayers: 2, bidirectional: true, batchFirst: true }), (m, i) => call(m, i.x, [i.h0, i.c0])],
  lstm_proj_unbatched: [() => new nn.LSTM(4, 6, { projSize: 3 }), (m, i) => call(m, i.x)],
  gru_2layer: [() => new nn.GRU(4, 5, { numLayers: 2 }), (m, i) => call(m, i.x, i.h0)],
  rnn_relu_bidir_nobias: [() => new nn.RNN(4, 5, { nonlinearity: 'relu', bias: false, bidirectional: true }), (m, i) => call(m, i.x)],
  lstm_cell: [() => new nn.LSTMCell(4, 3), (m, i) => call(m, i.x, [i.h0, i.c0])],
  gru_cell: [() => new nn.GRUCell(4, 3), (m, i) => call(m, i.x, i.h0)],
  rnn_cell_tanh: [() => new nn.RNNCell(4, 3), (m, i) => call(m, i.x)],
  mha_self: [() => new nn.MultiheadAttention(8, 2), (m, i) => call(m, i.x, i.x, i.x)],
  mha_masks_bias_kv_zero_attn: [
    () => new nn.MultiheadAttention(8, 2, { addBiasKv: true, addZeroAttn: true }),
    (m, i) => call(m, i.q, i.k, i.v, { keyPaddingMask: i.key_padding_mask, attnMask: i.attn_mask, averageAttnWeights: false }),
  ],
  mha_kdim_vdim_batch_first: [
    () => new nn.MultiheadAttention(6, 3, { bias: false, kdim: 4, vdim: 5, batchFirst: true }),
    (m, i) => call(m, i.q, i.k, i.v, { attnMask: i.attn_mask }),
  ],
  transformer_encoder_layer: [() => new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0 }), (m, i) => call(m, i.x)],
  transformer_encoder_layer_norm_first_gelu: [
    () => new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, activation: 'gelu', normFirst: true, batchFirst: true }),
    (m, i) => call(m, i.x, { srcKeyPaddingMask: i.src_key_padding_mask }),
  ],
  bilinear: [() => new nn.Bilinear(3, 4, 2), (m, i) => call(m, i.x1, i.x2)],
};

/** Compares nested outputs (tensors, tuples, null) with the recorded ones. */
function compare(actual: unknown, expected: unknown, label: string): void {
  if (expected === null) {
    expect(actual, label).toBeNull();
    return;
  }
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), label).toBe(true);
    const a = actual as unknown[];
    expect(a.length, label).toBe(expected.length);
    expected.forEach((e, k) => compare(a[k], e, `${label}[${k}]`));
    return;
  }
  expect(isTensor(actual), label).toBe(true);
  expectTensorClose(actual as Tensor, expected as GoldenPlainTensor, { rtol: 1e-5, atol: 1e-6, label });
}

describe('float modules reproduce PyTorch 1.13 with its state dict', () => {
  const file = loadGolden('nn/float_modules.json');
  for (const c of file.cases) {
    it(c.name, () => {
      const maker = MAKERS[c.name];
      expect(maker, `a TypeScript module for case ${c.name}`).toBeDefined();
      const [make, run] = maker!;
      const m = make();
      expect(m.constructor.name).toBe(c.op);
      const sd = Object.fromEntries(Object.entries(c.inputs.state_dict as Record<string, GoldenTensor>).map(([k, v]) => [k, tensorFromGolden(v)]));
      const res = m.loadStateDict(sd);
      expect(res).toEqual({ missingKeys: [], unexpectedKeys: [] });
      m.train(c.args.train as boolean);
      const inputs: Inputs = {};
      for (const [k, v] of Object.entries(c.inputs)) if (k !== 'state_dict') inputs[k] = tensorFromGolden(v as GoldenTensor);
      compare(run(m, inputs), c.expected.output, c.name);
      if (c.expected.state_dict_after) {
        const after = m.stateDict();
        for (const [k, v] of Object.entries(c.expected.state_dict_after as Record<string, GoldenTensor>)) {
          expectTensorClose(after[k]!, v as GoldenPlainTensor, { rtol: 1e-5, atol: 1e-6, label: `${c.name} ${k}` });
        }
      }
    });
  }
});
