/**
 * Quantization parameters carried by a quantized tensor (PyTorch's `Quantizer`).
 * Scales are kept as JS numbers (C++ doubles in PyTorch); kernels round them to float32
 * where PyTorch's kernels do.
 */
export type QScheme =
  | 'per_tensor_affine'
  | 'per_tensor_symmetric'
  | 'per_channel_affine'
  | 'per_channel_symmetric'
  | 'per_channel_affine_float_qparams';

/** Qparams of a per-tensor quantized tensor: one scale and zero point for every element. */
export interface PerTensorQuantizer {
  /** `'per_tensor_affine'` (or `'per_tensor_symmetric'`). */
  readonly qscheme: 'per_tensor_affine' | 'per_tensor_symmetric';
  /** The scale (a double). */
  readonly scale: number;
  /** The integer zero point. */
  readonly zeroPoint: number;
}

/** Qparams of a per-channel quantized tensor: one scale and zero point per index of `axis`. */
export interface PerChannelQuantizer {
  /** The per-channel scheme; `per_channel_affine_float_qparams` has float zero points (embedding tables). */
  readonly qscheme: 'per_channel_affine' | 'per_channel_symmetric' | 'per_channel_affine_float_qparams';
  /** One scale per channel (doubles). */
  readonly scales: Float64Array;
  /** One zero point per channel (integers, or floats for `per_channel_affine_float_qparams`). */
  readonly zeroPoints: Float64Array;
  /** The channel dimension. */
  readonly axis: number;
}

/** A quantized tensor's qparams (`tensor.quantizer`), per tensor or per channel. */
export type Quantizer = PerTensorQuantizer | PerChannelQuantizer;

/** Whether the quantizer is per channel (narrows the type). */
export function isPerChannel(q: Quantizer): q is PerChannelQuantizer {
  return q.qscheme.startsWith('per_channel');
}
