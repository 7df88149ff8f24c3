/**
 * Binary arithmetic (torch.add, sub, mul, div, floor_divide, remainder, fmod, pow, maximum,
 * minimum, atan2) with broadcasting, type promotion, autograd and in-place forms.
 * Integer kernels wrap like C integer arithmetic; integer division by zero throws as in PyTorch.
 */
import { type DType, bool, float64 } from '../../dtype.js';
import { QTorchTypeError, QTorchValueError } from '../../errors.js';
import { Tensor, type TensorLike } from '../../tensor.js';
import { eq, ge, gt, logicalAnd, lt } from './compare.js';
import {
  type BinaryDef, type DtypeRule, binaryInplace, binaryOp, floatResult, formula, noBool, sameDtype, zerosGrad,
} from './defs.js';
import { axpyLoop, divLoop, mulLoop } from './fast_loops.js';
import { log, neg } from './unary.js';
import { where } from './ternary.js';
import {
  floorDivScalar, intFloorDiv, intModulo, intMul, intPow, intTruncDiv, maxScalar, minScalar, powScalar, remainderScalar,
} from './scalar.js';
import { checkOptions } from '../../args.js';

/** The rounding of each float step: float32 / float16 compute in float, float64 in double. */
export const stepRounding = (c: DType): ((v: number) => number) => (c === float64 ? (v) => v : Math.fround);

/** Where quantized add/mul live (PyTorch's FloatFunctional -> QFunctional pattern). */
const QUANTIZED_HINT = 'for quantized add/mul use quantizedAdd() / quantizedMul() (torch.ops.quantized) or FloatFunctional, which convert() turns into QFunctional';

/** Options of `add` / `sub`. */
export interface AddOptions {
  /** Multiplier of `other` (default 1). */
  alpha?: number;
}

function axpyDef(name: string, node: string, alpha: number): BinaryDef {
  const rule: DtypeRule = (c, op) => {
    if (!c.isFloatingPoint && !Number.isInteger(alpha)) {
      throw new QTorchTypeError(`${op}(): For integral input tensors, argument alpha must not be a floating point number (got ${alpha}).`);
    }
    return sameDtype(c, op);
  };
  return {
    name, node, dtypes: rule, quantizedHint: QUANTIZED_HINT,
    kernel: (c) => {
      if (c === bool) return formula((x, y) => (x !== 0 || (alpha !== 0 && y !== 0) ? 1 : 0));
      if (c.isFloatingPoint) {
        const s = stepRounding(c)(alpha);
        return { f: (x, y) => x + s * y, loop: axpyLoop(s) };
      }
      const m = intMul(c);
      return formula(alpha === 1 ? (x, y) => x + y : (x, y) => x + m(alpha, y));
    },
    grads: () => [(g) => g, (g) => (alpha === 1 ? g : mul(g, alpha))],
  };
}

/** input + alpha * other, broadcasting and promoting (bool + bool is logical or). */
export function add(input: TensorLike, other: TensorLike, opts: AddOptions = {}): Tensor {
  checkOptions(opts, 'add');
  return binaryOp(axpyDef('add', 'Add', opts.alpha ?? 1), input, other);
}
/** In-place `add`. */
export function add_(x: Tensor, other: TensorLike, opts: AddOptions = {}): Tensor {
  checkOptions(opts, 'add_');
  return binaryInplace(axpyDef('add', 'Add', opts.alpha ?? 1), x, other);
}

function subDef(a: TensorLike, b: TensorLike, alpha: number): BinaryDef {
  if ((a instanceof Tensor && a.dtype === bool) || (b instanceof Tensor && b.dtype === bool)) {
    throw new QTorchTypeError(
      'sub(): Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logicalNot()` operator instead.',
    );
  }
  return axpyDef('sub', 'Sub', -alpha);
}
/** input - alpha * other. */
export function sub(input: TensorLike, other: TensorLike, opts: AddOptions = {}): Tensor {
  checkOptions(opts, 'sub');
  return binaryOp(subDef(input, other, opts.alpha ?? 1), input, other);
}
/** In-place `sub`. */
export function sub_(x: Tensor, other: TensorLike, opts: AddOptions = {}): Tensor {
  checkOptions(opts, 'sub_');
  return binaryInplace(subDef(x, other, opts.alpha ?? 1), x, other);
}

