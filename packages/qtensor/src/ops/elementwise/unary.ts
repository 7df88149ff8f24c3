/**
 * Unary math (torch.neg, abs, exp, expm1, log, log1p, log2, sqrt, rsqrt, reciprocal, sin, cos,
 * sign, round, floor, ceil, trunc, frac, square) with autograd and in-place forms.
 * `sigmoid` / `tanh` live with the activations in nn/activation.ts.
 *
 * Float ops (exp, log, sqrt, ...) turn integer inputs into float32; rounding ops are the
 * identity on integers; `round` rounds half to even like PyTorch (`nearbyint`).
 */
import { type DType, bool, int64 } from '../../dtype.js';
import { QTorchTypeError } from '../../errors.js';
import { Tensor } from '../../tensor.js';
import { add, div, mul, pow, stepRounding } from './arith.js';
import { type DtypeRule, type UnaryDef, floatResult, noBool, sameDtype, unaryInplace, unaryOp, zerosGrad } from './defs.js';
import type { KernelFn } from './engine.js';
import { intMul, roundDecimals, roundHalfEven, signScalar } from './scalar.js';
import { checkOptions } from '../../args.js';

type Grad = UnaryDef['grad'];

function def(name: string, node: string, dtypes: DtypeRule, kernel: (c: DType) => KernelFn, grad?: Grad): UnaryDef {
  return { name, node, dtypes, kernel, grad };
}
/** A float op with one formula for every float dtype. */
const floatDef = (name: string, node: string, f: KernelFn, grad: Grad): UnaryDef => def(name, node, floatResult, () => f, grad);
/** A rounding op: identity on integers, zero gradient. */
const roundingDef = (name: string, node: string, f: KernelFn): UnaryDef =>
  def(name, node, sameDtype, (c) => (c.isFloatingPoint ? f : (x) => x), () => zerosGrad);

const floatOnly: DtypeRule = (c, op) => {
  if (!c.isFloatingPoint) throw new QTorchTypeError(`${op}(): "${op}" is not implemented for ${c.torchName} tensors (floating point only)`);
  return sameDtype(c, op);
};

const defs = {
  neg: def('neg', 'Neg', noBool(sameDtype, 'Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logicalNot()` operator instead.'),
    (c) => (c.isFloatingPoint ? (x) => -x : (x) => 0 - x), () => (g) => neg(g)),
  abs: def('abs', 'Abs', sameDtype, () => Math.abs, (x) => (g) => mul(g, sign(x))),
  exp: floatDef('exp', 'Exp', Math.exp, (_x, out) => (g) => mul(g, out)),
  expm1: floatDef('expm1', 'Expm1', Math.expm1, (_x, out) => (g) => mul(g, add(out, 1))),
  log: floatDef('log', 'Log', Math.log, (x) => (g) => div(g, x)),
  log1p: floatDef('log1p', 'Log1p', Math.log1p, (x) => (g) => div(g, add(x, 1))),
  log2: floatDef('log2', 'Log2', Math.log2, (x) => (g) => div(g, mul(x, Math.LN2))),
  sqrt: floatDef('sqrt', 'Sqrt', Math.sqrt, (_x, out) => (g) => div(g, mul(out, 2))),
  rsqrt: floatDef('rsqrt', 'Rsqrt', (x) => 1 / Math.sqrt(x), (_x, out) => (g) => mul(g, mul(pow(out, 3), -0.5))),
  reciprocal: floatDef('reciprocal', 'Reciprocal', (x) => 1 / x, (_x, out) => (g) => neg(mul(g, mul(out, out)))),
  sin: floatDef('sin', 'Sin', Math.sin, (x) => (g) => mul(g, cos(x))),
  cos: floatDef('cos', 'Cos', Math.cos, (x) => (g) => neg(mul(g, sin(x)))),
  sign: def('sign', 'Sign', sameDtype, () => signScalar, () => zerosGrad),
  floor: roundingDef('floor', 'Floor', Math.floor),
  ceil: roundingDef('ceil', 'Ceil', Math.ceil),
  trunc: roundingDef('trunc', 'Trunc', Math.trunc),
  frac: def('frac', 'Frac', floatOnly, () => (x) => x - Math.trunc(x), () => (g) => g),
  // PyTorch's square is pow(x, 2): bool squares to int64
  square: def('square', 'Pow', (c, op) => sameDtype(c === bool ? int64 : c, op),
    (c) => {
      if (c.isFloatingPoint) return (x) => x * x;
      const m = intMul(c);
      return (x) => m(x, x);
    }, (x) => (g) => mul(g, mul(x, 2))),
} satisfies Record<string, UnaryDef>;

