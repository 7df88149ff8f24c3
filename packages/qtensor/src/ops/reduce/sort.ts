/**
 * `sort`, `argsort` and `topk` on float and integer tensors, with PyTorch's CPU tie order:
 * `stable: true` is a stable sort, `stable: false` is libstdc++'s `std::sort`, and topk is
 * `partial_sort` (k * 64 <= n) or `nth_element` + `sort`, exactly as ATen's topk loop.
 * NaN sorts above every number (last ascending, first descending). Gradients flow to the
 * selected elements of the values output.
 */
import { recordOp } from '../../autograd.js';
import { QTorchValueError } from '../../errors.js';
import { assertNotQuantized } from '../../quantized/checks.js';
import { type ValuesIndices, valuesIndices } from '../../quantized/dispatch.js';
import { type Elem, nthElement } from '../../quantized/stl_select.js';
import type { Tensor } from '../../tensor.js';
import { laneGrad, makeIndices, makeResult } from './common.js';
import { type LanePlan, fromLanes, planAlong, readLanes, scatterSelected } from './lanes.js';
import { partialSort, stdSort } from './stl_sort.js';
import { checkOptions } from '../../args.js';

type Comp = (a: Elem, b: Elem) => boolean;

/** ATen's KeyValueCompAsc / the smallest-first topk comparator: NaN is the largest value. */
const ascending: Comp = (a, b) => (a[0] === a[0] && b[0] !== b[0]) || a[0] < b[0];
/** ATen's KeyValueCompDesc / the largest-first topk comparator. */
const descending: Comp = (a, b) => (a[0] !== a[0] && b[0] === b[0]) || a[0] > b[0];

/** Options of `sort` / `argsort`. */
export interface SortOptions {
  /** Dim to sort along (default -1). */
  dim?: number;
  /** Largest first (default false). */
  descending?: boolean;
  /** Keep equal elements in input order (default false: libstdc++'s introsort order, as PyTorch). */
  stable?: boolean;
}

/** Options of `topk`. */
export interface TopkOptions {
  /** Dim to select along (default -1). */
  dim?: number;
  /** The k largest (default true) or the k smallest. */
  largest?: boolean;
  /** Return them in sorted order (default true). */
  sorted?: boolean;
}

interface Selection {
  plan: LanePlan;
  /** Values and lane positions, lane-major, `k` per lane. */
  values: Float64Array;
  indices: Float64Array;
  k: number;
}

/** Runs `select` on every lane (as [value, index] pairs) and keeps its first `k` entries (default: all). */
function selectLanes(x: Tensor, dim: number, op: string, kArg: number | undefined, select: (lane: Elem[]) => void): Selection {
  assertNotQuantized(x, op);
  const plan = planAlong(x.shape, dim, op);
  const lanes = readLanes(x, plan);
  const n = plan.laneSize;
  const k = kArg ?? n;
  if (!Number.isInteger(k) || k < 0 || k > n) throw new QTorchValueError(`${op}(): selected index k out of range: k=${k} for a dimension of size ${n}`);
  const values = new Float64Array(plan.numLanes * k), indices = new Float64Array(plan.numLanes * k);
  const lane: Elem[] = new Array(n);
  for (let o = 0; o < plan.numLanes; o++) {
    for (let r = 0; r < n; r++) lane[r] = [lanes[o * n + r]!, r];
    select(lane);
    for (let j = 0; j < k; j++) {
      values[o * k + j] = lane[j]![0];
      indices[o * k + j] = lane[j]![1];
    }
  }
  return { plan, values, indices, k };
}

/** Output shape of a selection: the input shape with `k` along the lane dim. */
function selectionShape(x: Tensor, s: Selection): number[] {
  return x.shape.map((size, d) => (d === s.plan.dims[0] ? s.k : size));
}

/** Values (differentiable) and indices of a selection, in row-major order. */
function selectionResult(x: Tensor, s: Selection, name: string): ValuesIndices {
  const shape = selectionShape(x, s);
  const values = makeResult(fromLanes(s.values, shape, s.plan), shape, x.dtype);
  const out = recordOp(name, values, [x], (g) => {
    const gLanes = readLanes(g, planAlong(g.shape, s.plan.dims[0] ?? 0, name));
    return [laneGrad(scatterSelected(s.plan, s.k, s.indices, gLanes), x, s.plan)];
  });
  return valuesIndices(out, makeIndices(fromLanes(s.indices, shape, s.plan), shape));
}

function sortSelection(x: Tensor, opts: SortOptions | number): Selection {
  const o = typeof opts === 'number' ? { dim: opts } : opts;
  const comp = o.descending ? descending : ascending;
  const stable = (a: Elem, b: Elem): number => (comp(a, b) ? -1 : comp(b, a) ? 1 : 0);
  return selectLanes(x, o.dim ?? -1, 'sort', undefined, (lane) => {
    // Array.prototype.sort is stable; std::sort is not, and PyTorch's default uses it
    if (o.stable) lane.sort(stable);
    else stdSort(lane, 0, lane.length, comp);
  });
}

/**
 * Sorts along `dim` (default last), returning the `(values, indices)` named tuple
 * (PyTorch's `torch.sort`). A number is read as `dim`.
 */
export function sort(x: Tensor, opts: SortOptions | number = {}): ValuesIndices {
  return selectionResult(x, sortSelection(x, opts), 'Sort');
}

/** The indices that sort `x` along `dim` (PyTorch's `torch.argsort`). */
export function argsort(x: Tensor, opts: SortOptions | number = {}): Tensor {
  const s = sortSelection(x, opts);
  const shape = selectionShape(x, s);
  return makeIndices(fromLanes(s.indices, shape, s.plan), shape);
}

/**
 * The `k` largest (or smallest) elements along `dim` (default last) and their indices
 * (PyTorch's `torch.topk`), ties resolved as PyTorch's CPU kernel resolves them.
 */
export function topk(x: Tensor, k: number, opts: TopkOptions = {}): ValuesIndices {
  checkOptions(opts, 'topk');
  const comp = (opts.largest ?? true) ? descending : ascending;
  const sorted = opts.sorted ?? true;
  const s = selectLanes(x, opts.dim ?? -1, 'topk', k, (lane) => {
    if (k === 0) return;
    if (k * 64 <= lane.length) partialSort(lane, 0, k, lane.length, comp);
    else {
      nthElement(lane, k - 1, comp);
      if (sorted) stdSort(lane, 0, k - 1, comp);
    }
  });
  return selectionResult(x, s, 'Topk');
}
