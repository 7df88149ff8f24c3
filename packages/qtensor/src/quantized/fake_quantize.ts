/**
 * Fake quantization (quantize then dequantize in float, for QAT) with PyTorch 1.13's float32
 * evaluation order, a straight-through gradient for x (zero where the quantized value was
 * clamped), and the learnable (LSQ) variants with gradients for scale and zero point.
 */
import { float32 } from '../dtype.js';
import { QTorchShapeError, QTorchValueError, fmtShape } from '../errors.js';
import { recordOp } from '../autograd.js';
import { normalizeDim } from '../shape.js';
import { Tensor } from '../tensor.js';
import { assertFloat, checkScale } from './checks.js';
import { assertTensor } from '../args.js';
import { forEachChannel } from './channel.js';
import { f32, rint } from './numerics.js';

const INT64_LIMIT = 2 ** 63;

/** `static_cast<int64_t>` of a float on x86: NaN / inf / out of range become INT64_MIN. */
function toInt64(v: number): number {
  return Math.abs(v) < INT64_LIMIT ? Math.trunc(v) : -INT64_LIMIT;
}

function checkRange(quantMin: number, quantMax: number, op: string): void {
  if (!(quantMin <= quantMax)) {
    throw new QTorchValueError(`${op}(): \`quant_min\` should be less than or equal to \`quant_max\`, got ${quantMin} and ${quantMax}`);
  }
}

function checkZeroPointInRange(zp: number, quantMin: number, quantMax: number, op: string): void {
  if (!(zp >= quantMin && zp <= quantMax)) {
    throw new QTorchValueError(`${op}(): \`zero_point\` must be between \`quant_min\` and \`quant_max\`, got ${zp} for [${quantMin}, ${quantMax}]`);
  }
}

/** Channel of each row-major element (all 0 for per-tensor). */
function channelsOf(shape: readonly number[], axis: number | null, n: number): Int32Array {
  const ch = new Int32Array(n);
  if (axis !== null) forEachChannel(shape, axis, (i, c) => { ch[i] = c; });
  return ch;
}

/**
 * The fake-quant forward kernel (`fake_quantize_*_cachemask`): `q = int64(zp + rint(x * inv))`,
 * `y = f32((clamp(q) - zp) * scale)`, mask = q in range. Scales are float32 per channel.
 */
function fakeQuantForward(
  x: Tensor, scales: ArrayLike<number>, zeroPoints: ArrayLike<number>, axis: number | null, quantMin: number, quantMax: number,
): { y: Float32Array; mask: Uint8Array } {
  const vals = x.values();
  const ch = channelsOf(x.shape, axis, vals.length);
  const y = new Float32Array(vals.length), mask = new Uint8Array(vals.length);
  for (let i = 0; i < vals.length; i++) {
    const s = f32(scales[ch[i]!]!), zp = zeroPoints[ch[i]!]!;
    const inv = f32(1 / s);
    const q = toInt64(f32(f32(zp) + rint(f32(vals[i]! * inv))));
    const c = q < quantMin ? quantMin : q > quantMax ? quantMax : q;
    y[i] = f32((c - zp) * s);
    mask[i] = q >= quantMin && q <= quantMax ? 1 : 0;
  }
  return { y, mask };
}

/** Straight-through gradient `g * mask` (a multiply, as PyTorch: negative g gives -0). */
function maskedGrad(g: Tensor, mask: Uint8Array, shape: readonly number[]): Tensor {
  const gv = g.values();
  const out = new Float32Array(mask.length);
  for (let i = 0; i < mask.length; i++) out[i] = gv[i]! * mask[i]!;
  return new Tensor(out, float32, shape);
}

function scalarParam(v: number | Tensor, op: string, what: string): number {
  if (typeof v === 'number') return v;
  assertTensor(v, op, `${what} (a number or a one-element tensor)`);
  if (v.numel() !== 1) throw new QTorchShapeError(`${op}(): ${what} must be a number or a one-element tensor, got shape ${fmtShape(v.shape)}`);
  return v.values()[0]!;
}

/**
 * `torch.fake_quantize_per_tensor_affine(x, scale, zero_point, quant_min, quant_max)`.
 * `scale` / `zeroPoint` may be one-element tensors (float32 / int32 in PyTorch).
 */
