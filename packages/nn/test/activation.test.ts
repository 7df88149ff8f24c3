import { QTorchValueError, float64, fromValues, intRepr, qScale, qZeroPoint, quantizePerTensor, quint8 } from '@qtorch/qtensor';
import { describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { checkGrads, expectAllClose, leaf, toDouble, vals } from './helpers.js';

const X = [-4, -2.5, -1, -0.3, 0, 0.2, 1, 2.7, 4, 7];
const sig = (v: number) => 1 / (1 + Math.exp(-v));
const erf = (x: number): number => {
  // Abramowitz-Stegun 7.1.26 is too coarse; use the series / continued fraction via Math functions
  const t = 1 / (1 + 0.5 * Math.abs(x));
  const y = 1 - t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? y : -y;
};
const SELU_A = 1.6732632423543772, SELU_S = 1.0507009873554805;

const cases: Array<[string, () => nn.Module, (v: number) => number]> = [
  ['ReLU', () => new nn.ReLU(), (v) => Math.max(0, v)],
  ['ReLU6', () => new nn.ReLU6(), (v) => Math.min(Math.max(0, v), 6)],
  ['Hardtanh', () => new nn.Hardtanh({ minVal: -2, maxVal: 3 }), (v) => Math.min(Math.max(-2, v), 3)],
  ['LeakyReLU', () => new nn.LeakyReLU({ negativeSlope: 0.2 }), (v) => (v > 0 ? v : 0.2 * v)],
  ['ELU', () => new nn.ELU({ alpha: 0.5 }), (v) => (v > 0 ? v : 0.5 * (Math.exp(v) - 1))],
  ['SELU', () => new nn.SELU(), (v) => SELU_S * (v > 0 ? v : SELU_A * (Math.exp(v) - 1))],
  ['GELU', () => new nn.GELU(), (v) => 0.5 * v * (1 + erf(v / Math.SQRT2))],
  ['GELU tanh', () => new nn.GELU({ approximate: 'tanh' }), (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)))],
  ['SiLU', () => new nn.SiLU(), (v) => v * sig(v)],
  ['Mish', () => new nn.Mish(), (v) => v * Math.tanh(Math.log1p(Math.exp(v)))],
  ['Sigmoid', () => new nn.Sigmoid(), sig],
  ['Tanh', () => new nn.Tanh(), Math.tanh],
  ['Hardsigmoid', () => new nn.Hardsigmoid(), (v) => Math.min(Math.max(v + 3, 0), 6) / 6],
  ['Hardswish', () => new nn.Hardswish(), (v) => (v * Math.min(Math.max(v + 3, 0), 6)) / 6],
  ['Softplus', () => new nn.Softplus({ beta: 2, threshold: 5 }), (v) => (2 * v > 5 ? v : Math.log1p(Math.exp(2 * v)) / 2)],
  ['PReLU', () => new nn.PReLU({ init: 0.3 }), (v) => (v > 0 ? v : 0.3 * v)],
];

