/**
 * Ops with more than two operands: clamp / clip (number or tensor bounds), where, lerp,
 * addcmul and addcdiv, with autograd and in-place forms.
 *
 * `clamp` of a quantized tensor with number bounds runs the quantized kernel (PyTorch's
 * quantized clamp), as the quantized tensor keeps its qparams.
 */
import { bool, uint8 } from '../../dtype.js';
import { QTorchTypeError, QTorchValueError } from '../../errors.js';
import { quantizedClamp } from '../../quantized/ops/activation.js';
import { Tensor, type TensorLike } from '../../tensor.js';
import { div, mul, sub } from './arith.js';
import { ge, gt, le, logicalAnd, logicalOr, lt } from './compare.js';
import { formula } from './defs.js';
import { type Dtypes, type Kernel, type KernelFn, checkOperands, rejectQuantized, runElementwise } from './engine.js';
import { type GradFn, recordElementwise, runInplace } from './grad.js';
import { castScalar, resultType } from './promote.js';
import { clampScalar } from './scalar.js';
import { neg } from './unary.js';
import { assertTensor, checkOptions } from '../../args.js';

/** An elementwise op fully prepared: operands, dtypes, kernel and per-operand gradients. */
interface Prepared {
  operands: TensorLike[];
  dt: Dtypes;
  kernel: Kernel;
  grads: GradFn[];
}

function runPrepared(op: string, node: string, p: Prepared): Tensor {
  return recordElementwise(node, runElementwise(op, p.operands, p.dt, p.kernel), p.operands, p.grads);
}

function runPreparedInplace(op: string, x: Tensor, p: Prepared, withGrad: (old: Tensor) => Tensor): Tensor {
  return runInplace(op, x, p.operands.slice(1), () => runElementwise(op, p.operands, p.dt, p.kernel, x), withGrad);
}

/** Bounds of `clamp`: numbers, tensors (broadcast), or null for no bound; at least one is needed. */
export interface ClampOptions {
  /** Lower bound (number or tensor broadcast against the input); null or absent for none. */
  min?: TensorLike | null;
  /** Upper bound (number or tensor broadcast against the input); null or absent for none. */
  max?: TensorLike | null;
}

const where0 = (cond: Tensor) => (g: Tensor): Tensor => where(cond, g, 0);

function prepareClamp(x: Tensor, opts: ClampOptions, op: string): Prepared {
  const min = opts.min ?? null, max = opts.max ?? null;
  if (min === null && max === null) throw new QTorchValueError(`${op}(): At least one of 'min' or 'max' must not be None`);
  rejectQuantized(op, [x, min, max]);
  const bounds = [min, max].filter((b): b is TensorLike => b !== null);
  const c = resultType(x, ...bounds);
  const lo = typeof min === 'number' ? castScalar(min, c) : -Infinity;
  const hi = typeof max === 'number' ? castScalar(max, c) : Infinity;
  const tMin = min instanceof Tensor ? min : null, tMax = max instanceof Tensor ? max : null;
  let f: KernelFn;
  if (tMin && tMax) f = (v, l, h) => clampScalar(v, l!, h!);
  else if (tMin) f = (v, l) => clampScalar(v, l!, hi);
  else if (tMax) f = (v, h) => clampScalar(v, lo, h!);
  else f = (v) => clampScalar(v, lo, hi);
  // gradients as PyTorch's clamp_backward(_min_max): x inside [min, max] inclusive; a tensor bound where it binds
  const xGrad: GradFn = (g) => where(logicalAnd(min === null ? 1 : ge(x, min), max === null ? 1 : le(x, max)), g, 0);
  const operands: TensorLike[] = [x], grads: GradFn[] = [xGrad];
  if (tMin) {
    operands.push(tMin);
    grads.push((g) => where0(tMax ? logicalAnd(lt(x, tMin), lt(tMin, tMax)) : lt(x, tMin))(g));
  }
  if (tMax) {
    operands.push(tMax);
    grads.push((g) => where0(tMin ? logicalOr(gt(x, tMax), lt(tMax, tMin)) : gt(x, tMax))(g));
  }
  return { operands, dt: { compute: c, out: c }, kernel: formula(f), grads };
}

function quantizedClampOf(x: Tensor, opts: ClampOptions, op: string): Tensor {
  const { min = null, max = null } = opts;
  if (min instanceof Tensor || max instanceof Tensor) {
    throw new QTorchTypeError(`${op}(): a quantized tensor can only be clamped by number bounds; dequantize() it to clamp by tensors`);
  }
  return quantizedClamp(x, min, max);
}

