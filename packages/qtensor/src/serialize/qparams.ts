/**
 * Quantization parameters as stored next to a quantized tensor's integer data: validated
 * on the way in (a file is untrusted), so a loaded quantized tensor obeys the same
 * invariants as one made by `quantizePerTensor` / `quantizePerChannel`.
 */
import { type DType, dtypeRange, quint4x2 } from '../dtype.js';
import { type PerChannelQuantizer, type PerTensorQuantizer, type QScheme, type Quantizer, isPerChannel } from '../quantizer.js';
import { perChannelQuantizer, perTensorQuantizer } from '../quantized/make.js';
import { asFileError, describe, ensure } from './errors.js';

const QSCHEMES: readonly QScheme[] = [
  'per_tensor_affine', 'per_tensor_symmetric', 'per_channel_affine', 'per_channel_symmetric', 'per_channel_affine_float_qparams',
];

/** Whether `s` names a qscheme. */
export function isQScheme(s: unknown): s is QScheme {
  return typeof s === 'string' && (QSCHEMES as readonly string[]).includes(s);
}

/** Quantization parameters read from a file, before validation. */
export type QParamSpec =
  | { qscheme: PerTensorQuantizer['qscheme']; scale: number; zeroPoint: number }
  | { qscheme: PerChannelQuantizer['qscheme']; scales: ArrayLike<number>; zeroPoints: ArrayLike<number>; axis: number };

/**
 * The quantizer `spec` describes for a tensor of `shape` and quantized `dtype`, validated
 * like `quantizePerTensor` / `quantizePerChannel` validate their arguments (scales positive
 * and finite, zero points integers in range, one per channel, axis in range).
 */
export function validatedQuantizer(spec: QParamSpec, shape: readonly number[], dtype: DType, op: string): Quantizer {
  ensure(isQScheme(spec.qscheme), op, () => `unknown qscheme ${describe(spec.qscheme)}`);
  return asFileError(op, 'quantization parameters', (): Quantizer => {
    if (!isPerChannel(spec as Quantizer)) {
      const s = spec as Extract<QParamSpec, { scale: number }>;
      return { ...perTensorQuantizer(s.scale, s.zeroPoint, dtype, op), qscheme: s.qscheme };
    }
    const s = spec as Extract<QParamSpec, { axis: number }>;
    ensure(Number.isInteger(s.axis) && s.axis >= 0 && s.axis < shape.length, op,
      () => `per-channel axis ${describe(s.axis)} is out of range for a ${shape.length}-d tensor`);
    const floatZp = s.qscheme === 'per_channel_affine_float_qparams';
    const q = perChannelQuantizer(s.scales, s.zeroPoints, s.axis, shape, dtype, op, floatZp);
    return { ...q, qscheme: s.qscheme };
  });
}

/** Checks that every integer of a loaded quantized tensor fits its dtype (only quint4x2 can overflow its storage array). */
export function checkIntRange(data: ArrayLike<number>, dtype: DType, op: string): void {
  if (dtype !== quint4x2) return;
  const [lo, hi] = dtypeRange(dtype);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    ensure(v >= lo && v <= hi, op, () => `${dtype.torchName} value ${v} at storage index ${i} is outside [${lo}, ${hi}]`);
  }
}
