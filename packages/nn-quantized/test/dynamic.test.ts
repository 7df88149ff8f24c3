// Dynamic quantized modules against PyTorch 1.13: ops/linear_dynamic.json (the module's
// reduce_range=True path) and workflows/dynamic.json (quantize_dynamic of an MLP, LSTMs, a GRU
// and the cells: quantized weights exact, outputs within 1e-5), plus fp16, state dicts, errors.
import { describe, expect, it } from 'vitest';
import { type Engine, QTorchEngineError, QTorchShapeError, type Tensor, float16, float32, fromValues, qint8, quantizePerTensor, quint8, relu, withEngine } from '@qtorch/qtensor';
import * as nn from '@qtorch/nn';
import { MinMaxObserver, PlaceholderObserver, QConfig, defaultDynamicQconfig, float16DynamicQconfig } from '@qtorch/quantization';
import { type GoldenCase, expectQTensorEqual, expectTensorClose, loadGolden, tensorFromGolden } from '../../../tools/testing/src/index.js';
import { casesFor } from '../../../tools/conformance/src/golden_engines.js';
import { GRU, GRUCell, LSTM, LSTMCell, Linear, RNNCell } from '../src/dynamic/index.js';

const ENGINE_OF = (c: GoldenCase): Engine => (c.args.engine === 'qnnpack' ? 'qnnpack' : 'fbgemm');
const T = (spec: unknown): Tensor => tensorFromGolden(spec as never);

describe('dynamic Linear vs golden ops/linear_dynamic.json (reduce_range=True)', () => {
  for (const engine of ['qnnpack', 'fbgemm'] as Engine[]) {
    const cases = casesFor('ops/linear_dynamic.json', engine).filter((c) => c.op === 'quantized::linear_dynamic' && c.args.reduce_range === true);
    for (const c of cases) {
      it(`${c.name} on ${engine}`, () => withEngine(engine, () => {
        const w = T(c.inputs.w), b = c.inputs.b ? T(c.inputs.b) : null;
        const m = new Linear(w.shape[1]!, w.shape[0]!, { bias: b !== null });
        m.setWeightBias(w, b);
        const y = m.call(T(c.inputs.x));
        let maxAbs = 0;
        for (const v of T(c.expected.y).values()) maxAbs = Math.max(maxAbs, Math.abs(v));
        expectTensorClose(y, c.expected.y, { atol: 1e-5 * maxAbs + 1e-6, rtol: 0, label: c.name });
      }));
    }
  }
});

/** The float module of a dynamic.json case, with its recorded float weights (child 'm' prefix stripped). */
function floatModule(c: GoldenCase): nn.Module {
  const sd: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(c.inputs.float_state_dict as Record<string, unknown>)) sd[k.replace(/^m\./, '')] = T(v);
  const m: nn.Module = {
    lstm_8_16_2layers: () => new nn.LSTM(8, 16, { numLayers: 2 }),
    lstm_bidirectional_batch_first: () => new nn.LSTM(8, 16, { batchFirst: true, bidirectional: true }),
    gru_8_16_2layers: () => new nn.GRU(8, 16, { numLayers: 2 }),
    lstmcell_8_16: () => new nn.LSTMCell(8, 16),
    grucell_8_16: () => new nn.GRUCell(8, 16),
    rnncell_tanh_8_16: () => new nn.RNNCell(8, 16),
    rnncell_relu_8_16: () => new nn.RNNCell(8, 16, { nonlinearity: 'relu' }),
  }[c.args.model as string]!();
  m.loadStateDict(sd);
  return Object.assign(m, { qconfig: defaultDynamicQconfig });
}

/** Flattens nested [tensor, [tensor, tensor]] outputs. */
function flat(v: unknown): Tensor[] {
  return Array.isArray(v) ? v.flatMap(flat) : [v as Tensor];
}
function flatSpecs(v: unknown): unknown[] {
  return Array.isArray(v) ? v.flatMap(flatSpecs) : [v];
}

const QUANTIZED = { LSTM, GRU, LSTMCell, GRUCell, RNNCell } as const;