/**
 * Limits every element to [min, max] (NaN stays NaN; with min > max every element is max).
 * Promotes like PyTorch: an integer tensor clamped by a float bound becomes float32.
 */
export function clamp(x: Tensor, opts: ClampOptions = {}): Tensor {
  checkOptions(opts, 'clamp');
  assertTensor(x, 'clamp');
  if (x.isQuantized) return quantizedClampOf(x, opts, 'clamp');
  return runPrepared('clamp', 'Clamp', prepareClamp(x, opts, 'clamp'));
}
/** In-place `clamp` (the result dtype must be x's). */
export function clamp_(x: Tensor, opts: ClampOptions = {}): Tensor {
  checkOptions(opts, 'clamp_');
  return runPreparedInplace('clamp_', x, prepareClamp(x, opts, 'clamp_'), (old) => clamp(old, opts));
}
/** Alias of `clamp`. */
export const clip = clamp;
/** Alias of `clamp_`. */
export const clip_ = clamp_;

/** `input` where `condition` is true, else `other` (broadcasting; the result dtype promotes). */
export function where(condition: Tensor, input: TensorLike, other: TensorLike): Tensor {
  assertTensor(condition, 'where');
  if (condition.dtype !== bool && condition.dtype !== uint8) {
    throw new QTorchTypeError(`where(): expected condition to be a boolean tensor, but got a tensor with dtype ${condition.dtype.torchName}`);
  }
  checkOperands('where', [input, other]);
  rejectQuantized('where', [condition, input, other]);
  const c = resultType(input, other);
  return runPrepared('where', 'Where', {
    operands: [condition, input, other],
    dt: { compute: c, out: c },
    kernel: formula((k, a, b) => (k !== 0 ? a! : b!)),
    grads: [null, where0(condition), (g) => where(condition, 0, g)],
  });
}

/** The lerp formula PyTorch uses: exact at both ends. */
const lerpScalar = (s: number, e: number, w: number): number => (Math.abs(w) < 0.5 ? s + w * (e - s) : e - (e - s) * (1 - w));

function prepareLerp(start: Tensor, end: Tensor, weight: TensorLike, op: string): Prepared {
  checkOperands(op, [start, end, weight]);
  rejectQuantized(op, [start, end, weight]);
  const dtype = start.dtype;
  if (!dtype.isFloatingPoint) throw new QTorchTypeError(`${op}(): lerp is implemented for floating point tensors only, got ${dtype.torchName}`);
  for (const [arg, t] of [['end', end], ['weight', weight]] as const) {
    if (t instanceof Tensor && t.dtype !== dtype) {
      throw new QTorchTypeError(`${op}(): expected dtype ${dtype.torchName} for \`${arg}\` but got dtype ${t.dtype.torchName}`);
    }
  }
  return {
    operands: [start, end, weight],
    dt: { compute: dtype, out: dtype },
    kernel: formula((s, e, w) => lerpScalar(s!, e!, w!)),
    grads: [
      (g) => mul(g, typeof weight === 'number' ? 1 - weight : sub(1, weight)),
      (g) => mul(g, weight),
      (g) => mul(g, sub(end, start)),
    ],
  };
}
/** start + weight * (end - start); `weight` is a number or a tensor of start's dtype. */
export function lerp(start: Tensor, end: Tensor, weight: TensorLike): Tensor {
  return runPrepared('lerp', 'Lerp', prepareLerp(start, end, weight, 'lerp'));
}
/** In-place `lerp` into `start`. */
export function lerp_(start: Tensor, end: Tensor, weight: TensorLike): Tensor {
  return runPreparedInplace('lerp_', start, prepareLerp(start, end, weight, 'lerp_'), (old) => lerp(old, end, weight));
}

/** Options of `addcmul` / `addcdiv`. */
export interface AddcOptions {
  /** Multiplier of the product / quotient (default 1). */
  value?: number;
}

