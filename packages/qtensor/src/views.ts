/**
 * Shape ops: views that share storage (view, reshape, permute, expand, select, narrow,
 * slicing, asStrided, split/chunk/unbind) and the copying ones (contiguous, clone, copy_, to,
 * cat, stack), all differentiable.
 *
 * Quantized tensors keep their quantizer through a view; a per-channel quantizer follows its
 * axis through `mapAxis` (and a view that would drop or merge the channel axis is refused,
 * as PyTorch refuses it).
 */
import { type DType, float16, float32, float64, int32, int64 } from './dtype.js';
import { QTorchShapeError, QTorchTypeError, QTorchValueError, fmtShape } from './errors.js';
import { checkInplaceAllowed, recordOp } from './autograd.js';
import { floatToHalfBits, halfBitsToFloat } from './half.js';
import { type Quantizer, isPerChannel } from './quantizer.js';
import { broadcastStrides, checkNumel, contiguousStrides, inferShape, normalizeDim, shapeNumel, shapesEqual } from './shape.js';
import { gatherStrided, scatterStrided } from './strided.js';
import { storageFromNumbers } from './creation.js';
import { subtensorQuantizer } from './quantized/subtensor.js';
import { quantizedCat } from './quantized/cat.js';
import { Tensor } from './tensor.js';
import { assertTensor, assertTensorList } from './args.js';

/** A slice along one dim: `{ start, end, step }`, each optional (Python's `a:b:c`). */
export interface Slice {
  /** First index (default 0; negative counts from the end). */
  start?: number | null;
  /** End index, exclusive (default the dim's size; negative counts from the end). */
  end?: number | null;
  /** Step, positive (default 1). */
  step?: number;
}
/** One item of an index expression: an integer (select), a slice, `null` (new axis) or `'...'`. */
export type IndexItem = number | Slice | null | '...';

/** Builds a slice (`slice(1, 3)` is Python's `1:3`). */
export function slice(start?: number | null, end?: number | null, step = 1): Slice {
  return { start: start ?? null, end: end ?? null, step };
}

function mapQuantizer(q: Quantizer | null, mapAxis: ((axis: number) => number) | undefined, op: string): Quantizer | null {
  if (!q || !isPerChannel(q)) return q;
  const axis = mapAxis ? mapAxis(q.axis) : q.axis;
  if (axis < 0) throw new QTorchValueError(`${op}(): this view would remove or merge the channel axis (${q.axis}) of a per-channel quantized tensor`);
  return axis === q.axis ? q : { ...q, axis };
}

/** A view of `base`'s storage with new geometry (quantizer carried over). @internal */
export function makeView(
  base: Tensor, shape: readonly number[], strides: readonly number[], offset: number, op: string,
  mapAxis?: (axis: number) => number,
): Tensor {
  checkNumel(shape, op);
  const t = new Tensor(base.storage, base.dtype, shape, strides, offset);
  t.quantizer = mapQuantizer(base.quantizer, mapAxis, op);
  return t;
}

/** Sums a broadcast gradient back down to `shape` (the backward of broadcasting). */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(g.shape, shape)) return g;
  const nd = g.shape.length, off = nd - shape.length;
  const src = g.values();
  const out = new (g.dtype === float32 || g.dtype === float16 ? Float32Array : Float64Array)(shapeNumel(shape));
  const outStrides = contiguousStrides(shape);
  // target index of each source element: skip leading dims, collapse size-1 target dims
  const tStride = g.shape.map((_, d) => (d < off || shape[d - off] === 1 ? 0 : outStrides[d - off]!));
  const idx = new Array<number>(nd).fill(0);
  let tpos = 0;
  for (let i = 0; i < src.length; i++) {
    out[tpos]! += src[i]!;
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]!++;
      tpos += tStride[d]!;
      if (idx[d]! < g.shape[d]!) break;
      tpos -= tStride[d]! * g.shape[d]!;
      idx[d] = 0;
    }
  }
  return new Tensor(out, out instanceof Float32Array ? float32 : float64, shape);
}

