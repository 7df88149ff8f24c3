// sort / argsort / topk / cumsum / cumprod: references, PyTorch 1.13 tie order (golden), NaN order.
import { describe, expect, it } from 'vitest';
import {
  Generator, Tensor, argsort, cumprod, cumsum, float64, int32, int64, randint, randn, sort, tensor, topk, zeros,
} from '../src/index.js';
import { partialSort, stdSort } from '../src/ops/reduce/stl_sort.js';
import { expectTensorClose, loadGolden, tensorFromGolden } from '../../../tools/testing/src/index.js';
import { expectRef, refAlong } from './ops-reduce-helpers.js';

const gen = new Generator(5);
const rnd = (shape: number[]): Tensor => randn(shape, { generator: gen });

/** Stable index sort of a lane with NaN largest: the reference order. */
const refOrder = (descending: boolean) => (l: number[]): number[] => {
  const key = (v: number): number => (Number.isNaN(v) ? Infinity : v);
  const rank = (v: number): number => (Number.isNaN(v) ? 1 : 0); // NaN above +inf
  return l.map((_, i) => i).sort((a, b) => {
    const d = key(l[a]!) - key(l[b]!) || rank(l[a]!) - rank(l[b]!);
    return (descending ? -d : d) || a - b;
  });
};

describe('sort / argsort', () => {
  const views: Array<[string, Tensor]> = [['contiguous', rnd([3, 5, 4])], ['transposed', rnd([4, 5, 3]).transpose(0, 2)]];
  for (const [layout, x] of views) {
    for (const [dim, d] of [[-1, 2], [0, 0], [1, 1]] as const) {
      for (const descending of [false, true]) {
        it(`${layout}, dim ${dim}, descending=${descending}`, () => {
          const order = refOrder(descending);
          const r = sort(x, { dim, descending });
          expectRef(r.values, refAlong(x, d, (l) => order(l).map((i) => l[i]!)), 0, 0);
          expectRef(r.indices, refAlong(x, d, order), 0, 0);
          expectRef(argsort(x, { dim, descending }), refAlong(x, d, order), 0, 0);
          expectRef(x.sort(dim, descending).indices, refAlong(x, d, order), 0, 0);
        });
      }
    }
  }
  it('NaN sorts last ascending and first descending', () => {
    const x = tensor([2, NaN, -1, Infinity]);
    expect(sort(x).indices.toArray()).toEqual([2, 0, 3, 1]);
    expect(sort(x, { descending: true }).indices.toArray()).toEqual([1, 3, 0, 2]);
  });
  it('stable: ties keep input order, also past 16 elements', () => {
    const x = randint(0, 3, [40], { generator: gen });
    const idx = sort(x, { stable: true }).indices.toArray();
    expect(idx).toEqual(refOrder(false)(x.toArray()));
    const desc = sort(x, { stable: true, descending: true }).indices.toArray();
    expect(desc).toEqual(refOrder(true)(x.toArray()));
  });
  it('unstable sort of a long lane with ties still sorts and permutes (std::sort order)', () => {
    const x = randint(0, 4, [2, 200], { generator: gen }).to(float64);
    const r = sort(x, { dim: 1 });
    expectRef(r.values, refAlong(x, 1, (l) => [...l].sort((a, b) => a - b)), 0, 0);
    const idx = r.indices.toArray(), vals = x.toArray();
    for (let row = 0; row < 2; row++) {
      const lane = idx.slice(row * 200, row * 200 + 200);
      expect([...lane].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i));
      expect(lane.map((i) => vals[row * 200 + i])).toEqual(r.values.toArray().slice(row * 200, row * 200 + 200));
    }
  });
  it('0-d and integer input', () => {
    const s = sort(tensor(3 as never));
    expect([s.values.item(), s.indices.item(), s.indices.shape.length]).toEqual([3, 0, 0]);
    const i = sort(tensor([3, 1, 2], { dtype: int32 }));
    expect(i.values.dtype).toBe(int32);
    expect(i.values.toArray()).toEqual([1, 2, 3]);
  });
});

describe('sort / topk tie order matches PyTorch 1.13 (golden qtensor/reductions.json on float tensors)', () => {
  // PyTorch's quantized sort/topk run the same CPU loops on int_repr; the dequantized floats
  // order the same way, so the float kernels must pick the same indices.
  for (const c of loadGolden('qtensor/reductions.json').cases.filter((k) => k.op === 'torch.sort' || k.op === 'torch.topk')) {
    it(c.name, () => {
      const x = tensorFromGolden(c.inputs.x).dequantize();
      const a = c.args;
      const r = c.op === 'torch.sort'
        ? sort(x, { dim: a.dim, descending: a.descending, stable: a.stable })
        : topk(x, a.k, { dim: a.dim, largest: a.largest, sorted: a.sorted });
      expectTensorClose(r.indices, c.expected.indices, { exact: true, label: `${c.name} indices` });
      expectTensorClose(r.values, tensorFromGolden(c.expected.values).dequantize(), { exact: true, label: `${c.name} values` });
    });
  }
});

