// sum / mean / prod / var / std / norm / logsumexp / all / any against naive float64 loops.
import { describe, expect, it } from 'vitest';
import {
  Generator, QTorchTypeError, QTorchValueError, Tensor, all, any, bool, float16, float32, float64, int32, int64, logsumexp, mean, norm, prod,
  quantizePerTensor, quint8, randn, std, sum, tensor, uint8, variance, zeros,
} from '../src/index.js';
import { expectRef, refMean, refReduce, refSum, refVar } from './ops-reduce-helpers.js';

const gen = new Generator(7);
const rnd = (shape: number[], dtype = float32): Tensor => randn(shape, { generator: gen, dtype });

/** The same values laid out three ways: contiguous, transposed (non-contiguous), and a stepped slice. */
function layouts(): Array<[string, Tensor]> {
  return [
    ['contiguous', rnd([3, 4, 5])],
    ['permuted', rnd([5, 4, 3]).permute(2, 1, 0)],
    ['stepped', rnd([3, 8, 5]).slice(1, 0, null, 2)],
    ['expanded', rnd([3, 1, 5]).expand(3, 4, 5)],
  ];
}

const dimCases: Array<[string, number | number[] | undefined, number[]]> = [
  ['all dims', undefined, [0, 1, 2]],
  ['dim 0', 0, [0]],
  ['dim -1', -1, [2]],
  ['middle dim', 1, [1]],
  ['dims [0, 2]', [0, 2], [0, 2]],
  ['dims [-1, 0]', [-1, 0], [0, 2]],
];

describe('sum / mean over dims, keepdim and layouts', () => {
  for (const [layout, x] of layouts()) {
    for (const [label, dim, dims] of dimCases) {
      for (const keepdim of [false, true]) {
        it(`${layout}, ${label}, keepdim=${keepdim}`, () => {
          expectRef(sum(x, dim, { keepdim }), refReduce(x, dims, keepdim, refSum));
          expectRef(mean(x, dim, { keepdim }), refReduce(x, dims, keepdim, refMean));
          // options-object form and the Tensor methods agree
          expectRef(x.sum({ dim, keepdim }), refReduce(x, dims, keepdim, refSum));
          expectRef(x.mean(dim, keepdim), refReduce(x, dims, keepdim, refMean));
        });
      }
    }
  }
});

describe('sum / mean dtypes and edge cases', () => {
  it('accumulates float32 in float64 (1e8 + 1 - 1e8 is 1, not 0)', () => {
    const x = tensor([1e8, 1, -1e8]);
    expect(sum(x).item()).toBe(1);
    expect(sum(x).dtype).toBe(float32);
  });
  it('integer and bool input sums to int64', () => {
    const r = sum(tensor([[1, 2, 3], [4, 5, 6]], { dtype: int32 }), 1);
    expect(r.dtype).toBe(int64);
    expect(r.toArray()).toEqual([6, 15]);
    const b = sum(tensor([true, false, true]));
    expect(b.dtype).toBe(int64);
    expect(b.item()).toBe(2);
    expect(sum(tensor([200, 100], { dtype: uint8 })).item()).toBe(300);
  });
  it('dtype option: float64 output, and integer output truncates first', () => {
    const d = sum(tensor([0.1, 0.2]), { dtype: float64 });
    expect(d.dtype).toBe(float64);
    expect(d.item()).toBe(Math.fround(0.1) + Math.fround(0.2));
    expect(sum(tensor([1.7, -1.7, 2.5]), { dtype: int64 }).item()).toBe(2);
  });
  it('float16 input keeps float16', () => {
    const r = sum(tensor([0.5, 1.25, 2], { dtype: float16 }));
    expect(r.dtype).toBe(float16);
    expect(r.item()).toBe(3.75);
  });
  it('0-d input and dim 0 / -1 on it', () => {
    const s = tensor(4.5 as never);
    expect(sum(s).shape).toEqual([]);
    expect(sum(s, 0).item()).toBe(4.5);
    expect(mean(s, -1, { keepdim: true }).shape).toEqual([]);
  });
  it('empty reductions: sum is 0, mean is NaN', () => {
    const e = zeros([0, 3]);
    expect(sum(e, 0).toArray()).toEqual([0, 0, 0]);
    expect(Number.isNaN(mean(e).item())).toBe(true);
    expect(sum(e, 1).shape).toEqual([0]);
  });
  it('mean refuses integer input without dtype', () => {
    expect(() => mean(tensor([1, 2], { dtype: int64 }))).toThrow(QTorchTypeError);
    expect(() => mean(tensor([1, 2], { dtype: int64 }))).toThrow(/could not infer output dtype.*torch\.int64/);
    expect(mean(tensor([1, 2], { dtype: int64 }), { dtype: float32 }).item()).toBe(1.5);
  });
  it('refuses bad dims', () => {
    const x = rnd([2, 3]);
    expect(() => sum(x, 2)).toThrow(QTorchValueError);
    expect(() => sum(x, [0, -2])).toThrow(/dim 0 appears multiple times/);
  });
  it('sum of a quantized tensor is refused with a hint', () => {
    const q = quantizePerTensor(tensor([1, 2]), 0.1, 0, quint8);
    expect(() => sum(q)).toThrow(/sum\(\): expected a non-quantized tensor.*dequantize/);
  });
});

