/**
 * Comparisons and logical ops (torch.eq/ne/lt/le/gt/ge, logical_and/or/xor/not, isnan,
 * isfinite, isclose) returning bool tensors, and the boolean `equal` / `allclose`.
 *
 * Comparisons compute in the promoted dtype (so `float32Tensor.eq(0.1)` compares against
 * float32(0.1), as PyTorch does). Quantized operands are dequantized first, as PyTorch's
 * quantized comparison kernels do; `equal` on quantized tensors compares integers and qparams.
 */
import { bool } from '../../dtype.js';
import { QTorchTypeError, QTorchValueError } from '../../errors.js';
import { dequantize } from '../../quantized/quantize.js';
import { qEqual } from '../../quantized/tensor_ops.js';
import { shapesEqual } from '../../shape.js';
import { Tensor, type TensorLike } from '../../tensor.js';
import { type BinaryDef, type UnaryDef, binaryInplace, binaryOp, boolResult, formula, unaryInplace, unaryOp } from './defs.js';
import { checkOperands, rejectQuantized } from './engine.js';
import { assertTensor, checkOptions } from '../../args.js';

const truth = (v: boolean): number => (v ? 1 : 0);

function compareDef(name: string, f: (x: number, y: number) => boolean): BinaryDef {
  return { name, node: name, dtypes: boolResult, kernel: () => formula((x, y) => truth(f(x, y))) };
}
const dq = (x: TensorLike): TensorLike => (x instanceof Tensor && x.isQuantized ? dequantize(x) : x);

const eqDef = compareDef('eq', (x, y) => x === y);
const neDef = compareDef('ne', (x, y) => x !== y);
const ltDef = compareDef('lt', (x, y) => x < y);
const leDef = compareDef('le', (x, y) => x <= y);
const gtDef = compareDef('gt', (x, y) => x > y);
const geDef = compareDef('ge', (x, y) => x >= y);

/** input == other, elementwise (bool). */
export const eq = (input: TensorLike, other: TensorLike): Tensor => binaryOp(eqDef, dq(input), dq(other));
/** input != other (NaN != NaN is true). */
export const ne = (input: TensorLike, other: TensorLike): Tensor => binaryOp(neDef, dq(input), dq(other));
/** input < other. */
export const lt = (input: TensorLike, other: TensorLike): Tensor => binaryOp(ltDef, dq(input), dq(other));
/** input <= other. */
export const le = (input: TensorLike, other: TensorLike): Tensor => binaryOp(leDef, dq(input), dq(other));
/** input > other. */
export const gt = (input: TensorLike, other: TensorLike): Tensor => binaryOp(gtDef, dq(input), dq(other));
/** input >= other. */
export const ge = (input: TensorLike, other: TensorLike): Tensor => binaryOp(geDef, dq(input), dq(other));
/** In-place `eq`: writes 1/0 in x's dtype. */
export const eq_ = (x: Tensor, other: TensorLike): Tensor => binaryInplace(eqDef, x, other);
/** In-place `ne`. */
export const ne_ = (x: Tensor, other: TensorLike): Tensor => binaryInplace(neDef, x, other);
/** In-place `lt`. */
export const lt_ = (x: Tensor, other: TensorLike): Tensor => binaryInplace(ltDef, x, other);
/** In-place `le`. */
export const le_ = (x: Tensor, other: TensorLike): Tensor => binaryInplace(leDef, x, other);
/** In-place `gt`. */
export const gt_ = (x: Tensor, other: TensorLike): Tensor => binaryInplace(gtDef, x, other);
/** In-place `ge`. */
export const ge_ = (x: Tensor, other: TensorLike): Tensor => binaryInplace(geDef, x, other);