/** Zeros shaped like `like`, with `g` written into the region a view describes (backward of a view). */
function scatterIntoZeros(like: Tensor, g: Tensor, shape: readonly number[], strides: readonly number[], offset: number): Tensor {
  const out = Tensor.empty(like.shape, g.dtype === float64 ? float64 : float32);
  scatterStrided(g.values(), out.data, shape, strides, offset);
  return out;
}

/** Strides for viewing a tensor with `oldShape/oldStrides` as `newShape` without copying, or null. (ATen's computeStride.) */
function viewStrides(oldShape: readonly number[], oldStrides: readonly number[], newShape: readonly number[]): number[] | null {
  const numel = shapeNumel(oldShape);
  if (numel === 0) return contiguousStrides(newShape);
  const newStrides = new Array<number>(newShape.length).fill(0);
  let viewD = newShape.length - 1;
  let chunkBase = oldStrides[oldStrides.length - 1] ?? 1;
  let tensorNumel = 1, viewNumel = 1;
  for (let d = oldShape.length - 1; d >= 0; d--) {
    tensorNumel *= oldShape[d]!;
    if (d === 0 || (oldShape[d - 1] !== 1 && oldStrides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        newStrides[viewD] = viewNumel * chunkBase;
        viewNumel *= newShape[viewD]!;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = oldStrides[d - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  if (viewD !== -1) return null;
  return newStrides;
}

/** Axis mapping for reshapes: the channel axis survives if its size and the product before it are unchanged. */
function reshapeAxisMap(oldShape: readonly number[], newShape: readonly number[]) {
  return (axis: number): number => {
    const before = shapeNumel(oldShape.slice(0, axis));
    let acc = 1;
    for (let d = 0; d < newShape.length; d++) {
      if (acc === before && newShape[d] === oldShape[axis]) return d;
      acc *= newShape[d]!;
    }
    return -1;
  };
}

function viewImpl(x: Tensor, shape: readonly number[], op: string): Tensor {
  const target = inferShape(shape, x.numel(), op);
  const strides = viewStrides(x.shape, x.strides, target);
  if (!strides) {
    throw new QTorchShapeError(
      `${op}(): view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.`,
    );
  }
  const out = makeView(x, target, strides, x.offset, op, reshapeAxisMap(x.shape, target));
  return recordOp('View', out, [x], (g) => [reshape(g, x.shape)]);
}

/** A view with a new shape (one dim may be -1); fails if the strides do not allow it. */
export function view(x: Tensor, ...shape: Array<number | readonly number[]>): Tensor {
  assertTensor(x, 'view');
  return viewImpl(x, flattenShapeArgs(shape), 'view');
}

/** `view` when possible, else a contiguous copy with the new shape. */
export function reshape(x: Tensor, ...shape: Array<number | readonly number[]>): Tensor {
  assertTensor(x, 'reshape');
  const s = flattenShapeArgs(shape);
  const target = inferShape(s, x.numel(), 'reshape');
  if (viewStrides(x.shape, x.strides, target)) return viewImpl(x, target, 'reshape');
  return viewImpl(contiguous(x), target, 'reshape');
}

function flattenShapeArgs(shape: ReadonlyArray<number | readonly number[]>): number[] {
  return shape.length === 1 && Array.isArray(shape[0]) ? [...(shape[0] as number[])] : (shape as number[]);
}

/** Flattens dims `startDim..endDim` into one. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  assertTensor(x, 'flatten');
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeDim(startDim, x.ndim, 'flatten'), e = normalizeDim(endDim, x.ndim, 'flatten');
  if (s > e) throw new QTorchValueError('flatten(): start_dim cannot come after end_dim');
  const shape = [...x.shape.slice(0, s), shapeNumel(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return reshape(x, shape);
}

/** Splits one dim into `sizes`. */
export function unflatten(x: Tensor, dim: number, sizes: readonly number[]): Tensor {
  assertTensor(x, 'unflatten');
  const d = normalizeDim(dim, x.ndim, 'unflatten');
  const inner = inferShape(sizes, x.shape[d]!, 'unflatten');
  return reshape(x, [...x.shape.slice(0, d), ...inner, ...x.shape.slice(d + 1)]);
}

/** Removes size-1 dims (all, or the given one). */
export function squeeze(x: Tensor, dim?: number): Tensor {
  assertTensor(x, 'squeeze');
  const dims = dim === undefined ? x.shape.map((_, i) => i) : [normalizeDim(dim, x.ndim, 'squeeze')];
  const keep = x.shape.map((s, i) => !(dims.includes(i) && s === 1));
  const shape = x.shape.filter((_, i) => keep[i]);
  const strides = x.strides.filter((_, i) => keep[i]);
  const newIndex = (axis: number): number => (keep[axis] ? keep.slice(0, axis).filter(Boolean).length : -1);
  const out = makeView(x, shape, strides, x.offset, 'squeeze', newIndex);
  return recordOp('Squeeze', out, [x], (g) => [reshape(g, x.shape)]);
}

/** Inserts a size-1 dim at `dim`. */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  assertTensor(x, 'unsqueeze');
  const d = normalizeDim(dim, x.ndim + 1, 'unsqueeze');
  const shape = [...x.shape.slice(0, d), 1, ...x.shape.slice(d)];
  const innerStride = d < x.ndim ? x.strides[d]! * x.shape[d]! : 1;
  const strides = [...x.strides.slice(0, d), innerStride, ...x.strides.slice(d)];
  const out = makeView(x, shape, strides, x.offset, 'unsqueeze', (a) => (a >= d ? a + 1 : a));
  return recordOp('Unsqueeze', out, [x], (g) => [reshape(g, x.shape)]);
}

/** Reorders dims. */
export function permute(x: Tensor, ...dims: Array<number | readonly number[]>): Tensor {
  assertTensor(x, 'permute');
  const order = flattenShapeArgs(dims).map((d) => normalizeDim(d, x.ndim, 'permute'));
  if (order.length !== x.ndim || new Set(order).size !== order.length) {
    throw new QTorchValueError(`permute(): number of dims don't match in permute: got [${order.join(', ')}] for a ${x.ndim}-d tensor`);
  }
  if (x.quantizer && isPerChannel(x.quantizer)) {
    throw new QTorchTypeError('permute(): Setting strides is possible only on uniformly quantized tensor (per-channel quantized tensors cannot be permuted or transposed)');
  }
  const out = makeView(x, order.map((d) => x.shape[d]!), order.map((d) => x.strides[d]!), x.offset, 'permute', (a) => order.indexOf(a));
  const inverse = new Array<number>(order.length);
  order.forEach((d, i) => (inverse[d] = i));
  return recordOp('Permute', out, [x], (g) => [permute(g, inverse)]);
}

/** Swaps two dims. */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  assertTensor(x, 'transpose');
  if (x.ndim === 0) return x;
  const a = normalizeDim(dim0, x.ndim, 'transpose'), b = normalizeDim(dim1, x.ndim, 'transpose');
  const order = x.shape.map((_, i) => (i === a ? b : i === b ? a : i));
  return permute(x, order);
}

/** Transpose of a matrix (0-d and 1-d unchanged). */
export function t(x: Tensor): Tensor {
  assertTensor(x, 't');
  if (x.ndim > 2) throw new QTorchShapeError(`t(): expects a tensor with <= 2 dimensions, but self is ${x.ndim}D`);
  return x.ndim < 2 ? x : transpose(x, 0, 1);
}

/** Broadcasts to a larger shape without copying (-1 keeps a size). */
export function expand(x: Tensor, ...shape: Array<number | readonly number[]>): Tensor {
  assertTensor(x, 'expand');
  const s = flattenShapeArgs(shape);
  const off = s.length - x.ndim;
  const target = s.map((v, i) => (v === -1 ? (i >= off ? x.shape[i - off]! : NaN) : v));
  if (target.some((v) => !Number.isInteger(v) || v < 0)) throw new QTorchValueError(`expand(): invalid target shape ${fmtShape(s)}`);
  const strides = broadcastStrides(x.shape, x.strides, target, 'expand');
  const out = makeView(x, target, strides, x.offset, 'expand', (a) => a + off);
  return recordOp('Expand', out, [x], (g) => [sumToShape(g, x.shape)]);
}

/** Expands to `other`'s shape. */
export function expandAs(x: Tensor, other: Tensor): Tensor {
  assertTensor(x, 'expand_as');
  return expand(x, other.shape);
}

/** The slice at `index` along `dim`, removing that dim. */
export function select(x: Tensor, dim: number, index: number): Tensor {
  assertTensor(x, 'select');
  const d = normalizeDim(dim, x.ndim, 'select');
  const size = x.shape[d]!;
  if (!Number.isInteger(index) || index < -size || index >= size) {
    throw new QTorchValueError(`select(): index ${index} out of range for tensor of size ${fmtShape(x.shape)} at dimension ${d}`);
  }
  const i = index < 0 ? index + size : index;
  const shape = x.shape.filter((_, k) => k !== d), strides = x.strides.filter((_, k) => k !== d);
  const offset = x.offset + i * x.strides[d]!;
  const out = makeView(x, shape, strides, offset, 'select');
  out.quantizer = subtensorQuantizer(x.quantizer, d, i, i + 1, 1, true);
  return recordOp('Select', out, [x], (g) => [scatterIntoZeros(x, g, shape, stridesOfContiguous(x, d, 'drop'), i * contiguousStrides(x.shape)[d]!)]);
}

// For backward: the view's geometry on a fresh contiguous tensor shaped like the input.
function stridesOfContiguous(x: Tensor, d: number, mode: 'drop' | 'keep', step = 1): number[] {
  const cs = contiguousStrides(x.shape);
  return mode === 'drop' ? cs.filter((_, k) => k !== d) : cs.map((s, k) => (k === d ? s * step : s));
}

/** `length` elements from `start` along `dim` (a view). */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  assertTensor(x, 'narrow');
  const d = normalizeDim(dim, x.ndim, 'narrow');
  const size = x.shape[d]!;
  const s = start < 0 ? start + size : start;
  if (!Number.isInteger(s) || !Number.isInteger(length) || s < 0 || length < 0 || s + length > size) {
    throw new QTorchValueError(`narrow(): start (${start}) + length (${length}) exceeds dimension size (${size}).`);
  }
  return sliceDim(x, d, s, s + length, 1);
}

/** Python slicing along one dim: `x[..., start:end:step]`. Negative and out-of-range bounds clamp. */
export function sliceDim(x: Tensor, dim: number, start: number | null = null, end: number | null = null, step = 1): Tensor {
  assertTensor(x, 'slice');
  const d = normalizeDim(dim, x.ndim, 'slice');
  if (!Number.isInteger(step) || step <= 0) throw new QTorchValueError(`slice(): step must be a positive integer, got ${step}`);
  const size = x.shape[d]!;
  const clampIdx = (v: number | null, dflt: number): number => {
    if (v === null) return dflt;
    const w = v < 0 ? v + size : v;
    return Math.min(Math.max(w, 0), size);
  };
  const s = clampIdx(start, 0), e = Math.max(clampIdx(end, size), s);
  const len = Math.ceil((e - s) / step);
  const shape = x.shape.map((v, k) => (k === d ? len : v));
  const strides = x.strides.map((v, k) => (k === d ? v * step : v));
  const offset = x.offset + (len > 0 ? s * x.strides[d]! : 0);
  const out = makeView(x, shape, strides, offset, 'slice');
  out.quantizer = subtensorQuantizer(x.quantizer, d, s, e, step, false);
  const gOffset = len > 0 ? s * contiguousStrides(x.shape)[d]! : 0;
  return recordOp('Slice', out, [x], (g) => [scatterIntoZeros(x, g, shape, stridesOfContiguous(x, d, 'keep', step), gOffset)]);
}

/** Index expression, like Python's `x[0, 1:3, None, ...]`: `x.index([0, slice(1, 3), null, '...'])`. */
export function index(x: Tensor, items: readonly IndexItem[]): Tensor {
  assertTensor(x, 'index');
  const consumed = items.filter((it) => it !== null && it !== '...').length;
  const ellipses = items.filter((it) => it === '...').length;
  if (ellipses > 1) throw new QTorchValueError('index(): an index can only have a single ellipsis');
  if (consumed > x.ndim) throw new QTorchValueError(`index(): too many indices for tensor of dimension ${x.ndim}`);
  let out = x, dim = 0;
  for (const it of items) {
    if (it === '...') {
      const before = items.slice(0, items.indexOf('...')).filter((v) => v !== null).length;
      const nulls = items.slice(0, items.indexOf('...')).filter((v) => v === null).length;
      dim = before + nulls + (x.ndim - consumed);
    } else if (it === null) {
      out = unsqueeze(out, dim);
      dim++;
    } else if (typeof it === 'number') {
      out = select(out, dim, it);
    } else {
      out = sliceDim(out, dim, it.start ?? null, it.end ?? null, it.step ?? 1);
      dim++;
    }
  }
  return out;
}

/** A view with explicit geometry over the same storage (may overlap). */
export function asStrided(x: Tensor, size: readonly number[], stride: readonly number[], storageOffset?: number): Tensor {
  assertTensor(x, 'as_strided');
  if (size.length !== stride.length) throw new QTorchShapeError(`asStrided(): mismatch in length of strides and shape: ${size.length} vs ${stride.length}`);
  const offset = storageOffset ?? x.offset;
  let maxIndex = offset;
  for (let i = 0; i < size.length; i++) {
    if (!Number.isInteger(size[i]) || size[i]! < 0 || !Number.isInteger(stride[i]) || stride[i]! < 0) {
      throw new QTorchValueError(`asStrided(): sizes and strides must be non-negative integers, got ${fmtShape(size)} / ${fmtShape(stride)}`);
    }
    if (size[i] === 0) { maxIndex = -1; break; }
    maxIndex += (size[i]! - 1) * stride[i]!;
  }
  if (offset < 0 || maxIndex >= x.data.length) {
    throw new QTorchValueError(`asStrided(): setStorage: sizes ${fmtShape(size)}, strides ${fmtShape(stride)}, storage offset ${offset} are out of bounds for storage of size ${x.data.length}`);
  }
  const out = makeView(x, size, stride, offset, 'asStrided');
  return recordOp('AsStrided', out, [x], (g) => {
    // accumulate into a storage-sized buffer (views may overlap), then read the input's view of it
    const buf = new Float64Array(x.data.length);
    const gv = g.values();
    let k = 0;
    const idx = new Array<number>(size.length).fill(0);
    for (let n = 0; n < gv.length; n++) {
      let p = offset;
      for (let d = 0; d < size.length; d++) p += idx[d]! * stride[d]!;
      buf[p]! += gv[k++]!;
      for (let d = size.length - 1; d >= 0; d--) { if (++idx[d]! < size[d]!) break; idx[d] = 0; }
    }
    const gx = new Float32Array(x.numel());
    gatherStrided(buf, x.shape, x.strides, x.offset, gx);
    return [new Tensor(gx, float32, x.shape)];
  });
}

/** Splits into pieces of `splitSize` (a number) or the given sizes, along `dim`. */
export function split(x: Tensor, splitSize: number | readonly number[], dim = 0): Tensor[] {
  assertTensor(x, 'split');
  const d = normalizeDim(dim, x.ndim, 'split');
  const size = x.shape[d]!;
  let sizes: number[];
  if (typeof splitSize === 'number') {
    if (!Number.isInteger(splitSize) || splitSize <= 0) throw new QTorchValueError(`split(): split_size must be a positive integer, got ${splitSize}`);
    sizes = [];
    for (let s = 0; s < size; s += splitSize) sizes.push(Math.min(splitSize, size - s));
    if (size === 0) sizes = [0];
  } else {
    sizes = [...splitSize];
    const total = sizes.reduce((a, b) => a + b, 0);
    if (total !== size) throw new QTorchValueError(`split(): split_with_sizes expects split_sizes to sum exactly to ${size} (input tensor's size at dimension ${d}), but got split_sizes=${fmtShape(sizes)}`);
  }
  let start = 0;
  return sizes.map((len) => {
    const piece = narrow(x, d, start, len);
    start += len;
    return piece;
  });
}

/** Splits into `chunks` nearly equal pieces along `dim`. */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  if (!Number.isInteger(chunks) || chunks <= 0) throw new QTorchValueError(`chunk(): chunk expects \`chunks\` to be greater than 0, got: ${chunks}`);
  const d = normalizeDim(dim, x.ndim, 'chunk');
  return split(x, Math.max(1, Math.ceil(x.shape[d]! / chunks)), d);
}

