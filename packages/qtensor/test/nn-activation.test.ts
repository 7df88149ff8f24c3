import { describe, expect, it } from 'vitest';
import {
  QTorchTypeError, QTorchValueError, Tensor, celu, elu, float32, float64, gelu, gradcheck, hardsigmoid,
  hardswish, hardtanh, hardtanh_, int64, leakyRelu, logSoftmax, logsigmoid, mish, prelu, quantizePerTensor,
  quint8, relu, relu6, relu_, selu, sigmoid, silu, softmax, softplus, tanh, tensor, threshold,
} from '../src/index.js';
// The scalar formulas are internal (not re-exported from the package index).
import { erfScalar, erfcScalar, hardswishScalar } from '../src/nn/scalar_math.js';

// Points away from every activation's kinks (0, +-1, +-3, 6) so finite differences are valid.
const POINTS = [-7.3, -4.2, -2.5, -1.3, -0.7, -0.2, 0.3, 0.8, 1.6, 2.7, 3.6, 6.5, 7.1];
const leaf64 = (v: number[], shape = [v.length]): Tensor => tensor(v, { dtype: float64 }).reshape(shape).requiresGrad_();

// Independent float64 references (Math only; erf from scipy-checked constants below).
const sig = (x: number): number => 1 / (1 + Math.exp(-x));
const sp = (x: number): number => Math.log(1 + Math.exp(x));
const ALPHA = 1.6732632423543772848170429916717, SCALE = 1.0507009873554804934193349852946;
const refs: Array<[string, (x: Tensor) => Tensor, (x: number) => number]> = [
  ['relu', relu, (x) => Math.max(x, 0)],
  ['relu6', relu6, (x) => Math.min(Math.max(x, 0), 6)],
  ['leakyRelu', (x) => leakyRelu(x, { negativeSlope: 0.2 }), (x) => (x > 0 ? x : 0.2 * x)],
  ['elu', (x) => elu(x, { alpha: 1.5 }), (x) => (x > 0 ? x : 1.5 * (Math.exp(x) - 1))],
  ['selu', selu, (x) => SCALE * (x > 0 ? x : ALPHA * (Math.exp(x) - 1))],
  ['celu', (x) => celu(x, { alpha: 2 }), (x) => Math.max(0, x) + Math.min(0, 2 * (Math.exp(x / 2) - 1))],
  ['gelu-tanh', (x) => gelu(x, { approximate: 'tanh' }), (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)))],
  ['silu', silu, (x) => x * sig(x)],
  ['sigmoid', sigmoid, sig],
  ['tanh', tanh, Math.tanh],
  ['hardtanh', (x) => hardtanh(x, { minVal: -2, maxVal: 3 }), (x) => Math.min(Math.max(x, -2), 3)],
  ['hardsigmoid', hardsigmoid, (x) => Math.min(Math.max(x + 3, 0), 6) / 6],
  ['hardswish', hardswish, (x) => (x * Math.min(Math.max(x + 3, 0), 6)) / 6],
  ['softplus', (x) => softplus(x, { beta: 2, threshold: 10 }), (x) => (2 * x > 10 ? x : sp(2 * x) / 2)],
  ['mish', mish, (x) => x * Math.tanh(sp(x))],
  ['threshold', (x) => threshold(x, 0.5, -9), (x) => (x > 0.5 ? x : -9)],
  ['logsigmoid', logsigmoid, (x) => Math.log(sig(x))],
];

