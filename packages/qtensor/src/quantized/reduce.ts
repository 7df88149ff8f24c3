/**
 * Reductions on quantized tensors: `qMax` / `qMin` (global, or by dim with indices),
 * `qArgmax` / `qArgmin`, `qMean` (dequantize, float mean, requantize with the input's qparams,
 * as PyTorch's `mean_quantized_cpu`), `qSort`, `qArgsort`, `qTopk`. Max/min/sort/topk work on
 * the integer representation, which orders like the real values for per-tensor qparams.
 */
import { float32, int64 } from '../dtype.js';
import { QTorchTypeError, QTorchValueError } from '../errors.js';
import { isPerChannel } from '../quantizer.js';
import { normalizeDim, shapeNumel } from '../shape.js';
import { Tensor } from '../tensor.js';
import { assertQuantized } from './checks.js';
import { type ValuesIndices, installQuantizedMethod, valuesIndices } from './dispatch.js';
import { newQuantized } from './make.js';
import { f32 } from './numerics.js';
import { type Elem, insertionSort, nthElement } from './stl_select.js';
import { quantizePerTensor } from './quantize.js';
import { checkOptions } from '../args.js';

function perTensorInput(x: Tensor, op: string): void {
  assertQuantized(x, op);
  if (isPerChannel(x.quantizer!)) throw new QTorchTypeError(`${op}(): only per-tensor quantized tensors are supported, got ${x.quantizer!.qscheme}`);
}

/** A quantized tensor with x's dtype and quantizer over `ints`. */
function like(x: Tensor, ints: ArrayLike<number>, shape: readonly number[]): Tensor {
  const data = new x.dtype.ArrayType(ints.length);
  data.set(ints);
  return newQuantized(data, x.dtype, shape, x.quantizer!);
}

function indexTensor(idx: ArrayLike<number>, shape: readonly number[]): Tensor {
  return new Tensor(Float64Array.from(idx), int64, shape);
}

/** `x` viewed as [outer, size, inner] around `dim`. */
function split3(shape: readonly number[], d: number): [number, number, number] {
  return [shapeNumel(shape.slice(0, d)), shape[d]!, shapeNumel(shape.slice(d + 1))];
}

function reducedShape(shape: readonly number[], dims: readonly number[], keepdim: boolean): number[] {
  return keepdim ? shape.map((s, i) => (dims.includes(i) ? 1 : s)) : shape.filter((_, i) => !dims.includes(i));
}

/** Arg-extreme along a dim: first occurrence wins (PyTorch's CPU reduction). */
function extremeAlong(x: Tensor, dim: number, keepdim: boolean, op: string, better: (a: number, b: number) => boolean) {
  const d = normalizeDim(dim, x.ndim, op);
  const [outer, size, inner] = split3(x.shape, d);
  if (size === 0) throw new QTorchValueError(`${op}(): cannot reduce over a zero-size dimension ${d}`);
  const v = x.rawValues();
  const vals = new Float64Array(outer * inner), idx = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let e = 0; e < inner; e++) {
      const base = o * size * inner + e;
      let best = v[base]!, bi = 0;
      for (let k = 1; k < size; k++) {
        const c = v[base + k * inner]!;
        if (better(c, best)) { best = c; bi = k; }
      }
      vals[o * inner + e] = best;
      idx[o * inner + e] = bi;
    }
  }
  return { vals, idx, shape: reducedShape(x.shape, [d], keepdim) };
}

function globalExtreme(x: Tensor, op: string, better: (a: number, b: number) => boolean): number {
  const v = x.rawValues();
  if (v.length === 0) throw new QTorchValueError(`${op}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`);
  let best = v[0]!;
  for (let i = 1; i < v.length; i++) if (better(v[i]!, best)) best = v[i]!;
  return best;
}

const gt = (a: number, b: number): boolean => a > b;
const lt = (a: number, b: number): boolean => a < b;

/** How a dim reduction may be called (as the float reductions): `(dim, keepdim)`, `(dim, {keepdim})`, `({dim, keepdim})`. */
export type DimArgs = [(number | { dim?: number; keepdim?: boolean })?, (boolean | { keepdim?: boolean })?];

function dimArgs([a, b]: DimArgs): { dim?: number; keepdim: boolean } {
  const fromB = typeof b === 'boolean' ? b : b?.keepdim;
  if (typeof a === 'object' && a !== null) return { dim: a.dim, keepdim: a.keepdim ?? fromB ?? false };
  return { dim: a, keepdim: fromB ?? false };
}

/** Max of a quantized tensor: global (a 0-d quantized tensor), or `(values, indices)` along `dim`. */
export function qMax(x: Tensor): Tensor;
export function qMax(x: Tensor, dim: number | { dim: number; keepdim?: boolean }, keepdim?: boolean | { keepdim?: boolean }): ValuesIndices;
export function qMax(x: Tensor, ...args: DimArgs): Tensor | ValuesIndices {
  const { dim, keepdim } = dimArgs(args);
  return extreme(x, 'max', gt, dim, keepdim);
}

