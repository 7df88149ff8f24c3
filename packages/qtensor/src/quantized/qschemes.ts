/** Quantization schemes, spelled as PyTorch prints them (`torch.per_tensor_affine`). */
import type { QScheme } from '../quantizer.js';

/** One scale and zero point for the whole tensor. */
export const perTensorAffine = 'per_tensor_affine' satisfies QScheme;
/** Per-tensor with a symmetric range (zero point fixed by the dtype). */
export const perTensorSymmetric = 'per_tensor_symmetric' satisfies QScheme;
/** One scale and zero point per slice along an axis. */
export const perChannelAffine = 'per_channel_affine' satisfies QScheme;
/** Per-channel with symmetric ranges. */
export const perChannelSymmetric = 'per_channel_symmetric' satisfies QScheme;
/** Per-channel with float zero points (embedding weights). */
export const perChannelAffineFloatQparams = 'per_channel_affine_float_qparams' satisfies QScheme;
