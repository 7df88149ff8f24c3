/** Reading observed tensors as float32 values (PyTorch's `x.detach().to(min_val.dtype)`). */
import { type Tensor, QTorchTypeError, normalizeDim } from '@qtorch/qtensor';

/** Row-major float32 values of a float tensor. */
export function float32Values(x: Tensor, op: string): Float32Array {
  if (!x.dtype.isFloatingPoint) {
    throw new QTorchTypeError(`${op}(): expected a floating-point tensor to observe, got ${x.dtype.torchName}`);
  }
  const v = x.values();
  return v instanceof Float32Array ? v : Float32Array.from(v);
}

/** Per-channel min and max along `axis` (`aminmax` over the other dims); NaN propagates. */
export function channelMinMax(x: Tensor, axis: number, op: string): { min: Float32Array; max: Float32Array } {
  const v = float32Values(x, op);
  const ax = normalizeDim(axis, x.ndim, op);
  const channels = x.shape[ax]!;
  let inner = 1;
  for (let d = ax + 1; d < x.ndim; d++) inner *= x.shape[d]!;
  const min = new Float32Array(channels).fill(Infinity), max = new Float32Array(channels).fill(-Infinity);
  for (let i = 0; i < v.length; i++) {
    const c = Math.floor(i / inner) % channels;
    const e = v[i]!;
    if (Number.isNaN(e) || Number.isNaN(min[c]!)) { min[c] = NaN; max[c] = NaN; continue; }
    if (e < min[c]!) min[c] = e;
    if (e > max[c]!) max[c] = e;
  }
  return { min, max };
}
