/**
 * `norm` (vector p-norms over all elements or some dims, as PyTorch 1.13's `torch.norm` does
 * through `linalg.vector_norm`) and `logsumexp`, both accumulated in float64.
 */
import { recordOp } from '../../autograd.js';
import type { DType } from '../../dtype.js';
import { QTorchTypeError, QTorchValueError } from '../../errors.js';
import type { Tensor } from '../../tensor.js';
import { type KeepdimOptions, type ReduceDtypeOptions, floatingInput, laneGrad, makeResult } from './common.js';
import { type LanePlan, type NumArray, normalizeDims, planReduce, readLanes } from './lanes.js';
import { checkOptions } from '../../args.js';

/** The order of a vector norm: a number (`Infinity`, `-Infinity`, 0, 1, 2, any real) or `'fro'` (= 2). */
export type NormOrder = number | 'fro';

/** Options of `norm`. */
export interface NormOptions extends ReduceDtypeOptions {
  /** Order of the norm (default `'fro'`, the 2-norm of the flattened dims). */
  p?: NormOrder;
}

/** The p-norm of each lane. */
function laneNorms(lanes: NumArray, plan: LanePlan, p: number): Float64Array {
  const n = plan.laneSize;
  const out = new Float64Array(plan.numLanes);
  for (let o = 0; o < plan.numLanes; o++) {
    const base = o * n;
    let acc: number;
    if (p === Infinity || p === -Infinity) {
      acc = Math.abs(lanes[base]!);
      for (let r = 1; r < n; r++) {
        const a = Math.abs(lanes[base + r]!);
        // NaN propagates, as PyTorch's amax of abs does
        if (a !== a || (p > 0 ? a > acc : a < acc)) acc = a;
        if (acc !== acc) break;
      }
    } else if (p === 0) {
      acc = 0;
      for (let r = 0; r < n; r++) if (lanes[base + r] !== 0) acc++;
    } else if (p === 1) {
      acc = 0;
      for (let r = 0; r < n; r++) acc += Math.abs(lanes[base + r]!);
    } else if (p === 2) {
      acc = 0;
      for (let r = 0; r < n; r++) { const v = lanes[base + r]!; acc += v * v; }
      acc = Math.sqrt(acc);
    } else {
      acc = 0;
      for (let r = 0; r < n; r++) acc += Math.abs(lanes[base + r]!) ** p;
      acc **= 1 / p;
    }
    out[o] = acc;
  }
  return out;
}

/**
 * PyTorch's norm_backward: for finite p, sgn(x)|x|^(p-1) g / norm^(p-1) (zero where the norm or
 * x is zero); for infinite p, g split evenly among the elements whose |x| is the norm (or NaN).
 */
function normBackward(lanes: NumArray, plan: LanePlan, p: number, norms: Float64Array, g: NumArray): Float64Array {
  const n = plan.laneSize;
  const out = new Float64Array(plan.numLanes * n);
  if (p === 0) return out;
  for (let o = 0; o < plan.numLanes; o++) {
    const base = o * n, nv = norms[o]!, go = g[o]!;
    if (p === Infinity || p === -Infinity) {
      const hit = (v: number): boolean => Math.abs(v) === nv || v !== v;
      let count = 0;
      for (let r = 0; r < n; r++) if (hit(lanes[base + r]!)) count++;
      for (let r = 0; r < n; r++) {
        const v = lanes[base + r]!;
        out[base + r] = hit(v) ? (Math.sign(v) * go) / count : 0;
      }
      continue;
    }
    if (nv === 0) continue;
    const scale = go / nv ** (p - 1);
    for (let r = 0; r < n; r++) {
      const v = lanes[base + r]!;
      out[base + r] = v === 0 ? 0 : p === 2 ? v * scale : Math.sign(v) * Math.abs(v) ** (p - 1) * scale;
    }
  }
  return out;
}

