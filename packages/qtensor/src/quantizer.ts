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

export interface PerTensorQuantizer {
  readonly qscheme: 'per_tensor_affine' | 'per_tensor_symmetric';
  readonly scale: number;
  readonly zeroPoint: number;
}

export interface PerChannelQuantizer {
  readonly qscheme: 'per_channel_affine' | 'per_channel_symmetric' | 'per_channel_affine_float_qparams';
  /** One scale per channel (doubles). */
  readonly scales: Float64Array;
  /** One zero point per channel (integers, or floats for `per_channel_affine_float_qparams`). */
  readonly zeroPoints: Float64Array;
  /** The channel dimension. */
  readonly axis: number;
}

export type Quantizer = PerTensorQuantizer | PerChannelQuantizer;

export function isPerChannel(q: Quantizer): q is PerChannelQuantizer {
  return q.qscheme.startsWith('per_channel');
}
