/**
 * Building quantized tensors from integer data and qparams (PyTorch's
 * `_make_per_tensor_quantized_tensor`, `_make_per_channel_quantized_tensor`,
 * `_empty_affine_quantized`, `_empty_per_channel_affine_quantized`).
 *
 * Storage: the integer representation, one element per storage slot, in the dtype's typed
 * array (quint8/quint4x2 -> Uint8Array, qint8 -> Int8Array, qint32 -> Int32Array). quint4x2
 * keeps one unpacked 4-bit value per slot so views work unchanged; `intRepr()` packs two per
 * byte exactly as PyTorch stores them.
 */
import { type DType, type TypedArray, int8, int32, qint8, qint32, quint8, uint8 } from '../dtype.js';
import { QTorchShapeError, QTorchTypeError, fmtShape } from '../errors.js';
import type { PerChannelQuantizer, PerTensorQuantizer, QScheme } from '../quantizer.js';
import { checkShape, normalizeDim, shapeNumel } from '../shape.js';
import { Tensor } from '../tensor.js';
import { assertQuantizedDtype, checkScale, checkZeroPoint } from './checks.js';
import { assertTensor, checkOptions } from '../args.js';

/** Scales or zero points given as a tensor or a plain list. */
export type QparamList = Tensor | ArrayLike<number>;

/** Reads a qparam list as doubles. @internal */
export function qparamValues(v: QparamList): Float64Array {
  if (v instanceof Tensor) return Float64Array.from(v.values());
  return Float64Array.from(v);
}

/** A contiguous quantized tensor over `data` (taken, not copied). @internal */
export function newQuantized(
  data: TypedArray, dtype: DType, shape: readonly number[], quantizer: PerTensorQuantizer | PerChannelQuantizer,
): Tensor {
  const t = new Tensor(data, dtype, shape);
  t.quantizer = quantizer;
  return t;
}

/** Per-tensor quantizer after validating the scale and zero point for `dtype`. @internal */
export function perTensorQuantizer(scale: number, zeroPoint: number, dtype: DType, op: string): PerTensorQuantizer {
  assertQuantizedDtype(dtype, op);
  checkScale(scale, op);
  checkZeroPoint(zeroPoint, dtype, op);
  return { qscheme: 'per_tensor_affine', scale, zeroPoint };
}

/**
 * Per-channel quantizer after validation. Float zero points (`floatZeroPoints`) give
 * `per_channel_affine_float_qparams`. @internal
 */
export function perChannelQuantizer(
  scales: QparamList, zeroPoints: QparamList, axis: number, shape: readonly number[], dtype: DType, op: string,
  floatZeroPoints = zeroPoints instanceof Tensor && zeroPoints.dtype.isFloatingPoint,
): PerChannelQuantizer {
  assertQuantizedDtype(dtype, op);
  const ax = normalizeDim(axis, shape.length, op);
  const s = qparamValues(scales), z = qparamValues(zeroPoints);
  if (s.length !== shape[ax] || z.length !== shape[ax]) {
    throw new QTorchShapeError(
      `${op}(): expected ${shape[ax]} scales and zero points (size of axis ${ax} of ${fmtShape(shape)}), got ${s.length} and ${z.length}`,
    );
  }
  for (const v of s) checkScale(v, op);
  if (!floatZeroPoints) for (const v of z) checkZeroPoint(v, dtype, op);
  const qscheme: QScheme = floatZeroPoints ? 'per_channel_affine_float_qparams' : 'per_channel_affine';
  return { qscheme, scales: s, zeroPoints: z, axis: ax } as PerChannelQuantizer;
}

/** The quantized dtype whose integer representation is `intDtype`. */
function quantizedDtypeOf(intDtype: DType, op: string): DType {
  if (intDtype === uint8) return quint8;
  if (intDtype === int8) return qint8;
  if (intDtype === int32) return qint32;
  throw new QTorchTypeError(`${op}(): expected a uint8, int8 or int32 tensor, got ${intDtype.torchName}`);
}

function copyInts(intTensor: Tensor, dtype: DType): TypedArray {
  const out = new dtype.ArrayType(intTensor.numel());
  out.set(intTensor.rawValues());
  return out;
}

/** A per-tensor quantized tensor with a copy of `intTensor`'s values as its integer representation. */
export function _makePerTensorQuantizedTensor(intTensor: Tensor, scale: number, zeroPoint: number): Tensor {
  assertTensor(intTensor, '_make_per_tensor_quantized_tensor');
  const op = '_make_per_tensor_quantized_tensor';
  const dtype = quantizedDtypeOf(intTensor.dtype, op);
  return newQuantized(copyInts(intTensor, dtype), dtype, intTensor.shape, perTensorQuantizer(scale, zeroPoint, dtype, op));
}

/** A per-channel quantized tensor with a copy of `intTensor`'s values as its integer representation. */
export function _makePerChannelQuantizedTensor(intTensor: Tensor, scales: QparamList, zeroPoints: QparamList, axis: number): Tensor {
  assertTensor(intTensor, '_make_per_channel_quantized_tensor');
  const op = '_make_per_channel_quantized_tensor';
  const dtype = quantizedDtypeOf(intTensor.dtype, op);
  const q = perChannelQuantizer(scales, zeroPoints, axis, intTensor.shape, dtype, op);
  return newQuantized(copyInts(intTensor, dtype), dtype, intTensor.shape, q);
}

/** Options of `emptyAffineQuantized`. */
export interface EmptyAffineQuantizedOptions {
  /** Scale (default 1). */
  scale?: number;
  /** Zero point (default 0). */
  zeroPoint?: number;
  /** Quantized dtype (default quint8). */
  dtype?: DType;
}

/** A per-tensor quantized tensor of the given shape (integer representation zero-filled). */
export function emptyAffineQuantized(shape: readonly number[], opts: EmptyAffineQuantizedOptions = {}): Tensor {
  checkOptions(opts, 'emptyAffineQuantized');
  const op = '_empty_affine_quantized';
  checkShape(shape, op);
  const dtype = opts.dtype ?? quint8;
  const q = perTensorQuantizer(opts.scale ?? 1, opts.zeroPoint ?? 0, dtype, op);
  return newQuantized(new dtype.ArrayType(shapeNumel(shape)), dtype, shape, q);
}

/** Options of `_emptyPerChannelAffineQuantized`. */
export interface EmptyPerChannelOptions {
  /** One scale per channel along `axis`. */
  scales: QparamList;
  /** One zero point per channel along `axis`. */
  zeroPoints: QparamList;
  /** The channel dimension. */
  axis: number;
  /** Quantized dtype (default quint8). */
  dtype?: DType;
}

/** A per-channel quantized tensor of the given shape (integer representation zero-filled). */
export function _emptyPerChannelAffineQuantized(shape: readonly number[], opts: EmptyPerChannelOptions): Tensor {
  const op = '_empty_per_channel_affine_quantized';
  checkShape(shape, op);
  const dtype = opts.dtype ?? quint8;
  const q = perChannelQuantizer(opts.scales, opts.zeroPoints, opts.axis, shape, dtype, op);
  return newQuantized(new dtype.ArrayType(shapeNumel(shape)), dtype, shape, q);
}
