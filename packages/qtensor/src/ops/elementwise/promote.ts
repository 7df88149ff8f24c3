/**
 * PyTorch's type promotion for elementwise ops (`torch.result_type`, `torch.can_cast`) and the
 * conversion of JS scalars into a compute dtype.
 *
 * Operands fall into three priority groups: tensors with dims, 0-d tensors, and wrapped
 * scalars (JS numbers). A lower group only changes the result when its category
 * (bool < integer < floating) is higher, so `int8Tensor + 2` stays int8 while
 * `int8Tensor + 2.5` becomes float32. JS has one number type: an integer-valued number acts as
 * a Python int (int64), any other number as a Python float (the default dtype, float32).
 */
import { type DType, bool, float16, float32, float64, int64, promoteTypes } from '../../dtype.js';
import { QTorchTypeError } from '../../errors.js';
import { floatToHalfBits, halfBitsToFloat } from '../../half.js';
import { Tensor } from '../../tensor.js';

/** A JS scalar as an operand: booleans are Python bools, integers Python ints, others floats. */
export type Scalar = number | boolean;

/** The dtype PyTorch gives a wrapped Python scalar of this value. */
export function scalarDtype(v: Scalar): DType {
  if (typeof v === 'boolean') return bool;
  return Number.isInteger(v) ? int64 : float32;
}

function promoteSkip(a: DType | undefined, b: DType | undefined): DType | undefined {
  if (!a) return b;
  if (!b) return a;
  return promoteTypes(a, b);
}

/** ATen's combine_categories: the higher-priority group wins unless the lower one has a higher category. */
function combine(higher: DType | undefined, lower: DType | undefined): DType | undefined {
  if (higher?.isFloatingPoint) return higher;
  if (higher === bool || lower?.isFloatingPoint) return promoteSkip(higher, lower);
  return higher ?? lower;
}

/**
 * The dtype an elementwise op over these operands computes in (PyTorch's `torch.result_type`).
 *
 * @example
 * ```ts
 * resultType(tensor([1], { dtype: int8 }), tensor([1], { dtype: uint8 })); // int16
 * resultType(tensor([1], { dtype: int32 }), 2.5);                          // float32
 * ```
 */
export function resultType(...operands: ReadonlyArray<Tensor | Scalar>): DType {
  let dim: DType | undefined, zero: DType | undefined, wrapped: DType | undefined;
  for (const x of operands) {
    if (x instanceof Tensor) {
      if (x.isQuantized) {
        throw new QTorchTypeError(`resultType(): quantized tensors (${x.dtype.torchName}) do not take part in type promotion; dequantize() first`);
      }
      if (x.ndim > 0) dim = promoteSkip(dim, x.dtype);
      else zero = promoteSkip(zero, x.dtype);
    } else {
      wrapped = promoteSkip(wrapped, scalarDtype(x));
    }
  }
  const out = combine(dim, combine(zero, wrapped));
  if (!out) throw new QTorchTypeError('resultType(): expected at least one operand');
  return out;
}

/**
 * Whether a value of dtype `from` may be written into a tensor of dtype `to` by an in-place or
 * `out=` op (PyTorch's `torch.can_cast`): never floating into integer, never non-bool into bool.
 */
export function canCast(from: DType, to: DType): boolean {
  if (from.isFloatingPoint && !to.isFloatingPoint) return false;
  return !(from !== bool && to === bool);
}

/** The floating dtype a "float op" (exp, div, atan2, ...) computes in: ints and bool go to float32. */
export function floatDtype(d: DType): DType {
  return d.isFloatingPoint ? d : float32;
}

/** A JS number converted the way a C++ cast into `dtype` converts it (rounding, wrapping, truncation). */
export function castScalar(v: number, dtype: DType): number {
  if (dtype === float64) return v;
  if (dtype === float32) return Math.fround(v);
  if (dtype === float16) return halfBitsToFloat(floatToHalfBits(v));
  if (dtype === bool) return v !== 0 ? 1 : 0; // NaN is true, as in C++
  if (dtype === int64) return Number.isFinite(v) ? Math.trunc(v) : 0;
  const cell = new dtype.ArrayType(1);
  cell[0] = v; // typed-array stores truncate and wrap modulo 2^bits, like the C++ cast
  return cell[0]!;
}
