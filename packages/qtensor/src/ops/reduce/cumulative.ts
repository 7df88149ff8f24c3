/**
 * `cumsum` / `cumprod` along a dim. The running value is a float64 (PyTorch's CPU kernel also
 * accumulates float32 in double), each output rounded to the output dtype. Integer and bool
 * input gives int64 unless `dtype` says otherwise.
 */
import { recordOp } from '../../autograd.js';
import type { DType } from '../../dtype.js';
import { assertNotQuantized } from '../../quantized/checks.js';
import type { Tensor } from '../../tensor.js';
import { accumulateDtype, laneGrad, makeResult } from './common.js';
import { type LanePlan, type NumArray, fromLanes, planAlong, readLanes } from './lanes.js';
import { checkOptions } from '../../args.js';

/** Options of `cumsum` / `cumprod`. */
export interface CumulativeOptions {
  /** Cast the input to this dtype first (PyTorch's `dtype=`). */
  dtype?: DType;
}

/** Running sum or product of each lane. */
function scan(lanes: NumArray, plan: LanePlan, product: boolean, truncate: boolean): Float64Array {
  const n = plan.laneSize;
  const out = new Float64Array(plan.numLanes * n);
  for (let o = 0, p = 0; o < plan.numLanes; o++) {
    let acc = product ? 1 : 0;
    for (let r = 0; r < n; r++, p++) {
      const v = truncate ? Math.trunc(lanes[p]!) : lanes[p]!;
      acc = product ? acc * v : acc + v;
      out[p] = acc;
    }
  }
  return out;
}

/** cumsum's backward: the reversed running sum of the gradient in each lane. */
function cumsumBackward(g: NumArray, plan: LanePlan): Float64Array {
  const n = plan.laneSize;
  const out = new Float64Array(plan.numLanes * n);
  for (let o = 0; o < plan.numLanes; o++) {
    let acc = 0;
    for (let r = n - 1; r >= 0; r--) { acc += g[o * n + r]!; out[o * n + r] = acc; }
  }
  return out;
}

/**
 * cumprod's backward without dividing by x (so zeros are fine): with P(i) the product of the
 * lane before i and S(i) = g(i) + x(i+1) S(i+1), dL/dx(i) = P(i-1) S(i).
 */
function cumprodBackward(lanes: NumArray, g: NumArray, plan: LanePlan): Float64Array {
  const n = plan.laneSize;
  const out = new Float64Array(plan.numLanes * n);
  for (let o = 0; o < plan.numLanes; o++) {
    const base = o * n;
    let s = 0;
    for (let r = n - 1; r >= 0; r--) {
      s = g[base + r]! + (r + 1 < n ? lanes[base + r + 1]! * s : 0);
      out[base + r] = s;
    }
    let prefix = 1;
    for (let r = 0; r < n; r++) { out[base + r] = out[base + r]! * prefix; prefix *= lanes[base + r]!; }
  }
  return out;
}

function cumulative(x: Tensor, dim: number, opts: CumulativeOptions, op: string, product: boolean): Tensor {
  assertNotQuantized(x, op);
  const outDtype = accumulateDtype(x, opts.dtype, op);
  const plan = planAlong(x.shape, dim, op);
  const lanes = readLanes(x, plan);
  const out = makeResult(fromLanes(scan(lanes, plan, product, x.dtype.isFloatingPoint && !outDtype.isFloatingPoint), x.shape, plan), x.shape, outDtype);
  return recordOp(product ? 'Cumprod' : 'Cumsum', out, [x], (g) => {
    const gLanes = readLanes(g, planAlong(g.shape, dim, op));
    return [laneGrad(product ? cumprodBackward(lanes, gLanes, plan) : cumsumBackward(gLanes, plan), x, plan)];
  });
}

/** Running sum along `dim` (PyTorch's `torch.cumsum`). */
export function cumsum(x: Tensor, dim: number, opts: CumulativeOptions = {}): Tensor {
  checkOptions(opts, 'cumsum');
  return cumulative(x, dim, opts, 'cumsum', false);
}

/** Running product along `dim` (PyTorch's `torch.cumprod`). */
export function cumprod(x: Tensor, dim: number, opts: CumulativeOptions = {}): Tensor {
  checkOptions(opts, 'cumprod');
  return cumulative(x, dim, opts, 'cumprod', true);
}