/** Removes a dim, returning its slices. */
export function unbind(x: Tensor, dim = 0): Tensor[] {
  assertTensor(x, 'unbind');
  const d = normalizeDim(dim, x.ndim, 'unbind');
  return Array.from({ length: x.shape[d]! }, (_, i) => select(x, d, i));
}

/** A contiguous copy of the same dtype (values untouched; half bits and int reprs copied raw). */
function copyRaw(x: Tensor): Tensor {
  const out = new Tensor(new x.dtype.ArrayType(x.numel()), x.dtype, x.shape);
  gatherStrided(x.data, x.shape, x.strides, x.offset, out.data);
  out.quantizer = x.quantizer;
  return out;
}

/** This tensor if contiguous, else a contiguous copy. */
export function contiguous(x: Tensor): Tensor {
  assertTensor(x, 'contiguous');
  if (x.isContiguous()) return x;
  if (x.quantizer && isPerChannel(x.quantizer)) {
    throw new QTorchTypeError('contiguous(): per-channel quantized tensors support only contiguous memory formats here (PyTorch refuses this too)');
  }
  return recordOp('Contiguous', copyRaw(x), [x], (g) => [g]);
}

/** A copy (new storage) of the tensor, keeping autograd history. */
export function clone(x: Tensor): Tensor {
  assertTensor(x, 'clone');
  return recordOp('Clone', copyRaw(x), [x], (g) => [g]);
}

