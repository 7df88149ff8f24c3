/**
 * The layout every float reduction works in: the input is viewed with its kept dims first and
 * its reduced dims last, so each output element owns one contiguous "lane" of `laneSize`
 * values. Kernels then loop over plain arrays.
 *
 * Fast path (why): when the input is contiguous and the reduced dims are already the innermost
 * ones, the lanes are the storage itself and nothing is copied; otherwise one strided gather
 * builds them. `fromLanes` is the inverse (for ops whose output keeps the lane dim, and for
 * gradients).
 */
import { float16 } from '../../dtype.js';
import { QTorchValueError } from '../../errors.js';
import { halfBitsToFloat } from '../../half.js';
import { contiguousStrides, normalizeDim, shapeNumel } from '../../shape.js';
import { gatherStrided, scatterStrided } from '../../strided.js';
import type { Tensor } from '../../tensor.js';

/** Numbers readable by index: typed arrays (read-only when they are a tensor's storage). */
export type NumArray = ArrayLike<number>;

/** A `dim` argument: one dim, several, or `undefined`/`null` for all. */
export type DimArg = number | readonly number[] | null | undefined;

/** How a tensor is split into lanes for a reduction over `dims`. */
export interface LanePlan {
  /** Reduced dims, ascending, non-negative. */
  readonly dims: readonly number[];
  /** Kept dims then reduced dims: the order lanes are laid out in. */
  readonly perm: readonly number[];
  /** Whether `perm` is the identity (the reduced dims are the innermost ones). */
  readonly identity: boolean;
  /** Shape of the reduced result (with size-1 dims when `keepdim`). */
  readonly outShape: readonly number[];
  /** Number of lanes (output elements). */
  readonly numLanes: number;
  /** Elements per lane (product of the reduced sizes). */
  readonly laneSize: number;
}

/**
 * Normalizes a `dim` argument for a tensor of `ndim` dims: wraps negative dims, sorts,
 * refuses repeats. `undefined`, `null` and `[]` mean every dim (PyTorch 1.13's full reduction).
 */
export function normalizeDims(dim: DimArg, ndim: number, op: string): number[] {
  if (dim === undefined || dim === null) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof dim === 'number' ? [dim] : [...dim];
  if (list.length === 0) return Array.from({ length: ndim }, (_, i) => i);
  const out = list.map((d) => normalizeDim(d, ndim, op));
  const seen = new Set<number>();
  for (const d of out) {
    if (seen.has(d)) throw new QTorchValueError(`${op}(): dim ${d} appears multiple times in the list of dims`);
    seen.add(d);
  }
  // a 0-d tensor reduces over "dim 0" without any real dim
  return out.filter((d) => d < ndim).sort((a, b) => a - b);
}

/** Plans a reduction of a tensor of `shape` over the (normalized) `dims`. */
export function planReduce(shape: readonly number[], dims: readonly number[], keepdim: boolean): LanePlan {
  const isReduced = (d: number): boolean => dims.includes(d);
  const kept = shape.map((_, d) => d).filter((d) => !isReduced(d));
  const perm = [...kept, ...dims];
  return {
    dims,
    perm,
    identity: perm.every((d, i) => d === i),
    outShape: keepdim ? shape.map((s, d) => (isReduced(d) ? 1 : s)) : kept.map((d) => shape[d]!),
    numLanes: shapeNumel(kept.map((d) => shape[d]!)),
    laneSize: shapeNumel(dims.map((d) => shape[d]!)),
  };
}

/** Plans an op along one dim (sort, cumsum, max with dim): that dim becomes the lane. */
export function planAlong(shape: readonly number[], dim: number, op: string, keepdim = true): LanePlan {
  return planReduce(shape, normalizeDims(dim, shape.length, op), keepdim);
}

/**
 * The tensor's values in lane order (float16 converted to float32). Zero-copy when the
 * tensor is contiguous and the plan is the identity: treat the result as read-only.
 */
export function readLanes(x: Tensor, plan: LanePlan): NumArray {
  if (plan.identity) return x.values();
  const shape = plan.perm.map((d) => x.shape[d]!);
  const strides = plan.perm.map((d) => x.strides[d]!);
  const raw = new x.dtype.ArrayType(x.numel());
  gatherStrided(x.storage.data, shape, strides, x.offset, raw);
  return x.dtype === float16 ? Float32Array.from(raw, halfBitsToFloat) : raw;
}

/**
 * Rearranges lane-ordered values into row-major order of `shape` (the input shape, or the
 * input shape with the lane dim resized, as for topk). Returns `lanes` itself for the identity.
 */
export function fromLanes<A extends Float32Array | Float64Array>(lanes: A, shape: readonly number[], plan: LanePlan): A {
  if (plan.identity) return lanes;
  const strides = contiguousStrides(shape);
  const dst = new (lanes.constructor as new (n: number) => A)(lanes.length);
  scatterStrided(lanes, dst, plan.perm.map((d) => shape[d]!), plan.perm.map((d) => strides[d]!), 0);
  return dst;
}

/** `g`'s values broadcast back over each lane: lane `o` holds `g[o]` everywhere (sum's backward, before scaling). */
export function expandOverLanes(g: NumArray, plan: LanePlan): Float64Array {
  const out = new Float64Array(plan.numLanes * plan.laneSize);
  for (let o = 0, p = 0; o < plan.numLanes; o++) {
    const v = g[o]!;
    for (let r = 0; r < plan.laneSize; r++) out[p++] = v;
  }
  return out;
}

/**
 * Gradient of an op that picks `k` elements per lane (max with dim, sort, topk): `g[o, j]` is
 * added at lane `o`, position `indices[o, j]`; everything else is zero.
 */
export function scatterSelected(plan: LanePlan, k: number, indices: NumArray, g: NumArray): Float64Array {
  const out = new Float64Array(plan.numLanes * plan.laneSize);
  for (let o = 0; o < plan.numLanes; o++) {
    for (let j = 0; j < k; j++) out[o * plan.laneSize + indices[o * k + j]!] += g[o * k + j]!;
  }
  return out;
}