describe('erf and known PyTorch values', () => {
  it('erf / erfc match tabulated values to ~1e-15', () => {
    const table: Array<[number, number]> = [
      [0, 0], [0.1, 0.1124629160182849], [0.5, 0.5204998778130465], [1, 0.8427007929497149], [1.5, 0.9661051464753108],
      [2, 0.9953222650189527], [2.9, 0.9999589021219005], [3, 0.9999779095030014], [4, 0.9999999845827421], [-1, -0.8427007929497149],
    ];
    for (const [x, e] of table) expect(Math.abs(erfScalar(x) - e)).toBeLessThan(2e-15);
    expect(erfcScalar(5) / 1.5374597944280349e-12).toBeCloseTo(1, 12);
    expect(erfcScalar(-1)).toBeCloseTo(1.8427007929497148, 15);
    expect(erfScalar(NaN)).toBeNaN();
  });
  it('gelu, selu and hardswish spot values', () => {
    const g = gelu(tensor([1, -1, 0, 3], { dtype: float64 })).toArray();
    expect(g[0]).toBeCloseTo(0.8413447460685429, 15);
    expect(g[1]).toBeCloseTo(-0.15865525393145707, 15);
    expect(g[2]).toBe(0);
    expect(g[3]).toBeCloseTo(3 * 0.9986501019683699, 14); // 3 * Phi(3)
    expect(selu(tensor([-1], { dtype: float64 })).item()).toBeCloseTo(SCALE * ALPHA * (Math.exp(-1) - 1), 15);
    expect(hardswish(tensor([1, -4, 4, -1.5], { dtype: float64 })).toArray().map((v) => v + 0)).toEqual([2 / 3, 0, 4, -0.375]);
    expect(hardswishScalar(2)).toBeCloseTo(5 / 3, 15);
  });
});

describe('activation forward values', () => {
  for (const [name, op, ref] of refs) {
    it(`${name} matches a float64 reference (float64 and float32)`, () => {
      const out64 = op(tensor(POINTS, { dtype: float64 }));
      expect(out64.dtype).toBe(float64);
      out64.toArray().forEach((v, i) => expect(v).toBeCloseTo(ref(POINTS[i]!), 12));
      const out32 = op(tensor(POINTS));
      expect(out32.dtype).toBe(float32);
      out32.toArray().forEach((v, i) => expect(Math.abs(v - ref(Math.fround(POINTS[i]!)))).toBeLessThan(1e-5 * (1 + Math.abs(v))));
    });
  }
  it('exact gelu equals x * Phi(x) computed from erf', () => {
    const out = gelu(tensor(POINTS, { dtype: float64 })).toArray();
    out.forEach((v, i) => expect(v).toBeCloseTo(0.5 * POINTS[i]! * (1 + erfScalar(POINTS[i]! / Math.SQRT2)), 13));
  });
  it('works on non-contiguous views and keeps the shape', () => {
    const x = tensor([[1, -2, 3], [-4, 5, -6]]).t();
    const y = x.relu();
    expect(y.shape).toEqual([3, 2]);
    expect(y.toArray()).toEqual([1, 0, 0, 5, 3, 0]);
  });
  it('sigmoid does not overflow at +-800', () => {
    expect(sigmoid(tensor([-800, 800], { dtype: float64 })).toArray()).toEqual([0, 1]);
    expect(logsigmoid(tensor([-800], { dtype: float64 })).item()).toBe(-800);
  });
});

describe('activation gradients (gradcheck, float64)', () => {
  for (const [name, op] of refs) {
    if (name === 'threshold') continue; // piecewise constant below the threshold: checked below
    it(name, () => {
      expect(gradcheck((x) => op(x), [leaf64(POINTS)])).toBe(true);
    });
  }
  it('exact gelu and threshold', () => {
    expect(gradcheck((x) => gelu(x), [leaf64(POINTS)])).toBe(true);
    expect(gradcheck((x) => threshold(x, 0.5, -9), [leaf64(POINTS)])).toBe(true);
  });
  it('prelu: per-channel and single weight, gradients to input and weight', () => {
    const x = leaf64([0.5, -1.2, 2.1, -0.3, -2.2, 0.7, 1.1, -0.9, -1.7, 0.4, 0.2, -0.6], [2, 3, 2]);
    expect(gradcheck((a, w) => prelu(a, w), [x, leaf64([0.1, 0.25, -0.5])])).toBe(true);
    expect(gradcheck((a, w) => a.prelu(w), [x, leaf64([0.3])])).toBe(true);
    const y = prelu(tensor([[-1, 2], [-3, -4]]), tensor([0.5, 0.25]));
    expect(y.toArray()).toEqual([-0.5, 2, -1.5, -1]);
  });
});