const mulDef: BinaryDef = {
  name: 'mul', node: 'Mul', dtypes: sameDtype, quantizedHint: QUANTIZED_HINT,
  kernel: (c) => (c.isFloatingPoint ? { f: (x, y) => x * y, loop: mulLoop } : formula(intMul(c))),
  grads: (a, b) => [(g) => mul(g, b), (g) => mul(g, a)],
};
/** input * other (bool * bool is logical and). */
export function mul(input: TensorLike, other: TensorLike): Tensor {
  return binaryOp(mulDef, input, other);
}
/** In-place `mul`. */
export function mul_(x: Tensor, other: TensorLike): Tensor {
  return binaryInplace(mulDef, x, other);
}

/** `div`'s rounding: none (true division), toward zero, or toward -inf. */
export type RoundingMode = 'trunc' | 'floor' | null;
/** Options of `div`. */
export interface DivOptions {
  /** Round the quotient (integer inputs then stay integer); default true division. */
  roundingMode?: RoundingMode;
}

const trueDivDef: BinaryDef = {
  name: 'div', node: 'Div', dtypes: floatResult,
  kernel: () => ({ f: (x, y) => x / y, loop: divLoop }),
  grads: (a, b) => [(g) => div(g, b), (g) => neg(div(mul(g, a), mul(b, b)))],
};

function roundingDivDef(mode: 'trunc' | 'floor', name: string): BinaryDef {
  return {
    name, node: 'Div', dtypes: noBool(sameDtype),
    kernel: (c) => {
      if (!c.isFloatingPoint) return formula(mode === 'trunc' ? intTruncDiv(name) : intFloorDiv(name));
      const fr = stepRounding(c);
      return formula(mode === 'trunc' ? (x, y) => Math.trunc(fr(x / y)) : (x, y) => floorDivScalar(x, y, fr));
    },
    grads: () => [zerosGrad, zerosGrad],
  };
}

function divDef(mode: RoundingMode | undefined, name = 'div'): BinaryDef {
  if (mode === undefined || mode === null) return trueDivDef;
  if (mode !== 'trunc' && mode !== 'floor') {
    throw new QTorchValueError(`${name}(): expected rounding_mode to be one of null, 'trunc', or 'floor' but found '${String(mode)}'`);
  }
  return roundingDivDef(mode, name);
}
/** input / other: true division (integers give float32) or rounded with `roundingMode`. */
export function div(input: TensorLike, other: TensorLike, opts: DivOptions = {}): Tensor {
  checkOptions(opts, 'div');
  return binaryOp(divDef(opts.roundingMode), input, other);
}
/** In-place `div`. */
export function div_(x: Tensor, other: TensorLike, opts: DivOptions = {}): Tensor {
  checkOptions(opts, 'div_');
  return binaryInplace(divDef(opts.roundingMode), x, other);
}
/** Python's `//`: `div(input, other, { roundingMode: 'floor' })`. */
export function floorDivide(input: TensorLike, other: TensorLike): Tensor {
  return binaryOp(divDef('floor', 'floorDivide'), input, other);
}
/** In-place `floorDivide`. */
export function floorDivide_(x: Tensor, other: TensorLike): Tensor {
  return binaryInplace(divDef('floor', 'floorDivide'), x, other);
}

