/** Shape and stride arithmetic shared by every op. */
import { QTorchShapeError, QTorchTypeError, QTorchValueError, fmtShape } from './errors.js';

/** Number of elements of a shape (1 for a 0-d shape). */
export function shapeNumel(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** Row-major (C-contiguous) strides of a shape. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= Math.max(shape[i]!, 1);
  }
  return strides;
}

/** Wraps a possibly negative dim into [0, ndim). `ndim` 0 accepts dims -1 and 0 as PyTorch does. */
export function normalizeDim(dim: number, ndim: number, op = 'dim'): number {
  const n = Math.max(ndim, 1);
  if (!Number.isInteger(dim) || dim < -n || dim >= n) {
    throw new QTorchValueError(
      `${op}(): Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`,
    );
  }
  return dim < 0 ? dim + n : dim;
}

/** Checks a user-given shape: non-negative integers, element count representable. */
export function checkShape(shape: readonly number[], op: string): void {
  if (!Array.isArray(shape)) throw new QTorchTypeError(`${op}(): expected a shape (an array of sizes), got ${shape === null ? 'null' : typeof shape}`);
  for (const s of shape) {
    if (!Number.isInteger(s) || s < 0) {
      throw new QTorchValueError(`${op}(): invalid shape ${fmtShape(shape)}: sizes must be non-negative integers`);
    }
  }
  checkNumel(shape, op);
}

/**
 * Throws unless a tensor of `shape` could be materialized: at most 2^32 elements, the most a
 * typed array holds. Views (expand, as_strided) and broadcast results are checked too, so an
 * op never dies later with V8's bare "Invalid typed array length".
 */
export function checkNumel(shape: readonly number[], op: string): void {
  const n = shapeNumel(shape);
  if (n > 2 ** 32) {
    throw new QTorchValueError(`${op}(): shape ${fmtShape(shape)} has ${n} elements, more than the 2^32 a typed array can hold`);
  }
}

/** NumPy/PyTorch broadcasting of two shapes. */
export function broadcastShapes(a: readonly number[], b: readonly number[], op = 'broadcast'): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new QTorchShapeError(
        `${op}(): The size of tensor a (${da}) must match the size of tensor b (${db}) at non-singleton dimension ${i}; shapes ${fmtShape(a)} and ${fmtShape(b)}`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  checkNumel(out, op);
  return out;
}

/** Strides that view a tensor of `shape`/`strides` as `target` by broadcasting (stride 0 on expanded dims). */
export function broadcastStrides(
  shape: readonly number[], strides: readonly number[], target: readonly number[], op = 'expand',
): number[] {
  const out = new Array<number>(target.length).fill(0);
  const off = target.length - shape.length;
  if (off < 0) throw new QTorchShapeError(`${op}(): cannot broadcast ${fmtShape(shape)} to ${fmtShape(target)}`);
  for (let i = 0; i < shape.length; i++) {
    const s = shape[i]!, t = target[i + off]!;
    if (s === t) out[i + off] = strides[i]!;
    else if (s === 1) out[i + off] = 0;
    else throw new QTorchShapeError(`${op}(): the expanded size of the tensor (${t}) must match the existing size (${s}) at non-singleton dimension ${i + off}.  Target sizes: ${fmtShape(target)}.  Tensor sizes: ${fmtShape(shape)}`);
  }
  return out;
}

/** Whether two shapes have the same sizes in the same order. */
export function shapesEqual(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Resolves a single `-1` in a requested shape against a known element count. */
export function inferShape(shape: readonly number[], numel: number, op = 'view'): number[] {
  const out = [...shape];
  let infer = -1, known = 1;
  for (let i = 0; i < out.length; i++) {
    const s = out[i]!;
    if (s === -1) {
      if (infer >= 0) throw new QTorchShapeError(`${op}(): only one dimension can be inferred`);
      infer = i;
    } else if (!Number.isInteger(s) || s < 0) {
      throw new QTorchShapeError(`${op}(): invalid shape dimension ${s}`);
    } else known *= s;
  }
  if (infer >= 0) {
    if (known === 0 || numel % known !== 0) {
      throw new QTorchShapeError(`${op}(): shape '${fmtShape(shape)}' is invalid for input of size ${numel}`);
    }
    out[infer] = numel / known;
  } else if (known !== numel) {
    throw new QTorchShapeError(`${op}(): shape '${fmtShape(shape)}' is invalid for input of size ${numel}`);
  }
  return out;
}
