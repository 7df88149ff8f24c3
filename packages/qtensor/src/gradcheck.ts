/**
 * Finite-difference gradient check (PyTorch's `torch.autograd.gradcheck`): compares the
 * gradients autograd computes with central differences, through a random projection of the
 * output so one backward pass checks every input element.
 */
import { backward, noGrad } from './autograd.js';
import { float64 } from './dtype.js';
import { QTorchValueError } from './errors.js';
import { Generator } from './random.js';
import { Tensor } from './tensor.js';
import { checkOptions } from './args.js';

/** Options of {@link gradcheck} (torch.autograd.gradcheck's keyword arguments). */
export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6; inputs are promoted to float64). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance (default 1e-3). */
  rtol?: number;
  /** Throw with details on mismatch (default true); otherwise return false. */
  raiseException?: boolean;
  /** Seed of the random output projection. */
  seed?: number;
}

function toF64Leaf(t: Tensor): Tensor {
  const c = new Tensor(Float64Array.from(t.values()), float64, t.shape);
  c.requiresGrad = t.requiresGrad;
  return c;
}

/**
 * Checks `fn`'s gradients with respect to every input that `requiresGrad`. Inputs are copied to
 * float64 so the differences are accurate; `fn` must accept float64 tensors.
 */
export function gradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: readonly Tensor[], opts: GradcheckOptions = {}): boolean {
  checkOptions(opts, 'gradcheck');
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3, raiseException = true, seed = 1234 } = opts;
  const xs = inputs.map(toF64Leaf);
  const out = fn(...xs);
  const gen = new Generator(seed);
  const v = new Float64Array(out.numel()).map(() => gen.random() * 2 - 1);
  const projection = (o: Tensor): number => {
    const ov = o.values();
    let s = 0;
    for (let i = 0; i < ov.length; i++) s += ov[i]! * v[i]!;
    return s;
  };
  if (!out.requiresGrad) throw new QTorchValueError('gradcheck(): the output does not require grad (no input requires grad?)');
  backward(out, new Tensor(v, float64, out.shape));
  for (let k = 0; k < xs.length; k++) {
    const x = xs[k]!;
    if (!x.requiresGrad) continue;
    const analytic = x.grad ? x.grad.values() : new Float64Array(x.numel());
    const data = x.data as Float64Array;
    for (let i = 0; i < data.length; i++) {
      const orig = data[i]!;
      const f = (val: number): number => {
        data[i] = val;
        return noGrad(() => projection(fn(...xs)));
      };
      const numeric = (f(orig + eps) - f(orig - eps)) / (2 * eps);
      data[i] = orig;
      const a = analytic[i]!;
      if (!(Math.abs(a - numeric) <= atol + rtol * Math.abs(numeric))) {
        if (!raiseException) return false;
        throw new QTorchValueError(
          `gradcheck(): Jacobian mismatch for input ${k} element ${i}: numerical ${numeric}, analytical ${a}`,
        );
      }
    }
  }
  return true;
}