export function fakeQuantizePerTensorAffine(
  x: Tensor, scale: number | Tensor, zeroPoint: number | Tensor, quantMin: number, quantMax: number,
): Tensor {
  const op = 'fake_quantize_per_tensor_affine';
  assertFloat(x, op);
  checkRange(quantMin, quantMax, op);
  const s = scalarParam(scale, op, 'scale'), zp = Math.trunc(scalarParam(zeroPoint, op, 'zero_point'));
  // PyTorch multiplies by 1/scale: a zero, negative or NaN scale gives garbage, not an error
  checkScale(s, op);
  checkZeroPointInRange(zp, quantMin, quantMax, op);
  const { y, mask } = fakeQuantForward(x, [s], [zp], null, quantMin, quantMax);
  return recordOp('FakeQuantizePerTensorAffineCachemask', new Tensor(y, float32, x.shape), [x], (g) => [maskedGrad(g, mask, x.shape)]);
}

function channelParams(x: Tensor, scale: Tensor, zeroPoint: Tensor, axis: number, op: string): number {
  const ax = normalizeDim(axis, x.ndim, op);
  const c = x.shape[ax]!;
  if (scale.ndim !== 1 || scale.numel() !== c || zeroPoint.ndim !== 1 || zeroPoint.numel() !== c) {
    throw new QTorchShapeError(
      `${op}(): scale and zero_point must be 1-d with ${c} elements (size of axis ${ax} of ${fmtShape(x.shape)}), got ${fmtShape(scale.shape)} and ${fmtShape(zeroPoint.shape)}`,
    );
  }
  for (const s of scale.values()) checkScale(s, op);
  return ax;
}

/** `torch.fake_quantize_per_channel_affine(x, scale, zero_point, axis, quant_min, quant_max)`. */
export function fakeQuantizePerChannelAffine(
  x: Tensor, scale: Tensor, zeroPoint: Tensor, axis: number, quantMin: number, quantMax: number,
): Tensor {
  const op = 'fake_quantize_per_channel_affine';
  assertFloat(x, op);
  checkRange(quantMin, quantMax, op);
  const ax = channelParams(x, scale, zeroPoint, axis, op);
  const zps = Array.from(zeroPoint.values(), (v) => (zeroPoint.dtype.isFloatingPoint ? v : Math.trunc(v)));
  for (const zp of zps) checkZeroPointInRange(zp, quantMin, quantMax, op);
  const { y, mask } = fakeQuantForward(x, scale.values(), zps, ax, quantMin, quantMax);
  return recordOp('FakeQuantizePerChannelAffineCachemask', new Tensor(y, float32, x.shape), [x], (g) => [maskedGrad(g, mask, x.shape)]);
}

/**
 * The LSQ backward kernel (`fake_quantize_learnable_*_grad_kernel_cpu`), element-wise in
 * float32: note the zero point is added *before* rounding here (unlike the forward), and the
 * zero point it gets is the backward one (see callers). Returns per-element dX, dScale, dZp.
 */
function lsqBackward(
  x: Tensor, g: Tensor, scales: ArrayLike<number>, zeroPoints: ArrayLike<number>, axis: number | null,
  quantMin: number, quantMax: number, gradFactor: number,
): { dx: Float32Array; dScale: Float32Array; dZp: Float32Array; ch: Int32Array } {
  const xv = x.values(), gv = g.values();
  const n = xv.length;
  const ch = channelsOf(x.shape, axis, n);
  const gf = f32(gradFactor);
  const dx = new Float32Array(n), dScale = new Float32Array(n), dZp = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const s = f32(scales[ch[i]!]!), zp = f32(zeroPoints[ch[i]!]!);
    const inv = f32(1 / s);
    const dy = gv[i]!, xi = xv[i]!;
    const q = toInt64(rint(f32(zp + f32(xi * inv))));
    const inRange = q >= quantMin && q <= quantMax;
    dx[i] = dy * (inRange ? 1 : 0);
    if (inRange) {
      // the compiled kernel contracts `(q - zp) * s - x` into one FMA (golden lsq_pc1 shows it):
      // the product (exact in double) is not rounded to float32 before the subtraction
      const fmaDiff = f32(f32(q - zp) * s - xi);
      dScale[i] = f32(f32(f32(dy * fmaDiff) * inv) * gf);
    } else {
      const small = f32(quantMin - zp), big = f32(quantMax - zp);
      dZp[i] = f32(f32(f32(-dy) * s) * gf);
      dScale[i] = f32((q < quantMin ? f32(dy * small) : f32(dy * big)) * gf);
    }
  }
  return { dx, dScale, dZp, ch };
}

