/**
 * Declarative unary / binary op definitions: a dtype rule, a kernel per compute dtype and the
 * gradients. `unaryOp` / `binaryOp` run them out of place with autograd; the `...Inplace`
 * forms write into the first operand.
 */
import { type DType, bool, float32, float64 } from '../../dtype.js';
import { QTorchTypeError } from '../../errors.js';
import { Tensor, type TensorLike } from '../../tensor.js';
import { assertTensor } from '../../args.js';
import { type Dtypes, type Kernel, type KernelFn, checkOperands, computeArray, rejectQuantized, runElementwise, wrapOut } from './engine.js';
import { type GradFn, recordElementwise, runInplace } from './grad.js';
import { floatDtype, resultType } from './promote.js';

/** A dtype rule: from the promoted input dtype to compute / result dtypes (may throw). */
export type DtypeRule = (common: DType, op: string) => Dtypes;

/** Result in the promoted dtype. */
export const sameDtype: DtypeRule = (c) => ({ compute: c, out: c });
/** A "float op": integer and bool inputs compute in float32 (the default dtype). */
export const floatResult: DtypeRule = (c) => ({ compute: floatDtype(c), out: floatDtype(c) });
/** A comparison: computes in the promoted dtype, returns bool. */
export const boolResult: DtypeRule = (c) => ({ compute: c, out: bool });

/** Wraps a rule so that bool inputs are refused with PyTorch's "not implemented for 'Bool'". */
export function noBool(rule: DtypeRule, message?: string): DtypeRule {
  return (c, op) => {
    if (c === bool) throw new QTorchTypeError(`${op}(): ${message ?? `"${op}" is not implemented for 'Bool' tensors`}`);
    return rule(c, op);
  };
}

/** Zeros shaped like a gradient: the gradient of piecewise-constant ops (floor, sign, div with rounding). */
export function zerosGrad(g: Tensor): Tensor {
  const dtype = g.dtype === float64 ? float64 : float32;
  return wrapOut(computeArray(dtype, g.numel()), g.shape, dtype);
}

/** Definition of a one-operand op. */
export interface UnaryDef {
  /** Op name for messages, e.g. `'exp'`. */
  name: string;
  /** Autograd node name, e.g. `'Exp'`. */
  node: string;
  dtypes: DtypeRule;
  /** The formula for a compute dtype. */
  kernel: (compute: DType) => KernelFn;
  /** Gradient from the input and output; omitted for non-differentiable ops. */
  grad?: (x: Tensor, out: Tensor) => GradFn;
}

function unaryForward(def: UnaryDef, op: string, x: Tensor, dest?: Tensor): Tensor {
  assertTensor(x, op);
  rejectQuantized(op, [x]);
  const dt = def.dtypes(x.dtype, op);
  return runElementwise(op, [x], dt, { f: def.kernel(dt.compute) }, dest);
}

/** Runs a unary op out of place, recording its gradient. */
export function unaryOp(def: UnaryDef, x: Tensor): Tensor {
  const out = unaryForward(def, def.name, x);
  return def.grad ? recordElementwise(def.node, out, [x], [def.grad(x, out)]) : out;
}

/** Runs a unary op in place on `x`. */
export function unaryInplace(def: UnaryDef, x: Tensor): Tensor {
  const op = `${def.name}_`;
  return runInplace(op, x, [], () => unaryForward(def, op, x, x), (old) => unaryOp(def, old));
}

/** Definition of a two-operand op (tensor or number on either side). */
export interface BinaryDef {
  name: string;
  node: string;
  dtypes: DtypeRule;
  kernel: (compute: DType) => Kernel;
  /** Extra advice in the error for quantized inputs (e.g. the quantized op to use). */
  quantizedHint?: string;
  /** Gradients with respect to a and b; omitted for non-differentiable ops. */
  grads?: (a: TensorLike, b: TensorLike, out: Tensor) => readonly [GradFn, GradFn];
}

function binaryForward(def: BinaryDef, op: string, a: TensorLike, b: TensorLike, dest?: Tensor): Tensor {
  checkOperands(op, [a, b]);
  rejectQuantized(op, [a, b], def.quantizedHint);
  const dt = def.dtypes(resultType(a, b), op);
  return runElementwise(op, [a, b], dt, def.kernel(dt.compute), dest);
}

/** Runs a binary op out of place (broadcasting, promoting), recording its gradients. */
export function binaryOp(def: BinaryDef, a: TensorLike, b: TensorLike): Tensor {
  const out = binaryForward(def, def.name, a, b);
  return def.grads ? recordElementwise(def.node, out, [a, b], def.grads(a, b, out)) : out;
}

/** Runs a binary op in place on `x` (x's shape and dtype are kept). */
export function binaryInplace(def: BinaryDef, x: Tensor, other: TensorLike): Tensor {
  const op = `${def.name}_`;
  return runInplace(op, x, [other], () => binaryForward(def, op, x, other, x), (old) => binaryOp(def, old, other));
}

/** A kernel that is just a formula. */
export const formula = (f: KernelFn): Kernel => ({ f });