/** Copies `src` (broadcast, converted) into `x` in place. */
export function copy_(x: Tensor, src: Tensor): Tensor {
  checkInplaceAllowed(x, 'copy_');
  if (x.isQuantized !== src.isQuantized) {
    throw new QTorchTypeError(`copy_(): cannot copy a ${src.dtype.torchName} tensor into a ${x.dtype.torchName} tensor; quantize or dequantize first`);
  }
  const b = src.ndim > x.ndim || !shapesEqual(src.shape, x.shape) ? expand(src, x.shape) : src;
  let vals: ArrayLike<number>;
  if (x.isQuantized) {
    if (x.dtype !== src.dtype) throw new QTorchTypeError(`copy_(): quantized dtypes must match, got ${x.dtype.torchName} and ${src.dtype.torchName}`);
    vals = b.rawValues();
    x.quantizer = src.quantizer;
  } else {
    vals = x.dtype === float16 ? Array.from(b.values(), floatToHalfBits) : storageFromNumbers(b.values(), x.dtype);
  }
  scatterStrided(vals, x.data, x.shape, x.strides, x.offset);
  return x;
}

/** Converts to another (non-quantized) dtype; returns `x` itself when the dtype already matches. */
export function to(x: Tensor, dtype: DType): Tensor {
  assertTensor(x, 'to');
  if (x.dtype === dtype) return x;
  if (dtype.isQuantized || x.isQuantized) {
    throw new QTorchTypeError(`to(): cannot convert ${x.dtype.torchName} to ${dtype.torchName}; use quantizePerTensor() / dequantize()`);
  }
  const out = new Tensor(storageFromNumbers(x.values(), dtype), dtype, x.shape);
  return recordOp('ToCopy', out, [dtype.isFloatingPoint && x.dtype.isFloatingPoint ? x : null], (g) => [to(g, x.dtype === float16 ? float32 : x.dtype)]);
}

