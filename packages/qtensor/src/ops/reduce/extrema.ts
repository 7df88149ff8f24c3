/**
 * Extremes of float and integer tensors: `max` / `min` (whole tensor, or along a dim with
 * indices), `amax` / `amin` (several dims, values only) and `argmax` / `argmin`.
 *
 * As in PyTorch's CPU kernels, the first occurrence wins among equal values and NaN
 * propagates (the first NaN is the extreme). Gradients: `max(dim)` sends the gradient to the
 * selected index; the whole-tensor `max` and `amax` split it evenly among tied elements.
 */
import { recordOp } from '../../autograd.js';
import { QTorchValueError } from '../../errors.js';
import { assertNotQuantized } from '../../quantized/checks.js';
import { type ValuesIndices, valuesIndices } from '../../quantized/dispatch.js';
import type { Tensor } from '../../tensor.js';
import { type KeepdimOptions, type ReduceOptions, dimAndOptions, laneGrad, makeIndices, makeResult } from './common.js';
import { type DimArg, type LanePlan, type NumArray, normalizeDims, planReduce, readLanes, scatterSelected } from './lanes.js';

interface LaneExtremes {
  values: Float64Array;
  indices: Float64Array;
}

/** Extreme value and its first index in each lane; a NaN ends the scan (it is the extreme). */
function laneExtremes(lanes: NumArray, plan: LanePlan, isMax: boolean): LaneExtremes {
  const n = plan.laneSize;
  const values = new Float64Array(plan.numLanes), indices = new Float64Array(plan.numLanes);
  for (let o = 0; o < plan.numLanes; o++) {
    const base = o * n;
    let best = lanes[base]!, bi = 0;
    if (best === best) {
      for (let r = 1; r < n; r++) {
        const v = lanes[base + r]!;
        // !(v <= best) is also true for NaN, which then wins
        if (isMax ? !(v <= best) : !(v >= best)) {
          best = v;
          bi = r;
          if (v !== v) break;
        }
      }
    }
    values[o] = best;
    indices[o] = bi;
  }
  return { values, indices };
}

function checkNonEmpty(x: Tensor, plan: LanePlan, op: string, full: boolean): void {
  if (full) {
    if (x.numel() === 0) throw new QTorchValueError(`${op}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`);
    return;
  }
  const zero = plan.dims.find((d) => x.shape[d] === 0);
  if (zero !== undefined) throw new QTorchValueError(`${op}(): Expected reduction dim ${zero} to have non-zero size.`);
}

/**
 * Gradient split evenly among the lane elements equal to the lane's result (PyTorch's
 * `evenly_distribute_backward`; with `nanMatches`, NaN results select the NaN elements).
 * A lane where nothing matches gets NaN, as PyTorch's amax backward (0/0).
 */
function evenlyDistribute(lanes: NumArray, plan: LanePlan, result: Float64Array, g: NumArray, nanMatches: boolean): Float64Array {
  const n = plan.laneSize;
  const out = new Float64Array(plan.numLanes * n);
  for (let o = 0; o < plan.numLanes; o++) {
    const base = o * n, v = result[o]!;
    const matches = (x: number): boolean => x === v || (nanMatches && v !== v && x !== x);
    let count = 0;
    for (let r = 0; r < n; r++) if (matches(lanes[base + r]!)) count++;
    const share = g[o]! / count;
    for (let r = 0; r < n; r++) out[base + r] = matches(lanes[base + r]!) ? share : count === 0 ? NaN : 0;
  }
  return out;
}

function wholeExtreme(x: Tensor, op: string, name: string, isMax: boolean): Tensor {
  const plan = planReduce(x.shape, normalizeDims(undefined, x.ndim, op), false);
  checkNonEmpty(x, plan, op, true);
  const lanes = readLanes(x, plan);
  const { values } = laneExtremes(lanes, plan, isMax);
  return recordOp(name, makeResult(values, [], x.dtype), [x], (g) => [laneGrad(evenlyDistribute(lanes, plan, values, g.values(), true), x, plan)]);
}

function extremeAlong(x: Tensor, dim: number, keepdim: boolean, op: string, name: string, isMax: boolean): ValuesIndices {
  const plan = planReduce(x.shape, normalizeDims(dim, x.ndim, op), keepdim);
  checkNonEmpty(x, plan, op, false);
  const { values, indices } = laneExtremes(readLanes(x, plan), plan, isMax);
  const out = recordOp(name, makeResult(values, plan.outShape, x.dtype), [x], (g) => [laneGrad(scatterSelected(plan, 1, indices, g.values()), x, plan)]);
  return valuesIndices(out, makeIndices(indices, plan.outShape));
}