/** -x. */
export const neg = (x: Tensor): Tensor => unaryOp(defs.neg, x);
/** In-place `neg`. */
export const neg_ = (x: Tensor): Tensor => unaryInplace(defs.neg, x);
/** |x| (integer minimum wraps, as in C). */
export const abs = (x: Tensor): Tensor => unaryOp(defs.abs, x);
/** In-place `abs`. */
export const abs_ = (x: Tensor): Tensor => unaryInplace(defs.abs, x);
/** e^x. */
export const exp = (x: Tensor): Tensor => unaryOp(defs.exp, x);
/** In-place `exp`. */
export const exp_ = (x: Tensor): Tensor => unaryInplace(defs.exp, x);
/** e^x - 1, accurate near 0. */
export const expm1 = (x: Tensor): Tensor => unaryOp(defs.expm1, x);
/** In-place `expm1`. */
export const expm1_ = (x: Tensor): Tensor => unaryInplace(defs.expm1, x);
/** Natural logarithm. */
export const log = (x: Tensor): Tensor => unaryOp(defs.log, x);
/** In-place `log`. */
export const log_ = (x: Tensor): Tensor => unaryInplace(defs.log, x);
/** log(1 + x), accurate near 0. */
export const log1p = (x: Tensor): Tensor => unaryOp(defs.log1p, x);
/** In-place `log1p`. */
export const log1p_ = (x: Tensor): Tensor => unaryInplace(defs.log1p, x);
/** Base-2 logarithm. */
export const log2 = (x: Tensor): Tensor => unaryOp(defs.log2, x);
/** In-place `log2`. */
export const log2_ = (x: Tensor): Tensor => unaryInplace(defs.log2, x);
/** Square root (NaN below 0). */
export const sqrt = (x: Tensor): Tensor => unaryOp(defs.sqrt, x);
/** In-place `sqrt`. */
export const sqrt_ = (x: Tensor): Tensor => unaryInplace(defs.sqrt, x);
/** 1 / sqrt(x). */
export const rsqrt = (x: Tensor): Tensor => unaryOp(defs.rsqrt, x);
/** In-place `rsqrt`. */
export const rsqrt_ = (x: Tensor): Tensor => unaryInplace(defs.rsqrt, x);
/** 1 / x (integers give float32). */
export const reciprocal = (x: Tensor): Tensor => unaryOp(defs.reciprocal, x);
/** In-place `reciprocal`. */
export const reciprocal_ = (x: Tensor): Tensor => unaryInplace(defs.reciprocal, x);
/** Sine. */
export const sin = (x: Tensor): Tensor => unaryOp(defs.sin, x);
/** In-place `sin`. */
export const sin_ = (x: Tensor): Tensor => unaryInplace(defs.sin, x);
/** Cosine. */
export const cos = (x: Tensor): Tensor => unaryOp(defs.cos, x);
/** In-place `cos`. */
export const cos_ = (x: Tensor): Tensor => unaryInplace(defs.cos, x);
/** -1, 0 or 1 (0 for NaN, as PyTorch). */
export const sign = (x: Tensor): Tensor => unaryOp(defs.sign, x);
/** In-place `sign`. */
export const sign_ = (x: Tensor): Tensor => unaryInplace(defs.sign, x);
/** Round toward -inf. */
export const floor = (x: Tensor): Tensor => unaryOp(defs.floor, x);
/** In-place `floor`. */
export const floor_ = (x: Tensor): Tensor => unaryInplace(defs.floor, x);
/** Round toward +inf. */
export const ceil = (x: Tensor): Tensor => unaryOp(defs.ceil, x);
/** In-place `ceil`. */
export const ceil_ = (x: Tensor): Tensor => unaryInplace(defs.ceil, x);
/** Round toward zero. */
export const trunc = (x: Tensor): Tensor => unaryOp(defs.trunc, x);
/** In-place `trunc`. */
export const trunc_ = (x: Tensor): Tensor => unaryInplace(defs.trunc, x);
/** x - trunc(x) (floating point only). */
export const frac = (x: Tensor): Tensor => unaryOp(defs.frac, x);
/** In-place `frac`. */
export const frac_ = (x: Tensor): Tensor => unaryInplace(defs.frac, x);
/** x * x (bool gives int64). */
export const square = (x: Tensor): Tensor => unaryOp(defs.square, x);
/** In-place `square`. */
export const square_ = (x: Tensor): Tensor => unaryInplace(defs.square, x);

