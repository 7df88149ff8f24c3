import { describe, expect, it } from 'vitest';
import { BatchNorm2d, Conv2d, Linear, Module, ReLU } from '@qtorch/nn';
import * as F from '@qtorch/nn/functional';
import { type Engine, type Tensor, manualSeed, noGrad, qScale, quantizePerTensor, quint8, rand, randn, withEngine } from '@qtorch/qtensor';
import { MinMaxObserver, defaultQatQconfig, defaultQconfig } from '@qtorch/quantization';
import * as nnq from '@qtorch/nn-quantized';
import { type GoldenCase, expectQTensorEqual, tensorFromGolden } from '../../../tools/testing/src/index.js';
import { casesFor } from '../../../tools/conformance/src/golden_engines.js';
import * as nni from '../src/index.js';
import * as nniqat from '../src/qat/index.js';
import * as nniq from '../src/quantized/index.js';
import * as nniqd from '../src/quantized/dynamic/index.js';
import * as nnqd from '@qtorch/nn-quantized/dynamic';
import { defaultDynamicQconfig } from '@qtorch/quantization';

const ENGINES: Engine[] = ['qnnpack', 'fbgemm'];
const t = (c: GoldenCase, k: string): Tensor => tensorFromGolden(c.inputs[k]);

describe('quantized fused modules vs the golden linear_relu / convNd_relu / batch_norm_relu ops', () => {
  for (const engine of ENGINES) {
    it(`LinearReLU (${engine})`, () => withEngine(engine, () => {
      const cases = casesFor('ops/linear.json', engine).filter((c) => c.op === 'quantized::linear_relu' && !c.expected.error);
      expect(cases.length).toBeGreaterThan(5);
      for (const c of cases) {
        const w = t(c, 'w');
        const m = new nniq.LinearReLU(w.shape[1]!, w.shape[0]!);
        m.setWeightBias(w, c.inputs.b ? t(c, 'b') : null);
        [m.scale, m.zeroPoint] = [c.args.out_scale, c.args.out_zero_point];
        expectQTensorEqual(m.call(t(c, 'x')), c.expected.y, { label: c.name });
      }
    }));

    for (const [n, Cls] of [[1, nniq.ConvReLU1d], [2, nniq.ConvReLU2d], [3, nniq.ConvReLU3d]] as const) {
      it(`ConvReLU${n}d (${engine})`, () => withEngine(engine, () => {
        const cases = casesFor(`ops/conv${n}d.json`, engine).filter((c) => c.op === `quantized::conv${n}d_relu`);
        expect(cases.length).toBe(3);
        for (const c of cases) {
          const w = t(c, 'w');
          const a = c.args;
          const m = new Cls(w.shape[1]! * a.groups, w.shape[0]!, w.shape.slice(2), { stride: a.stride, padding: a.padding, dilation: a.dilation, groups: a.groups });
          m.setWeightBias(w, c.inputs.b ? t(c, 'b') : null);
          [m.scale, m.zeroPoint] = [a.out_scale, a.out_zero_point];
          expectQTensorEqual(m.call(t(c, 'x')), c.expected.y, { label: c.name });
        }
      }));
    }

    it(`dynamic LinearReLU (${engine}): linear_relu_dynamic with reduce_range`, () => withEngine(engine, () => {
      const cases = casesFor('ops/linear_dynamic.json', engine).filter((c) => c.op === 'quantized::linear_relu_dynamic' && c.args.reduce_range && !c.expected.error);
      expect(cases.length).toBeGreaterThan(3);
      for (const c of cases) {
        const w = t(c, 'w');
        const m = new nniqd.LinearReLU(w.shape[1]!, w.shape[0]!);
        m.setWeightBias(w, c.inputs.b ? t(c, 'b') : null);
        const y = m.call(t(c, 'x')).values();
        const exp = tensorFromGolden(c.expected.y).values();
        const tol = 1e-5 * Math.max(...Array.from(exp, Math.abs)) + 1e-6;
        for (let i = 0; i < exp.length; i++) expect(Math.abs(y[i]! - exp[i]!), c.name).toBeLessThanOrEqual(tol);
      }
    }));

    it(`BNReLU2d / BNReLU3d (${engine})`, () => withEngine(engine, () => {
      for (const [op, Cls] of [['quantized::batch_norm2d_relu', nniq.BNReLU2d], ['quantized::batch_norm3d_relu', nniq.BNReLU3d]] as const) {
        const [c] = casesFor('ops/norms.json', engine).filter((k) => k.op === op);
        const weight = t(c!, 'weight');
        const m = new Cls(weight.shape[0]!, { eps: c!.args.eps });
        noGrad(() => {
          m.weight!.copy_(weight);
          m.bias!.copy_(t(c!, 'bias'));
          m.running_mean!.copy_(t(c!, 'running_mean'));
          m.running_var!.copy_(t(c!, 'running_var'));
        });
        [m.scale, m.zeroPoint] = [c!.args.out_scale, c!.args.out_zero_point];
        expectQTensorEqual(m.call(t(c!, 'x')), c!.expected.y, { label: c!.name });
      }
    }));
  }
});

