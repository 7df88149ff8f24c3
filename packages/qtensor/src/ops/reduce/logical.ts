/** `all` / `any`: whether every / some element is nonzero (NaN counts as nonzero). */
import { bool, uint8 } from '../../dtype.js';
import { assertNotQuantized } from '../../quantized/checks.js';
import type { Tensor } from '../../tensor.js';
import { type ReduceOptions, dimAndOptions, makeBoolResult } from './common.js';
import { type DimArg, normalizeDims, planReduce, readLanes } from './lanes.js';

function truthReduce(x: Tensor, dim: DimArg | ReduceOptions | undefined, opts: ReduceOptions | boolean | undefined, op: string, wantAll: boolean): Tensor {
  const { dim: d, opts: o } = dimAndOptions(dim, opts);
  assertNotQuantized(x, op);
  const plan = planReduce(x.shape, normalizeDims(d, x.ndim, op), o.keepdim ?? false);
  const lanes = readLanes(x, plan);
  const out = new Uint8Array(plan.numLanes);
  for (let i = 0; i < plan.numLanes; i++) {
    // all() of an empty lane is true, any() false; stop at the first deciding element
    let result = wantAll;
    for (let r = 0, p = i * plan.laneSize; r < plan.laneSize; r++, p++) {
      if ((lanes[p] !== 0) !== wantAll) { result = !wantAll; break; }
    }
    out[i] = result ? 1 : 0;
  }
  // PyTorch 1.13 keeps uint8 for uint8 input, bool for everything else
  return makeBoolResult(out, plan.outShape, x.dtype === uint8 ? uint8 : bool);
}

/** Whether all elements (over all dims or `dim`) are nonzero (PyTorch's `torch.all`). */
export function all(x: Tensor, dim?: DimArg | ReduceOptions, opts?: ReduceOptions | boolean): Tensor {
  return truthReduce(x, dim, opts, 'all', true);
}

/** Whether any element (over all dims or `dim`) is nonzero (PyTorch's `torch.any`). */
export function any(x: Tensor, dim?: DimArg | ReduceOptions, opts?: ReduceOptions | boolean): Tensor {
  return truthReduce(x, dim, opts, 'any', false);
}