describe('quantize_dynamic workflows vs golden workflows/dynamic.json', () => {
  for (const c of loadGolden('workflows/dynamic.json').cases) {
    const engine = ENGINE_OF(c);
    if (c.expected.error !== undefined) {
      // float16: PyTorch's reference build had no fbgemm, so only the qnnpack refusal carries over
      if (engine === 'qnnpack') {
        it(`${c.name}: float16 weights are refused on qnnpack`, () => withEngine('qnnpack', () => {
          expect(() => Linear.fromFloat(Object.assign(new nn.Linear(8, 4), { qconfig: float16DynamicQconfig }))).toThrow(/not supported by QNNPACK/);
        }));
      }
      continue;
    }
    it(`${c.name} on ${engine}`, () => withEngine(engine, () => {
      const inputs = (c.inputs.inputs as unknown[]).map((v) => (Array.isArray(v) ? v.map(T) : T(v)));
      if (c.args.model === 'mlp') {
        const fcs = ['fc1', 'fc2'].map((name) => {
          const f = Object.assign(new nn.Linear(...(T(c.inputs.float_state_dict[`${name}.weight`]).shape.slice().reverse() as [number, number])), { qconfig: defaultDynamicQconfig });
          f.loadStateDict({ weight: T(c.inputs.float_state_dict[`${name}.weight`]), bias: T(c.inputs.float_state_dict[`${name}.bias`]) });
          const q = Linear.fromFloat(f);
          expectQTensorEqual(q.weight(), c.expected.quantized_weights[`${name}.weight`], { label: `${name}.weight` });
          return q;
        });
        const y = fcs[1]!.call(relu(fcs[0]!.call(inputs[0] as Tensor)));
        expectTensorClose(y, c.expected.output, { atol: 1e-5, rtol: 0, label: c.name });
        return;
      }
      const f = floatModule(c);
      const cls = QUANTIZED[(f.constructor.name as keyof typeof QUANTIZED)];
      const q = (cls as unknown as { fromFloat(m: nn.Module): nn.Module }).fromFloat(f);
      // quantized weights: exactly PyTorch's (MinMaxObserver, per-tensor symmetric qint8)
      const weights = q instanceof LSTM || q instanceof GRU ? q.weightsByName() : (q as LSTMCell).weights();
      for (const [k, spec] of Object.entries(c.expected.quantized_weights as Record<string, unknown>)) {
        const got = weights[k.replace(/^m\./, '')]!;
        if ((spec as { qtensor?: boolean }).qtensor) expectQTensorEqual(got, spec as never, { label: k });
        else expectTensorClose(got, spec as never, { exact: true, label: k });
      }
      const out = flat((q as unknown as { call(...a: unknown[]): unknown }).call(...inputs));
      const want = flatSpecs(c.expected.output);
      expect(out.length).toBe(want.length);
      out.forEach((t, i) => expectTensorClose(t, want[i] as never, { atol: 1e-5, rtol: 0, label: `${c.name} output ${i}` }));
    }));
  }
});