function catCheck(tensors: readonly Tensor[], d: number, op: string): void {
  const first = tensors[0]!;
  for (const t of tensors) {
    if (t.ndim !== first.ndim) throw new QTorchShapeError(`${op}(): Tensors must have same number of dimensions: got ${first.ndim} and ${t.ndim}`);
    for (let k = 0; k < t.ndim; k++) {
      if (k !== d && t.shape[k] !== first.shape[k]) {
        throw new QTorchShapeError(`${op}(): Sizes of tensors must match except in dimension ${d}. Expected size ${first.shape[k]} but got size ${t.shape[k]} for tensor number ${tensors.indexOf(t)} in the list.`);
      }
    }
    if (t.dtype !== first.dtype && (t.isQuantized || first.isQuantized)) {
      throw new QTorchTypeError(`${op}(): expected all tensors to be ${first.dtype.torchName}, got ${t.dtype.torchName}`);
    }
  }
}

/** Concatenates along an existing dim (float tensors; quantized cat lives with the quantized ops). */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  assertTensorList(tensors, 'cat');
  if (tensors.length === 0) throw new QTorchValueError('cat(): expected a non-empty list of Tensors');
  // PyTorch skips legacy 1-d empty tensors in cat
  const parts = tensors.filter((t) => !(t.ndim === 1 && t.shape[0] === 0));
  if (parts.length === 0) return tensors[0]!;
  const first = parts[0]!;
  const d = normalizeDim(dim, first.ndim, 'cat');
  catCheck(parts, d, 'cat');
  let dtype = first.dtype;
  for (const p of parts) if (p.dtype.promotionRank > dtype.promotionRank) dtype = p.dtype;
  if (first.isQuantized) return quantizedCat(parts, d);
  const shape = first.shape.map((s, k) => (k === d ? parts.reduce((a, p) => a + p.shape[d]!, 0) : s));
  const out = Tensor.empty(shape, dtype);
  const outer = shapeNumel(shape.slice(0, d)), innerOut = shapeNumel(shape.slice(d));
  let colOffset = 0;
  for (const p of parts) {
    const v = dtype === p.dtype ? p.rawValues() : to(p, dtype).rawValues();
    const inner = shapeNumel(p.shape.slice(d));
    for (let o = 0; o < outer; o++) out.data.set(v.subarray(o * inner, (o + 1) * inner), o * innerOut + colOffset);
    colOffset += inner;
  }
  return recordOp('Cat', out, parts, (g) => split(g, parts.map((p) => p.shape[d]!), d).map((gi, i) => (parts[i]!.dtype.isFloatingPoint ? contiguous(gi) : null)));
}