/** A float module prepared by hand: qconfig plus an output observer run by a forward hook. */
function prepared<M extends Module>(m: M): M {
  Object.assign(m, { qconfig: defaultQconfig, activation_post_process: new MinMaxObserver() });
  m.registerForwardHook((mod, _i, out) => (mod as unknown as { activation_post_process: Module }).activation_post_process.call(out));
  return m;
}

describe('fromFloat of the quantized fused modules', () => {
  it('ConvReLU2d from an observed nni.ConvReLU2d == quantized Conv2d from the same conv, then relu', () => {
    manualSeed(60);
    const conv = new Conv2d(3, 4, 3, { padding: 1 });
    const fused = prepared(new nni.ConvReLU2d(conv, new ReLU()));
    const plain = prepared(Object.assign(new Conv2d(3, 4, 3, { padding: 1 }), { weight: conv.weight, bias: conv.bias }));
    const x = randn([2, 3, 5, 5]);
    fused.call(x);
    plain.call(x);
    const q = nniq.ConvReLU2d.fromFloat(fused);
    const ref = nnq.Conv2d.fromFloat(plain);
    // same weight; the fused output observer saw relu'd values, so compare against ref at q's qparams
    expectQTensorEqual(q.weight(), { qtensor: true, dtype: 'qint8', qscheme: 'per_tensor_affine', shape: [4, 3, 3, 3], int_repr: Array.from(ref.weight().values()), scale: qScale(ref.weight()), zero_point: 0 });
    [ref.scale, ref.zeroPoint] = [q.scale, q.zeroPoint];
    const xq = quantizePerTensor(x, 0.05, 128, quint8);
    expect(Array.from(q.call(xq).values())).toEqual(Array.from(F.relu(ref.call(xq)).values()));
    expect(nni.isFusedModule(q)).toBe(false);
    expect(q.toString()).toBe(`QuantizedConvReLU2d(3, 4, kernel_size=(3, 3), stride=(1, 1), scale=${q.scale}, zero_point=${q.zeroPoint}, padding=(1, 1))`);
    expect(() => nniq.ConvReLU2d.fromFloat(prepared(new Conv2d(3, 4, 3)))).toThrow(/only works for ConvReLU2d/);
  });

  it('ConvReLU2d from a QAT ConvBnReLU2d quantizes the BN-folded weight', () => {
    manualSeed(61);
    const m = new nniqat.ConvBnReLU2d(3, 4, 3, { bias: true, qconfig: defaultQatQconfig });
    noGrad(() => { m.bn.running_var!.copy_(rand([4]).add(0.5)); m.bn.running_mean!.copy_(randn([4])); });
    Object.assign(m, { activation_post_process: new MinMaxObserver() });
    m.registerForwardHook((mod, _i, out) => (mod as unknown as { activation_post_process: Module }).activation_post_process.call(out));
    m.eval().call(randn([2, 3, 5, 5]));
    const [wf, bf] = m._foldedWeightBias();
    const q = nniq.ConvReLU2d.fromFloat(m);
    expect(Array.from(q.bias()!.values())).toEqual(Array.from(bf.values()));
    // dequantized weight within half a step of the folded float weight
    const s = qScale(q.weight());
    const dq = q.weight().dequantize().values(), fv = wf.values();
    for (let i = 0; i < fv.length; i++) expect(Math.abs(dq[i]! - fv[i]!)).toBeLessThanOrEqual(s / 2 + 1e-7);
  });

  it('LinearReLU from an observed nni.LinearReLU and from a QAT LinearReLU', () => {
    manualSeed(62);
    const fc = new Linear(6, 3);
    const fused = prepared(new nni.LinearReLU(fc, new ReLU()));
    fused.call(randn([4, 6]));
    const q = nniq.LinearReLU.fromFloat(fused);
    expect(q).toBeInstanceOf(nniq.LinearReLU);
    expect(q.toString().startsWith('QuantizedLinearReLU(in_features=6, out_features=3, scale=')).toBe(true);
    const y = q.call(quantizePerTensor(randn([2, 6]), 0.05, 128, quint8));
    expect(Math.min(...Array.from(y.values()))).toBeGreaterThanOrEqual(q.zeroPoint);
    const qat = nniqat.LinearReLU.fromFloat(Object.assign(new nni.LinearReLU(new Linear(6, 3), new ReLU()), { qconfig: defaultQatQconfig }));
    prepared(qat).call(randn([4, 6]));
    expect(nniq.LinearReLU.fromFloat(qat)).toBeInstanceOf(nniq.LinearReLU);
  });

  it('BNReLU2d from an observed nni.BNReLU2d', () => {
    manualSeed(63);
    const bn = new BatchNorm2d(3).eval();
    const fused = prepared(new nni.BNReLU2d(bn, new ReLU()).eval());
    fused.call(randn([2, 3, 4, 4]));
    const q = nniq.BNReLU2d.fromFloat(fused);
    expect(q).toBeInstanceOf(nniq.BNReLU2d);
    expect(Array.from(q.running_var!.values())).toEqual(Array.from(bn.running_var!.values()));
    const y = q.call(quantizePerTensor(randn([1, 3, 4, 4]), 0.05, 128, quint8));
    expect(Math.min(...Array.from(y.values()))).toBeGreaterThanOrEqual(q.zeroPoint);
  });

  it('dynamic LinearReLU from nni.LinearReLU == relu of the dynamic Linear of the same layer', () => {
    manualSeed(65);
    const fc = new Linear(8, 5);
    const q = nniqd.LinearReLU.fromFloat(Object.assign(new nni.LinearReLU(fc, new ReLU()), { qconfig: defaultDynamicQconfig }));
    const ref = nnqd.Linear.fromFloat(Object.assign(new Linear(8, 5), { weight: fc.weight, bias: fc.bias, qconfig: defaultDynamicQconfig }));
    const x = randn([3, 8]);
    expect(Array.from(q.call(x).values())).toEqual(Array.from(F.relu(ref.call(x)).values()));
    expect(q.toString().startsWith('DynamicQuantizedLinearReLU(in_features=8, out_features=5, dtype=torch.qint8')).toBe(true);
    expect(() => nniqd.LinearReLU.fromFloat(Object.assign(new Linear(8, 5), { qconfig: defaultDynamicQconfig }))).toThrow(/only works for LinearReLU/);
  });

  it('state dict round trip of ConvReLU2d keeps int outputs', () => {
    manualSeed(64);
    const fused = prepared(new nni.ConvReLU2d(new Conv2d(2, 3, 3), new ReLU()));
    fused.call(randn([1, 2, 5, 5]));
    const a = nniq.ConvReLU2d.fromFloat(fused);
    const b = new nniq.ConvReLU2d(2, 3, 3);
    b.loadStateDict(a.stateDict());
    expect(Object.keys(a.stateDict())).toEqual(['weight', 'bias', 'scale', 'zero_point']);
    const xq = quantizePerTensor(randn([1, 2, 5, 5]), 0.05, 128, quint8);
    expect(Array.from(b.call(xq).values())).toEqual(Array.from(a.call(xq).values()));
  });
});