/** Sums per-element gradients into one value per channel (float64 accumulation). */
function sumPerChannel(v: Float32Array, ch: Int32Array, channels: number): Float32Array {
  const acc = new Float64Array(channels);
  for (let i = 0; i < v.length; i++) acc[ch[i]!]! += v[i]!;
  return Float32Array.from(acc);
}

function checkLearnableParams(scale: Tensor, zeroPoint: Tensor, op: string): void {
  if (!scale.dtype.isFloatingPoint || !zeroPoint.dtype.isFloatingPoint) {
    throw new QTorchValueError(`${op}(): scale and zero_point must be float tensors, got ${scale.dtype.torchName} and ${zeroPoint.dtype.torchName}`);
  }
}

/**
 * `torch._fake_quantize_learnable_per_tensor_affine(x, scale, zero_point, quant_min, quant_max,
 * grad_factor)` (LSQ): forward rounds the float zero point half-to-even and clamps it; backward
 * uses `int64(clamp(zp + 0.5))` and returns gradients for x, scale and zero point (scale and
 * zero point grads summed over elements, times `gradFactor`).
 */
export function _fakeQuantizeLearnablePerTensorAffine(
  x: Tensor, scale: Tensor, zeroPoint: Tensor, quantMin: number, quantMax: number, gradFactor = 1,
): Tensor {
  const op = '_fake_quantize_learnable_per_tensor_affine';
  assertFloat(x, op);
  checkRange(quantMin, quantMax, op);
  checkLearnableParams(scale, zeroPoint, op);
  const s = f32(scale.values()[0]!), zpF = f32(zeroPoint.values()[0]!);
  const clampF = (v: number): number => Math.min(Math.max(v, quantMin), quantMax);
  const zpForward = Math.trunc(clampF(rint(zpF)));
  const zpBackward = Math.trunc(clampF(f32(zpF + 0.5)));
  const { y } = fakeQuantForward(x, [s], [zpForward], null, quantMin, quantMax);
  return recordOp('FakeQuantizeLearnablePerTensorAffine', new Tensor(y, float32, x.shape), [x, scale, zeroPoint], (g) => {
    const r = lsqBackward(x, g, [s], [zpBackward], null, quantMin, quantMax, gradFactor);
    return [
      new Tensor(r.dx, float32, x.shape),
      new Tensor(sumPerChannel(r.dScale, r.ch, 1), float32, scale.shape),
      new Tensor(sumPerChannel(r.dZp, r.ch, 1), float32, zeroPoint.shape),
    ];
  });
}

/**
 * `torch._fake_quantize_learnable_per_channel_affine(x, scale, zero_point, axis, quant_min,
 * quant_max, grad_factor)` (LSQ per channel): the zero points are rounded half-to-even and
 * clamped (forward and backward alike); scale / zero point grads are summed per channel.
 */
export function _fakeQuantizeLearnablePerChannelAffine(
  x: Tensor, scale: Tensor, zeroPoint: Tensor, axis: number, quantMin: number, quantMax: number, gradFactor = 1,
): Tensor {
  const op = '_fake_quantize_learnable_per_channel_affine';
  assertFloat(x, op);
  checkRange(quantMin, quantMax, op);
  checkLearnableParams(scale, zeroPoint, op);
  const ax = channelParams(x, scale, zeroPoint, axis, op);
  const scales = Float32Array.from(scale.values());
  const zps = Float32Array.from(zeroPoint.values(), (v) => Math.min(Math.max(rint(f32(v)), quantMin), quantMax));
  const { y } = fakeQuantForward(x, scales, zps, ax, quantMin, quantMax);
  return recordOp('FakeQuantizeLearnablePerChannelAffine', new Tensor(y, float32, x.shape), [x, scale, zeroPoint], (g) => {
    const r = lsqBackward(x, g, scales, zps, ax, quantMin, quantMax, gradFactor);
    const c = x.shape[ax]!;
    return [
      new Tensor(r.dx, float32, x.shape),
      new Tensor(sumPerChannel(r.dScale, r.ch, c), float32, scale.shape),
      new Tensor(sumPerChannel(r.dZp, r.ch, c), float32, zeroPoint.shape),
    ];
  });
}
