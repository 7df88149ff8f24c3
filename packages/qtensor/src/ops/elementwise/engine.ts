/**
 * The loop machinery every elementwise op runs on: broadcasting of N operands, reading each
 * operand as a flat array in the output's logical order (or a scalar), running a per-element
 * formula (or an op's own tight loop), and writing the result to a new tensor or, for in-place
 * ops, into the destination's storage honoring its strides.
 *
 * Why flat arrays: an operand that is contiguous, of the compute dtype and of the output's
 * shape is read straight from its storage (no copy), which is the fast path that matters;
 * other operands (views, broadcasts, other dtypes, float16) are gathered once into a typed
 * array of the compute dtype, so every loop is a plain indexed loop.
 */
import { type DType, type TypedArray, float16, int64 } from '../../dtype.js';
import { QTorchShapeError, QTorchTypeError, QTorchValueError, fmtShape } from '../../errors.js';
import { floatToHalfBits, halfBitsToFloat } from '../../half.js';
import { assertNotQuantized } from '../../quantized/checks.js';
import { broadcastShapes, broadcastStrides, shapeNumel, shapesEqual } from '../../shape.js';
import { gatherStrided } from '../../strided.js';
import { Tensor, type TensorLike } from '../../tensor.js';
import { assertTensor } from '../../args.js';
import { writeValues } from '../../nn/float_io.js';
import { canCast, castScalar } from './promote.js';

/** One operand ready for a loop: a scalar, or one value per output element. */
export type Source = number | TypedArray;

/** A per-element formula over compute-dtype values. */
export type KernelFn = (...values: number[]) => number;

/** What an op runs: its formula, and optionally a tight loop for the common cases. */
export interface Kernel {
  f: KernelFn;
  /** Fills `out` and returns true, or returns false to use the generic loop over `f`. */
  loop?: (out: TypedArray, sources: readonly Source[], n: number) => boolean;
}

/** Throws a type error for an operand that is neither a tensor nor a number (plain-JS callers). */
export function checkOperands(op: string, operands: readonly unknown[]): void {
  for (const [i, x] of operands.entries()) if (typeof x !== 'number') assertTensor(x, op, `operand ${i} (a Tensor or a number)`);
}

/** Throws the "quantized tensor into a float kernel" error (PyTorch's Common errors), with an optional hint. */
export function rejectQuantized(op: string, operands: readonly unknown[], hint?: string): void {
  for (const x of operands) {
    if (!(x instanceof Tensor) || !x.isQuantized) continue;
    if (hint) {
      throw new QTorchTypeError(`${op}(): expected a non-quantized tensor, got ${x.dtype.torchName}. Call dequantize() first (or use DeQuantStub); ${hint}`);
    }
    assertNotQuantized(x, op);
  }
}

/** The broadcast shape of all tensor operands (scalars are 0-d). */
export function broadcastAll(op: string, operands: readonly TensorLike[]): number[] {
  let shape: number[] = [];
  for (const x of operands) if (x instanceof Tensor) shape = broadcastShapes(shape, x.shape, op);
  return shape;
}

/** Array type holding computed values of `dtype` (float16 computes in float32 and rounds on write). */
export function computeArray(dtype: DType, n: number): TypedArray {
  return dtype === float16 ? new Float32Array(n) : new dtype.ArrayType(n);
}

/** Wraps computed values as a contiguous tensor of `dtype`. */
export function wrapOut(values: TypedArray, shape: readonly number[], dtype: DType): Tensor {
  if (dtype === float16) return new Tensor(Uint16Array.from(values, floatToHalfBits), float16, shape);
  return new Tensor(values, dtype, shape);
}

/** Reads `x` broadcast to `shape` as a flat array of `dtype` values (or a scalar if it has one element). */
function toSource(x: TensorLike, shape: readonly number[], n: number, dtype: DType, dest: Tensor | undefined): Source {
  if (typeof x === 'number') return castScalar(x, dtype);
  if (x.numel() === 1) return castScalar(x.values()[0]!, dtype);
  // a shifted view of the storage we are writing to must be read before it is overwritten
  const aliased = dest !== undefined && x.storage === dest.storage && x.offset !== dest.offset;
  if (x.dtype === dtype && dtype !== float16 && !aliased && shapesEqual(x.shape, shape) && x.isContiguous()) {
    return x.rawValues();
  }
  const strides = broadcastStrides(x.shape, x.strides, shape, 'broadcast');
  if (x.dtype === float16) {
    const bits = new Uint16Array(n);
    gatherStrided(x.data, shape, strides, x.offset, bits);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = halfBitsToFloat(bits[i]!);
    return out;
  }
  const out = computeArray(dtype, n);
  gatherStrided(x.data, shape, strides, x.offset, out);
  if (dtype === float16) for (let i = 0; i < n; i++) out[i] = castScalar(out[i]!, float16);
  return out;
}

