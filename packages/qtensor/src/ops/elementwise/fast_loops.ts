/**
 * Tight loops for the hot arithmetic (add/sub, mul, div) on float compute dtypes, used when an
 * operand is a plain array or a scalar: one monomorphic loop per case instead of a call per
 * element. They return false for cases they leave to the generic loop.
 */
import type { TypedArray } from '../../dtype.js';
import type { Kernel, Source } from './engine.js';

type Loop = NonNullable<Kernel['loop']>;

/** out = a + alpha * b. */
export function axpyLoop(alpha: number): Loop {
  return (out: TypedArray, [a, b]: readonly Source[], n: number): boolean => {
    if (typeof a === 'number' || a === undefined || b === undefined) return false;
    if (typeof b === 'number') {
      const s = alpha * b;
      for (let i = 0; i < n; i++) out[i] = a[i]! + s;
    } else if (alpha === 1) {
      for (let i = 0; i < n; i++) out[i] = a[i]! + b[i]!;
    } else if (alpha === -1) {
      for (let i = 0; i < n; i++) out[i] = a[i]! - b[i]!;
    } else {
      for (let i = 0; i < n; i++) out[i] = a[i]! + alpha * b[i]!;
    }
    return true;
  };
}

/** out = a * b (either side may be the scalar). */
export const mulLoop: Loop = (out, [a, b], n) => {
  if (a === undefined || b === undefined) return false;
  if (typeof a === 'number') [a, b] = [b, a];
  if (typeof a === 'number') return false;
  if (typeof b === 'number') for (let i = 0; i < n; i++) out[i] = a[i]! * b;
  else for (let i = 0; i < n; i++) out[i] = a[i]! * b[i]!;
  return true;
};

/** out = a / b. */
export const divLoop: Loop = (out, [a, b], n) => {
  if (typeof a === 'number' || a === undefined || b === undefined) return false;
  if (typeof b === 'number') for (let i = 0; i < n; i++) out[i] = a[i]! / b;
  else for (let i = 0; i < n; i++) out[i] = a[i]! / b[i]!;
  return true;
};
