/**
 * Tensor comparisons that throw with a readable diff: the first mismatching indices (flat and
 * multi-dim), both values, the count and the max abs diff. Structurally typed (no qtorch
 * import), so they accept any package's tensors without a dependency cycle.
 */
import { type GoldenPlainTensor, type GoldenQTensor, goldenValues, isGoldenQTensor } from './golden.js';

/** What the comparisons read from a tensor (qtorch's `Tensor` fits). */
export interface ComparableTensor {
  readonly shape: readonly number[];
  readonly dtype: { readonly name: string; readonly isQuantized: boolean };
  values(): ArrayLike<number>;
  toArray(): number[];
  readonly quantizer: null | {
    readonly qscheme: string;
    readonly scale?: number;
    readonly zeroPoint?: number;
    readonly scales?: ArrayLike<number>;
    readonly zeroPoints?: ArrayLike<number>;
    readonly axis?: number;
  };
}

/** Tolerances of `expectTensorClose`. A value passes if any given criterion holds. */
export interface CloseOptions {
  /** Absolute tolerance (default 1e-5 unless `exact` or `ulp` is given). */
  atol?: number;
  /** Relative tolerance (default 1.3e-6 unless `exact` or `ulp` is given). */
  rtol?: number;
  /** Maximum distance in float32 ulps. */
  ulp?: number;
  /** Same float32 bits required (NaN equals NaN; 0 and -0 differ). */
  exact?: boolean;
  /** Message prefix (e.g. the case name). */
  label?: string;
}

/** Options of `expectQTensorEqual`. */
export interface QEqualOptions {
  /** Largest allowed |int_repr difference| (default 0). */
  maxIntDiff?: number;
  /** Largest allowed fraction of elements whose int_repr differs at all (default 1: any). */
  maxFractionDiff?: number;
  /** Message prefix (e.g. the case name). */
  label?: string;
}

const f32buf = new Float32Array(1);
const i32buf = new Int32Array(f32buf.buffer);

function orderedBits(x: number): number {
  f32buf[0] = x;
  const b = i32buf[0]!;
  return b < 0 ? -2147483648 - b : b; // map sign-magnitude to a monotonic integer line
}

/** Distance between two numbers in float32 units in the last place (after rounding to float32). */
export function ulpDiff(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  return Math.abs(orderedBits(a) - orderedBits(b));
}

function multiIndex(flat: number, shape: readonly number[]): string {
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    const s = shape[d]!;
    idx.unshift(s > 0 ? flat % s : 0);
    flat = s > 0 ? Math.floor(flat / s) : 0;
  }
  return `[${idx.join(', ')}]`;
}

function shapeStr(s: readonly number[]): string {
  return `[${s.join(', ')}]`;
}

function fail(label: string | undefined, msg: string): never {
  throw new Error(label ? `${label}: ${msg}` : msg);
}

function isComparable(x: unknown): x is ComparableTensor {
  // plain arrays have a `values()` method too: require a dtype
  return typeof x === 'object' && x !== null && typeof (x as ComparableTensor).values === 'function' && 'dtype' in x;
}

/** Lists mismatches (first 10) and throws. */
function report(
  label: string | undefined, what: string, bad: number[], shape: readonly number[],
  actual: ArrayLike<number>, expected: ArrayLike<number>,
): never {
  let maxAbs = 0;
  for (const i of bad) {
    const d = Math.abs(actual[i]! - expected[i]!);
    if (d > maxAbs || Number.isNaN(d)) maxAbs = d;
  }
  const lines = bad.slice(0, 10).map((i) => `  at ${multiIndex(i, shape)} (flat ${i}): actual ${actual[i]}, expected ${expected[i]}`);
  fail(label, `${what}: ${bad.length} of ${actual.length} elements differ (max abs diff ${maxAbs})\n${lines.join('\n')}`);
}

/**
 * Throws unless `actual` (a tensor; quantized ones are dequantized) matches `expected` (a
 * fixture spec, a tensor, or flat values) in shape and values within the tolerances.
 */
