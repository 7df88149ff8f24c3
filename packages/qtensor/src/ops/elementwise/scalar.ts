/**
 * Scalar formulas of the elementwise ops, written to match PyTorch's CPU kernels where C and JS
 * differ: rounding half to even (`nearbyint`), Python-style floor division and remainder,
 * C's `pow` special cases, NaN-propagating max/min, and wrapping integer arithmetic.
 */
import { type DType, int8, int16, int32, uint8 } from '../../dtype.js';
import { QTorchValueError } from '../../errors.js';

/** C's `nearbyint` in the default rounding mode: round half to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x); // rounds .5 up; step back to the even neighbour on exact ties
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * PyTorch's `round(x, decimals)`: nearbyint(x * 10^d) / 10^d (or nearbyint(x / 10^-d) * 10^-d for
 * negative d), each step rounded by `fr` (Math.fround for float32/float16, which compute in float).
 */
export function roundDecimals(x: number, decimals: number, fr: (v: number) => number): number {
  if (decimals === 0) return roundHalfEven(x);
  const p = fr(10 ** Math.abs(decimals));
  return decimals < 0 ? fr(roundHalfEven(fr(x / p)) * p) : fr(roundHalfEven(fr(x * p)) / p);
}

/** Python's `a % b` (result has the divisor's sign), PyTorch's `remainder`. */
export function remainderScalar(a: number, b: number): number {
  const m = a % b; // JS % is C fmod
  return m !== 0 && b < 0 !== m < 0 ? m + b : m;
}

/**
 * PyTorch's floating floor division (div_floor_floating): via fmod so a / b is never rounded
 * before flooring; `fr` rounds each step to the compute precision.
 */
export function floorDivScalar(a: number, b: number, fr: (v: number) => number = (v) => v): number {
  if (b === 0) return a / b;
  const mod = a % b; // exact in any precision
  let div = fr(fr(a - mod) / b);
  if (mod !== 0 && b < 0 !== mod < 0) div -= 1;
  if (div === 0) {
    const q = a / b;
    return q < 0 || Object.is(q, -0) ? -0 : 0;
  }
  let fl = Math.floor(div);
  if (div - fl > 0.5) fl += 1;
  return fl;
}

function zeroDivision(op: string): never {
  throw new QTorchValueError(`${op}(): ZeroDivisionError: integer division or modulo by zero`);
}

/** Integer division rounding toward zero; throws on a zero divisor as PyTorch does. */
export function intTruncDiv(op: string): (a: number, b: number) => number {
  return (a, b) => (b === 0 ? zeroDivision(op) : Math.trunc(a / b) + 0);
}

/** Integer division rounding toward -inf (Python's `//`). */
export function intFloorDiv(op: string): (a: number, b: number) => number {
  return (a, b) => {
    if (b === 0) zeroDivision(op);
    const q = Math.trunc(a / b);
    return a % b !== 0 && a < 0 !== b < 0 ? q - 1 : q + 0;
  };
}

/** Integer `remainder` (divisor's sign) or `fmod` (dividend's sign), throwing on zero. */
export function intModulo(op: string, python: boolean): (a: number, b: number) => number {
  return (a, b) => (b === 0 ? zeroDivision(op) : (python ? remainderScalar(a, b) : a % b) + 0);
}

/** C's `pow`: 1 ** anything and anything ** 0 are 1, (-1) ** +-inf is 1 (JS gives NaN). */
export function powScalar(a: number, b: number): number {
  if (a === 1 || b === 0) return 1;
  if (a === -1 && (b === Infinity || b === -Infinity)) return 1;
  return a ** b;
}

/** Wraps an integer result into `dtype`'s range (two's complement), as C integer arithmetic does. */
export function wrapInt(dtype: DType): (v: number) => number {
  switch (dtype) {
    case int8: return (v) => (v << 24) >> 24;
    case int16: return (v) => (v << 16) >> 16;
    case uint8: return (v) => v & 0xff;
    case int32: return (v) => v | 0;
    default: return (v) => v; // int64 lives in float64: exact up to 2^53
  }
}

/** A multiplication that stays exact modulo 2^bits (Math.imul for int32, whose products exceed 2^53). */
export function intMul(dtype: DType): (a: number, b: number) => number {
  if (dtype === int32) return Math.imul;
  const wrap = wrapInt(dtype);
  return (a, b) => wrap(a * b);
}

/**
 * Integer power by squaring with wrapping (ATen's powi): negative exponents give 0, except for
 * bases 1 and -1.
 */
export function intPow(dtype: DType): (a: number, b: number) => number {
  const mul = intMul(dtype);
  return (a, b) => {
    if (b < 0) return a === 1 ? 1 : a === -1 ? (b % 2 !== 0 ? -1 : 1) : 0;
    let result = 1, base = a, e = b;
    while (e > 0) {
      if (e % 2 === 1) result = mul(result, base);
      base = mul(base, base);
      e = Math.floor(e / 2);
    }
    return result;
  };
}

/** NaN-propagating max; `std::max` keeps the first argument on ties (so max(-0, 0) is -0). */
export const maxScalar = (a: number, b: number): number => (a !== a || b !== b ? NaN : a < b ? b : a);
/** NaN-propagating min. */
export const minScalar = (a: number, b: number): number => (a !== a || b !== b ? NaN : b < a ? b : a);

/** clamp with NaN propagation from the value or either bound. */
export function clampScalar(v: number, lo: number, hi: number): number {
  if (v !== v || lo !== lo || hi !== hi) return NaN;
  const t = v < lo ? lo : v;
  return t > hi ? hi : t;
}

/** sign(x) as PyTorch computes it: (0 < x) - (x < 0), so sign(NaN) and sign(-0) are 0. */
export const signScalar = (x: number): number => (x > 0 ? 1 : 0) - (x < 0 ? 1 : 0);
