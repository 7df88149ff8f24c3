/**
 * Autograd glue of the elementwise ops: recording a node whose per-operand gradients are
 * reduced over broadcast dims, and the in-place driver (plain write, or write-back of a
 * recorded out-of-place result when another operand requires grad).
 */
import { checkInplaceAllowed, isGradEnabled, recordOp } from '../../autograd.js';
import { float32, float64 } from '../../dtype.js';
import { writeValues } from '../../nn/float_io.js';
import { Tensor, type TensorLike } from '../../tensor.js';
import { sumToShape, to } from '../../views.js';
import { checkInplaceTarget, rejectQuantized } from './engine.js';

/** dL/d(operand) from dL/d(out), before reduction to the operand's shape; `null` for no gradient. */
export type GradFn = ((g: Tensor) => Tensor) | null;

/** Sums a broadcast gradient down to `input`'s shape, in the dtype autograd keeps for it. */
export function reduceGrad(g: Tensor, input: Tensor): Tensor {
  const r = sumToShape(g, input.shape);
  const want = input.dtype === float64 ? float64 : float32;
  return r.dtype === want ? r : to(r, want);
}

/**
 * Records `out` (if floating) as produced from `operands`; `grads[i]` gives operand i's gradient
 * and runs only when that operand requires grad.
 */
export function recordElementwise(name: string, out: Tensor, operands: readonly TensorLike[], grads: readonly GradFn[]): Tensor {
  if (!out.dtype.isFloatingPoint) return out;
  const inputs = operands.map((x) => (x instanceof Tensor ? x : null));
  return recordOp(name, out, inputs, (g) => inputs.map((x, i) => {
    const fn = grads[i];
    return x && x.requiresGrad && fn ? reduceGrad(fn(g), x) : null;
  }));
}

/**
 * Runs an in-place op on `x`. Without autograd involvement `write()` writes into x directly.
 * When another operand requires grad (PyTorch then makes x part of the graph), the out-of-place
 * op runs on a copy of x's old values, its result is written back and x adopts its grad node.
 */
export function runInplace(
  op: string, x: Tensor, others: readonly TensorLike[], write: () => Tensor, withGrad: (old: Tensor) => Tensor,
): Tensor {
  checkInplaceAllowed(x, op);
  rejectQuantized(op, [x, ...others]);
  if (!isGradEnabled() || !others.some((o) => o instanceof Tensor && o.requiresGrad)) return write();
  const old = new Tensor(x.rawValues().slice(), x.dtype, x.shape);
  const r = withGrad(old);
  checkInplaceTarget(op, x, r.shape, r.dtype);
  writeValues(x, r.values());
  x.gradFn = r.gradFn;
  x.requiresGrad = r.requiresGrad;
  return x;
}
