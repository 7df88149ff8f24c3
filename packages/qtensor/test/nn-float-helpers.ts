// Shared helpers of the nn float-op tests (conv, pool, linalg, interpolate): seeded inputs,
// float64 leaves for gradcheck, a non-contiguous copy and a tolerance comparison.
import { expect } from 'vitest';
import { Generator, type Tensor, float32, float64, randn } from '../src/index.js';

/** A fresh seeded generator, so each test's data does not depend on test order. */
export const gen = (seed = 7): Generator => new Generator(seed);

/** A float64 leaf that requires grad (gradcheck's inputs). */
export function leaf(shape: number[], g: Generator): Tensor {
  return randn(shape, { dtype: float64, generator: g }).requiresGrad_();
}

/** A float32 random tensor. */
export function rnd(shape: number[], g: Generator): Tensor {
  return randn(shape, { dtype: float32, generator: g });
}

/**
 * The same values as `shape` but stored transposed in its last two dims (a non-contiguous view),
 * built from `make([..., W, H])`.
 */
export function nonContiguous(shape: number[], make: (s: number[]) => Tensor): Tensor {
  const n = shape.length;
  const swapped = [...shape.slice(0, n - 2), shape[n - 1]!, shape[n - 2]!];
  const t = make(swapped).transpose(n - 2, n - 1);
  expect(t.isContiguous()).toBe(false);
  return t;
}

/** Element-wise |a - e| <= atol + rtol * |e| with the first mismatch in the message. */
export function expectClose(actual: Tensor, expected: ArrayLike<number>, shape: readonly number[], atol = 1e-5, rtol = 1e-5): void {
  expect(actual.shape).toEqual(shape);
  const a = actual.values();
  expect(a.length).toBe(expected.length);
  for (let i = 0; i < a.length; i++) {
    const e = expected[i]!;
    if (!(Math.abs(a[i]! - e) <= atol + rtol * Math.abs(e))) {
      expect.fail(`element ${i}: got ${a[i]}, expected ${e} (shape ${JSON.stringify(shape)})`);
    }
  }
}
