/**
 * `var` and `std` with PyTorch 1.13's `correction` / `unbiased` semantics. Two passes in
 * float64 (mean, then squared deviations) per lane; the divisor is `max(0, N - correction)`
 * as in PyTorch's WelfordOps, so a lane with N <= correction gives NaN or infinity.
 */
import { recordOp } from '../../autograd.js';
import { QTorchValueError } from '../../errors.js';
import type { Tensor } from '../../tensor.js';
import { type ReduceOptions, dimAndOptions, floatingInput, laneGrad, makeResult } from './common.js';
import { type DimArg, type LanePlan, type NumArray, normalizeDims, planReduce, readLanes } from './lanes.js';

/** Options of `var` / `std`. */
export interface VarOptions extends ReduceOptions {
  /** Difference between the sample size and the divisor (default 1: Bessel's correction). */
  correction?: number;
  /** Legacy form: `true` is `correction: 1`, `false` is `correction: 0`. */
  unbiased?: boolean;
}

interface Moments {
  means: Float64Array;
  vars: Float64Array;
  divisor: number;
}

function correctionOf(o: VarOptions, op: string): number {
  if (o.correction !== undefined && o.unbiased !== undefined) {
    throw new QTorchValueError(`${op}(): cannot specify both correction and unbiased arguments`);
  }
  if (o.unbiased !== undefined) return o.unbiased ? 1 : 0;
  return o.correction ?? 1;
}

function laneMoments(lanes: NumArray, plan: LanePlan, correction: number): Moments {
  const n = plan.laneSize;
  const means = new Float64Array(plan.numLanes), vars = new Float64Array(plan.numLanes);
  const divisor = Math.max(0, n - correction);
  for (let o = 0; o < plan.numLanes; o++) {
    const base = o * n;
    let s = 0;
    for (let r = 0; r < n; r++) s += lanes[base + r]!;
    const m = s / n;
    let m2 = 0;
    for (let r = 0; r < n; r++) { const d = lanes[base + r]! - m; m2 += d * d; }
    means[o] = m;
    vars[o] = m2 / divisor;
  }
  return { means, vars, divisor };
}

/** dL/dx = g_o * 2 (x - mean_o) / divisor * coef_o, per lane; `coef` carries std's chain factor. */
function varianceBackward(lanes: NumArray, plan: LanePlan, m: Moments, gOf: (o: number) => number): Float64Array {
  const n = plan.laneSize;
  const out = new Float64Array(plan.numLanes * n);
  for (let o = 0; o < plan.numLanes; o++) {
    const k = (2 * gOf(o)) / m.divisor;
    for (let r = 0, p = o * n; r < n; r++, p++) out[p] = k * (lanes[p]! - m.means[o]!);
  }
  return out;
}

function moments(x: Tensor, dim: DimArg, o: VarOptions, op: string) {
  floatingInput(x, op);
  const correction = correctionOf(o, op);
  const plan = planReduce(x.shape, normalizeDims(dim, x.ndim, op), o.keepdim ?? false);
  const lanes = readLanes(x, plan);
  return { plan, lanes, m: laneMoments(lanes, plan, correction) };
}

/**
 * Variance over all elements or `dim` (PyTorch's `torch.var`): sum of squared deviations
 * divided by `N - correction`.
 */
export function variance(x: Tensor, dim?: DimArg | VarOptions, opts?: VarOptions): Tensor {
  const { dim: d, opts: o } = dimAndOptions<VarOptions>(dim, opts);
  const { plan, lanes, m } = moments(x, d, o, 'var');
  return recordOp('Var', makeResult(m.vars, plan.outShape, x.dtype), [x], (g) => {
    const gv = g.values();
    return [laneGrad(varianceBackward(lanes, plan, m, (i) => gv[i]!), x, plan)];
  });
}

/** Standard deviation (square root of `variance`) over all elements or `dim` (PyTorch's `torch.std`). */
export function std(x: Tensor, dim?: DimArg | VarOptions, opts?: VarOptions): Tensor {
  const { dim: d, opts: o } = dimAndOptions<VarOptions>(dim, opts);
  const { plan, lanes, m } = moments(x, d, o, 'std');
  const stds = m.vars.map(Math.sqrt);
  return recordOp('Std', makeResult(stds, plan.outShape, x.dtype), [x], (g) => {
    const gv = g.values();
    // d std = d var / (2 std); PyTorch masks lanes where std == 0 to a zero gradient
    const gOf = (i: number): number => (stds[i] === 0 ? 0 : gv[i]! / (2 * stds[i]!));
    return [laneGrad(varianceBackward(lanes, plan, m, gOf), x, plan)];
  });
}

// `var` is a reserved word: export it under that name for `import * as torch` users
export { variance as var };