describe('topk', () => {
  const x = rnd([4, 7]);
  it('largest / smallest along dims match a sorted reference', () => {
    for (const [dim, d] of [[-1, 1], [0, 0]] as const) {
      for (const largest of [true, false]) {
        const k = 3;
        const r = topk(x, k, { dim, largest });
        const order = refOrder(largest);
        expectRef(r.values, refAlong(x, d, (l) => order(l).slice(0, k).map((i) => l[i]!)), 0, 0);
        expectRef(r.indices, refAlong(x, d, (l) => order(l).slice(0, k)), 0, 0);
      }
    }
  });
  it('sorted: false still returns the top k set', () => {
    const r = x.topk(4, { sorted: false });
    const sets = refAlong(x, 1, (l) => refOrder(true)(l).slice(0, 4));
    for (let row = 0; row < 4; row++) {
      expect(r.indices.toArray().slice(row * 4, row * 4 + 4).sort()).toEqual(sets.values.slice(row * 4, row * 4 + 4).sort());
    }
  });
  it('partial_sort branch (k * 64 <= n): ties keep the first occurrence', () => {
    // libstdc++ heap select with k = 1 replaces the top only on a strictly larger value
    const v = new Array<number>(64).fill(0);
    v[10] = 5;
    v[40] = 5;
    expect(topk(tensor(v), 1).indices.toArray()).toEqual([10]);
    expect(topk(tensor(v), 1, { largest: false }).indices.toArray()).toEqual([0]);
  });
  it('NaN counts as the largest value', () => {
    expect(topk(tensor([1, NaN, 3]), 2).indices.toArray()).toEqual([1, 2]);
    expect(topk(tensor([1, NaN, 3]), 2, { largest: false }).indices.toArray()).toEqual([0, 2]);
  });
  it('k = 0 and out-of-range k', () => {
    expect(topk(x, 0).values.shape).toEqual([4, 0]);
    expect(() => topk(x, 8)).toThrow(/topk\(\): selected index k out of range: k=8 for a dimension of size 7/);
  });
});

describe('libstdc++ algorithms', () => {
  it('stdSort and partialSort order many-tie lanes by the comparator', () => {
    const g = new Generator(3);
    for (const n of [5, 17, 100, 1000]) {
      const lane = Array.from({ length: n }, (_, i): [number, number] => [g.randint(0, 5), i]);
      const less = (a: [number, number], b: [number, number]): boolean => a[0] < b[0];
      const s = lane.map((e) => [...e] as [number, number]);
      stdSort(s, 0, n, less);
      for (let i = 1; i < n; i++) expect(s[i - 1]![0]).toBeLessThanOrEqual(s[i]![0]);
      expect(s.map((e) => e[1]).sort((a, b) => a - b)).toEqual(lane.map((e) => e[1]));
      const p = lane.map((e) => [...e] as [number, number]);
      const k = Math.min(7, n);
      partialSort(p, 0, k, n, less);
      expect(p.slice(0, k).map((e) => e[0])).toEqual(lane.map((e) => e[0]).sort((a, b) => a - b).slice(0, k));
    }
  });
});

describe('cumsum / cumprod', () => {
  const scan = (product: boolean) => (l: number[]): number[] => {
    let acc = product ? 1 : 0;
    return l.map((v) => (acc = product ? acc * v : acc + v));
  };
  for (const [layout, x] of [['contiguous', rnd([3, 4])], ['transposed', rnd([4, 3]).t()]] as const) {
    it(`${layout}: along both dims`, () => {
      expectRef(cumsum(x, 0), refAlong(x, 0, scan(false)));
      expectRef(cumsum(x, -1), refAlong(x, 1, scan(false)));
      expectRef(x.cumprod(1), refAlong(x, 1, scan(true)));
      expectRef(cumprod(x, 0), refAlong(x, 0, scan(true)));
    });
  }
  it('integers give int64; dtype option', () => {
    const r = cumsum(tensor([1, 2, 3], { dtype: int32 }), 0);
    expect([r.dtype, r.toArray()]).toEqual([int64, [1, 3, 6]]);
    expect(cumprod(tensor([1.5, 2]), 0, { dtype: float64 }).dtype).toBe(float64);
    expect(cumsum(tensor([1.7, 1.7]), 0, { dtype: int64 }).toArray()).toEqual([1, 2]);
  });
  it('empty input', () => {
    expect(cumsum(zeros([0, 3]), 0).shape).toEqual([0, 3]);
  });
});
