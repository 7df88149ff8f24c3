// matmul / mm / bmm / addmm / linear against float64 loop references, gradcheck, errors, speed.
import { describe, expect, it } from 'vitest';
import {
  QTorchShapeError, type Tensor, addmm, bmm, broadcastShapes, float32, float64, gradcheck, linear, matmul, mm, randn,
} from '../src/index.js';
import { expectClose, gen, leaf, nonContiguous, rnd } from './nn-float-helpers.js';

/** Batched matmul by definition: promote 1-D operands, broadcast batch dims index by index. */
function refMatmul(a: Tensor, b: Tensor): { shape: number[]; values: number[] } {
  const aS = a.ndim === 1 ? [1, a.shape[0]!] : [...a.shape], bS = b.ndim === 1 ? [b.shape[0]!, 1] : [...b.shape];
  const av = Array.from(a.values()), bv = Array.from(b.values());
  const n = aS.at(-2)!, m = aS.at(-1)!, p = bS.at(-1)!;
  const batch = broadcastShapes(aS.slice(0, -2), bS.slice(0, -2));
  const nb = batch.reduce((x, y) => x * y, 1);
  const flatIndex = (idx: number[], shape: number[]): number => {
    const off = idx.length - shape.length;
    return shape.reduce((acc, s, d) => acc * s + (s === 1 ? 0 : idx[d + off]!), 0);
  };
  const values: number[] = [];
  for (let bi = 0; bi < nb; bi++) {
    const idx: number[] = [];
    let r = bi;
    for (let d = batch.length - 1; d >= 0; d--) { idx.unshift(r % batch[d]!); r = Math.floor(r / batch[d]!); }
    const ao = flatIndex(idx, aS.slice(0, -2)) * n * m, bo = flatIndex(idx, bS.slice(0, -2)) * m * p;
    for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) {
      let s = 0;
      for (let k = 0; k < m; k++) s += av[ao + i * m + k]! * bv[bo + k * p + j]!;
      values.push(s);
    }
  }
  return { shape: [...batch, ...(a.ndim === 1 ? [] : [n]), ...(b.ndim === 1 ? [] : [p])], values };
}

describe('matmul forward', () => {
  const cases: Array<[number[], number[]]> = [
    [[4], [4]], [[3], [3, 5]], [[2, 3], [3]], [[2, 3], [3, 4]], [[2, 3, 4], [4, 5]], [[4], [2, 4, 3]],
    [[2, 1, 3, 4], [5, 4, 2]], [[3, 2, 4], [4]], [[1, 2, 3], [4, 3, 2]],
  ];
  for (const [sa, sb] of cases) {
    it(`${JSON.stringify(sa)} @ ${JSON.stringify(sb)}`, () => {
      const g = gen(1);
      const a = rnd(sa, g), b = rnd(sb, g);
      const ref = refMatmul(a, b);
      const out = matmul(a, b);
      expect(out.dtype).toBe(float32);
      expectClose(out, ref.values, ref.shape, 1e-5, 1e-5);
    });
  }
  it('1-D @ 1-D is a 0-d dot product with hand value', () => {
    const out = matmul(randn([0]).reshape(0), randn([0]).reshape(0));
    expect(out.shape).toEqual([]);
    expect(out.item()).toBe(0);
    const a = rnd([3], gen()), b = rnd([3], gen(2));
    const av = a.values(), bv = b.values();
    expect(matmul(a, b).item()).toBeCloseTo(av[0]! * bv[0]! + av[1]! * bv[1]! + av[2]! * bv[2]!, 5);
  });
  it('non-contiguous operands and float64 stay exact in float64', () => {
    const g = gen(3);
    const a = nonContiguous([2, 3, 4], (s) => randn(s, { dtype: float64, generator: g }));
    const b = rnd([4, 2], g).to(float64);
    const ref = refMatmul(a, b);
    const out = a.matmul(b);
    expect(out.dtype).toBe(float64);
    expectClose(out, ref.values, ref.shape, 1e-12, 1e-12);
  });
  it('mm / bmm / method forms', () => {
    const g = gen(4);
    const a = rnd([3, 4], g), b = rnd([4, 2], g);
    expectClose(mm(a, b), refMatmul(a, b).values, [3, 2]);
    expectClose(a.mm(b), refMatmul(a, b).values, [3, 2]);
    const x = rnd([2, 3, 4], g), y = rnd([2, 4, 5], g);
    expectClose(bmm(x, y), refMatmul(x, y).values, [2, 3, 5]);
    expectClose(x.bmm(y), refMatmul(x, y).values, [2, 3, 5]);
  });
  it('addmm = beta * input + alpha * mat1 @ mat2, input broadcast', () => {
    const g = gen(5);
    const inp = rnd([4], g), m1 = rnd([3, 2], g), m2 = rnd([2, 4], g);
    const p = refMatmul(m1, m2).values, iv = inp.values();
    const want = p.map((v, k) => 0.5 * iv[k % 4]! + 2 * v);
    expectClose(addmm(inp, m1, m2, { beta: 0.5, alpha: 2 }), want, [3, 4]);
    // beta = 0 ignores input entirely, NaN included
    const nanInput = randn([3, 4]);
    nanInput.data.fill(Number.NaN);
    expectClose(addmm(nanInput, m1, m2, { beta: 0 }), p, [3, 4]);
  });
  it('linear = x @ w.T + b on a 3-D input, hand example', () => {
    const x = randn([1, 1, 2]);
    x.data.set([1, 2]);
    const w = randn([3, 2]);
    w.data.set([1, 0, 0, 1, 1, 1]);
    const b = randn([3]);
    b.data.set([0.5, -1, 10]);
    expectClose(linear(x, w, b), [1.5, 1, 13], [1, 1, 3], 0, 0);
    expectClose(linear(x.reshape(2), w), [1, 2, 3], [3], 0, 0);
  });
});