// Logical ops test "nonzero" (NaN counts as true, as in C++), whatever the dtype.
const logicalAndDef = compareDef('logicalAnd', (x, y) => x !== 0 && y !== 0);
const logicalOrDef = compareDef('logicalOr', (x, y) => x !== 0 || y !== 0);
const logicalXorDef = compareDef('logicalXor', (x, y) => (x !== 0) !== (y !== 0));
/** Elementwise logical and of the truth values (bool). */
export const logicalAnd = (input: TensorLike, other: TensorLike): Tensor => binaryOp(logicalAndDef, input, other);
/** Elementwise logical or. */
export const logicalOr = (input: TensorLike, other: TensorLike): Tensor => binaryOp(logicalOrDef, input, other);
/** Elementwise logical xor. */
export const logicalXor = (input: TensorLike, other: TensorLike): Tensor => binaryOp(logicalXorDef, input, other);
/** In-place `logicalAnd` (1/0 in x's dtype). */
export const logicalAnd_ = (x: Tensor, other: TensorLike): Tensor => binaryInplace(logicalAndDef, x, other);
/** In-place `logicalOr`. */
export const logicalOr_ = (x: Tensor, other: TensorLike): Tensor => binaryInplace(logicalOrDef, x, other);
/** In-place `logicalXor`. */
export const logicalXor_ = (x: Tensor, other: TensorLike): Tensor => binaryInplace(logicalXorDef, x, other);

function predicateDef(name: string, f: (x: number) => boolean): UnaryDef {
  return { name, node: name, dtypes: (c) => ({ compute: c, out: bool }), kernel: () => (x) => truth(f(x)) };
}
const logicalNotDef = predicateDef('logicalNot', (x) => x === 0);
const isnanDef = predicateDef('isnan', (x) => x !== x);
const isfiniteDef = predicateDef('isfinite', Number.isFinite);
/** Elementwise logical not (bool). */
export const logicalNot = (x: Tensor): Tensor => unaryOp(logicalNotDef, x);
/** In-place `logicalNot`. */
export const logicalNot_ = (x: Tensor): Tensor => unaryInplace(logicalNotDef, x);
/** Which elements are NaN (all false for integer tensors). */
export const isnan = (x: Tensor): Tensor => unaryOp(isnanDef, x);
/** Which elements are finite (all true for integer tensors). */
export const isfinite = (x: Tensor): Tensor => unaryOp(isfiniteDef, x);

/**
 * Whether two tensors have the same shape and elements (PyTorch's `torch.equal`; NaN is never
 * equal). Both must have the same dtype. Quantized tensors compare integers and qparams.
 */
