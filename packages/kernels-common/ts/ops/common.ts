/**
 * Shared plumbing of the native quantized ops: reading a per-tensor 8-bit input, wrapping
 * native results as qtensor tensors, uninitialized output buffers and the fallback to the
 * reference kernel for whatever the native code does not cover.
 */
import type { Bytes8, Engine, NativeBinding } from '../binding.js';
import type { QDType, QTensor, QtensorApi } from '../qtensor_api.js';

/** What every native op gets: the binding, its engine and qtensor. */
export interface OpContext {
  readonly binding: NativeBinding;
  readonly engine: Engine;
  readonly qt: QtensorApi;
}

/** A per-tensor quint8 / qint8 tensor, read once (ints row-major, a copy if it was strided). */
export interface Input8 {
  readonly ints: Bytes8;
  readonly scale: number;
  readonly zeroPoint: number;
}

const PER_TENSOR = new Set(['per_tensor_affine', 'per_tensor_symmetric']);

// Dtypes are compared by name, not identity: an ESM and a CJS copy of qtensor in one process
// have distinct dtype objects, and tensors of either may reach the native ops.
/** Whether `d` is quint8 or qint8. */
export const isQ8 = (d: QDType): boolean => d.name === 'quint8' || d.name === 'qint8';
/** Whether `d` is float32. */
export const isFloat32 = (d: QDType): boolean => d.name === 'float32';

/** `x` as a per-tensor 8-bit input, or null when the native code does not handle it (the reference then runs, and raises its own errors). */
export function readInput8(x: QTensor): Input8 | null {
  const q = x.quantizer;
  if (!q || !PER_TENSOR.has(q.qscheme) || q.scale === undefined || q.zeroPoint === undefined) return null;
  if (!isQ8(x.dtype)) return null;
  const ints = x.rawValues();
  if (!(ints instanceof Uint8Array) && !(ints instanceof Int8Array)) return null;
  return { ints, scale: q.scale, zeroPoint: q.zeroPoint };
}

/** A per-tensor quantized tensor over `data` (no copy). */
export function wrapQuantized(qt: QtensorApi, data: Bytes8, shape: readonly number[], dtype: QDType, scale: number, zeroPoint: number): QTensor {
  const y = qt.Tensor.fromTypedArray(data, shape, dtype);
  y.quantizer = { qscheme: 'per_tensor_affine', scale, zeroPoint };
  return y;
}

/**
 * QTORCH_POISON_OUTPUTS (set in the tests): new outputs, here and in the addon's N-API layer,
 * start as 0xA5 bytes, so an element a kernel leaves unwritten shows as garbage instead of as
 * the zero a fresh page happens to hold.
 */
const POISON_OUTPUTS = !['', '0', undefined].includes(process.env.QTORCH_POISON_OUTPUTS);

/**
 * An output buffer the native code overwrites entirely: uninitialized memory (no zero fill,
 * which would cost as much as the op itself on large tensors).
 */
export function allocOutput<T extends Bytes8 | Float32Array>(ctor: { new (b: ArrayBuffer, off: number, n: number): T; BYTES_PER_ELEMENT: number }, n: number): T {
  const buf = Buffer.allocUnsafeSlow(n * ctor.BYTES_PER_ELEMENT);
  if (POISON_OUTPUTS) buf.fill(0xa5);
  return new ctor(buf.buffer as ArrayBuffer, buf.byteOffset, n);
}

/**
 * quint8 qparams of a float input as `quantized::linear_dynamic` chooses them: its range from a
 * native scan (min and max with 0), then qtensor's `chooseQuantizationParams`, reduce_range
 * honoured by fbgemm only (qtensor's errors, for a non-finite range, included).
 */
export function dynamicQparams(ctx: OpContext, x: Float32Array, reduceRange: boolean): { scale: number; zeroPoint: number } {
  const [lo, hi] = ctx.binding.minMax(x);
  return ctx.qt.chooseQuantizationParams(lo, hi, 0, 255, { reduceRange: reduceRange && ctx.engine === 'fbgemm' });
}

/** An empty 8-bit output of `x`'s type. */
export function allocLike(ints: Bytes8, n: number): Bytes8 {
  return ints instanceof Int8Array ? allocOutput(Int8Array, n) : allocOutput(Uint8Array, n);
}

/** The reference kernel of `op` for `engine` (found lazily: the registry may be filled later). */
export function referenceKernel<F extends (...args: never[]) => unknown>(qt: QtensorApi, op: string, engine: Engine): F {
  const k = qt.listKernels().find((e) => e.op === op && e.engine === engine && e.source === 'reference');
  if (!k) throw new Error(`${op}: no reference kernel registered for engine '${engine}' to fall back to`);
  return k.impl as F;
}

/** A native kernel: `run` returns null for inputs it does not cover, and the reference serves those. */
export function withFallback<A extends unknown[]>(
  ctx: OpContext, op: string, run: (...args: A) => QTensor | null,
): (...args: A) => QTensor {
  let ref: ((...args: A) => QTensor) | null = null;
  return (...args: A) => {
    const y = run(...args);
    if (y) return y;
    ref ??= referenceKernel<(...a: A) => QTensor>(ctx.qt, op, ctx.engine);
    return ref(...args);
  };
}
