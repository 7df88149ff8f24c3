import { float64, fromValues, gradcheck, manualSeed, randn } from '@qtorch/qtensor';
import { describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { checkGrads, expectAllClose, lcgValues, leaf, toDouble, vals } from './helpers.js';

const sig = (v: number) => 1 / (1 + Math.exp(-v));

describe('RNN / LSTM / GRU', () => {
  it('name parameters like PyTorch', () => {
    expect(Object.keys(new nn.LSTM(3, 4, { numLayers: 2, bidirectional: true }).stateDict())).toEqual([
      'weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0', 'weight_ih_l0_reverse', 'weight_hh_l0_reverse', 'bias_ih_l0_reverse', 'bias_hh_l0_reverse',
      'weight_ih_l1', 'weight_hh_l1', 'bias_ih_l1', 'bias_hh_l1', 'weight_ih_l1_reverse', 'weight_hh_l1_reverse', 'bias_ih_l1_reverse', 'bias_hh_l1_reverse',
    ]);
    const model = new nn.Sequential();
    model.registerModule('lstm', new nn.LSTM(3, 4, { projSize: 2 }));
    expect(Object.keys(model.stateDict())).toEqual(['lstm.weight_ih_l0', 'lstm.weight_hh_l0', 'lstm.bias_ih_l0', 'lstm.bias_hh_l0', 'lstm.weight_hr_l0']);
    const lstm = model.getSubmodule('lstm') as nn.LSTM;
    expect(lstm.allWeights[0]!.map((w) => w.shape)).toEqual([[16, 3], [16, 2], [16], [16], [2, 4]]);
    expect(new nn.GRU(3, 4, { bias: false }).parameters().map((p) => p.shape)).toEqual([[12, 3], [12, 4]]);
    for (const p of new nn.RNN(3, 4).parameters()) for (const v of vals(p)) expect(Math.abs(v)).toBeLessThanOrEqual(0.5);
  });

  it('print like PyTorch', () => {
    expect(new nn.RNN(3, 4).toString()).toBe('RNN(3, 4)');
    expect(new nn.RNN(3, 4, { numLayers: 2, nonlinearity: 'relu', bias: false, batchFirst: true, dropout: 0.5, bidirectional: true }).toString())
      .toBe('RNN(3, 4, num_layers=2, bias=False, batch_first=True, dropout=0.5, bidirectional=True)');
    expect(new nn.LSTM(3, 4, { projSize: 2 }).toString()).toBe('LSTM(3, 4, proj_size=2)');
    expect(new nn.GRU(3, 4, { numLayers: 2 }).toString()).toBe('GRU(3, 4, num_layers=2)');
    expect(new nn.RNNCell(3, 4).toString()).toBe('RNNCell(3, 4)');
    expect(new nn.RNNCell(3, 4, { nonlinearity: 'relu', bias: false }).toString()).toBe('RNNCell(3, 4, bias=False, nonlinearity=relu)');
    expect(new nn.LSTMCell(3, 4).toString()).toBe('LSTMCell(3, 4)');
    expect(new nn.GRUCell(3, 4).toString()).toBe('GRUCell(3, 4)');
  });

  it('a one-step LSTM cell matches the gate equations by hand', () => {
    const cell = toDouble(new nn.LSTMCell(2, 1));
    const [x, h, c] = [[0.5, -1], [0.3], [-0.2]];
    const wih = vals(cell.weight_ih), whh = vals(cell.weight_hh), bih = vals(cell.bias_ih!), bhh = vals(cell.bias_hh!);
    const gate = (k: number) => wih[2 * k]! * x[0]! + wih[2 * k + 1]! * x[1]! + whh[k]! * h[0]! + bih[k]! + bhh[k]!;
    const c2 = sig(gate(1)) * c[0]! + sig(gate(0)) * Math.tanh(gate(2));
    const h2 = sig(gate(3)) * Math.tanh(c2);
    const [hy, cy] = cell.call(fromValues(x, [1, 2], float64), [fromValues(h, [1, 1], float64), fromValues(c, [1, 1], float64)]);
    expectAllClose([...vals(hy), ...vals(cy)], [h2, c2], 1e-12, 1e-14);
    // unbatched input keeps unbatched output
    expect(cell.call(fromValues(x, [2], float64))[0].shape).toEqual([1]);
  });

  it('a GRU over a sequence matches its cell applied step by step (both directions)', () => {
    const gru = toDouble(new nn.GRU(2, 3, { bidirectional: true }));
    const fwd = toDouble(new nn.GRUCell(2, 3)), bwd = toDouble(new nn.GRUCell(2, 3));
    fwd.loadStateDict({ weight_ih: gru.getParameter('weight_ih_l0'), weight_hh: gru.getParameter('weight_hh_l0'), bias_ih: gru.getParameter('bias_ih_l0'), bias_hh: gru.getParameter('bias_hh_l0') });
    bwd.loadStateDict({ weight_ih: gru.getParameter('weight_ih_l0_reverse'), weight_hh: gru.getParameter('weight_hh_l0_reverse'), bias_ih: gru.getParameter('bias_ih_l0_reverse'), bias_hh: gru.getParameter('bias_hh_l0_reverse') });
    const xv = lcgValues(4 * 2, 3);
    const [out, hn] = gru.call(fromValues(xv, [4, 1, 2], float64));
    expect(out.shape).toEqual([4, 1, 6]);
    expect(hn.shape).toEqual([2, 1, 3]);
    const steps = [0, 1, 2, 3].map((t) => fromValues(xv.slice(2 * t, 2 * t + 2), [1, 2], float64));
    let hf = fwd.call(steps[0]!);
    const fOuts = [vals(hf)];
    for (let t = 1; t < 4; t++) { hf = fwd.call(steps[t]!, hf); fOuts.push(vals(hf)); }
    let hb = bwd.call(steps[3]!);
    const bOuts = [vals(hb)];
    for (let t = 2; t >= 0; t--) { hb = bwd.call(steps[t]!, hb); bOuts.unshift(vals(hb)); }
    expectAllClose(vals(out), [0, 1, 2, 3].flatMap((t) => [...fOuts[t]!, ...bOuts[t]!]), 1e-12, 1e-14);
    expectAllClose(vals(hn), [...fOuts[3]!, ...bOuts[0]!], 1e-12, 1e-14);
  });

  it('batchFirst, unbatched input and default zero states', () => {
    const lstm = new nn.LSTM(3, 4, { batchFirst: true, numLayers: 2 });
    const x = randn([2, 5, 3]);
    const [out, [h, c]] = lstm.call(x);
    expect(out.shape).toEqual([2, 5, 4]);
    expect(h.shape).toEqual([2, 2, 4]);
    expect(c.shape).toEqual([2, 2, 4]);
    const [o1] = lstm.call(x.select(0, 1));
    expectAllClose(vals(o1), vals(out.select(0, 1)), 1e-6, 1e-7);
  });

  it('applies dropout between layers only in training', () => {
    manualSeed(0);
    const rnn = new nn.RNN(2, 8, { numLayers: 2, dropout: 0.5 });
    const x = randn([3, 1, 2]);
    const [a] = rnn.call(x);
    const [b] = rnn.call(x);
    expect(vals(a)).not.toEqual(vals(b));
    rnn.eval();
    expect(vals(rnn.call(x)[0])).toEqual(vals(rnn.call(x)[0]));
  });

  it('reports shape errors like PyTorch', () => {
    const lstm = new nn.LSTM(3, 4);
    expect(() => lstm.call(randn([5, 2, 2]))).toThrow(/input.size\(-1\) must be equal to input_size. Expected 3, got 2/);
    expect(() => lstm.call(randn([5]))).toThrow(/Expected input to be 2D or 3D, got 1D/);
    expect(() => lstm.call(randn([5, 2, 3]), [randn([1, 3, 4]), randn([1, 2, 4])])).toThrow(/Expected hidden\[0\] size \(1, 2, 4\), got \[1, 3, 4\]/);
    expect(() => new nn.GRU(3, 4, { projSize: 2 } as never)).toThrow(/only supported for LSTM/);
    expect(() => new nn.RNN(3, 4, { nonlinearity: 'sigmoid' as 'tanh' })).toThrow(/Unknown nonlinearity/);
  });

  it('have correct gradients for inputs, states and every weight', () => {
    for (const make of [
      () => new nn.LSTM(2, 2, { numLayers: 2, bidirectional: true }),
      () => new nn.GRU(2, 3, { batchFirst: true }),
      () => new nn.RNN(2, 2, { nonlinearity: 'tanh', bias: false }),
      () => new nn.LSTM(2, 3, { projSize: 2 }),
    ]) {
      const m = toDouble(make());
      const x = leaf(lcgValues(6, 11), [3, 1, 2]);
      checkGrads(m, [x], () => m.call(x)[0], { rtol: 1e-4, atol: 1e-7 });
    }
    const gru = toDouble(new nn.GRU(2, 2));
    expect(gradcheck((xx, hh) => gru.call(xx, hh)[1], [leaf(lcgValues(4, 2), [2, 1, 2]), leaf(lcgValues(2, 5), [1, 1, 2])])).toBe(true);
    const cell = toDouble(new nn.RNNCell(2, 2, { nonlinearity: 'relu' }));
    const xc = leaf([0.7, -0.2, 0.4, 0.9], [2, 2]);
    checkGrads(cell, [xc], () => cell.call(xc));
  });

  it('draws the same initial weights from the same seed', () => {
    manualSeed(5);
    const b = new nn.GRU(3, 3);
    manualSeed(5);
    const c = new nn.GRU(3, 3);
    expect(vals(b.getParameter('weight_hh_l0'))).toEqual(vals(c.getParameter('weight_hh_l0')));
  });
});