function normOrder(p: NormOrder | undefined, dims: number, op: string): number {
  if (p === undefined || p === 'fro') {
    if (dims > 2 && p === 'fro') throw new QTorchValueError(`${op}(): the Frobenius norm takes at most 2 dims, got ${dims}; use p: 2 for a vector norm over more dims`);
    return 2;
  }
  if (typeof p !== 'number' || Number.isNaN(p)) {
    throw new QTorchValueError(`${op}(): unsupported norm order ${String(p)}; expected a number, Infinity, -Infinity or 'fro' (the nuclear norm is not implemented)`);
  }
  return p;
}

/**
 * Vector p-norm over all elements or `dim` (PyTorch's `torch.norm` / `linalg.vector_norm`).
 *
 * @example
 * ```ts
 * norm(x);                              // 2-norm of all elements
 * norm(x, 1, { dim: 1, keepdim: true }); // row-wise L1
 * norm(x, { p: Infinity, dim: [0, 1] });
 * ```
 */
export function norm(x: Tensor, pOrOpts?: NormOrder | NormOptions, opts: NormOptions = {}): Tensor {
  checkOptions(opts, 'norm');
  const o: NormOptions = typeof pOrOpts === 'object' ? { ...pOrOpts, ...opts } : { ...opts, p: pOrOpts ?? opts.p };
  floatingInput(x, 'norm');
  const outDtype: DType = o.dtype ?? x.dtype;
  if (!outDtype.isFloatingPoint) throw new QTorchTypeError(`norm(): dtype must be a floating point type, got ${outDtype.torchName}`);
  const dims = normalizeDims(o.dim, x.ndim, 'norm');
  const explicit = o.dim === undefined || o.dim === null ? 0 : typeof o.dim === 'number' ? 1 : o.dim.length;
  const p = normOrder(o.p, explicit, 'norm');
  const plan = planReduce(x.shape, dims, o.keepdim ?? false);
  if (plan.laneSize === 0 && Math.abs(p) === Infinity && plan.numLanes > 0) {
    throw new QTorchValueError('norm(): cannot compute the inf norm on an empty tensor because the operation does not have an identity');
  }
  const lanes = readLanes(x, plan);
  const norms = laneNorms(lanes, plan, p);
  return recordOp('LinalgVectorNorm', makeResult(norms, plan.outShape, outDtype), [x], (g) => [laneGrad(normBackward(lanes, plan, p, norms, g.values()), x, plan)]);
}

/**
 * log(sum(exp(x))) over `dim`, computed stably by shifting each lane by its max
 * (PyTorch's `torch.logsumexp`).
 */
export function logsumexp(x: Tensor, dim: number | readonly number[], opts: KeepdimOptions | boolean = {}): Tensor {
  const o = typeof opts === 'boolean' ? { keepdim: opts } : opts;
  floatingInput(x, 'logsumexp');
  const plan = planReduce(x.shape, normalizeDims(dim, x.ndim, 'logsumexp'), o.keepdim ?? false);
  const lanes = readLanes(x, plan);
  const n = plan.laneSize;
  const out = new Float64Array(plan.numLanes);
  for (let i = 0; i < plan.numLanes; i++) {
    const base = i * n;
    let m = -Infinity;
    for (let r = 0; r < n; r++) if (lanes[base + r]! > m) m = lanes[base + r]!;
    // an infinite max would turn x - m into NaN; PyTorch shifts by 0 then
    if (Math.abs(m) === Infinity) m = 0;
    let s = 0;
    for (let r = 0; r < n; r++) s += Math.exp(lanes[base + r]! - m);
    out[i] = Math.log(s) + m;
  }
  return recordOp('Logsumexp', makeResult(out, plan.outShape, x.dtype), [x], (g) => {
    const gv = g.values();
    const grad = new Float64Array(plan.numLanes * n);
    for (let p = 0; p < grad.length; p++) {
      const i = Math.floor(p / n);
      grad[p] = gv[i]! * Math.exp(lanes[p]! - out[i]!);
    }
    return [laneGrad(grad, x, plan)];
  });
}
