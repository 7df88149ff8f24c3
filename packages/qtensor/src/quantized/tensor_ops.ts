/**
 * Data ops on quantized tensors: `qEqual` (torch.equal), `qFill_`, `qMaskedFill(_)`,
 * `qResize_`, `qIndexSelect`, `qRepeat`. Filled values are quantized with the tensor's own
 * qparams (PyTorch's `fill_quantized_` / `masked_fill_quantized`).
 */
import { type DType, bool, dtypeRange } from '../dtype.js';
import { QTorchShapeError, QTorchTypeError, QTorchValueError, fmtShape } from '../errors.js';
import { checkInplaceAllowed } from '../autograd.js';
import { type Quantizer, isPerChannel } from '../quantizer.js';
import { contiguousStrides, normalizeDim, shapeNumel, shapesEqual } from '../shape.js';
import { scatterStrided, stridedOffsets } from '../strided.js';
import { Tensor } from '../tensor.js';
import { assertQuantized } from './checks.js';
import { installQuantizedMethod } from './dispatch.js';
import { newQuantized } from './make.js';
import { inverseScale, quantizeValue } from './numerics.js';
import { assertTensor } from '../args.js';

function sameQuantizer(a: Quantizer, b: Quantizer): boolean {
  if (a.qscheme !== b.qscheme) return false;
  if (!isPerChannel(a) || !isPerChannel(b)) {
    return !isPerChannel(a) && !isPerChannel(b) && a.scale === b.scale && a.zeroPoint === b.zeroPoint;
  }
  const eq = (x: Float64Array, y: Float64Array) => x.length === y.length && x.every((v, i) => v === y[i]);
  return a.axis === b.axis && eq(a.scales, b.scales) && eq(a.zeroPoints, b.zeroPoints);
}

