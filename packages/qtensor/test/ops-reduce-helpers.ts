// Naive float64 references for the reduction tests: walk every element by its multi-index and
// group values by the output index they reduce into. Deliberately nothing shared with src/ops/reduce.
import { expect } from 'vitest';
import type { Tensor } from '../src/index.js';

export interface Ref {
  values: number[];
  shape: number[];
}

function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = flat % shape[d]!;
    flat = Math.floor(flat / shape[d]!);
  }
  return idx;
}

const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** The values of `x` grouped per output element of a reduction over `dims` (non-negative), in input order. */
export function refLanes(x: Tensor, dims: number[], keepdim = false): { lanes: number[][]; shape: number[] } {
  const vals = x.toArray();
  const kept = x.shape.map((_, d) => d).filter((d) => !dims.includes(d));
  const lanes: number[][] = Array.from({ length: numel(kept.map((d) => x.shape[d]!)) }, () => []);
  vals.forEach((v, i) => {
    const idx = unravel(i, x.shape);
    let o = 0;
    for (const d of kept) o = o * x.shape[d]! + idx[d]!;
    lanes[o]!.push(v);
  });
  const shape = keepdim ? x.shape.map((s, d) => (dims.includes(d) ? 1 : s)) : kept.map((d) => x.shape[d]!);
  return { lanes, shape };
}

/** Reference reduction: `fn` applied to every lane. */
export function refReduce(x: Tensor, dims: number[], keepdim: boolean, fn: (lane: number[]) => number): Ref {
  const { lanes, shape } = refLanes(x, dims, keepdim);
  return { values: lanes.map(fn), shape };
}

/** Reference op along `dim` (non-negative): `fn` maps each lane to a new lane (possibly shorter). */
export function refAlong(x: Tensor, dim: number, fn: (lane: number[]) => number[]): Ref {
  const { lanes } = refLanes(x, [dim]);
  const results = lanes.map(fn);
  const m = results[0]?.length ?? x.shape[dim]!;
  const shape = x.shape.map((s, d) => (d === dim ? m : s));
  const kept = shape.map((_, d) => d).filter((d) => d !== dim);
  const values = Array.from({ length: numel(shape) }, (_, j) => {
    const idx = unravel(j, shape);
    let o = 0;
    for (const d of kept) o = o * shape[d]! + idx[d]!;
    return results[o]![idx[dim]!]!;
  });
  return { values, shape };
}

/** Asserts shape and values (relative tolerance `rtol`, NaN equals NaN). */
export function expectRef(actual: Tensor, ref: Ref, rtol = 1e-6, atol = 1e-6): void {
  expect(actual.shape).toEqual(ref.shape);
  const got = actual.toArray();
  expect(got.length).toBe(ref.values.length);
  got.forEach((g, i) => {
    const e = ref.values[i]!;
    if (Number.isNaN(e) || !Number.isFinite(e)) {
      expect(Object.is(g, e) || (Number.isNaN(g) && Number.isNaN(e)), `element ${i}: got ${g}, expected ${e}`).toBe(true);
      return;
    }
    expect(Math.abs(g - e), `element ${i}: got ${g}, expected ${e}`).toBeLessThanOrEqual(atol + rtol * Math.abs(e));
  });
}

export const refSum = (l: number[]): number => l.reduce((a, b) => a + b, 0);
export const refMean = (l: number[]): number => refSum(l) / l.length;
export const refVar = (correction: number) => (l: number[]): number => {
  const m = refMean(l);
  return l.reduce((a, v) => a + (v - m) ** 2, 0) / Math.max(0, l.length - correction);
};
