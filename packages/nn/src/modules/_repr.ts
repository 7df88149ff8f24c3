/**
 * Formatting helpers that print values the way Python's `repr` / `str.format` does, so module
 * reprs match PyTorch's (`eps=1e-05`, `kernel_size=(3,)`, `bias=True`).
 * @internal
 */

/** Python's `repr(float)`: shortest round-trip digits, `1.0`, `1e-05`, `1e+16`, `inf`, `nan`. */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, expStr] = x.toExponential().split('e') as [string, string];
  const exp = Number(expStr);
  // Python prints fixed notation for 1e-4 <= |x| < 1e16 (JS's own switch points differ)
  if (exp >= -4 && exp < 16) {
    const s = x.toFixed(Math.max(0, (mantissa.replace('-', '').replace('.', '').length - 1) - exp));
    return s.includes('.') ? s : `${s}.0`;
  }
  const sign = exp < 0 ? '-' : '+';
  return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/** Python's `repr(bool)`. */
export const pyBool = (b: boolean): string => (b ? 'True' : 'False');

/** Python's `repr(tuple)` of numbers or nulls: `(3,)`, `(1, 1)`, `(2, None, 2)`. */
export function pyTuple(v: ReadonlyArray<number | null>): string {
  const items = v.map((x) => (x === null ? 'None' : String(x)));
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
}

/** An int-or-tuple argument as PyTorch stored it (a number prints bare, an array as a tuple). */
export function pyIntOrTuple(v: number | ReadonlyArray<number | null>): string {
  return typeof v === 'number' ? String(v) : pyTuple(v);
}

/** `None` for null/undefined, else the formatted value. */
export function pyOptional<T>(v: T | null | undefined, fmt: (x: T) => string): string {
  return v === null || v === undefined ? 'None' : fmt(v);
}