export function equal(input: Tensor, other: Tensor): boolean {
  assertTensor(input, 'equal');
  if (input.isQuantized) return qEqual(input, other);
  if (other.isQuantized) return false;
  if (input.dtype !== other.dtype) {
    throw new QTorchTypeError(`equal(): Expected object of scalar type ${input.dtype.torchName} but got scalar type ${other.dtype.torchName} for argument 'other'`);
  }
  if (!shapesEqual(input.shape, other.shape)) return false;
  const a = input.values(), b = other.values();
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Tolerances of `isclose` / `allclose`. */
export interface IscloseOptions {
  /** Relative tolerance (default 1e-5). */
  rtol?: number;
  /** Absolute tolerance (default 1e-8). */
  atol?: number;
  /** Treat two NaNs as close (default false). */
  equalNan?: boolean;
}

function iscloseDef(input: Tensor, other: Tensor, opts: IscloseOptions, op: string): BinaryDef {
  const { rtol = 1e-5, atol = 1e-8, equalNan = false } = opts;
  checkOperands(op, [input, other]);
  rejectQuantized(op, [input, other]);
  if (input.dtype !== other.dtype) throw new QTorchTypeError(`${op}(): ${input.dtype.torchName} did not match ${other.dtype.torchName}`);
  if (!(rtol >= 0)) throw new QTorchValueError(`${op}(): rtol must be greater than or equal to zero, but got ${rtol}`);
  if (!(atol >= 0)) throw new QTorchValueError(`${op}(): atol must be greater than or equal to zero, but got ${atol}`);
  // |x - y| <= atol + |rtol * y|, with exact equality (including infinities) always close
  const close = (x: number, y: number): boolean => {
    if (x === y || (equalNan && x !== x && y !== y)) return true;
    const err = Math.abs(x - y);
    return Number.isFinite(err) && err <= atol + Math.abs(rtol * y);
  };
  return compareDef(op, close);
}
/** Elementwise |input - other| <= atol + rtol * |other| (bool tensor, broadcasting). */
export function isclose(input: Tensor, other: Tensor, opts: IscloseOptions = {}): Tensor {
  checkOptions(opts, 'isclose');
  return binaryOp(iscloseDef(input, other, opts, 'isclose'), input, other);
}
/** Whether every element pair is `isclose`. */
export function allclose(input: Tensor, other: Tensor, opts: IscloseOptions = {}): boolean {
  checkOptions(opts, 'allclose');
  const close = binaryOp(iscloseDef(input, other, opts, 'allclose'), input, other).rawValues();
  return close.every((v) => v !== 0);
}

declare module '../../tensor.js' {
  interface Tensor {
    /** See `eq`. */
    eq(other: TensorLike): Tensor;
    /** See `ne`. */
    ne(other: TensorLike): Tensor;
    /** See `lt`. */
    lt(other: TensorLike): Tensor;
    /** See `le`. */
    le(other: TensorLike): Tensor;
    /** See `gt`. */
    gt(other: TensorLike): Tensor;
    /** See `ge`. */
    ge(other: TensorLike): Tensor;
    /** See `eq_`. */
    eq_(other: TensorLike): Tensor;
    /** See `ne_`. */
    ne_(other: TensorLike): Tensor;
    /** See `lt_`. */
    lt_(other: TensorLike): Tensor;
    /** See `le_`. */
    le_(other: TensorLike): Tensor;
    /** See `gt_`. */
    gt_(other: TensorLike): Tensor;
    /** See `ge_`. */
    ge_(other: TensorLike): Tensor;
    /** See `logicalAnd`. */
    logicalAnd(other: TensorLike): Tensor;
    /** See `logicalOr`. */
    logicalOr(other: TensorLike): Tensor;
    /** See `logicalXor`. */
    logicalXor(other: TensorLike): Tensor;
    /** See `logicalAnd_`. */
    logicalAnd_(other: TensorLike): Tensor;
    /** See `logicalOr_`. */
    logicalOr_(other: TensorLike): Tensor;
    /** See `logicalXor_`. */
    logicalXor_(other: TensorLike): Tensor;
    /** See `logicalNot`. */
    logicalNot(): Tensor;
    /** See `logicalNot_`. */
    logicalNot_(): Tensor;
    /** See `isnan`. */
    isnan(): Tensor;
    /** See `isfinite`. */
    isfinite(): Tensor;
    /** See `equal`. */
    equal(other: Tensor): boolean;
    /** See `isclose`. */
    isclose(other: Tensor, opts?: IscloseOptions): Tensor;
    /** See `allclose`. */
    allclose(other: Tensor, opts?: IscloseOptions): boolean;
  }
}

// Plain assignments: `equal` may be an accessor installed by quantized/dispatch.ts, whose
// setter records this float implementation behind its quantized dispatcher.
const P = Tensor.prototype;
P.eq = function (o) { return eq(this, o); };
P.ne = function (o) { return ne(this, o); };
P.lt = function (o) { return lt(this, o); };
P.le = function (o) { return le(this, o); };
P.gt = function (o) { return gt(this, o); };
P.ge = function (o) { return ge(this, o); };
P.eq_ = function (o) { return eq_(this, o); };
P.ne_ = function (o) { return ne_(this, o); };
P.lt_ = function (o) { return lt_(this, o); };
P.le_ = function (o) { return le_(this, o); };
P.gt_ = function (o) { return gt_(this, o); };
P.ge_ = function (o) { return ge_(this, o); };
P.logicalAnd = function (o) { return logicalAnd(this, o); };
P.logicalOr = function (o) { return logicalOr(this, o); };
P.logicalXor = function (o) { return logicalXor(this, o); };
P.logicalAnd_ = function (o) { return logicalAnd_(this, o); };
P.logicalOr_ = function (o) { return logicalOr_(this, o); };
P.logicalXor_ = function (o) { return logicalXor_(this, o); };
P.logicalNot = function () { return logicalNot(this); };
P.logicalNot_ = function () { return logicalNot_(this); };
P.isnan = function () { return isnan(this); };
P.isfinite = function () { return isfinite(this); };
P.equal = function (o) { return equal(this, o); };
P.isclose = function (o, opts) { return isclose(this, o, opts); };
P.allclose = function (o, opts) { return allclose(this, o, opts); };
