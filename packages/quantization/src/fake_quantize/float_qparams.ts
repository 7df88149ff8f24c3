/**
 * Per-channel fake quantization with float zero points (the embedding scheme,
 * `per_channel_affine_float_qparams`). PyTorch's kernel adds the float zero point *before*
 * rounding: `q = lrint(zp + x * (1 / scale))`, `y = (clamp(q) - zp) * scale`; the gradient is
 * straight-through where q was in range.
 */
import { type Tensor, Tensor as TensorClass, float32, normalizeDim, recordOp } from '@qtorch/qtensor';
import { roundHalfEven } from '../observer/qparams.js';

const f32 = Math.fround;

/** `torch.fake_quantize_per_channel_affine` for float zero points. */
export function fakeQuantizePerChannelFloatQparams(
  x: Tensor, scale: Tensor, zeroPoint: Tensor, axis: number, quantMin: number, quantMax: number,
): Tensor {
  const ax = normalizeDim(axis, x.ndim, 'fake_quantize_per_channel_affine');
  const v = x.values(), s = scale.values(), zps = zeroPoint.values();
  const channels = x.shape[ax]!;
  let inner = 1;
  for (let d = ax + 1; d < x.ndim; d++) inner *= x.shape[d]!;
  const y = new Float32Array(v.length), mask = new Uint8Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const c = Math.floor(i / inner) % channels;
    const sc = f32(s[c]!), zp = f32(zps[c]!);
    const q = roundHalfEven(f32(zp + f32(v[i]! * f32(1 / sc))));
    y[i] = f32((Math.min(Math.max(q, quantMin), quantMax) - zp) * sc);
    mask[i] = q >= quantMin && q <= quantMax ? 1 : 0;
  }
  return recordOp('FakeQuantizePerChannelAffineCachemask', new TensorClass(y, float32, x.shape), [x], (g) => {
    const gv = g.values(), out = new Float32Array(mask.length);
    for (let i = 0; i < mask.length; i++) out[i] = gv[i]! * mask[i]!;
    return [new TensorClass(out, float32, x.shape)];
  });
}