/** Min of a quantized tensor: global, or `(values, indices)` along `dim`. */
export function qMin(x: Tensor): Tensor;
export function qMin(x: Tensor, dim: number | { dim: number; keepdim?: boolean }, keepdim?: boolean | { keepdim?: boolean }): ValuesIndices;
export function qMin(x: Tensor, ...args: DimArgs): Tensor | ValuesIndices {
  const { dim, keepdim } = dimArgs(args);
  return extreme(x, 'min', lt, dim, keepdim);
}

function extreme(x: Tensor, op: string, better: (a: number, b: number) => boolean, dim?: number, keepdim = false): Tensor | ValuesIndices {
  perTensorInput(x, op);
  if (dim === undefined) return like(x, [globalExtreme(x, op, better)], []);
  const r = extremeAlong(x, dim, keepdim, op, better);
  return valuesIndices(like(x, r.vals, r.shape), indexTensor(r.idx, r.shape));
}

/** Index of the max integer value (flattened, or along `dim`); first occurrence on ties. */
export function qArgmax(x: Tensor, ...args: DimArgs): Tensor {
  const { dim, keepdim } = dimArgs(args);
  return argExtreme(x, 'argmax', gt, dim, keepdim);
}

/** Index of the min integer value (flattened, or along `dim`); first occurrence on ties. */
export function qArgmin(x: Tensor, ...args: DimArgs): Tensor {
  const { dim, keepdim } = dimArgs(args);
  return argExtreme(x, 'argmin', lt, dim, keepdim);
}

function argExtreme(x: Tensor, op: string, better: (a: number, b: number) => boolean, dim?: number, keepdim = false): Tensor {
  perTensorInput(x, op);
  if (dim === undefined) {
    const flat = new Tensor(x.rawValues(), x.dtype, [x.numel()]);
    flat.quantizer = x.quantizer;
    const r = extremeAlong(flat, 0, false, op, better);
    return indexTensor(r.idx, keepdim ? x.shape.map(() => 1) : []);
  }
  const r = extremeAlong(x, dim, keepdim, op, better);
  return indexTensor(r.idx, r.shape);
}

/** Options of `qMean`. */
export interface QMeanOptions {
  /** Keep the reduced dims as size 1 (default false). */
  keepdim?: boolean;
}

/**
 * Mean of a quantized tensor over all elements or `dim`(s): dequantize, float32 mean,
 * quantize with the input's scale and zero point.
 */
export function qMean(x: Tensor, dim?: number | readonly number[], opts: QMeanOptions | boolean = {}): Tensor {
  const op = 'mean';
  perTensorInput(x, op);
  const keepdim = typeof opts === 'boolean' ? opts : opts.keepdim ?? false;
  const dims = dim === undefined ? x.shape.map((_, i) => i) : (typeof dim === 'number' ? [dim] : [...dim]).map((d) => normalizeDim(d, x.ndim, op));
  const f = x.dequantize().values();
  const outShape = reducedShape(x.shape, dims, keepdim);
  const sums = new Float64Array(shapeNumel(outShape));
  // odometer over the input, accumulating into the output slot of each element
  const outStrides: number[] = new Array(x.ndim).fill(0);
  let acc = 1;
  for (let d = x.ndim - 1; d >= 0; d--) {
    if (!dims.includes(d)) { outStrides[d] = acc; acc *= x.shape[d]!; }
  }
  const idx = new Array<number>(x.ndim).fill(0);
  let pos = 0;
  for (let i = 0; i < f.length; i++) {
    sums[pos]! += f[i]!;
    for (let d = x.ndim - 1; d >= 0; d--) {
      idx[d]!++;
      pos += outStrides[d]!;
      if (idx[d]! < x.shape[d]!) break;
      pos -= outStrides[d]! * x.shape[d]!;
      idx[d] = 0;
    }
  }
  const count = shapeNumel(dims.map((d) => x.shape[d]!));
  const means = Float32Array.from(sums, (s) => f32(f32(s) / count));
  const q = x.quantizer as { scale: number; zeroPoint: number };
  return quantizePerTensor(new Tensor(means, float32, outShape), q.scale, q.zeroPoint, x.dtype);
}

/** Options of `qSort`. */
export interface QSortOptions {
  /** The dim to sort along (default -1). */
  dim?: number;
  /** Sort largest first (default false). */
  descending?: boolean;
  /** PyTorch's CPU sort is stable either way; accepted for API parity. */
  stable?: boolean;
}