// The generic loops see only Float64Array: a loop shared by every op and dtype would otherwise
// go megamorphic on its element loads and stores (several times slower than the copies).
type F64Source = number | Float64Array;

function run1(out: Float64Array, a: F64Source, f: KernelFn, n: number): void {
  if (typeof a === 'number') out.fill(f(a));
  else for (let i = 0; i < n; i++) out[i] = f(a[i]!);
}

function run2(out: Float64Array, a: F64Source, b: F64Source, f: KernelFn, n: number): void {
  if (typeof a === 'number') {
    if (typeof b === 'number') out.fill(f(a, b));
    else for (let i = 0; i < n; i++) out[i] = f(a, b[i]!);
  } else if (typeof b === 'number') {
    for (let i = 0; i < n; i++) out[i] = f(a[i]!, b);
  } else {
    for (let i = 0; i < n; i++) out[i] = f(a[i]!, b[i]!);
  }
}

function run3(out: Float64Array, sources: readonly F64Source[], f: KernelFn, n: number): void {
  if (sources.every((s) => typeof s === 'number')) { out.fill(f(...(sources as number[]))); return; }
  // ternary ops are rarer: spread scalars into arrays and keep one loop
  const [a, b, c] = sources.map((s) => (typeof s === 'number' ? new Float64Array(n).fill(s) : s)) as [Float64Array, Float64Array, Float64Array];
  for (let i = 0; i < n; i++) out[i] = f(a[i]!, b[i]!, c[i]!);
}

/** Runs `f` over the sources through float64 buffers, then stores into `out` (the store converts: rounds / wraps). */
function runGeneric(op: string, out: TypedArray, sources: readonly Source[], f: KernelFn, n: number): void {
  const src = sources.map((s) => (typeof s === 'number' || s instanceof Float64Array ? s : new Float64Array(s)));
  const buf = out instanceof Float64Array ? out : new Float64Array(n);
  if (src.length === 1) run1(buf, src[0]!, f, n);
  else if (src.length === 2) run2(buf, src[0]!, src[1]!, f, n);
  else if (src.length === 3) run3(buf, src, f, n);
  else throw new QTorchValueError(`${op}(): elementwise ops take at most 3 operands`);
  if (buf !== out) out.set(buf);
}

/**
 * Checks that an in-place op may write a result of `shape` and dtype `resultDtype` into `dest`:
 * no broadcasting of the destination, a castable dtype, and no element stored twice.
 */
export function checkInplaceTarget(op: string, dest: Tensor, shape: readonly number[], resultDtype: DType): void {
  if (!shapesEqual(shape, dest.shape)) {
    throw new QTorchShapeError(`${op}(): output with shape ${fmtShape(dest.shape)} doesn't match the broadcast shape ${fmtShape(shape)}`);
  }
  if (!canCast(resultDtype, dest.dtype)) {
    throw new QTorchTypeError(`${op}(): result type ${resultDtype.torchName} can't be cast to the desired output type ${dest.dtype.torchName}`);
  }
  if (dest.shape.some((s, d) => s > 1 && dest.strides[d] === 0)) {
    throw new QTorchValueError(
      `${op}(): unsupported operation: more than one element of the written-to tensor (shape ${fmtShape(dest.shape)}, strides ${fmtShape(dest.strides)}) refers to a single memory location. Please clone() the tensor before performing the operation.`,
    );
  }
}

/** How an elementwise op runs: compute dtype of the inputs, dtype of the result. */
export interface Dtypes {
  compute: DType;
  out: DType;
}

/**
 * Runs `kernel` over broadcast `operands` (no autograd). With `dest`, writes into it in place
 * (after `checkInplaceTarget`) and returns it; otherwise returns a new contiguous tensor.
 */
export function runElementwise(op: string, operands: readonly TensorLike[], dt: Dtypes, kernel: Kernel, dest?: Tensor): Tensor {
  checkOperands(op, operands);
  rejectQuantized(op, operands);
  const shape = broadcastAll(op, operands);
  if (dest) checkInplaceTarget(op, dest, shape, dt.out);
  const n = shapeNumel(shape);
  const direct = dest !== undefined && dest.dtype !== float16 && dest.isContiguous();
  const out = direct ? dest.rawValues() : computeArray(dest ? dest.dtype : dt.out, n);
  const sources = operands.map((x) => toSource(x, shape, n, dt.compute, dest));
  if (n > 0 && !(kernel.loop && kernel.loop(out, sources, n))) runGeneric(op, out, sources, kernel.f, n);
  // int64 lives in float64 storage, where 0 * -1 or trunc(-0.5) would leave a -0
  if ((dest ? dest.dtype : dt.out) === int64) for (let i = 0; i < n; i++) out[i]! += 0;
  if (!dest) return wrapOut(out, shape, dt.out);
  if (!direct) writeValues(dest, out);
  return dest;
}