/** torch.equal for quantized tensors: same dtype, shape, qscheme and qparams, and equal integers. */
export function qEqual(a: Tensor, b: Tensor): boolean {
  assertQuantized(a, 'equal');
  if (!b.isQuantized || a.dtype !== b.dtype || !shapesEqual(a.shape, b.shape)) return false;
  if (!sameQuantizer(a.quantizer!, b.quantizer!)) return false;
  const x = a.rawValues(), y = b.rawValues();
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** The integer each element's channel maps `value` to. */
function quantizedFill(x: Tensor, value: number): (i: number) => number {
  const q = x.quantizer!;
  const [qmin, qmax] = dtypeRange(x.dtype);
  if (!isPerChannel(q)) {
    const v = quantizeValue(value, inverseScale(q.scale), q.zeroPoint, qmin, qmax);
    return () => v;
  }
  const perChannel = Array.from(q.scales, (s, c) => quantizeValue(value, inverseScale(s), q.zeroPoints[c]!, qmin, qmax));
  const inner = shapeNumel(x.shape.slice(q.axis + 1)), channels = x.shape[q.axis]!;
  return (i) => perChannel[Math.floor(i / inner) % channels]!;
}

/** Fills a quantized tensor in place with `value` quantized by its qparams. */
export function qFill_(x: Tensor, value: number | Tensor): Tensor {
  assertQuantized(x, 'fill_');
  checkInplaceAllowed(x, 'fill_');
  const v = typeof value === 'number' ? value : value.item();
  const at = quantizedFill(x, v);
  const vals = Array.from({ length: x.numel() }, (_, i) => at(i));
  scatterStrided(vals, x.data, x.shape, x.strides, x.offset);
  return x;
}

/** In place: sets elements where `mask` (bool, broadcastable) is true to `value` quantized. */
export function qMaskedFill_(x: Tensor, mask: Tensor, value: number | Tensor): Tensor {
  assertQuantized(x, 'masked_fill_');
  checkInplaceAllowed(x, 'masked_fill_');
  if (mask.dtype !== bool) throw new QTorchTypeError(`masked_fill_(): expected a bool mask, got ${mask.dtype.torchName}`);
  const m = (mask.shape.length === x.shape.length && shapesEqual(mask.shape, x.shape) ? mask : mask.expand(x.shape)).values();
  const v = typeof value === 'number' ? value : value.item();
  const at = quantizedFill(x, v);
  const offsets = stridedOffsets(x.shape, x.strides, x.offset);
  for (let i = 0; i < offsets.length; i++) if (m[i]) x.data[offsets[i]!] = at(i);
  return x;
}

/** Out-of-place masked fill (a copy of `x`). */
export function qMaskedFill(x: Tensor, mask: Tensor, value: number | Tensor): Tensor {
  assertTensor(x, 'masked_fill');
  return qMaskedFill_(x.clone(), mask, value);
}

/**
 * Resizes in place to a contiguous `shape`, keeping the first elements of storage and growing
 * it (zero-filled) when needed. Per-tensor only (a per-channel size change would invalidate
 * the channel qparams).
 */
export function qResize_(x: Tensor, shape: readonly number[]): Tensor {
  assertQuantized(x, 'resize_');
  if (isPerChannel(x.quantizer!)) throw new QTorchTypeError('resize_(): only per-tensor quantized tensors can be resized');
  if (shape.some((s) => !Number.isInteger(s) || s < 0)) throw new QTorchValueError(`resize_(): invalid shape ${fmtShape(shape)}`);
  const need = x.offset + shapeNumel(shape);
  if (need > x.data.length) {
    const grown = new x.dtype.ArrayType(need);
    grown.set(x.data);
    x.storage.data = grown;
  }
  x.shape = Object.freeze([...shape]);
  x.strides = Object.freeze(contiguousStrides(shape));
  return x;
}

function perTensorOnly(x: Tensor, op: string): void {
  assertQuantized(x, op);
  if (isPerChannel(x.quantizer!)) throw new QTorchTypeError(`${op}(): Only per_tensor quantized quantized tensors are supported by ${op}.`);
}

/** Picks slices `index` along `dim` (per-tensor quantized; integers copied). */
export function qIndexSelect(x: Tensor, dim: number, index: Tensor | readonly number[]): Tensor {
  perTensorOnly(x, 'index_select');
  const d = normalizeDim(dim, x.ndim, 'index_select');
  const idx = Array.from(index instanceof Tensor ? index.values() : index);
  const size = x.shape[d]!;
  for (const i of idx) if (!Number.isInteger(i) || i < -size || i >= size) throw new QTorchShapeError(`index_select(): index ${i} is out of bounds for dimension ${d} with size ${size}`);
  const v = x.rawValues();
  const outer = shapeNumel(x.shape.slice(0, d)), inner = shapeNumel(x.shape.slice(d + 1));
  const shape = x.shape.map((s, k) => (k === d ? idx.length : s));
  const out = new x.dtype.ArrayType(shapeNumel(shape));
  for (let o = 0; o < outer; o++) {
    idx.forEach((i, j) => {
      const src = (o * size + (i < 0 ? i + size : i)) * inner;
      out.set(v.subarray(src, src + inner), (o * idx.length + j) * inner);
    });
  }
  return newQuantized(out, x.dtype as DType, shape, x.quantizer!);
}

/** Tiles a per-tensor quantized tensor (`Tensor.repeat`). */
export function qRepeat(x: Tensor, ...repeats: Array<number | readonly number[]>): Tensor {
  perTensorOnly(x, 'repeat');
  const reps = (repeats.length === 1 && Array.isArray(repeats[0]) ? repeats[0] : repeats) as number[];
  if (reps.length < x.ndim) throw new QTorchShapeError(`repeat(): Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor`);
  const src = [...new Array<number>(reps.length - x.ndim).fill(1), ...x.shape];
  const shape = src.map((s, k) => s * reps[k]!);
  const v = x.rawValues();
  const out = new x.dtype.ArrayType(shapeNumel(shape));
  const srcStrides = contiguousStrides(src);
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < out.length; i++) {
    let p = 0;
    for (let k = 0; k < shape.length; k++) p += (idx[k]! % src[k]!) * srcStrides[k]!;
    out[i] = v[p]!;
    for (let k = shape.length - 1; k >= 0; k--) { if (++idx[k]! < shape[k]!) break; idx[k] = 0; }
  }
  return newQuantized(out, x.dtype, shape, x.quantizer!);
}

installQuantizedMethod('equal', qEqual);
installQuantizedMethod('fill_', qFill_);
installQuantizedMethod('maskedFill_', qMaskedFill_);
installQuantizedMethod('maskedFill', qMaskedFill);
installQuantizedMethod('resize_', qResize_);
installQuantizedMethod('indexSelect', qIndexSelect);
installQuantizedMethod('repeat', qRepeat);