describe('prod', () => {
  const x = tensor([[1.5, -2, 0.5], [3, 0, 4]]);
  it('whole tensor and along a dim, keepdim', () => {
    expect(prod(x).item()).toBe(-0); // 1.5 * -2 * ... * 0: IEEE keeps the sign, as PyTorch prints tensor(-0.)
    expectRef(prod(x, 1), { values: [-1.5, 0], shape: [2] });
    expectRef(prod(x, 0, { keepdim: true }), { values: [4.5, 0, 2], shape: [1, 3] });
    expectRef(x.prod({ dim: -1 }), { values: [-1.5, 0], shape: [2] });
  });
  it('non-contiguous input matches the reference', () => {
    const y = rnd([4, 3]).t();
    expectRef(prod(y, 1), refReduce(y, [1], false, (l) => l.reduce((a, b) => a * b, 1)));
  });
  it('integers give int64; a list of dims is refused', () => {
    const r = prod(tensor([2, 3, 4], { dtype: int32 }));
    expect([r.dtype, r.item()]).toEqual([int64, 24]);
    expect(() => prod(x, [0, 1] as never)).toThrow(/single int/);
  });
});

describe('var / std', () => {
  for (const [layout, x] of layouts()) {
    it(`${layout}: default correction 1, over dims and all`, () => {
      expectRef(variance(x, 1), refReduce(x, [1], false, refVar(1)), 1e-5);
      expectRef(std(x, [0, 2], { keepdim: true }), refReduce(x, [0, 2], true, (l) => Math.sqrt(refVar(1)(l))), 1e-5);
      expectRef(x.var(), refReduce(x, [0, 1, 2], false, refVar(1)), 1e-5);
    });
  }
  it('unbiased / correction options', () => {
    const x = tensor([1, 2, 3, 4]);
    expect(variance(x, { unbiased: false }).item()).toBeCloseTo(1.25, 6);
    expect(variance(x, { correction: 0 }).item()).toBeCloseTo(1.25, 6);
    expect(variance(x).item()).toBeCloseTo(5 / 3, 6);
    expect(variance(x, { correction: 2 }).item()).toBeCloseTo(2.5, 6);
    expect(std(x, 0, { unbiased: true }).item()).toBeCloseTo(Math.sqrt(5 / 3), 6);
    expect(() => variance(x, { correction: 1, unbiased: true })).toThrow(/both correction and unbiased/);
  });
  it('N <= correction gives NaN (constant lane) or infinity', () => {
    expect(Number.isNaN(variance(tensor([3])).item())).toBe(true);
    expect(variance(tensor([1, 2]), { correction: 2 }).item()).toBe(Infinity);
  });
  it('float64 stays float64; integers are refused', () => {
    expect(std(tensor([1, 2], { dtype: float64 })).dtype).toBe(float64);
    expect(() => variance(tensor([1, 2], { dtype: int64 }))).toThrow(/var\(\): expected a floating point input.*torch\.int64/);
  });
});