/** Stacks same-shaped tensors along a new dim. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  assertTensorList(tensors, 'stack');
  if (tensors.length === 0) throw new QTorchValueError('stack(): expects a non-empty TensorList');
  const first = tensors[0]!;
  for (const t of tensors) {
    if (!shapesEqual(t.shape, first.shape)) throw new QTorchShapeError(`stack(): stack expects each tensor to be equal size, but got ${fmtShape(first.shape)} at entry 0 and ${fmtShape(t.shape)} at entry ${tensors.indexOf(t)}`);
  }
  const d = normalizeDim(dim, first.ndim + 1, 'stack');
  return cat(tensors.map((t) => unsqueeze(t, d)), d);
}

/** Reads a float16 tensor's half bits as floats (exported for kernels that need it). */
export { halfBitsToFloat };

declare module './tensor.js' {
  interface Tensor {
    /** A view with a new shape (one size may be -1); throws if the strides do not allow a view (`Tensor.view`). */
    view(...shape: Array<number | readonly number[]>): Tensor;
    /** `view(other.shape)`. */
    viewAs(other: Tensor): Tensor;
    /** A view when possible, else a contiguous copy, with the new shape (one size may be -1). */
    reshape(...shape: Array<number | readonly number[]>): Tensor;
    /** `reshape(other.shape)`. */
    reshapeAs(other: Tensor): Tensor;
    /** Flattens dims `startDim..endDim` (default all) into one. */
    flatten(startDim?: number, endDim?: number): Tensor;
    /** Expands dim `dim` into `sizes` (one may be -1). */
    unflatten(dim: number, sizes: readonly number[]): Tensor;
    /** Removes size-1 dims (all, or only `dim`). */
    squeeze(dim?: number): Tensor;
    /** Inserts a size-1 dim at `dim`. */
    unsqueeze(dim: number): Tensor;
    /** A view with the dims reordered. */
    permute(...dims: Array<number | readonly number[]>): Tensor;
    /** A view with `dim0` and `dim1` swapped. */
    transpose(dim0: number, dim1: number): Tensor;
    /** Transposes a 0-d, 1-d or 2-d tensor (`Tensor.t`). */
    t(): Tensor;
    /** Alias of `t()` for matrices (PyTorch's `.T`, 2-d only). */
    readonly T: Tensor;
    /** A view broadcasting size-1 dims to `shape` (-1 keeps a size) without copying. */
    expand(...shape: Array<number | readonly number[]>): Tensor;
    /** `expand(other.shape)`. */
    expandAs(other: Tensor): Tensor;
    /** The view at `index` of `dim`, with that dim removed. */
    select(dim: number, index: number): Tensor;
    /** The view of `length` elements of `dim` from `start`. */
    narrow(dim: number, start: number, length: number): Tensor;
    /** The view `start:end:step` of `dim` (Python slicing; negative indices count from the end). */
    slice(dim: number, start?: number | null, end?: number | null, step?: number): Tensor;
    /** NumPy-style indexing by integers, slices, `null` (new axis) and `'...'` per dim. */
    index(items: readonly IndexItem[]): Tensor;
    /** A view with the given sizes, strides and storage offset (`torch.as_strided`). */
    asStrided(size: readonly number[], stride: readonly number[], storageOffset?: number): Tensor;
    /** Splits `dim` into chunks of `splitSize` (the last may be smaller) or of the given sizes. */
    split(splitSize: number | readonly number[], dim?: number): Tensor[];
    /** Splits `dim` into `chunks` near-equal views. */
    chunk(chunks: number, dim?: number): Tensor[];
    /** The views along `dim` with `dim` removed. */
    unbind(dim?: number): Tensor[];
    /** The tensor itself if contiguous, else a contiguous copy. */
    contiguous(): Tensor;
    /** A copy with its own contiguous storage (`Tensor.clone`). */
    clone(): Tensor;
    /** Copies `src` (broadcast, converted to this dtype) into this tensor in place; returns this. */
    copy_(src: Tensor): Tensor;
    /** The tensor converted to `dtype` (`Tensor.to(dtype)`). */
    to(dtype: DType): Tensor;
    /** `to(float32)`. */
    float(): Tensor;
    /** `to(float64)`. */
    double(): Tensor;
    /** `to(float16)`. */
    half(): Tensor;
    /** `to(int64)`. */
    long(): Tensor;
    /** `to(int32)`. */
    int(): Tensor;
  }
}

