/**
 * Reverse-mode autograd: each differentiable op's output holds a `GradNode` (its inputs and a
 * backward closure); `backward()` walks the graph in reverse topological order and
 * accumulates gradients into leaves' `.grad`.
 *
 * In-place ops on tensors that require grad are refused (except under `noGrad`), which keeps
 * saved tensors valid without PyTorch's version counters; optimizers update under `noGrad`.
 */
import { float32, float64 } from './dtype.js';
import { QTorchShapeError, QTorchValueError, fmtShape } from './errors.js';
import { shapesEqual } from './shape.js';
import { Tensor } from './tensor.js';
import { assertTensor } from './args.js';

/** Backward closure of a recorded op: maps the output's gradient to one gradient per input (null/undefined where none flows). */
export type BackwardFn = (gradOutput: Tensor) => ReadonlyArray<Tensor | null | undefined>;

/** A recorded op: its name (for messages and `grad_fn` printing), inputs and backward closure. */
export class GradNode {
  /**
   * @param name - The op's name (`'Add'` prints as `<AddBackward>`).
   * @param inputs - The op's tensor inputs, in the order `backward` returns their gradients.
   * @param backward - Computes the input gradients from the output gradient.
   */
  constructor(
    /** The op's name, as PyTorch prints `grad_fn` (without the `Backward` suffix). */
    readonly name: string,
    /** The op's inputs; gradients flow to those that require them. */
    readonly inputs: ReadonlyArray<Tensor | null | undefined>,
    /** The closure computing the inputs' gradients. */
    readonly backward: BackwardFn,
  ) {}
  /** `<NameBackward>`, as PyTorch prints a `grad_fn`. */
  toString(): string {
    return `<${this.name}Backward>`;
  }
}

let gradEnabled = true;

/** Whether ops currently record for autograd. */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Sets grad mode globally; returns the previous mode. */
export function setGradEnabled(enabled: boolean): boolean {
  const prev = gradEnabled;
  gradEnabled = enabled;
  return prev;
}

/** Runs `fn` with autograd recording off (PyTorch's `with torch.no_grad()`). */
export function noGrad<T>(fn: () => T): T {
  const prev = setGradEnabled(false);
  try {
    return fn();
  } finally {
    setGradEnabled(prev);
  }
}

/** Runs `fn` with autograd recording on. */
export function enableGrad<T>(fn: () => T): T {
  const prev = setGradEnabled(true);
  try {
    return fn();
  } finally {
    setGradEnabled(prev);
  }
}

/**
 * Marks `out` as produced by a differentiable op when grad mode is on and some input requires
 * grad. `backward` receives dL/d(out) and returns dL/d(input) per input, in `inputs` order
 * (null/undefined where an input needs none). Returns `out`.
 */
export function recordOp(
  name: string, out: Tensor, inputs: ReadonlyArray<Tensor | null | undefined>, backward: BackwardFn,
): Tensor {
  if (!gradEnabled) return out;
  if (!inputs.some((t) => t?.requiresGrad)) return out;
  out.requiresGrad = true;
  out.gradFn = new GradNode(name, inputs, backward);
  return out;
}

/** Throws PyTorch's error for an in-place op on a tensor autograd tracks. */
export function checkInplaceAllowed(t: Tensor, op: string): void {
  assertTensor(t, op);
  // PyTorch's assert_no_internal_overlap: a stride-0 (expanded) dim would be written more than once
  if (t.shape.some((s, d) => s > 1 && t.strides[d] === 0)) {
    throw new QTorchValueError(
      `${op}(): unsupported operation: more than one element of the written-to tensor (shape ${fmtShape(t.shape)}, strides ${fmtShape(t.strides)}) refers to a single memory location. Please clone() the tensor before performing the operation.`,
    );
  }
  if (gradEnabled && t.requiresGrad) {
    throw new QTorchValueError(
      t.isLeaf
        ? `${op}(): a leaf Variable that requires grad is being used in an in-place operation.`
        : `${op}(): in-place operations on tensors that require grad are not supported; use the out-of-place op (or run under noGrad)`,
    );
  }
}

function addInto(acc: Tensor | undefined, g: Tensor): Tensor {
  const gv = g.values();
  if (!acc) {
    // copy: a backward closure may hand back a view of something the user holds
    return g.dtype === float64
      ? Tensor.fromTypedArray(Float64Array.from(gv), g.shape, float64)
      : Tensor.fromTypedArray(Float32Array.from(gv), g.shape, float32);
  }
  const out = acc.data;
  for (let i = 0; i < out.length; i++) out[i]! += gv[i]!;
  return acc;
}

/** Topological order (inputs before outputs) of the graph reaching `root`, iteratively. */
function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  const stack: Array<[Tensor, number]> = [[root, 0]];
  seen.add(root);
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    const [t, i] = top;
    const inputs = t.gradFn?.inputs ?? [];
    if (i < inputs.length) {
      top[1]++;
      const next = inputs[i];
      if (next && next.requiresGrad && !seen.has(next)) {
        seen.add(next);
        stack.push([next, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order;
}

/**
 * Computes gradients of `root` with respect to every leaf that requires grad.
 * `gradient` defaults to 1 for a one-element `root`. Gradients accumulate into `.grad`
 * (float32, or float64 where the gradient is float64).
 */
export function backward(root: Tensor, gradient?: Tensor): void {
  assertTensor(root, 'backward');
  if (!root.requiresGrad) {
    throw new QTorchValueError('backward(): element 0 of tensors does not require grad and does not have a grad_fn');
  }
  if (!gradient) {
    if (root.numel() !== 1) throw new QTorchValueError('backward(): grad can be implicitly created only for scalar outputs');
    gradient = Tensor.fromTypedArray(new Float32Array([1]), root.shape, float32);
  }
  if (!shapesEqual(gradient.shape, root.shape)) {
    throw new QTorchShapeError(`backward(): gradient has shape ${fmtShape(gradient.shape)} but the tensor has ${fmtShape(root.shape)}`);
  }
  const order = topoOrder(root);
  const grads = new Map<Tensor, Tensor>();
  grads.set(root, addInto(undefined, gradient));
  noGrad(() => {
    for (let k = order.length - 1; k >= 0; k--) {
      const t = order[k]!;
      const g = grads.get(t);
      if (!g) continue;
      grads.delete(t);
      if (t.isLeaf || t._retainsGrad) t.grad = t.grad ? addInto(t.grad, g) : addInto(undefined, g);
      const node = t.gradFn;
      if (!node) continue;
      const inGrads = node.backward(g);
      node.inputs.forEach((input, i) => {
        const ig = inGrads[i];
        if (!input || !input.requiresGrad || !ig) return;
        if (!shapesEqual(ig.shape, input.shape)) {
          throw new QTorchShapeError(
            `backward(): ${node.name} returned a gradient of shape ${fmtShape(ig.shape)} for an input of shape ${fmtShape(input.shape)}`,
          );
        }
        grads.set(input, addInto(grads.get(input), ig));
      });
    }
  });
}

declare module './tensor.js' {
  interface Tensor {
    /** Computes gradients of this tensor with respect to graph leaves (see `backward`). */
    backward(gradient?: Tensor): void;
  }
}
Tensor.prototype.backward = function (this: Tensor, gradient?: Tensor): void {
  backward(this, gradient);
};
