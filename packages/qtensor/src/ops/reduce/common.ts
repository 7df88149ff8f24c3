/**
 * Argument handling and output building shared by the reduction files: the `(dim, options)`
 * argument forms, dtype rules (integer sums become int64), result tensors and gradients.
 */
import { type DType, bool, int64 } from '../../dtype.js';
import { QTorchTypeError } from '../../errors.js';
import { storageFromNumbers } from '../../creation.js';
import { floatTensor, gradTensor } from '../../nn/float_io.js';
import { assertNotQuantized } from '../../quantized/checks.js';
import { Tensor } from '../../tensor.js';
import { type DimArg, type LanePlan, fromLanes } from './lanes.js';

/** `keepdim`: keep reduced dims as size 1 (default false). */
export interface KeepdimOptions {
  /** Keep the reduced dims as size 1 (default false). */
  keepdim?: boolean;
}

/** Options of reductions whose `dim` PyTorch defaults to "all dims". */
export interface ReduceOptions extends KeepdimOptions {
  /** Dims to reduce (default: all). */
  dim?: DimArg;
}

/** Options of reductions that take an output `dtype` (sum, mean, prod). */
export interface ReduceDtypeOptions extends ReduceOptions {
  /** Cast the input to this dtype before reducing (PyTorch's `dtype=`). */
  dtype?: DType;
}

/**
 * Splits the `(dimOrOptions, options)` pair every reduction accepts: `f(x)`, `f(x, 1)`,
 * `f(x, [0, 1], { keepdim })` and `f(x, { dim: 1, keepdim })` are all valid. A boolean is
 * read as `keepdim` (the positional form the quantized reductions use).
 */
export function dimAndOptions<O extends ReduceOptions>(dimOrOpts: DimArg | O | undefined, opts: O | boolean | undefined): { dim: DimArg; opts: O } {
  const o = (typeof opts === 'boolean' ? { keepdim: opts } : opts ?? {}) as O;
  if (dimOrOpts !== null && typeof dimOrOpts === 'object' && !Array.isArray(dimOrOpts)) {
    const first = dimOrOpts as O;
    return { dim: first.dim, opts: { ...first, ...o } };
  }
  return { dim: (dimOrOpts as DimArg) ?? o.dim, opts: o };
}

/** Refuses anything but a floating point tensor (PyTorch's "only floating point" reductions). */
export function floatingInput(x: Tensor, op: string): void {
  assertNotQuantized(x, op);
  if (!x.dtype.isFloatingPoint) {
    throw new QTorchTypeError(`${op}(): expected a floating point input (float16/float32/float64) but got ${x.dtype.torchName}`);
  }
}

/** Output dtype of sum/prod/cumsum/cumprod: the requested dtype, else int64 for bool and integer input. */
export function accumulateDtype(x: Tensor, requested: DType | undefined, op: string): DType {
  if (requested) {
    if (requested.isQuantized) throw new QTorchTypeError(`${op}(): dtype must be a float or integer type, got ${requested.torchName}; quantize the float result instead`);
    return requested;
  }
  return x.dtype.isFloatingPoint ? x.dtype : int64;
}

/**
 * A contiguous tensor of `dtype` holding `values` (rounded to float32/float16, or truncated to
 * integers, as the dtype stores them).
 */
export function makeResult(values: Float64Array, shape: readonly number[], dtype: DType): Tensor {
  if (dtype.isFloatingPoint) return floatTensor(values, shape, dtype);
  return new Tensor(storageFromNumbers(values, dtype), dtype, shape);
}

/** A bool tensor (or uint8, for all/any on uint8 input as PyTorch 1.13 does). */
export function makeBoolResult(values: Uint8Array, shape: readonly number[], dtype: DType = bool): Tensor {
  return new Tensor(values, dtype, shape);
}

/** An int64 index tensor. */
export function makeIndices(values: Float64Array, shape: readonly number[]): Tensor {
  return new Tensor(values, int64, shape);
}

/** Turns a lane-ordered gradient into `x`'s gradient tensor (float64 for float64 input, else float32). */
export function laneGrad(laneValues: Float64Array, x: Tensor, plan: LanePlan): Tensor {
  return gradTensor(fromLanes(laneValues, x.shape, plan), x);
}