function moduloDef(name: 'remainder' | 'fmod', node: string): BinaryDef {
  const python = name === 'remainder';
  const mode = python ? 'floor' : 'trunc';
  return {
    name, node, dtypes: noBool(sameDtype),
    kernel: (c) => formula(c.isFloatingPoint ? (python ? remainderScalar : (x, y) => x % y) : intModulo(name, python)),
    grads: (a, b) => [(g) => g, (g) => mul(neg(g), div(a, b, { roundingMode: mode }))],
  };
}
const remainderDef = moduloDef('remainder', 'Remainder');
const fmodDef = moduloDef('fmod', 'Fmod');
/** Python's `%`: the result has the divisor's sign. */
export const remainder = (input: TensorLike, other: TensorLike): Tensor => binaryOp(remainderDef, input, other);
/** In-place `remainder`. */
export const remainder_ = (x: Tensor, other: TensorLike): Tensor => binaryInplace(remainderDef, x, other);
/** C's `fmod`: the result has the dividend's sign. */
export const fmod = (input: TensorLike, other: TensorLike): Tensor => binaryOp(fmodDef, input, other);
/** In-place `fmod`. */
export const fmod_ = (x: Tensor, other: TensorLike): Tensor => binaryInplace(fmodDef, x, other);

/** log of a tensor or a number (the base of `pow` may be a scalar). */
const logOf = (v: TensorLike): TensorLike => (typeof v === 'number' ? Math.log(v) : log(v));

const powDef: BinaryDef = {
  name: 'pow', node: 'Pow', dtypes: noBool(sameDtype),
  kernel: (c) => formula(c.isFloatingPoint ? powScalar : intPow(c)),
  grads: (a, b, out) => [
    // d/da = b * a^(b-1), zero where b == 0; d/db = a^b * log(a), zero where a == 0 and b >= 0
    (g) => where(eq(b, 0), 0, mul(mul(g, b), pow(a, typeof b === 'number' ? b - 1 : sub(b, 1)))),
    (g) => where(logicalAnd(eq(a, 0), ge(b, 0)), 0, mul(mul(g, out), logOf(a))),
  ],
};

function checkPowArgs(base: TensorLike, exponent: TensorLike, op: string): void {
  if (base instanceof Tensor && !base.dtype.isFloatingPoint && typeof exponent === 'number' && Number.isInteger(exponent) && exponent < 0) {
    throw new QTorchValueError(`${op}(): Integers to negative integer powers are not allowed (base ${base.dtype.torchName}, exponent ${exponent}).`);
  }
}
/** input ** exponent (either may be a number; integer tensors use exact integer powers). */
export function pow(input: TensorLike, exponent: TensorLike): Tensor {
  checkPowArgs(input, exponent, 'pow');
  return binaryOp(powDef, input, exponent);
}
/** In-place `pow`. */
export function pow_(x: Tensor, exponent: TensorLike): Tensor {
  checkPowArgs(x, exponent, 'pow_');
  return binaryInplace(powDef, x, exponent);
}

/** Gradient of max/min for one side: g where it wins, g/2 on ties, 0 where it loses. */
function extremumGrad(self: TensorLike, other: TensorLike, loses: (a: TensorLike, b: TensorLike) => Tensor) {
  return (g: Tensor): Tensor => where(eq(self, other), div(g, 2), where(loses(self, other), 0, g));
}
function extremumDef(name: string, node: string, f: (x: number, y: number) => number, loses: typeof lt): BinaryDef {
  return {
    name, node, dtypes: sameDtype, kernel: () => formula(f),
    grads: (a, b) => [extremumGrad(a, b, loses), extremumGrad(b, a, loses)],
  };
}
const maximumDef = extremumDef('maximum', 'Maximum', maxScalar, lt);
const minimumDef = extremumDef('minimum', 'Minimum', minScalar, gt);
/** Elementwise maximum, propagating NaN. */
export const maximum = (input: TensorLike, other: TensorLike): Tensor => binaryOp(maximumDef, input, other);
/** Elementwise minimum, propagating NaN. */
export const minimum = (input: TensorLike, other: TensorLike): Tensor => binaryOp(minimumDef, input, other);

