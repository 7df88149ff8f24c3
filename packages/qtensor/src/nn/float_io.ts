/**
 * Typed-array plumbing shared by the float nn ops (activations, softmax, norms, losses,
 * embeddings, dropout): input checks, the output dtype rule (float64 stays float64, other
 * floats compute in float32), output / gradient allocation and the outer x size x inner
 * layout of a reduction along one dim.
 */
import { type DType, float16, float32, float64, int32, int64 } from '../dtype.js';
import { QTorchTypeError, QTorchValueError } from '../errors.js';
import { floatToHalfBits } from '../half.js';
import { normalizeDim, shapeNumel } from '../shape.js';
import { scatterStrided } from '../strided.js';
import { Tensor } from '../tensor.js';
import { assertTensor } from '../args.js';

/** A float64 or float32 array, what the kernels compute into. */
export type FloatArray = Float32Array | Float64Array;

/** Throws unless `t` is a non-quantized floating point tensor. */
export function checkFloat(t: Tensor, op: string, arg = 'input'): void {
  assertTensor(t, op, arg);
  if (t.isQuantized) {
    throw new QTorchTypeError(
      `${op}(): expected a float ${arg} but got a quantized ${t.dtype.torchName} tensor; dequantize() it or use the quantized op`,
    );
  }
  if (!t.dtype.isFloatingPoint) {
    throw new QTorchTypeError(`${op}(): expected a floating point ${arg} (float32/float64) but got ${t.dtype.torchName}`);
  }
}

/** Throws unless `t` holds integer indices (int64 or int32), as embedding/nll targets need. */
export function checkIndexTensor(t: Tensor, op: string, arg: string, allowInt32 = true): void {
  if (t.dtype !== int64 && !(allowInt32 && t.dtype === int32)) {
    throw new QTorchTypeError(
      `${op}(): expected ${arg} of dtype torch.int64${allowInt32 ? ' or torch.int32' : ''} but got ${t.dtype.torchName}`,
    );
  }
}

/** Output dtype of a float op over these inputs: float64 if any is float64, else the float dtype of the first. */
export function resultDtype(...ts: Array<Tensor | null | undefined>): DType {
  const first = ts.find((t) => t)!;
  return ts.some((t) => t?.dtype === float64) ? float64 : first.dtype === float16 ? float16 : float32;
}

/** Allocates the compute array for a dtype (float16 computes in float32). */
export function allocFloat(n: number, dtype: DType): FloatArray {
  return dtype === float64 ? new Float64Array(n) : new Float32Array(n);
}

/** Wraps computed values as a contiguous tensor of `dtype` (float16 converted to half bits). */
export function floatTensor(values: FloatArray, shape: readonly number[], dtype: DType): Tensor {
  if (dtype === float16) return new Tensor(Uint16Array.from(values, floatToHalfBits), float16, shape);
  const data = dtype === float64 ? (values instanceof Float64Array ? values : Float64Array.from(values)) : (values instanceof Float32Array ? values : Float32Array.from(values));
  return new Tensor(data, dtype, shape);
}

/** A gradient for input `like`: float64 for float64 inputs, else float32 (autograd's accumulation types). */
export function gradTensor(values: FloatArray, like: Tensor): Tensor {
  return floatTensor(values, like.shape, like.dtype === float64 ? float64 : float32);
}

/** Allocates a gradient buffer for input `like`. */
export function allocGrad(like: Tensor): FloatArray {
  return like.dtype === float64 ? new Float64Array(like.numel()) : new Float32Array(like.numel());
}

/** Writes row-major values into `t` in place, converting to its storage representation. */
export function writeValues(t: Tensor, values: ArrayLike<number>): void {
  const vals = t.dtype === float16 ? Array.from(values, floatToHalfBits) : values;
  scatterStrided(vals, t.data, t.shape, t.strides, t.offset);
}

/** Validates a reduction mode name. */
export type Reduction = 'mean' | 'sum' | 'none';
export function checkReduction(reduction: string, op: string): asserts reduction is Reduction {
  if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none') {
    throw new QTorchValueError(`${op}(): ${reduction} is not a valid value for reduction (expected 'mean', 'sum' or 'none')`);
  }
}

/** Row-major layout of a tensor around one dim: element (o, k, i) sits at (o * size + k) * inner + i. */
export interface DimLayout {
  dim: number;
  outer: number;
  size: number;
  inner: number;
}

/** The outer/size/inner split of `shape` around `dim` (a 0-d shape is one element of size 1). */
export function dimLayout(shape: readonly number[], dim: number, op: string): DimLayout {
  const d = normalizeDim(dim, shape.length, op);
  if (shape.length === 0) return { dim: 0, outer: 1, size: 1, inner: 1 };
  return { dim: d, outer: shapeNumel(shape.slice(0, d)), size: shape[d]!, inner: shapeNumel(shape.slice(d + 1)) };
}