describe('matmul family gradients', () => {
  it('matmul with batch broadcasting and 1-D operands', () => {
    const g = gen(6);
    expect(gradcheck((a, b) => matmul(a!, b!), [leaf([2, 1, 3, 4], g), leaf([5, 4, 2], g)])).toBe(true);
    expect(gradcheck((a, b) => matmul(a!, b!), [leaf([4], g), leaf([2, 4, 3], g)])).toBe(true);
    expect(gradcheck((a, b) => matmul(a!, b!), [leaf([3, 2, 4], g), leaf([4], g)])).toBe(true);
    expect(gradcheck((a, b) => matmul(a!, b!), [leaf([4], g), leaf([4], g)])).toBe(true);
  });
  it('mm / bmm / addmm / linear, including a non-contiguous input', () => {
    const g = gen(8);
    expect(gradcheck((a, b) => mm(a!.t(), b!), [leaf([4, 3], g), leaf([4, 2], g)])).toBe(true);
    expect(gradcheck((a, b) => bmm(a!, b!), [leaf([2, 3, 4], g), leaf([2, 4, 2], g)])).toBe(true);
    expect(gradcheck((i, a, b) => addmm(i!, a!, b!, { beta: 0.7, alpha: -1.5 }), [leaf([1, 2], g), leaf([3, 4], g), leaf([4, 2], g)])).toBe(true);
    expect(gradcheck((x, w, b) => linear(x!.transpose(0, 1), w!, b!), [leaf([3, 2, 4], g), leaf([5, 4], g), leaf([5], g)])).toBe(true);
    expect(gradcheck((x, w) => linear(x!, w!), [leaf([4], g), leaf([2, 4], g)])).toBe(true);
  });
});

describe('matmul errors', () => {
  it('names the op and both shapes', () => {
    expect(() => matmul(randn([2, 3]), randn([4, 2]))).toThrow(QTorchShapeError);
    expect(() => matmul(randn([2, 3]), randn([4, 2]))).toThrow(/matmul\(\).*2x3 and 4x2.*\[2, 3\].*\[4, 2\]/);
    expect(() => matmul(randn([]), randn([2]))).toThrow(/at least 1D/);
    expect(() => matmul(randn([2, 2, 3]), randn([3, 3, 2]))).toThrow(/size of tensor a \(2\) must match the size of tensor b \(3\)/);
    expect(() => mm(randn([2, 3, 1]), randn([3, 2]))).toThrow(/mm\(\).*2-D/);
    expect(() => bmm(randn([2, 3, 4]), randn([3, 4, 2]))).toThrow(/same batch size/);
    expect(() => linear(randn([2, 3]), randn([4, 2]))).toThrow(/linear\(\)/);
    expect(() => linear(randn([2, 3]), randn([4, 3]), randn([3]))).toThrow(/bias must have shape \[4\]/);
  });
});

describe('matmul at full size', () => {
  it('256 x 256 x 256 float32 matches the definition at a spot check (speed is measured in apps/bench)', () => {
    const g = gen(9);
    const a = rnd([256, 256], g), b = rnd([256, 256], g);
    const out = matmul(a, b);
    // spot-check one entry against the definition
    const av = a.values(), bv = b.values();
    let s = 0;
    for (let k = 0; k < 256; k++) s += av[17 * 256 + k]! * bv[k * 256 + 101]!;
    expect(out.values()[17 * 256 + 101]).toBeCloseTo(s, 3);
  });
});