const atan2Def: BinaryDef = {
  name: 'atan2', node: 'Atan2', dtypes: floatResult, kernel: () => formula(Math.atan2),
  grads: (a, b) => {
    const denom = (): Tensor => add(mul(a, a), mul(b, b));
    return [(g) => div(mul(g, b), denom()), (g) => neg(div(mul(g, a), denom()))];
  },
};
/** atan2(input, other): the angle of (other, input), in float. */
export const atan2 = (input: TensorLike, other: TensorLike): Tensor => binaryOp(atan2Def, input, other);
/** In-place `atan2`. */
export const atan2_ = (x: Tensor, other: TensorLike): Tensor => binaryInplace(atan2Def, x, other);

declare module '../../tensor.js' {
  interface Tensor {
    /** See `add`. */
    add(other: TensorLike, opts?: AddOptions): Tensor;
    /** See `add_`. */
    add_(other: TensorLike, opts?: AddOptions): Tensor;
    /** See `sub`. */
    sub(other: TensorLike, opts?: AddOptions): Tensor;
    /** See `sub_`. */
    sub_(other: TensorLike, opts?: AddOptions): Tensor;
    /** See `mul`. */
    mul(other: TensorLike): Tensor;
    /** See `mul_`. */
    mul_(other: TensorLike): Tensor;
    /** See `div`. */
    div(other: TensorLike, opts?: DivOptions): Tensor;
    /** See `div_`. */
    div_(other: TensorLike, opts?: DivOptions): Tensor;
    /** See `floorDivide`. */
    floorDivide(other: TensorLike): Tensor;
    /** See `floorDivide_`. */
    floorDivide_(other: TensorLike): Tensor;
    /** See `remainder`. */
    remainder(other: TensorLike): Tensor;
    /** See `remainder_`. */
    remainder_(other: TensorLike): Tensor;
    /** See `fmod`. */
    fmod(other: TensorLike): Tensor;
    /** See `fmod_`. */
    fmod_(other: TensorLike): Tensor;
    /** See `pow`. */
    pow(exponent: TensorLike): Tensor;
    /** See `pow_`. */
    pow_(exponent: TensorLike): Tensor;
    /** See `maximum`. */
    maximum(other: TensorLike): Tensor;
    /** See `minimum`. */
    minimum(other: TensorLike): Tensor;
    /** See `atan2`. */
    atan2(other: TensorLike): Tensor;
    /** See `atan2_`. */
    atan2_(other: TensorLike): Tensor;
  }
}

const P = Tensor.prototype;
P.add = function (o, opts) { return add(this, o, opts); };
P.add_ = function (o, opts) { return add_(this, o, opts); };
P.sub = function (o, opts) { return sub(this, o, opts); };
P.sub_ = function (o, opts) { return sub_(this, o, opts); };
P.mul = function (o) { return mul(this, o); };
P.mul_ = function (o) { return mul_(this, o); };
P.div = function (o, opts) { return div(this, o, opts); };
P.div_ = function (o, opts) { return div_(this, o, opts); };
P.floorDivide = function (o) { return floorDivide(this, o); };
P.floorDivide_ = function (o) { return floorDivide_(this, o); };
P.remainder = function (o) { return remainder(this, o); };
P.remainder_ = function (o) { return remainder_(this, o); };
P.fmod = function (o) { return fmod(this, o); };
P.fmod_ = function (o) { return fmod_(this, o); };
P.pow = function (e) { return pow(this, e); };
P.pow_ = function (e) { return pow_(this, e); };
P.maximum = function (o) { return maximum(this, o); };
P.minimum = function (o) { return minimum(this, o); };
P.atan2 = function (o) { return atan2(this, o); };
P.atan2_ = function (o) { return atan2_(this, o); };
