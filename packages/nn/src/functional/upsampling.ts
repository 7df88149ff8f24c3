/** `interpolate` (F.interpolate / F.upsample), with nearest-neighbour resizing of quantized tensors. */
import * as Q from '@qtorch/qtensor';
import { QTorchTypeError, type Tensor, assertTensor, checkOptions } from '@qtorch/qtensor';

/**
 * Resizes the spatial dims of an (N, C, *spatial) tensor. A per-tensor quantized input is
 * resized in the integer domain with the input's qparams ('nearest' / 'nearest-exact' only,
 * which copy values and so are exact), as PyTorch's quantized upsample_nearest does.
 */
export function interpolate(x: Tensor, opts: Q.InterpolateOptions): Tensor {
  assertTensor(x, 'interpolate');
  checkOptions(opts, 'interpolate');
  if (!x.isQuantized) return Q.interpolate(x, opts);
  const mode = opts.mode ?? 'nearest';
  if (mode !== 'nearest' && mode !== 'nearest-exact') {
    throw new QTorchTypeError(`interpolate(): mode '${mode}' is not supported for quantized ${x.dtype.torchName} input here; use 'nearest' or dequantize() first`);
  }
  // integer codes of 8-bit types are exact in float32, and nearest only copies them
  const ints = Q.interpolate(Q.intRepr(x).to(Q.float32), opts);
  return Q._makePerTensorQuantizedTensor(ints.to(Q.underlyingIntDtype(x.dtype)), Q.qScale(x), Q.qZeroPoint(x));
}

/** Deprecated alias of `interpolate` kept by PyTorch. */
export const upsample = interpolate;
