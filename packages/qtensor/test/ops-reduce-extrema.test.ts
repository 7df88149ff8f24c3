// max / min / amax / amin / argmax / argmin on float and integer tensors, and the quantized dispatch.
import { describe, expect, it } from 'vitest';
import {
  Generator, Tensor, amax, amin, argmax, argmin, float32, int32, int64, max, min, quantizePerTensor, quint8, randn, tensor, zeros,
} from '../src/index.js';
import { expectRef, refLanes, refReduce } from './ops-reduce-helpers.js';

const gen = new Generator(11);
const rnd = (shape: number[]): Tensor => randn(shape, { generator: gen });

/** First index of the extreme of a lane, NaN winning (a plain loop over the lane). */
const refArg = (isMax: boolean) => (l: number[]): number => {
  const nan = l.findIndex(Number.isNaN);
  if (nan >= 0) return nan;
  const best = isMax ? Math.max(...l) : Math.min(...l);
  return l.indexOf(best);
};
const refExtreme = (isMax: boolean) => (l: number[]): number => l[refArg(isMax)(l)]!;

describe('max / min', () => {
  const views: Array<[string, Tensor]> = [
    ['contiguous', rnd([3, 4, 5])],
    ['permuted', rnd([5, 3, 4]).permute(1, 2, 0)],
    ['stepped', rnd([3, 4, 10]).slice(2, 1, null, 2)],
  ];
  for (const [layout, x] of views) {
    for (const [dim, d] of [[0, 0], [-1, 2], [1, 1]] as const) {
      it(`${layout}: along dim ${dim} (values, indices, keepdim)`, () => {
        for (const keepdim of [false, true]) {
          const r = max(x, dim, { keepdim });
          expectRef(r.values, refReduce(x, [d], keepdim, refExtreme(true)), 0, 0);
          expectRef(r.indices, refReduce(x, [d], keepdim, refArg(true)), 0, 0);
          const [vals, idx] = x.min(dim, keepdim);
          expectRef(vals, refReduce(x, [d], keepdim, refExtreme(false)), 0, 0);
          expectRef(idx, refReduce(x, [d], keepdim, refArg(false)), 0, 0);
          expect(idx.dtype).toBe(int64);
        }
      });
    }
    it(`${layout}: whole tensor`, () => {
      const all = refLanes(x, [0, 1, 2]).lanes[0]!;
      expect(max(x).shape).toEqual([]);
      expect(max(x).item()).toBe(Math.max(...all));
      expect(x.min().item()).toBe(Math.min(...all));
    });
  }
  it('ties pick the first index; NaN propagates and wins', () => {
    const x = tensor([[1, 5, 5, 2], [NaN, 3, NaN, 9]]);
    const r = max(x, 1);
    expect(r.indices.toArray()).toEqual([1, 0]);
    expect(r.values.toArray()[0]).toBe(5);
    expect(Number.isNaN(r.values.toArray()[1]!)).toBe(true);
    expect(min(x, 1).indices.toArray()).toEqual([0, 0]);
    expect(Number.isNaN(max(x).item())).toBe(true);
    expect(min(tensor([2, -1, -1])).item()).toBe(-1);
  });
  it('integer dtypes are kept', () => {
    const x = tensor([[3, -7, 2]], { dtype: int32 });
    expect(max(x).dtype).toBe(int32);
    expect(min(x, 1).values.toArray()).toEqual([-7]);
  });
  it('empty input: whole-tensor max is refused, a zero-size reduced dim too, other zero dims are fine', () => {
    expect(() => max(zeros([0, 3]))).toThrow(/max\(\): Expected reduction dim to be specified for input\.numel\(\) == 0/);
    expect(() => min(zeros([2, 0]), 1)).toThrow(/min\(\): Expected reduction dim 1 to have non-zero size/);
    expect(max(zeros([0, 3]), 1).values.shape).toEqual([0]);
  });
});

describe('amax / amin', () => {
  const x = rnd([4, 3, 5]).transpose(0, 2);
  it('over one dim, several dims and all, with keepdim', () => {
    expectRef(amax(x, 1), refReduce(x, [1], false, refExtreme(true)), 0, 0);
    expectRef(amin(x, [0, 2], { keepdim: true }), refReduce(x, [0, 2], true, refExtreme(false)), 0, 0);
    expectRef(x.amax(), refReduce(x, [0, 1, 2], false, refExtreme(true)), 0, 0);
    expectRef(x.amin({ dim: -1 }), refReduce(x, [2], false, refExtreme(false)), 0, 0);
  });
  it('refuses a zero-size reduced dim', () => {
    expect(() => amax(zeros([3, 0]), 1)).toThrow(/amax\(\): Expected reduction dim 1 to have non-zero size/);
  });
});

describe('argmax / argmin', () => {
  const x = rnd([3, 6]).t();
  it('flattened (first occurrence) and along dims', () => {
    const flat = refLanes(x, [0, 1]).lanes[0]!;
    expect(argmax(x).item()).toBe(refArg(true)(flat));
    expect(argmin(x).shape).toEqual([]);
    expect(argmin(x).item()).toBe(refArg(false)(flat));
    expectRef(argmax(x, 1), refReduce(x, [1], false, refArg(true)), 0, 0);
    expectRef(x.argmin({ dim: 0, keepdim: true }), refReduce(x, [0], true, refArg(false)), 0, 0);
  });
  it('keepdim without dim keeps every dim as 1; ties pick the first', () => {
    expect(argmax(x, null, { keepdim: true }).shape).toEqual([1, 1]);
    expect(argmax(tensor([1, 3, 3, 0])).item()).toBe(1);
    expect(argmin(tensor([[2, 0], [0, 2]]), 0).toArray()).toEqual([1, 0]);
  });
});

describe('quantized tensors still dispatch to the quantized reductions', () => {
  const q = quantizePerTensor(tensor([[0.5, -0.2, 0.5], [0.1, 0.3, -0.2]]), 0.1, 10, quint8);
  it('max / min / argmax / mean / sort / topk methods return quantized results', () => {
    expect(q.max().dtype).toBe(quint8);
    expect(q.max().toArray()[0]).toBeCloseTo(0.5, 6);
    expect(q.min(1).values.dtype).toBe(quint8);
    expect(q.argmax().item()).toBe(0);
    expect(q.mean().dtype).toBe(quint8);
    expect(q.sort(1).values.dtype).toBe(quint8);
    expect(q.topk(1).values.dtype).toBe(quint8);
  });
  it('the same methods on float tensors run the float reductions', () => {
    const f = q.dequantize();
    expect(f.max().dtype).toBe(float32);
    expect(f.max().item()).toBeCloseTo(0.5, 6);
    expect(f.mean().item()).toBeCloseTo(1 / 6, 6); // the quantized mean requantizes this to 0.2
    expect(f.argmin(1).toArray()).toEqual([1, 2]);
  });
});
