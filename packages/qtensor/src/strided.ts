/** Walking strided storage in logical (row-major) order. Every op that accepts views uses these. */
import type { TypedArray } from './dtype.js';
import { shapeNumel } from './shape.js';

type Writable = { [i: number]: number; length: number };

/**
 * Copies the elements of a strided view into `dst` in row-major order.
 * The innermost dim is a tight loop; outer dims advance an odometer.
 */
export function gatherStrided(
  src: ArrayLike<number>, shape: readonly number[], strides: readonly number[], offset: number,
  dst: Writable, dstOffset = 0,
): void {
  const nd = shape.length;
  if (nd === 0) { dst[dstOffset] = src[offset]!; return; }
  const n = shapeNumel(shape);
  if (n === 0) return;
  const inner = shape[nd - 1]!, innerStride = strides[nd - 1]!;
  const idx = new Array<number>(nd).fill(0);
  let base = offset, o = dstOffset;
  for (let done = 0; done < n; done += inner) {
    for (let j = 0, p = base; j < inner; j++, p += innerStride) dst[o++] = src[p]!;
    // advance the odometer over the outer dims
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]!++;
      base += strides[d]!;
      if (idx[d]! < shape[d]!) break;
      base -= strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

/** Writes row-major `src` values into a strided view (the inverse of gatherStrided). */
export function scatterStrided(
  src: ArrayLike<number>, dst: Writable, shape: readonly number[], strides: readonly number[], offset: number,
): void {
  const nd = shape.length;
  if (nd === 0) { dst[offset] = src[0]!; return; }
  const n = shapeNumel(shape);
  if (n === 0) return;
  const inner = shape[nd - 1]!, innerStride = strides[nd - 1]!;
  const idx = new Array<number>(nd).fill(0);
  let base = offset, o = 0;
  for (let done = 0; done < n; done += inner) {
    for (let j = 0, p = base; j < inner; j++, p += innerStride) dst[p] = src[o++]!;
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]!++;
      base += strides[d]!;
      if (idx[d]! < shape[d]!) break;
      base -= strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

/** Storage offsets of every logical element, row-major (for ops that need random access). */
export function stridedOffsets(shape: readonly number[], strides: readonly number[], offset: number): Int32Array | Float64Array {
  const n = shapeNumel(shape);
  const out = n < 2 ** 31 ? new Int32Array(n) : new Float64Array(n);
  const nd = shape.length;
  if (nd === 0) { out[0] = offset; return out; }
  if (n === 0) return out;
  const idx = new Array<number>(nd).fill(0);
  let base = offset;
  const inner = shape[nd - 1]!, innerStride = strides[nd - 1]!;
  for (let o = 0; o < n; ) {
    for (let j = 0, p = base; j < inner; j++, p += innerStride) out[o++] = p;
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]!++;
      base += strides[d]!;
      if (idx[d]! < shape[d]!) break;
      base -= strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
  return out;
}

/** Allocates a typed array like `like` (same class) of length n. */
export function allocLike(like: TypedArray, n: number): TypedArray {
  const C = like.constructor as new (n: number) => TypedArray;
  return new C(n);
}