describe('activation modules', () => {
  for (const [name, make, f] of cases) {
    it(`${name} matches its formula`, () => {
      const m = toDouble(make());
      expectAllClose(vals(m.call(fromValues(X, [2, 5], float64))), X.map(f), 1e-6, 1e-7);
    });
  }

  it('have correct gradients (PReLU: input and weight)', () => {
    const xs = [-1.7, -0.4, 0.3, 1.9, 2.6, -2.2];
    for (const [name, make] of cases) {
      if (name.startsWith('ReLU') || name === 'Hardtanh' || name.startsWith('Hard')) continue; // kinks at the sample points are avoided below
      const m = toDouble(make());
      const x = leaf(xs, [2, 3]);
      checkGrads(m, [x], () => m.call(x));
    }
    const pr = toDouble(new nn.PReLU({ numParameters: 3 }));
    const x = leaf(xs, [2, 3]);
    checkGrads(pr, [x], () => pr.call(x));
  });

  it('Softmax / LogSoftmax along dim, and the legacy implicit dim', () => {
    const xv = [1, 2, 3, 0, -1, 5];
    const sm = vals(new nn.Softmax({ dim: 1 }).call(fromValues(xv, [2, 3], float64)));
    const rows = [xv.slice(0, 3), xv.slice(3)];
    const expected = rows.flatMap((r) => { const z = r.reduce((s, v) => s + Math.exp(v), 0); return r.map((v) => Math.exp(v) / z); });
    expectAllClose(sm, expected, 1e-12, 1e-12);
    expectAllClose(vals(new nn.LogSoftmax({ dim: -1 }).call(fromValues(xv, [2, 3], float64))), expected.map(Math.log), 1e-12, 1e-12);
    // dim null on 2-D input means dim 1
    expectAllClose(vals(new nn.Softmax().call(fromValues(xv, [2, 3], float64))), expected, 1e-12, 1e-12);
  });

  it('inplace variants overwrite their input', () => {
    const x = fromValues([-1, 2], [2]);
    const y = new nn.ReLU({ inplace: true }).call(x);
    expect(y).toBe(x);
    expect(vals(x)).toEqual([0, 2]);
  });

  it('print like PyTorch', () => {
    const reprs: Array<[nn.Module, string]> = [
      [new nn.ReLU(), 'ReLU()'], [new nn.ReLU({ inplace: true }), 'ReLU(inplace=True)'], [new nn.ReLU6(), 'ReLU6()'],
      [new nn.ReLU6({ inplace: true }), 'ReLU6(inplace=True)'], [new nn.Hardswish(), 'Hardswish()'], [new nn.Hardsigmoid(), 'Hardsigmoid()'],
      [new nn.Sigmoid(), 'Sigmoid()'], [new nn.Tanh(), 'Tanh()'], [new nn.LeakyReLU(), 'LeakyReLU(negative_slope=0.01)'],
      [new nn.LeakyReLU({ negativeSlope: 0.2, inplace: true }), 'LeakyReLU(negative_slope=0.2, inplace=True)'], [new nn.ELU(), 'ELU(alpha=1.0)'],
      [new nn.GELU(), "GELU(approximate='none')"], [new nn.GELU({ approximate: 'tanh' }), "GELU(approximate='tanh')"], [new nn.SiLU(), 'SiLU()'],
      [new nn.Softmax({ dim: 1 }), 'Softmax(dim=1)'], [new nn.Softmax(), 'Softmax(dim=None)'], [new nn.LogSoftmax({ dim: -1 }), 'LogSoftmax(dim=-1)'],
      [new nn.Hardtanh(), 'Hardtanh(min_val=-1.0, max_val=1.0)'], [new nn.SELU(), 'SELU()'], [new nn.Softplus(), 'Softplus(beta=1, threshold=20)'],
      [new nn.Softplus({ beta: 0.5, threshold: 10 }), 'Softplus(beta=0.5, threshold=10)'], [new nn.Mish(), 'Mish()'],
      [new nn.PReLU(), 'PReLU(num_parameters=1)'], [new nn.PReLU({ numParameters: 3 }), 'PReLU(num_parameters=3)'],
    ];
    for (const [m, s] of reprs) expect(m.toString()).toBe(s);
    expect(new nn.ReLU6()).toBeInstanceOf(nn.Hardtanh);
    expect(() => new nn.Hardtanh({ minVal: 2, maxVal: 1 })).toThrow(QTorchValueError);
  });

  it('accept quantized input where PyTorch does', () => {
    const x = quantizePerTensor(fromValues([-1, -0.2, 0, 0.5, 3, 8], [1, 6]), 0.1, 20, quint8);
    const q = intRepr(x).values();
    const r = new nn.ReLU().call(x);
    expect(r.dtype).toBe(quint8);
    expect(Array.from(intRepr(r).values())).toEqual(Array.from(q, (v) => Math.max(v, 20)));
    const r6 = new nn.ReLU6().call(x);
    expect(Array.from(intRepr(r6).values())).toEqual(Array.from(q, (v) => Math.min(Math.max(v, 20), 80)));
    const lr = new nn.LeakyReLU({ negativeSlope: 0.5 }).call(x);
    expect([qScale(lr), qZeroPoint(lr)]).toEqual([qScale(x), qZeroPoint(x)]);
    const s = new nn.Sigmoid().call(x);
    expect([qScale(s), qZeroPoint(s)]).toEqual([1 / 256, 0]);
    // PyTorch 1.13 has no QuantizedCPU kernel behind F.hardswish / F.elu / F.silu either
    for (const m of [new nn.SiLU(), new nn.Hardswish(), new nn.ELU()]) expect(() => m.call(x)).toThrow(/quantized/);
  });
});
