// Shared helpers of the elementwise-op tests: a naive broadcasting reference (index arithmetic
// in float64, independent of the op engine), seeded inputs and float64 leaves for gradcheck.
import { expect } from 'vitest';
import { type DType, Generator, type Tensor, float32, float64, randn, tensor } from '../src/index.js';

/** One operand of the reference: logical row-major values and a shape (a number is 0-d). */
export type RefOperand = { values: ArrayLike<number>; shape: readonly number[] } | number;

const asRef = (x: RefOperand) => (typeof x === 'number' ? { values: [x], shape: [] as number[] } : x);
/** A tensor's logical values as a reference operand. */
export const ref = (t: Tensor): RefOperand => ({ values: t.toArray(), shape: t.shape });

/** Broadcast `f` over operands with explicit per-element index arithmetic; returns values and shape. */
export function refBroadcast(operands: readonly RefOperand[], f: (...v: number[]) => number): { values: number[]; shape: number[] } {
  const ops = operands.map(asRef);
  const nd = Math.max(...ops.map((o) => o.shape.length));
  const shape = Array.from({ length: nd }, (_, d) => ops.map((o) => o.shape[o.shape.length - nd + d] ?? 1).find((s) => s !== 1) ?? 1);
  const n = shape.reduce((a, b) => a * b, 1);
  const values: number[] = [];
  for (let i = 0; i < n; i++) {
    // decompose i into a multi-index, then fold each operand's index (size-1 dims read index 0)
    const idx: number[] = [];
    let rest = i;
    for (let d = nd - 1; d >= 0; d--) { idx[d] = rest % shape[d]!; rest = Math.floor(rest / shape[d]!); }
    const args = ops.map((o) => {
      let flat = 0;
      for (let d = 0; d < o.shape.length; d++) {
        const size = o.shape[d]!;
        flat = flat * size + (size === 1 ? 0 : idx[nd - o.shape.length + d]!);
      }
      return o.values[flat]!;
    });
    values.push(f(...args));
  }
  return { values, shape };
}

/** Expects `actual` to hold exactly `expected` (shape, dtype and values; NaN matches NaN, -0 matches 0). */
export function expectValues(actual: Tensor, expected: { values: ArrayLike<number>; shape: readonly number[] }, dtype?: DType): void {
  expect(actual.shape).toEqual(expected.shape);
  if (dtype) expect(actual.dtype).toBe(dtype);
  const a = actual.toArray();
  expect(a.length).toBe(expected.values.length);
  for (let i = 0; i < a.length; i++) {
    const e = expected.values[i]!, v = a[i]!;
    if (!(v === e || (Number.isNaN(v) && Number.isNaN(e)))) expect.fail(`element ${i}: got ${v}, expected ${e}`);
  }
}

/** Expects |actual - expected| <= atol + rtol |expected| elementwise. */
export function expectNear(actual: Tensor, expected: { values: ArrayLike<number>; shape: readonly number[] }, atol = 1e-6, rtol = 1e-6): void {
  expect(actual.shape).toEqual(expected.shape);
  const a = actual.toArray();
  for (let i = 0; i < a.length; i++) {
    const e = expected.values[i]!;
    if (!(Math.abs(a[i]! - e) <= atol + rtol * Math.abs(e))) expect.fail(`element ${i}: got ${a[i]}, expected ${e}`);
  }
}

/** Rounds reference values to float32, what a float32 result must equal exactly for correctly rounded ops. */
export const f32 = (r: { values: number[]; shape: number[] }) => ({ values: r.values.map(Math.fround), shape: r.shape });

/** Seeded normal float32 data. */
export const rnd = (shape: number[], seed: number, dtype: DType = float32): Tensor => randn(shape, { dtype, generator: new Generator(seed) });

/** A float64 leaf requiring grad, for gradcheck. */
export const leaf = (values: number[], shape: number[] = [values.length]): Tensor =>
  tensor(values, { dtype: float64 }).reshape(shape).requiresGrad_();

/** Seeded float64 values in [lo, hi), shaped, requiring grad. */
export function leafIn(shape: number[], seed: number, lo: number, hi: number): Tensor {
  const g = new Generator(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return leaf(Array.from({ length: n }, () => lo + (hi - lo) * g.random()), shape);
}