describe('norm', () => {
  const x = rnd([3, 4, 2]);
  const pnorm = (p: number) => (l: number[]): number => {
    if (p === Infinity) return Math.max(...l.map(Math.abs));
    if (p === -Infinity) return Math.min(...l.map(Math.abs));
    if (p === 0) return l.filter((v) => v !== 0).length;
    return l.reduce((a, v) => a + Math.abs(v) ** p, 0) ** (1 / p);
  };
  it('default is the 2-norm of all elements', () => {
    expectRef(norm(x), refReduce(x, [0, 1, 2], false, pnorm(2)));
    expectRef(x.norm('fro'), refReduce(x, [0, 1, 2], false, pnorm(2)));
  });
  for (const p of [1, 2, 3, 0.5, Infinity, -Infinity, 0]) {
    it(`p=${p} over dim 1, over [0, 2] with keepdim, on a transposed view`, () => {
      expectRef(norm(x, p, { dim: 1 }), refReduce(x, [1], false, pnorm(p)), 1e-5);
      expectRef(norm(x, { p, dim: [0, 2], keepdim: true }), refReduce(x, [0, 2], true, pnorm(p)), 1e-5);
      const y = x.transpose(0, 2);
      expectRef(y.norm(p, { dim: -1 }), refReduce(y, [2], false, pnorm(p)), 1e-5);
    });
  }
  it("'fro' over two dims is the 2-norm over them; over three it is refused", () => {
    expectRef(norm(x, 'fro', { dim: [0, 1] }), refReduce(x, [0, 1], false, pnorm(2)));
    expect(() => norm(x, 'fro', { dim: [0, 1, 2] })).toThrow(/at most 2 dims/);
  });
  it('hand values, dtype option, integer input refused', () => {
    expect(norm(tensor([3, -4])).item()).toBe(5);
    expect(norm(tensor([3, -4]), 1).item()).toBe(7);
    expect(norm(tensor([3, -4]), Infinity).item()).toBe(4);
    expect(norm(tensor([3, -4]), { dtype: float64 }).dtype).toBe(float64);
    expect(() => norm(tensor([1, 2], { dtype: int64 }))).toThrow(QTorchTypeError);
  });
});

describe('logsumexp', () => {
  const x = rnd([3, 5]);
  const lse = (l: number[]): number => Math.log(l.reduce((a, v) => a + Math.exp(v), 0));
  it('matches log(sum(exp)) over a dim, dims, keepdim and a transposed view', () => {
    expectRef(logsumexp(x, 1), refReduce(x, [1], false, lse));
    expectRef(logsumexp(x, [0, 1], { keepdim: true }), refReduce(x, [0, 1], true, lse));
    const y = x.t();
    expectRef(y.logsumexp(0), refReduce(y, [0], false, lse));
  });
  it('is stable for large inputs and handles -inf lanes', () => {
    expect(logsumexp(tensor([1000, 1000]), 0).item()).toBeCloseTo(1000 + Math.LN2, 3);
    expect(logsumexp(tensor([-Infinity, -Infinity]), 0).item()).toBe(-Infinity);
    expect(logsumexp(tensor([Infinity, 1]), 0).item()).toBe(Infinity);
  });
});

describe('all / any', () => {
  const x = tensor([[1, 0, 2], [3, 4, 5]]);
  it('over everything and along dims', () => {
    expect(all(x).item()).toBe(0);
    expect(any(x).item()).toBe(1);
    expect(all(x, 1).toArray()).toEqual([0, 1]);
    expect(any(x, 0, { keepdim: true }).shape).toEqual([1, 3]);
    expect(x.all({ dim: 0 }).toArray()).toEqual([1, 0, 1]);
    expect(all(x, 1).dtype).toBe(bool);
  });
  it('NaN is truthy; empty all is true and empty any false; uint8 stays uint8', () => {
    expect(all(tensor([NaN, 1])).item()).toBe(1);
    expect(all(zeros([0])).item()).toBe(1);
    expect(any(zeros([0])).item()).toBe(0);
    expect(any(tensor([0, 3], { dtype: uint8 })).dtype).toBe(uint8);
  });
  it('non-contiguous input', () => {
    const y = x.t();
    expect(all(y, 1).toArray()).toEqual([1, 0, 1]);
  });
});