/** Sorted indices of each [outer, size, inner] lane; stable. */
function sortLanes(v: ArrayLike<number>, outer: number, size: number, inner: number, descending: boolean): Float64Array {
  const idx = new Float64Array(outer * size * inner);
  const lane = new Array<number>(size);
  for (let o = 0; o < outer; o++) {
    for (let e = 0; e < inner; e++) {
      const base = o * size * inner + e;
      for (let k = 0; k < size; k++) lane[k] = k;
      lane.sort((a, b) => {
        const va = v[base + a * inner]!, vb = v[base + b * inner]!;
        return (descending ? vb - va : va - vb) || a - b;
      });
      for (let k = 0; k < size; k++) idx[base + k * inner] = lane[k]!;
    }
  }
  return idx;
}

function gatherLanes(v: ArrayLike<number>, idx: Float64Array, outer: number, size: number, inner: number, k: number): Float64Array {
  const out = new Float64Array(outer * k * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < k; j++) {
      for (let e = 0; e < inner; e++) {
        out[(o * k + j) * inner + e] = v[o * size * inner + idx[(o * size + j) * inner + e]! * inner + e]!;
      }
    }
  }
  return out;
}

/** Sorts a quantized tensor along `dim` (default last), returning `(values, indices)`. */
export function qSort(x: Tensor, opts: QSortOptions | number = {}): ValuesIndices {
  const o = typeof opts === 'number' ? { dim: opts } : opts;
  perTensorInput(x, 'sort');
  const d = normalizeDim(o.dim ?? -1, Math.max(x.ndim, 1), 'sort');
  const [outer, size, inner] = x.ndim ? split3(x.shape, d) : [1, 1, 1];
  const v = x.rawValues();
  const idx = sortLanes(v, outer, size, inner, o.descending ?? false);
  return valuesIndices(like(x, gatherLanes(v, idx, outer, size, inner, size), x.shape), indexTensor(idx, x.shape));
}

/** Indices that sort a quantized tensor along `dim`. */
export function qArgsort(x: Tensor, opts: QSortOptions | number = {}): Tensor {
  return qSort(x, opts).indices;
}

/** Options of `qTopk`. */
export interface QTopkOptions {
  /** The dim to select along (default -1). */
  dim?: number;
  /** Return the k largest (default true) instead of the k smallest. */
  largest?: boolean;
  /** Return them in sorted order (default true). */
  sorted?: boolean;
}

/** PyTorch's CPU topk lane: nth_element, then sort the first k-1 (libstdc++ tie order). */
function topkLanes(v: ArrayLike<number>, outer: number, size: number, inner: number, k: number, largest: boolean, sorted: boolean) {
  const vals = new Float64Array(outer * k * inner), idx = new Float64Array(outer * k * inner);
  const comp = largest ? (a: Elem, b: Elem) => a[0] > b[0] : (a: Elem, b: Elem) => a[0] < b[0];
  for (let o = 0; o < outer; o++) {
    for (let e = 0; e < inner; e++) {
      const lane: Elem[] = [];
      for (let j = 0; j < size; j++) lane.push([v[(o * size + j) * inner + e]!, j]);
      if (k > 0) {
        nthElement(lane, k - 1, comp);
        if (sorted) insertionSort(lane, 0, k - 1, comp);
      }
      for (let j = 0; j < k; j++) {
        vals[(o * k + j) * inner + e] = lane[j]![0];
        idx[(o * k + j) * inner + e] = lane[j]![1];
      }
    }
  }
  return { vals, idx };
}

/**
 * The `k` largest (or smallest) elements along `dim` (default last) as `(values, indices)`.
 * Ties come out in PyTorch's order (see stl_select.ts).
 */
export function qTopk(x: Tensor, k: number, opts: QTopkOptions = {}): ValuesIndices {
  checkOptions(opts, 'qTopk');
  perTensorInput(x, 'topk');
  const d = normalizeDim(opts.dim ?? -1, Math.max(x.ndim, 1), 'topk');
  const [outer, size, inner] = x.ndim ? split3(x.shape, d) : [1, 1, 1];
  if (!Number.isInteger(k) || k < 0 || k > size) throw new QTorchValueError(`topk(): selected index k out of range: k=${k} for a dimension of size ${size}`);
  const r = topkLanes(x.rawValues(), outer, size, inner, k, opts.largest ?? true, opts.sorted ?? true);
  const shape = x.ndim ? x.shape.map((s, i) => (i === d ? k : s)) : [];
  return valuesIndices(like(x, r.vals, shape), indexTensor(r.idx, shape));
}

installQuantizedMethod('max', qMax);
installQuantizedMethod('min', qMin);
installQuantizedMethod('argmax', qArgmax);
installQuantizedMethod('argmin', qArgmin);
installQuantizedMethod('mean', qMean);
installQuantizedMethod('sort', (x: Tensor, a?: QSortOptions | number, descending?: boolean) =>
  qSort(x, typeof a === 'number' ? { dim: a, descending } : a));
installQuantizedMethod('argsort', (x: Tensor, a?: QSortOptions | number, descending?: boolean) =>
  qArgsort(x, typeof a === 'number' ? { dim: a, descending } : a));
installQuantizedMethod('topk', qTopk);
