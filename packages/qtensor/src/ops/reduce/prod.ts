/**
 * `prod`: product over all elements or one dim, accumulated in float64. The backward uses
 * prefix and suffix products, so inputs holding zeros get exact gradients (PyTorch's
 * prod_backward also special-cases zeros).
 */
import { recordOp } from '../../autograd.js';
import { QTorchTypeError } from '../../errors.js';
import { assertNotQuantized } from '../../quantized/checks.js';
import type { Tensor } from '../../tensor.js';
import { type ReduceDtypeOptions, accumulateDtype, dimAndOptions, laneGrad, makeResult } from './common.js';
import { type LanePlan, type NumArray, normalizeDims, planReduce, readLanes } from './lanes.js';

/** Options of `prod` (`dim` is a single dim, as in PyTorch). */
export interface ProdOptions extends ReduceDtypeOptions {
  dim?: number;
}

/** For each lane element, the product of the other elements of its lane, times the lane's gradient. */
function prodBackward(lanes: NumArray, g: NumArray, plan: LanePlan): Float64Array {
  const n = plan.laneSize;
  const out = new Float64Array(plan.numLanes * n);
  for (let o = 0; o < plan.numLanes; o++) {
    const base = o * n;
    // out[r] = prefix(r) * suffix(r), built in two passes
    let acc = 1;
    for (let r = 0; r < n; r++) { out[base + r] = acc; acc *= lanes[base + r]!; }
    acc = g[o]!;
    for (let r = n - 1; r >= 0; r--) { out[base + r] = out[base + r]! * acc; acc *= lanes[base + r]!; }
  }
  return out;
}

/**
 * Product of the elements, over all of them or along `dim` (PyTorch's `torch.prod`).
 * Bool and integer input gives int64 unless `dtype` says otherwise.
 */
export function prod(x: Tensor, dim?: number | ProdOptions, opts?: ProdOptions | boolean): Tensor {
  const { dim: d, opts: o } = dimAndOptions<ProdOptions>(dim, opts);
  assertNotQuantized(x, 'prod');
  if (d !== undefined && d !== null && typeof d !== 'number') {
    throw new QTorchTypeError(`prod(): dim must be a single int, got [${(d as readonly number[]).join(', ')}]`);
  }
  const outDtype = accumulateDtype(x, o.dtype, 'prod');
  const plan = planReduce(x.shape, normalizeDims(d, x.ndim, 'prod'), o.keepdim ?? false);
  const lanes = readLanes(x, plan);
  const truncate = x.dtype.isFloatingPoint && !outDtype.isFloatingPoint;
  const out = new Float64Array(plan.numLanes);
  for (let i = 0, p = 0; i < plan.numLanes; i++) {
    let acc = 1;
    for (let r = 0; r < plan.laneSize; r++, p++) acc *= truncate ? Math.trunc(lanes[p]!) : lanes[p]!;
    out[i] = acc;
  }
  return recordOp('Prod', makeResult(out, plan.outShape, outDtype), [x], (g) => [laneGrad(prodBackward(lanes, g.values(), plan), x, plan)]);
}
