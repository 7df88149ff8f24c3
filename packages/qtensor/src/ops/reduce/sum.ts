/**
 * `sum` and `mean` over all elements or some dims.
 *
 * Precision (why): every lane is accumulated in float64 (JS numbers), including float32 and
 * float16 input, and rounded to the output dtype once at the end. PyTorch accumulates float32
 * in float32 with cascade summation, so results can differ from PyTorch's by a few float32 ulps
 * and are usually closer to the exact sum. Integer and bool input sums to int64 (exact up to 2^53).
 */
import { recordOp } from '../../autograd.js';
import type { DType } from '../../dtype.js';
import { QTorchTypeError } from '../../errors.js';
import { assertNotQuantized } from '../../quantized/checks.js';
import type { Tensor } from '../../tensor.js';
import { type ReduceDtypeOptions, accumulateDtype, dimAndOptions, laneGrad, makeResult } from './common.js';
import { type DimArg, type LanePlan, type NumArray, expandOverLanes, normalizeDims, planReduce, readLanes } from './lanes.js';

/** Per-lane sums in float64; `truncate` casts each value to an integer first (a float input summed as an integer dtype). */
function laneSums(lanes: NumArray, plan: LanePlan, truncate = false): Float64Array {
  const out = new Float64Array(plan.numLanes);
  const n = plan.laneSize;
  for (let o = 0, p = 0; o < plan.numLanes; o++) {
    let s = 0;
    if (truncate) for (let r = 0; r < n; r++) s += Math.trunc(lanes[p++]!);
    else for (let r = 0; r < n; r++) s += lanes[p++]!;
    out[o] = s;
  }
  return out;
}

/** The shared body of sum and mean: lane sums scaled by `scale(laneSize)`, with the matching backward. */
function scaledSum(x: Tensor, dim: DimArg, o: ReduceDtypeOptions, outDtype: DType, op: string, name: string, mean: boolean): Tensor {
  const plan = planReduce(x.shape, normalizeDims(dim, x.ndim, op), o.keepdim ?? false);
  const truncate = x.dtype.isFloatingPoint && !outDtype.isFloatingPoint;
  const sums = laneSums(readLanes(x, plan), plan, truncate);
  const k = mean ? 1 / plan.laneSize : 1;
  // divide rather than multiply by 1/n so exact means stay exact (and 0/0 gives NaN)
  if (mean) for (let i = 0; i < sums.length; i++) sums[i] = sums[i]! / plan.laneSize;
  const out = makeResult(sums, plan.outShape, outDtype);
  return recordOp(name, out, [x], (g) => {
    const lanes = expandOverLanes(g.values(), plan);
    if (mean) for (let i = 0; i < lanes.length; i++) lanes[i] = lanes[i]! * k;
    return [laneGrad(lanes, x, plan)];
  });
}

/**
 * Sum of the elements over all dims or `dim` (PyTorch's `torch.sum`).
 * Bool and integer input sums to int64 unless `dtype` says otherwise.
 *
 * @example
 * ```ts
 * sum(tensor([[1, 2], [3, 4]]), 1); // tensor([3., 7.])
 * sum(x, { dim: [0, 2], keepdim: true });
 * ```
 */
export function sum(x: Tensor, dim?: DimArg | ReduceDtypeOptions, opts?: ReduceDtypeOptions | boolean): Tensor {
  const { dim: d, opts: o } = dimAndOptions(dim, opts);
  assertNotQuantized(x, 'sum');
  return scaledSum(x, d, o, accumulateDtype(x, o.dtype, 'sum'), 'sum', 'Sum', false);
}

/**
 * Mean over all dims or `dim` (PyTorch's `torch.mean`). Needs a floating point input or a
 * floating point `dtype`. Quantized input goes to `qMean` through the Tensor method.
 */
export function mean(x: Tensor, dim?: DimArg | ReduceDtypeOptions, opts?: ReduceDtypeOptions | boolean): Tensor {
  const { dim: d, opts: o } = dimAndOptions(dim, opts);
  assertNotQuantized(x, 'mean');
  const outDtype = o.dtype ?? x.dtype;
  if (!outDtype.isFloatingPoint) {
    throw new QTorchTypeError(
      `mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ${x.dtype.torchName}; pass { dtype: float32 } or convert with .float()`,
    );
  }
  return scaledSum(x, d, o, outDtype, 'mean', 'Mean', true);
}
