/** Small assertion helpers shared by the case modules. */
import assert from 'node:assert/strict';

/** Same length and, element by element, equal values or both NaN (0 and -0 count as equal). */
export function assertSameFloats(got: ArrayLike<number>, want: readonly number[]): void {
  assert.equal(got.length, want.length, `length ${got.length}, expected ${want.length}`);
  for (let i = 0; i < want.length; i++) {
    const a = got[i]!, b = want[i]!;
    assert.ok((Number.isNaN(a) && Number.isNaN(b)) || a === b, `element ${i}: got ${a}, expected ${b} (got ${Array.from(got)})`);
  }
}