function keepdimOf(opts: KeepdimOptions | boolean | undefined): boolean {
  return typeof opts === 'boolean' ? opts : opts?.keepdim ?? false;
}

/**
 * Largest element: `max(x)` is a 0-d tensor; `max(x, dim)` is the `(values, indices)` named
 * tuple along `dim` (PyTorch's `torch.max`). Quantized input goes to `qMax` through the method.
 */
export function max(x: Tensor): Tensor;
export function max(x: Tensor, dim: number, opts?: KeepdimOptions | boolean): ValuesIndices;
export function max(x: Tensor, dim?: number, opts?: KeepdimOptions | boolean): Tensor | ValuesIndices {
  assertNotQuantized(x, 'max');
  return dim === undefined ? wholeExtreme(x, 'max', 'Max', true) : extremeAlong(x, dim, keepdimOf(opts), 'max', 'Max', true);
}

/** Smallest element: `min(x)` (0-d) or `(values, indices)` along `dim` (PyTorch's `torch.min`). */
export function min(x: Tensor): Tensor;
export function min(x: Tensor, dim: number, opts?: KeepdimOptions | boolean): ValuesIndices;
export function min(x: Tensor, dim?: number, opts?: KeepdimOptions | boolean): Tensor | ValuesIndices {
  assertNotQuantized(x, 'min');
  return dim === undefined ? wholeExtreme(x, 'min', 'Min', false) : extremeAlong(x, dim, keepdimOf(opts), 'min', 'Min', false);
}

function amaxAmin(x: Tensor, dim: DimArg | ReduceOptions | undefined, opts: ReduceOptions | boolean | undefined, op: string, name: string, isMax: boolean): Tensor {
  const { dim: d, opts: o } = dimAndOptions(dim, opts);
  assertNotQuantized(x, op);
  const plan = planReduce(x.shape, normalizeDims(d, x.ndim, op), o.keepdim ?? false);
  checkNonEmpty(x, plan, op, false);
  const lanes = readLanes(x, plan);
  const { values } = laneExtremes(lanes, plan, isMax);
  return recordOp(name, makeResult(values, plan.outShape, x.dtype), [x], (g) => [laneGrad(evenlyDistribute(lanes, plan, values, g.values(), false), x, plan)]);
}

/** Largest value over one or several dims (all by default), without indices (PyTorch's `torch.amax`). */
export function amax(x: Tensor, dim?: DimArg | ReduceOptions, opts?: ReduceOptions | boolean): Tensor {
  return amaxAmin(x, dim, opts, 'amax', 'Amax', true);
}

/** Smallest value over one or several dims (all by default), without indices (PyTorch's `torch.amin`). */
export function amin(x: Tensor, dim?: DimArg | ReduceOptions, opts?: ReduceOptions | boolean): Tensor {
  return amaxAmin(x, dim, opts, 'amin', 'Amin', false);
}

/** Options of `argmax` / `argmin` (`dim` is a single dim; default: the flattened tensor). */
export interface ArgExtremeOptions extends KeepdimOptions {
  /** The dim to reduce; null or absent reduces the flattened tensor to one index. */
  dim?: number | null;
}

function argExtreme(x: Tensor, dim: number | null | undefined | ArgExtremeOptions, opts: ArgExtremeOptions | boolean | undefined, op: string, isMax: boolean): Tensor {
  const { dim: d, opts: o } = dimAndOptions<ArgExtremeOptions>(dim, opts);
  assertNotQuantized(x, op);
  const whole = d === undefined || d === null;
  const plan = planReduce(x.shape, normalizeDims(d, x.ndim, op), o.keepdim ?? false);
  checkNonEmpty(x, plan, op, whole);
  return makeIndices(laneExtremes(readLanes(x, plan), plan, isMax).indices, plan.outShape);
}

/** Index of the largest element, in the flattened tensor or along `dim`; first occurrence on ties. */
export function argmax(x: Tensor, dim?: number | null | ArgExtremeOptions, opts?: ArgExtremeOptions | boolean): Tensor {
  return argExtreme(x, dim, opts, 'argmax', true);
}

/** Index of the smallest element, in the flattened tensor or along `dim`; first occurrence on ties. */
export function argmin(x: Tensor, dim?: number | null | ArgExtremeOptions, opts?: ArgExtremeOptions | boolean): Tensor {
  return argExtreme(x, dim, opts, 'argmin', false);
}