const P = Tensor.prototype;
P.view = function (...s) { return view(this, ...s); };
P.viewAs = function (o) { return view(this, o.shape); };
P.reshape = function (...s) { return reshape(this, ...s); };
P.reshapeAs = function (o) { return reshape(this, o.shape); };
P.flatten = function (s, e) { return flatten(this, s, e); };
P.unflatten = function (d, s) { return unflatten(this, d, s); };
P.squeeze = function (d) { return squeeze(this, d); };
P.unsqueeze = function (d) { return unsqueeze(this, d); };
P.permute = function (...d) { return permute(this, ...d); };
P.transpose = function (a, b) { return transpose(this, a, b); };
P.t = function () { return t(this); };
Object.defineProperty(P, 'T', { get(this: Tensor) { return t(this); } });
P.expand = function (...s) { return expand(this, ...s); };
P.expandAs = function (o) { return expandAs(this, o); };
P.select = function (d, i) { return select(this, d, i); };
P.narrow = function (d, s, l) { return narrow(this, d, s, l); };
P.slice = function (d, s, e, st) { return sliceDim(this, d, s ?? null, e ?? null, st ?? 1); };
P.index = function (items) { return index(this, items); };
P.asStrided = function (s, st, o) { return asStrided(this, s, st, o); };
P.split = function (s, d) { return split(this, s, d); };
P.chunk = function (c, d) { return chunk(this, c, d); };
P.unbind = function (d) { return unbind(this, d); };
P.contiguous = function () { return contiguous(this); };
P.clone = function () { return clone(this); };
P.copy_ = function (s) { return copy_(this, s); };
P.to = function (d) { return to(this, d); };
P.float = function () { return to(this, float32); };
P.double = function () { return to(this, float64); };
P.half = function () { return to(this, float16); };
P.long = function () { return to(this, int64); };
P.int = function () { return to(this, int32); };