/** Options of `round`. */
export interface RoundOptions {
  /** Decimal places to keep (negative: round to tens, hundreds, ...); default 0. */
  decimals?: number;
}
function roundDef(decimals: number): UnaryDef {
  if (!Number.isInteger(decimals)) throw new QTorchTypeError(`round(): decimals must be an integer, got ${decimals}`);
  if (decimals === 0) return roundingDef('round', 'Round', roundHalfEven);
  const rule: DtypeRule = (c, op) => {
    if (!c.isFloatingPoint) throw new QTorchTypeError(`${op}(): "round_decimals" is not implemented for ${c.torchName} tensors`);
    return sameDtype(c, op);
  };
  return def('round', 'Round', rule, (c) => {
    const fr = stepRounding(c);
    return (x) => roundDecimals(x, decimals, fr);
  }, () => zerosGrad);
}
/** Round half to even (PyTorch's `round`), optionally to `decimals` places. */
export const round = (x: Tensor, opts: RoundOptions = {}): Tensor => unaryOp(roundDef(checkOptions(opts, 'round').decimals ?? 0), x);
/** In-place `round`. */
export const round_ = (x: Tensor, opts: RoundOptions = {}): Tensor => unaryInplace(roundDef(checkOptions(opts, 'round_').decimals ?? 0), x);

declare module '../../tensor.js' {
  interface Tensor {
    /** See `neg`. */ neg(): Tensor;
    /** See `neg_`. */ neg_(): Tensor;
    /** See `abs`. */ abs(): Tensor;
    /** See `abs_`. */ abs_(): Tensor;
    /** See `exp`. */ exp(): Tensor;
    /** See `exp_`. */ exp_(): Tensor;
    /** See `expm1`. */ expm1(): Tensor;
    /** See `expm1_`. */ expm1_(): Tensor;
    /** See `log`. */ log(): Tensor;
    /** See `log_`. */ log_(): Tensor;
    /** See `log1p`. */ log1p(): Tensor;
    /** See `log1p_`. */ log1p_(): Tensor;
    /** See `log2`. */ log2(): Tensor;
    /** See `log2_`. */ log2_(): Tensor;
    /** See `sqrt`. */ sqrt(): Tensor;
    /** See `sqrt_`. */ sqrt_(): Tensor;
    /** See `rsqrt`. */ rsqrt(): Tensor;
    /** See `rsqrt_`. */ rsqrt_(): Tensor;
    /** See `reciprocal`. */ reciprocal(): Tensor;
    /** See `reciprocal_`. */ reciprocal_(): Tensor;
    /** See `sin`. */ sin(): Tensor;
    /** See `sin_`. */ sin_(): Tensor;
    /** See `cos`. */ cos(): Tensor;
    /** See `cos_`. */ cos_(): Tensor;
    /** See `sign`. */ sign(): Tensor;
    /** See `sign_`. */ sign_(): Tensor;
    /** See `floor`. */ floor(): Tensor;
    /** See `floor_`. */ floor_(): Tensor;
    /** See `ceil`. */ ceil(): Tensor;
    /** See `ceil_`. */ ceil_(): Tensor;
    /** See `trunc`. */ trunc(): Tensor;
    /** See `trunc_`. */ trunc_(): Tensor;
    /** See `frac`. */ frac(): Tensor;
    /** See `frac_`. */ frac_(): Tensor;
    /** See `square`. */ square(): Tensor;
    /** See `square_`. */ square_(): Tensor;
    /** See `round`. */ round(opts?: RoundOptions): Tensor;
    /** See `round_`. */ round_(opts?: RoundOptions): Tensor;
  }
}

const P = Tensor.prototype;
P.neg = function () { return neg(this); };
P.neg_ = function () { return neg_(this); };
P.abs = function () { return abs(this); };
P.abs_ = function () { return abs_(this); };
P.exp = function () { return exp(this); };
P.exp_ = function () { return exp_(this); };
P.expm1 = function () { return expm1(this); };
P.expm1_ = function () { return expm1_(this); };
P.log = function () { return log(this); };
P.log_ = function () { return log_(this); };
P.log1p = function () { return log1p(this); };
P.log1p_ = function () { return log1p_(this); };
P.log2 = function () { return log2(this); };
P.log2_ = function () { return log2_(this); };
P.sqrt = function () { return sqrt(this); };
P.sqrt_ = function () { return sqrt_(this); };
P.rsqrt = function () { return rsqrt(this); };
P.rsqrt_ = function () { return rsqrt_(this); };
P.reciprocal = function () { return reciprocal(this); };
P.reciprocal_ = function () { return reciprocal_(this); };
P.sin = function () { return sin(this); };
P.sin_ = function () { return sin_(this); };
P.cos = function () { return cos(this); };
P.cos_ = function () { return cos_(this); };
P.sign = function () { return sign(this); };
P.sign_ = function () { return sign_(this); };
P.floor = function () { return floor(this); };
P.floor_ = function () { return floor_(this); };
P.ceil = function () { return ceil(this); };
P.ceil_ = function () { return ceil_(this); };
P.trunc = function () { return trunc(this); };
P.trunc_ = function () { return trunc_(this); };
P.frac = function () { return frac(this); };
P.frac_ = function () { return frac_(this); };
P.square = function () { return square(this); };
P.square_ = function () { return square_(this); };
P.round = function (opts) { return round(this, opts); };
P.round_ = function (opts) { return round_(this, opts); };
