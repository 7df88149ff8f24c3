/**
 * Comparison of a run's outputs with a case's `expect_*` fields, shared by the addon runner and
 * the tests (driver/driver.cc applies the same rules in C++): integers and float32 bit for bit
 * (any NaN matches any NaN), a float64 expectation with an `expect_<x>_magnitude` field (sum of
 * |terms|, SGEMM) within float32 rounding of that magnitude.
 */
import type { FieldData, VectorCase } from './format.js';

/** Relative tolerance of float32 sums against the sum of |terms| (summation order differs per ISA). */
export const FLOAT_SUM_TOLERANCE = 1e-5;

const MAGNITUDE = '_magnitude';

function firstMismatch(got: FieldData, want: FieldData, magnitude: Float64Array | undefined): number {
  const float32 = want instanceof Float32Array;
  const bits = float32 ? new Uint32Array(want.buffer, want.byteOffset, want.length) : null;
  const gotBits = float32 && got instanceof Float32Array ? new Uint32Array(got.buffer, got.byteOffset, got.length) : null;
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!, w = want[i]!;
    if (magnitude) {
      if (!(Math.abs(g - w) <= FLOAT_SUM_TOLERANCE * (1 + magnitude[i]!))) return i;
    } else if (bits && gotBits) {
      if (gotBits[i] !== bits[i] && !(Number.isNaN(g) && Number.isNaN(w))) return i;
    } else if (g !== w) {
      return i;
    }
  }
  return -1;
}

/** null when `got` matches every expectation of `c`, else what differs first. */
export function compareOutputs(c: VectorCase, got: Record<string, FieldData>): string | null {
  for (const [name, want] of Object.entries(c.fields)) {
    if (!name.startsWith('expect_') || name.endsWith(MAGNITUDE)) continue;
    const key = name.slice('expect_'.length);
    const g = got[key];
    if (!g) return `${key}: no output`;
    if (g.length !== want.length) return `${key}: ${g.length} values, expected ${want.length}`;
    const magnitude = c.fields[name + MAGNITUDE];
    const i = firstMismatch(g, want, magnitude instanceof Float64Array ? magnitude : undefined);
    if (i >= 0) return `${key}[${i}] = ${g[i]}, expected ${want[i]} (${want.length} values)`;
  }
  return null;
}
