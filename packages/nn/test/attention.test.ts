import { bool, float64, fromValues } from '@qtorch/qtensor';
import { describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { checkGrads, expectAllClose, lcgValues, leaf, toDouble, vals } from './helpers.js';

describe('MultiheadAttention', () => {
  it('single head with identity projections is softmax(q k^T / sqrt(d)) v', () => {
    const mha = toDouble(new nn.MultiheadAttention(2, 1, { bias: false }));
    mha.requiresGrad_(false);
    mha.in_proj_weight!.copy_(fromValues([1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1], [6, 2], float64));
    mha.out_proj.weight.copy_(fromValues([1, 0, 0, 1], [2, 2], float64));
    const q = [[1, 0], [0, 2]], k = [[1, 1], [0, -1], [2, 0]], v = [[1, 2], [3, 4], [5, 6]];
    const [out, w] = mha.call(fromValues(q.flat(), [2, 1, 2], float64), fromValues(k.flat(), [3, 1, 2], float64), fromValues(v.flat(), [3, 1, 2], float64));
    const expW: number[][] = q.map((qi) => {
      const s = k.map((kj) => (qi[0]! * kj[0]! + qi[1]! * kj[1]!) / Math.SQRT2);
      const z = s.reduce((a, b) => a + Math.exp(b), 0);
      return s.map((x) => Math.exp(x) / z);
    });
    const expOut = expW.map((wi) => [0, 1].map((d) => wi.reduce((a, wj, j) => a + wj * v[j]![d]!, 0)));
    expectAllClose(vals(out), expOut.flat(), 1e-12, 1e-14);
    expect(w!.shape).toEqual([1, 2, 3]);
    expectAllClose(vals(w!), expW.flat(), 1e-12, 1e-14);
  });

  it('masks: true in a boolean mask or in the key padding mask removes that key', () => {
    const mha = new nn.MultiheadAttention(4, 2);
    const x = fromValues(lcgValues(3 * 2 * 4, 4), [3, 2, 4]);
    const kpm = fromValues([0, 0, 1, 0, 0, 0], [2, 3], bool);
    const [, w] = mha.call(x, x, x, { keyPaddingMask: kpm });
    const wv = vals(w!);
    for (let t = 0; t < 3; t++) expect(wv[t * 3 + 2]).toBe(0); // batch 0 never attends to key 2
    const [, w2] = mha.call(x, x, x, { attnMask: fromValues([0, 1, 1, 0, 0, 1, 0, 0, 0], [3, 3], bool), averageAttnWeights: false });
    expect(w2!.shape).toEqual([2, 2, 3, 3]);
    const causal = vals(w2!);
    for (let b = 0; b < 4; b++) expect([causal[b * 9 + 1], causal[b * 9 + 2], causal[b * 9 + 5]]).toEqual([0, 0, 0]);
    expect(mha.call(x, x, x, { needWeights: false })[1]).toBeNull();
  });

  it('prints, names and validates like PyTorch', () => {
    expect(new nn.MultiheadAttention(8, 2).toString()).toBe(
      'MultiheadAttention(\n  (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)\n)');
    expect(Object.keys(new nn.MultiheadAttention(8, 2).stateDict())).toEqual(['in_proj_weight', 'in_proj_bias', 'out_proj.weight', 'out_proj.bias']);
    expect(Object.keys(new nn.MultiheadAttention(8, 2, { kdim: 3, vdim: 5, bias: false, addBiasKv: true }).stateDict()))
      .toEqual(['q_proj_weight', 'k_proj_weight', 'v_proj_weight', 'bias_k', 'bias_v', 'out_proj.weight']);
    expect(() => new nn.MultiheadAttention(6, 4)).toThrow(/embed_dim must be divisible by num_heads/);
    const m = new nn.MultiheadAttention(4, 2);
    expect(vals(m.in_proj_bias!)).toEqual(new Array(12).fill(0));
    expect(() => m.call(fromValues(lcgValues(8), [1, 2, 4]), fromValues(lcgValues(8), [1, 2, 4]), fromValues(lcgValues(8), [1, 2, 4]), { attnMask: fromValues([0, 0], [1, 2]) }))
      .toThrow(/attn_mask is \[1, 2\], but should be \[1, 1\]/);
  });

  it('has correct gradients (self-attention with bias_kv and zero attention)', () => {
    const mha = toDouble(new nn.MultiheadAttention(4, 2, { addBiasKv: true, addZeroAttn: true }));
    const x = leaf(lcgValues(2 * 1 * 4, 8), [2, 1, 4]);
    checkGrads(mha, [x], () => mha.call(x, x, x)[0], { rtol: 1e-4, atol: 1e-7 });
  });
});

describe('TransformerEncoderLayer', () => {
  it('has PyTorch children, repr and state-dict names', () => {
    const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16 });
    expect(layer.toString()).toBe([
      'TransformerEncoderLayer(',
      '  (self_attn): MultiheadAttention(',
      '    (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)',
      '  )',
      '  (linear1): Linear(in_features=8, out_features=16, bias=True)',
      '  (dropout): Dropout(p=0.1, inplace=False)',
      '  (linear2): Linear(in_features=16, out_features=8, bias=True)',
      '  (norm1): LayerNorm((8,), eps=1e-05, elementwise_affine=True)',
      '  (norm2): LayerNorm((8,), eps=1e-05, elementwise_affine=True)',
      '  (dropout1): Dropout(p=0.1, inplace=False)',
      '  (dropout2): Dropout(p=0.1, inplace=False)',
      ')',
    ].join('\n'));
    expect(Object.keys(layer.stateDict())).toEqual([
      'self_attn.in_proj_weight', 'self_attn.in_proj_bias', 'self_attn.out_proj.weight', 'self_attn.out_proj.bias',
      'linear1.weight', 'linear1.bias', 'linear2.weight', 'linear2.bias', 'norm1.weight', 'norm1.bias', 'norm2.weight', 'norm2.bias',
    ]);
  });

  it('eval mode is deterministic, training mode applies dropout', () => {
    const layer = new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8, dropout: 0.5 });
    const x = fromValues(lcgValues(3 * 2 * 4, 2), [3, 2, 4]);
    expect(vals(layer.call(x))).not.toEqual(vals(layer.call(x)));
    layer.eval();
    expect(vals(layer.call(x))).toEqual(vals(layer.call(x)));
  });

  it('has correct gradients (norm-first, gelu)', () => {
    const layer = toDouble(new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 6, dropout: 0, normFirst: true, activation: 'gelu' }));
    const x = leaf(lcgValues(2 * 1 * 4, 6), [2, 1, 4]);
    checkGrads(layer, [x], () => layer.call(x), { rtol: 1e-4, atol: 1e-7 });
  });
});

describe('Bilinear', () => {
  it('computes x1^T W x2 + b like a naive loop, and prints like PyTorch', () => {
    const m = toDouble(new nn.Bilinear(2, 3, 2));
    const a = lcgValues(4, 1), b = lcgValues(6, 2);
    const y = m.call(fromValues(a, [2, 2], float64), fromValues(b, [2, 3], float64));
    const w = vals(m.weight), bias = vals(m.bias!);
    const exp: number[] = [];
    for (let n = 0; n < 2; n++) for (let o = 0; o < 2; o++) {
      let s = bias[o]!;
      for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) s += a[n * 2 + i]! * w[(o * 2 + i) * 3 + j]! * b[n * 3 + j]!;
      exp.push(s);
    }
    expectAllClose(vals(y), exp, 1e-12, 1e-14);
    expect(new nn.Bilinear(2, 3, 4).toString()).toBe('Bilinear(in1_features=2, in2_features=3, out_features=4, bias=True)');
    const x1 = leaf(lcgValues(4, 3), [2, 2]), x2 = leaf(lcgValues(6, 4), [2, 3]);
    checkGrads(m, [x1, x2], () => m.call(x1, x2));
  });
});