describe('in-place activations and errors', () => {
  it('relu_ / hardtanh_ overwrite their input, including through a view', () => {
    const x = tensor([[-1, 2], [3, -4]]);
    expect(relu_(x)).toBe(x);
    expect(x.toArray()).toEqual([0, 2, 3, 0]);
    const z = tensor([[-5, 0.5], [5, 0.25]]);
    hardtanh_(z.select(1, 0));
    expect(z.toArray()).toEqual([-1, 0.5, 1, 0.25]);
    const s = tensor([0]).sigmoid_();
    expect(s.item()).toBe(0.5);
  });
  it('refuses in-place ops on leaves that require grad', () => {
    expect(() => tensor([1, -1], { requiresGrad: true }).relu_()).toThrow(QTorchValueError);
  });
  it('rejects bad arguments and dtypes naming the op', () => {
    expect(() => gelu(tensor([1]), { approximate: 'fast' as never })).toThrow(/gelu\(\).*approximate/);
    expect(() => celu(tensor([1]), { alpha: 0 })).toThrow(/celu\(\).*alpha cannot be 0/);
    expect(() => hardtanh(tensor([1]), { minVal: 2, maxVal: 1 })).toThrow(/hardtanh\(\)/);
    expect(() => relu(tensor([1, 2], { dtype: int64 }))).toThrow(QTorchTypeError);
    // silu has no quantized kernel (PyTorch: "Could not run aten::silu with ... QuantizedCPU"); sigmoid does
    expect(() => silu(quantizePerTensor(tensor([1, 2]), 0.1, 0, quint8))).toThrow(/silu\(\).*quantized/);
    expect(() => prelu(tensor([[1, 2, 3]]), tensor([1, 2]))).toThrow(/prelu\(\).*parameter numbers = 2.*channel size = 3/);
  });
});

describe('softmax / logSoftmax', () => {
  const ref = (row: number[]): number[] => {
    const m = Math.max(...row), e = row.map((v) => Math.exp(v - m)), s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  };
  it('matches a float64 reference along each dim', () => {
    const vals = [0.1, -1.2, 2.3, 0.7, -0.4, 1.9];
    const x = tensor(vals, { dtype: float64 }).reshape(2, 3);
    const d1 = softmax(x, 1).toArray();
    expect(d1.slice(0, 3).map((v, i) => v - ref(vals.slice(0, 3))[i]!).every((d) => Math.abs(d) < 1e-15)).toBe(true);
    const d0 = x.softmax(0).toArray();
    const col0 = ref([vals[0]!, vals[3]!]);
    expect(d0[0]).toBeCloseTo(col0[0]!, 15);
    expect(d0[3]).toBeCloseTo(col0[1]!, 15);
    const l = logSoftmax(x, -1).toArray();
    l.forEach((v, i) => expect(v).toBeCloseTo(Math.log(d1[i]!), 14));
  });
  it('is stable for large logits and gives NaN for an all -inf row', () => {
    const y = softmax(tensor([1000, 1001, 1002]), 0).toArray();
    expect(y[2]).toBeCloseTo(0.6652409557748219, 6);
    expect(logSoftmax(tensor([1000, 0], { dtype: float64 }), 0).toArray()[1]).toBeCloseTo(-1000, 10);
    expect(softmax(tensor([-Infinity, -Infinity]), 0).toArray().every(Number.isNaN)).toBe(true);
  });
  it('gradients along inner and outer dims', () => {
    const x = leaf64([0.3, -1.1, 0.8, 2.0, -0.5, 0.1, 1.4, -2.2, 0.9, 0.6, -0.3, 1.2], [2, 3, 2]);
    expect(gradcheck((a) => softmax(a, 1), [x])).toBe(true);
    expect(gradcheck((a) => logSoftmax(a, 2), [x])).toBe(true);
    expect(gradcheck((a) => a.logSoftmax(0), [x])).toBe(true);
  });
  it('rejects a bad dim', () => {
    expect(() => softmax(tensor([[1, 2]]), 2)).toThrow(/softmax\(\).*Dimension out of range/);
    expect(() => softmax(tensor([1, 2]), 0, { dtype: int64 })).toThrow(QTorchTypeError);
    expect(softmax(tensor([1, 2]), 0, { dtype: float64 }).dtype).toBe(float64);
  });
});
