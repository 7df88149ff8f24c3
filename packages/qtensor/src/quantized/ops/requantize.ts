/**
 * Shared integer arithmetic of the quantized operator kernels: reading a quantized input,
 * building a quantized output, and requantizing int32 accumulators (round half to even,
 * float32 multipliers as the engines compute them). Every kernel in this folder builds on
 * these, so the numerics live in one place.
 */
import { type DType, dtypeRange } from '../../dtype.js';
import { QTorchTypeError, QTorchValueError, fmtShape } from '../../errors.js';
import { isPerChannel } from '../../quantizer.js';
import { shapeNumel } from '../../shape.js';
import { Tensor } from '../../tensor.js';
import { assertQuantized, checkScale, checkZeroPoint } from '../checks.js';
import { f32, rint } from '../numerics.js';

export { f32, rint };

/** A per-tensor quantized input, read once: integer values (logical row-major order) and qparams. */
export interface QInput {
  /** Integer representation, row-major (a copy when the input was strided). */
  readonly q: ArrayLike<number>;
  /** The input's shape. */
  readonly shape: readonly number[];
  /** The quantized dtype (quint8, qint8 or qint32). */
  readonly dtype: DType;
  /** The scale as stored (a double). */
  readonly scale: number;
  /** The integer zero point. */
  readonly zeroPoint: number;
  /** Smallest integer of the dtype. */
  readonly qmin: number;
  /** Largest integer of the dtype. */
  readonly qmax: number;
}

/** Throws unless `x` is a per-tensor quantized tensor; returns its ints and qparams. */
export function readPerTensor(x: Tensor, op: string): QInput {
  assertQuantized(x, op);
  const qz = x.quantizer!;
  if (isPerChannel(qz)) {
    throw new QTorchTypeError(`${op}(): expected a per-tensor quantized tensor, got ${qz.qscheme}`);
  }
  const [qmin, qmax] = dtypeRange(x.dtype);
  return { q: x.rawValues(), shape: x.shape, dtype: x.dtype, scale: qz.scale, zeroPoint: qz.zeroPoint, qmin, qmax };
}

/** Throws unless `x` is quint8 or qint8 (the 8-bit activations every op here accepts). */
export function check8bit(x: QInput, op: string): void {
  if (x.dtype.name !== 'quint8' && x.dtype.name !== 'qint8') {
    throw new QTorchTypeError(`${op}(): expected a quint8 or qint8 input, got ${x.dtype.torchName}`);
  }
}

/** Validates requested output qparams for `dtype`. */
export function checkOutputQparams(scale: number, zeroPoint: number, dtype: DType, op: string): void {
  checkScale(scale, op);
  checkZeroPoint(zeroPoint, dtype, op);
}

/** A contiguous per-tensor quantized tensor over `data` (or zeros). */
export function makeQTensor(
  shape: readonly number[], dtype: DType, scale: number, zeroPoint: number, data?: ArrayLike<number>,
): Tensor {
  const n = shapeNumel(shape);
  const arr = new dtype.ArrayType(n);
  if (data) arr.set(data);
  const y = new Tensor(arr, dtype, shape);
  y.quantizer = { qscheme: 'per_tensor_affine', scale, zeroPoint };
  return y;
}

/** Clamps an integer to [lo, hi]. */
export function clampInt(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/**
 * The requantization every GEMM-like kernel ends with: `zp + rint(f32(f32(acc) * multiplier))`,
 * clamped. `multiplier` is already a float32 value (see `requantMultiplier`).
 */
export function requantize(acc: number, multiplier: number, zeroPoint: number, lo: number, hi: number): number {
  return clampInt(zeroPoint + rint(f32(f32(acc) * multiplier)), lo, hi);
}

/** qnnpack's float32 requantization scale `f32(f32(sx * sw) / f32(sOut))` (float math throughout). */
export function requantMultiplier(inputScale: number, weightScale: number, outScale: number): number {
  return f32(f32(f32(inputScale) * f32(weightScale)) / f32(outScale));
}

/** The lower clamp bound of a fused ReLU: the output zero point (real 0), else qmin. */
export function reluFloor(relu: boolean, zeroPoint: number, qmin: number): number {
  return relu ? Math.max(zeroPoint, qmin) : qmin;
}

/** Throws a shape error `${op}(): ${what}, got ${shape}`. */
export function shapeError(op: string, what: string, shape: readonly number[]): never {
  throw new QTorchValueError(`${op}(): ${what}, got input of shape ${fmtShape(shape)}`);
}