function prepareAddc(input: Tensor, t1: Tensor, t2: Tensor, value: number, divide: boolean, op: string): Prepared {
  checkOperands(op, [input, t1, t2]);
  rejectQuantized(op, [input, t1, t2]);
  const c = resultType(input, t1, t2);
  if (!c.isFloatingPoint && !Number.isInteger(value)) {
    throw new QTorchTypeError(`${op}(): For integral input tensors, argument value must not be a floating point number (got ${value}).`);
  }
  if (divide && !t1.dtype.isFloatingPoint && !t2.dtype.isFloatingPoint) {
    throw new QTorchTypeError(`${op}(): Integer division with addcdiv is no longer supported; convert tensor1 or tensor2 to a floating point dtype (true division), or use div() with a roundingMode.`);
  }
  const v = castScalar(value, c);
  return {
    operands: [input, t1, t2],
    dt: { compute: c, out: c },
    kernel: formula(divide ? (x, a, b) => x! + (v * a!) / b! : (x, a, b) => x! + v * a! * b!),
    grads: divide
      ? [(g) => g, (g) => div(mul(g, value), t2), (g) => neg(div(mul(mul(g, value), t1), mul(t2, t2)))]
      : [(g) => g, (g) => mul(g, mul(t2, value)), (g) => mul(g, mul(t1, value))],
  };
}
/** input + value * tensor1 * tensor2. */
export function addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, opts: AddcOptions = {}): Tensor {
  checkOptions(opts, 'addcmul');
  return runPrepared('addcmul', 'Addcmul', prepareAddc(input, tensor1, tensor2, opts.value ?? 1, false, 'addcmul'));
}
/** In-place `addcmul`. */
export function addcmul_(input: Tensor, tensor1: Tensor, tensor2: Tensor, opts: AddcOptions = {}): Tensor {
  checkOptions(opts, 'addcmul_');
  const p = prepareAddc(input, tensor1, tensor2, opts.value ?? 1, false, 'addcmul_');
  return runPreparedInplace('addcmul_', input, p, (old) => addcmul(old, tensor1, tensor2, opts));
}
/** input + value * tensor1 / tensor2. */
export function addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, opts: AddcOptions = {}): Tensor {
  checkOptions(opts, 'addcdiv');
  return runPrepared('addcdiv', 'Addcdiv', prepareAddc(input, tensor1, tensor2, opts.value ?? 1, true, 'addcdiv'));
}
/** In-place `addcdiv`. */
export function addcdiv_(input: Tensor, tensor1: Tensor, tensor2: Tensor, opts: AddcOptions = {}): Tensor {
  checkOptions(opts, 'addcdiv_');
  const p = prepareAddc(input, tensor1, tensor2, opts.value ?? 1, true, 'addcdiv_');
  return runPreparedInplace('addcdiv_', input, p, (old) => addcdiv(old, tensor1, tensor2, opts));
}

declare module '../../tensor.js' {
  interface Tensor {
    /** See `clamp`. */
    clamp(opts?: ClampOptions): Tensor;
    /** See `clamp_`. */
    clamp_(opts?: ClampOptions): Tensor;
    /** Alias of `clamp`. */
    clip(opts?: ClampOptions): Tensor;
    /** Alias of `clamp_`. */
    clip_(opts?: ClampOptions): Tensor;
    /** `where(condition, this, other)`. */
    where(condition: Tensor, other: TensorLike): Tensor;
    /** See `lerp`. */
    lerp(end: Tensor, weight: TensorLike): Tensor;
    /** See `lerp_`. */
    lerp_(end: Tensor, weight: TensorLike): Tensor;
    /** See `addcmul`. */
    addcmul(tensor1: Tensor, tensor2: Tensor, opts?: AddcOptions): Tensor;
    /** See `addcmul_`. */
    addcmul_(tensor1: Tensor, tensor2: Tensor, opts?: AddcOptions): Tensor;
    /** See `addcdiv`. */
    addcdiv(tensor1: Tensor, tensor2: Tensor, opts?: AddcOptions): Tensor;
    /** See `addcdiv_`. */
    addcdiv_(tensor1: Tensor, tensor2: Tensor, opts?: AddcOptions): Tensor;
  }
}

const P = Tensor.prototype;
P.clamp = function (opts) { return clamp(this, opts); };
P.clamp_ = function (opts) { return clamp_(this, opts); };
P.clip = function (opts) { return clamp(this, opts); };
P.clip_ = function (opts) { return clamp_(this, opts); };
P.where = function (cond, other) { return where(cond, this, other); };
P.lerp = function (e, w) { return lerp(this, e, w); };
P.lerp_ = function (e, w) { return lerp_(this, e, w); };
P.addcmul = function (a, b, opts) { return addcmul(this, a, b, opts); };
P.addcmul_ = function (a, b, opts) { return addcmul_(this, a, b, opts); };
P.addcdiv = function (a, b, opts) { return addcdiv(this, a, b, opts); };
P.addcdiv_ = function (a, b, opts) { return addcdiv_(this, a, b, opts); };