describe('dynamic modules: fp16, state dicts, reprs, errors', () => {
  const floatFc = (): nn.Linear => {
    const f = new nn.Linear(4, 3);
    (f.weight.data as Float32Array).set([0.1, -0.2, 0.30001, 0.4, 0.5, -0.6, 0.7, 0.8, -0.9, 1.0, 1.1, -1.2]);
    return f;
  };
  const x = fromValues([0.5, -1, 2, 0.25, -0.5, 1.5, 0, 1], [2, 4], float32);

  it('float16 weights (fbgemm): the weight rounded to half, float32 GEMM', () => withEngine('fbgemm', () => {
    const f = Object.assign(floatFc(), { qconfig: float16DynamicQconfig });
    const q = Linear.fromFloat(f);
    expect(q.toString()).toBe('DynamicQuantizedLinear(in_features=4, out_features=3, dtype=torch.float16)');
    const w = q.weight().values();
    expect(w[2]).toBe(0.300048828125); // 0.30001 rounded to the nearest half (2^-12 steps)
    const y = q.call(x).values(), b = f.bias!.values(), xv = x.values();
    for (let m = 0; m < 2; m++) for (let n = 0; n < 3; n++) {
      let acc = b[n]!;
      for (let k = 0; k < 4; k++) acc += xv[m * 4 + k]! * w[n * 4 + k]!;
      expect(y[m * 3 + n]).toBeCloseTo(acc, 5);
    }
    expect(() => withEngine('qnnpack', () => new Linear(4, 3, { dtype: float16 }))).toThrow(QTorchEngineError);
    // the state dict round-trips into a float16 layer; a qint8 layer refuses the float weight
    // (PyTorch takes the dtype from the checkpoint, never from the weight)
    const fresh = new Linear(4, 3, { dtype: float16 });
    fresh.loadStateDict(q.stateDict());
    expect(Array.from(fresh.call(x).values())).toEqual(Array.from(q.call(x).values()));
    expect(() => new Linear(4, 3).loadStateDict(q.stateDict())).toThrow(/While loading "_packed_params\.weight".*linear_prepack\(\): expected a qint8 quantized weight, got torch\.float32/);
  }));

  it('qint8: repr, a float output close to the float Linear, and a state dict round trip', () => {
    const f = Object.assign(floatFc(), { qconfig: defaultDynamicQconfig });
    const q = Linear.fromFloat(f);
    expect(q.toString()).toBe('DynamicQuantizedLinear(in_features=4, out_features=3, dtype=torch.qint8, qscheme=torch.per_tensor_affine)');
    const y = q.call(x), ref = f.call(x);
    expectTensorClose(y, ref, { atol: 0.05, rtol: 0 });
    const fresh = new Linear(4, 3);
    fresh.loadStateDict(q.stateDict());
    expect(Array.from(fresh.call(x).values())).toEqual(Array.from(y.values()));
  });

  it('LSTM / GRU / cells round-trip their state dicts', () => {
    const lstm = LSTM.fromFloat(Object.assign(new nn.LSTM(3, 4, { numLayers: 2, bidirectional: true }), { qconfig: defaultDynamicQconfig }));
    const keys = Object.keys(lstm.stateDict());
    expect(keys.slice(0, 4)).toEqual(['_all_weight_values.0.param.weight_ih', '_all_weight_values.0.param.weight_hh', '_all_weight_values.0.param.bias_ih', '_all_weight_values.0.param.bias_hh']);
    expect(keys.length).toBe(16);
    const seq = fromValues(Array.from({ length: 5 * 2 * 3 }, (_, i) => Math.sin(i)), [5, 2, 3], float32);
    const fresh = new LSTM(3, 4, { numLayers: 2, bidirectional: true });
    fresh.loadStateDict(lstm.stateDict());
    const [a, [ha, ca]] = lstm.call(seq), [b, [hb, cb]] = fresh.call(seq);
    expect(a.shape).toEqual([5, 2, 8]);
    expect([ha.shape, ca.shape]).toEqual([[4, 2, 4], [4, 2, 4]]);
    expect(Array.from(b.values())).toEqual(Array.from(a.values()));
    expect(Array.from(hb.values())).toEqual(Array.from(ha.values()));
    expect(Array.from(cb.values())).toEqual(Array.from(ca.values()));
    expect(lstm.toString()).toBe('DynamicQuantizedLSTM(3, 4, num_layers=2, bidirectional=True)');

    const cell = GRUCell.fromFloat(Object.assign(new nn.GRUCell(3, 4), { qconfig: defaultDynamicQconfig }));
    expect(Object.keys(cell.stateDict())).toEqual(['_packed_weight_ih.weight', '_packed_weight_ih.bias', '_packed_weight_hh.weight', '_packed_weight_hh.bias']);
    const fc = new GRUCell(3, 4);
    fc.loadStateDict(cell.stateDict());
    const x0 = seq.select(0, 0);
    expect(Array.from(fc.call(x0).values())).toEqual(Array.from(cell.call(x0).values()));
    expect(cell.toString()).toBe('DynamicQuantizedGRUCell(3, 4, dtype=torch.qint8)');
  });

  it('a dynamic LSTM tracks the float LSTM (8 -> 16, 2 layers)', () => {
    const f = Object.assign(new nn.LSTM(8, 16, { numLayers: 2 }), { qconfig: defaultDynamicQconfig });
    const q = LSTM.fromFloat(f);
    const seq = fromValues(Array.from({ length: 6 * 3 * 8 }, (_, i) => Math.cos(i * 0.7)), [6, 3, 8], float32);
    const [yq] = q.call(seq);
    const [yf] = f.call(seq) as [Tensor, unknown];
    expectTensorClose(yq, yf, { atol: 0.03, rtol: 0 });
  });

  it('errors: quantized input, wrong sizes, unsupported dtypes and float classes', () => {
    const q = new Linear(4, 3);
    expect(() => q.call(quantizePerTensor(x, 0.1, 128, quint8))).toThrow(/DynamicQuantizedLinear\.forward\(\): expected a non-quantized tensor, got torch\.quint8\. Call dequantize\(\) first/);
    const lstm = new LSTM(3, 4);
    expect(() => lstm.call(fromValues([1, 2, 3], [1, 3], float32))).toThrow(/input must have 3 dimensions/);
    expect(() => lstm.call(fromValues([1, 2], [1, 1, 2], float32))).toThrow(/input\.size\(-1\) must be equal to input_size\. Expected 3, got 2/);
    const h = fromValues(new Array(8).fill(0), [1, 2, 4], float32);
    expect(() => lstm.call(fromValues(new Array(3).fill(0), [1, 1, 3], float32), [h, h])).toThrow(QTorchShapeError);
    const badQ = Object.assign(floatFc(), { qconfig: new QConfig(PlaceholderObserver.withArgs({}), MinMaxObserver.withArgs({ dtype: quint8 })) });
    expect(() => Linear.fromFloat(badQ)).toThrow(/qint8 and float16/);
    expect(() => LSTM.fromFloat(Object.assign(new nn.GRU(3, 4), { qconfig: defaultDynamicQconfig }))).toThrow(/only works for LSTM, but got: GRU/);
    expect(() => new LSTMCell(3, 4).call(fromValues([1, 2, 3], [1, 3], float32), [h, h])).toThrow(/Expected hidden\[0\] size \(1, 4\)/);
    expect(() => new RNNCell(3, 4, { nonlinearity: 'gelu' as never })).toThrow(/Unknown nonlinearity/);
    expect(() => new Linear(4, 3, { dtype: qint8 }).call(fromValues([1, 2, 3], [1, 3], float32))).toThrow(/in_features/);
  });
});
