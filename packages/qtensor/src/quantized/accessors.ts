/** Reading a quantized tensor's qparams: `qScale`, `qZeroPoint`, `qPerChannel*`, `qscheme`. */
import { float32, float64, int64 } from '../dtype.js';
import { QTorchTypeError } from '../errors.js';
import { type PerChannelQuantizer, type PerTensorQuantizer, type QScheme, isPerChannel } from '../quantizer.js';
import { Tensor } from '../tensor.js';
import { assertQuantized } from './checks.js';

function perTensor(x: Tensor, op: string): PerTensorQuantizer {
  assertQuantized(x, op);
  const q = x.quantizer!;
  if (isPerChannel(q)) throw new QTorchTypeError(`${op}(): expected a per-tensor quantized tensor, got qscheme ${q.qscheme}`);
  return q;
}

function perChannel(x: Tensor, op: string): PerChannelQuantizer {
  assertQuantized(x, op);
  const q = x.quantizer!;
  if (!isPerChannel(q)) throw new QTorchTypeError(`${op}(): expected a per-channel quantized tensor, got qscheme ${q.qscheme}`);
  return q;
}

/** Scale of a per-tensor quantized tensor (a double). */
export function qScale(x: Tensor): number {
  return perTensor(x, 'q_scale').scale;
}

/** Zero point of a per-tensor quantized tensor. */
export function qZeroPoint(x: Tensor): number {
  return perTensor(x, 'q_zero_point').zeroPoint;
}

/** Per-channel scales as a float64 tensor. */
export function qPerChannelScales(x: Tensor): Tensor {
  const { scales } = perChannel(x, 'q_per_channel_scales');
  return new Tensor(Float64Array.from(scales), float64, [scales.length]);
}

/** Per-channel zero points: int64, or float32 for `per_channel_affine_float_qparams`. */
export function qPerChannelZeroPoints(x: Tensor): Tensor {
  const q = perChannel(x, 'q_per_channel_zero_points');
  if (q.qscheme === 'per_channel_affine_float_qparams') return new Tensor(Float32Array.from(q.zeroPoints), float32, [q.zeroPoints.length]);
  return new Tensor(Float64Array.from(q.zeroPoints), int64, [q.zeroPoints.length]);
}

/** The channel axis of a per-channel quantized tensor. */
export function qPerChannelAxis(x: Tensor): number {
  return perChannel(x, 'q_per_channel_axis').axis;
}

/** The quantization scheme (`'per_tensor_affine'`, ...). */
export function qscheme(x: Tensor): QScheme {
  assertQuantized(x, 'qscheme');
  return x.quantizer!.qscheme;
}

declare module '../tensor.js' {
  interface Tensor {
    /** See `qScale`. */
    qScale(): number;
    /** See `qZeroPoint`. */
    qZeroPoint(): number;
    /** See `qPerChannelScales`. */
    qPerChannelScales(): Tensor;
    /** See `qPerChannelZeroPoints`. */
    qPerChannelZeroPoints(): Tensor;
    /** See `qPerChannelAxis`. */
    qPerChannelAxis(): number;
    /** See `qscheme`. */
    qscheme(): QScheme;
  }
}
const P = Tensor.prototype;
P.qScale = function () { return qScale(this); };
P.qZeroPoint = function () { return qZeroPoint(this); };
P.qPerChannelScales = function () { return qPerChannelScales(this); };
P.qPerChannelZeroPoints = function () { return qPerChannelZeroPoints(this); };
P.qPerChannelAxis = function () { return qPerChannelAxis(this); };
P.qscheme = function () { return qscheme(this); };