export function expectTensorClose(
  actual: ComparableTensor, expected: GoldenPlainTensor | ComparableTensor | ArrayLike<number>, opts: CloseOptions = {},
): void {
  const { label } = opts;
  let exp: ArrayLike<number>;
  let expShape: readonly number[] | null = null;
  if (isComparable(expected)) {
    exp = expected.dtype.isQuantized ? expected.toArray() : expected.values();
    expShape = expected.shape;
  } else if (typeof expected === 'object' && expected !== null && 'data' in expected && 'shape' in expected) {
    exp = goldenValues(expected as GoldenPlainTensor);
    expShape = (expected as GoldenPlainTensor).shape;
  } else {
    exp = expected as ArrayLike<number>;
  }
  if (expShape && shapeStr(actual.shape) !== shapeStr(expShape)) {
    fail(label, `shape mismatch: actual ${shapeStr(actual.shape)}, expected ${shapeStr(expShape)}`);
  }
  const act = actual.dtype.isQuantized ? actual.toArray() : actual.values();
  if (act.length !== exp.length) fail(label, `length mismatch: actual ${act.length}, expected ${exp.length}`);
  const useTol = !opts.exact && opts.ulp === undefined;
  const atol = opts.atol ?? (useTol ? 1e-5 : -1);
  const rtol = opts.rtol ?? (useTol ? 1.3e-6 : 0);
  const bad: number[] = [];
  for (let i = 0; i < act.length; i++) {
    const a = act[i]!, e = exp[i]!;
    if (Number.isNaN(a) || Number.isNaN(e)) {
      if (!(Number.isNaN(a) && Number.isNaN(e))) bad.push(i);
      continue;
    }
    if (opts.exact) {
      if (!Object.is(Math.fround(a), Math.fround(e))) bad.push(i);
      continue;
    }
    if (a === e) continue;
    const okUlp = opts.ulp !== undefined && ulpDiff(a, e) <= opts.ulp;
    const okTol = atol >= 0 && Math.abs(a - e) <= atol + rtol * Math.abs(e);
    if (!okUlp && !okTol) bad.push(i);
  }
  if (bad.length) report(label, 'values differ', bad, actual.shape, act, exp);
}

function sameList(a: ArrayLike<number> | undefined, b: ArrayLike<number> | undefined): boolean {
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i]) && a[i] !== b[i]) return false;
  return true;
}

/**
 * Throws unless the quantized tensor `actual` has the fixture's dtype, qscheme, shape and
 * qparams exactly, and an integer representation within `maxIntDiff` (on at most
 * `maxFractionDiff` of the elements).
 */
export function expectQTensorEqual(actual: ComparableTensor, expected: GoldenQTensor, opts: QEqualOptions = {}): void {
  const { label } = opts;
  if (!isGoldenQTensor(expected)) fail(label, 'expectQTensorEqual(): the expected spec is not a quantized tensor');
  const q = actual.quantizer;
  if (!actual.dtype.isQuantized || !q) fail(label, `expected a quantized ${expected.dtype} tensor, got ${actual.dtype.name}`);
  if (actual.dtype.name !== expected.dtype) fail(label, `dtype: actual ${actual.dtype.name}, expected ${expected.dtype}`);
  if (q.qscheme !== expected.qscheme) fail(label, `qscheme: actual ${q.qscheme}, expected ${expected.qscheme}`);
  if (shapeStr(actual.shape) !== shapeStr(expected.shape)) {
    fail(label, `shape: actual ${shapeStr(actual.shape)}, expected ${shapeStr(expected.shape)}`);
  }
  if (expected.qscheme.startsWith('per_channel')) {
    if (!sameList(q.scales, expected.scales)) fail(label, `scales: actual [${Array.from(q.scales ?? [])}], expected [${expected.scales}]`);
    if (!sameList(q.zeroPoints, expected.zero_points)) {
      fail(label, `zero points: actual [${Array.from(q.zeroPoints ?? [])}], expected [${expected.zero_points}]`);
    }
    if (q.axis !== expected.axis) fail(label, `axis: actual ${q.axis}, expected ${expected.axis}`);
  } else {
    if (q.scale !== expected.scale) fail(label, `scale: actual ${q.scale}, expected ${expected.scale}`);
    if (q.zeroPoint !== expected.zero_point) fail(label, `zero point: actual ${q.zeroPoint}, expected ${expected.zero_point}`);
  }
  const act = actual.values(), exp = expected.int_repr;
  if (act.length !== exp.length) fail(label, `int_repr length: actual ${act.length}, expected ${exp.length}`);
  const maxIntDiff = opts.maxIntDiff ?? 0;
  const bad: number[] = [];
  let differing = 0;
  for (let i = 0; i < act.length; i++) {
    const d = Math.abs(act[i]! - exp[i]!);
    if (d !== 0) differing++;
    if (d > maxIntDiff) bad.push(i);
  }
  if (bad.length) report(label, 'int_repr differs', bad, actual.shape, act, exp);
  const maxFraction = opts.maxFractionDiff ?? 1;
  if (act.length && differing / act.length > maxFraction) {
    const all: number[] = [];
    for (let i = 0; i < act.length; i++) if (act[i] !== exp[i]) all.push(i);
    report(label, `int_repr differs on more than ${maxFraction * 100}% of elements`, all, actual.shape, act, exp);
  }
}
