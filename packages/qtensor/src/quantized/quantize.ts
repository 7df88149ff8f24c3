/**
 * `quantizePerTensor`, `quantizePerChannel`, `dequantize` and `intRepr`, with PyTorch 1.13's
 * exact float32 numerics (see numerics.ts).
 */
import { type DType, dtypeRange, float32, quint4x2, underlyingIntDtype } from '../dtype.js';
import { QTorchTypeError } from '../errors.js';
import { isPerChannel } from '../quantizer.js';
import { Tensor } from '../tensor.js';
import { to } from '../views.js';
import { findKernel } from '../registry.js';
import { assertFloat, assertQuantized } from './checks.js';
import { forEachChannel } from './channel.js';
import { type QparamList, newQuantized, perChannelQuantizer, perTensorQuantizer } from './make.js';
import { dequantizeValue, f32, inverseScale, quantizeValue, quantizeValueFloatQparams } from './numerics.js';
import { assertTensor } from '../args.js';

/** A qparam given as a number or a one-element tensor (PyTorch's tensor-qparams overload). */
export type ScalarQparam = number | Tensor;

function scalarOf(v: ScalarQparam, op: string, what: string): number {
  if (typeof v === 'number') return v;
  assertTensor(v, op, `${what} (a number or a one-element tensor)`);
  if (v.numel() !== 1) throw new QTorchTypeError(`${op}(): ${what} must be a number or a one-element tensor, got ${v.numel()} elements`);
  return v.values()[0]!;
}

/** The input's values as float32 (PyTorch quantizes float32 data; other float dtypes round first). */
function float32Values(x: Tensor, op: string): ArrayLike<number> {
  assertFloat(x, op);
  return x.dtype === float32 ? x.values() : Float32Array.from(x.values());
}

/**
 * Runs a native kernel registered for `op` (the addons register whole-tensor quantize and
 * dequantize), or returns undefined to run the reference below. The guard makes a native
 * kernel's own fallback (which calls back into this function) run the reference.
 */
let inNative = false;
function viaNative(op: string, args: unknown[]): Tensor | undefined {
  if (inNative) return undefined;
  const k = findKernel(op);
  if (!k || k.source !== 'native') return undefined;
  inNative = true;
  try {
    return (k.impl as (...a: unknown[]) => Tensor)(...args);
  } finally {
    inNative = false;
  }
}

function quantizePerTensorOne(x: Tensor, scale: number, zeroPoint: number, dtype: DType): Tensor {
  const op = 'quantize_per_tensor';
  assertFloat(x, op);
  const quantizer = perTensorQuantizer(scale, zeroPoint, dtype, op);
  const native = viaNative('aten::quantize_per_tensor', [x, scale, zeroPoint, dtype]);
  if (native) return native;
  const vals = float32Values(x, op);
  const [qmin, qmax] = dtypeRange(dtype);
  const inv = inverseScale(scale);
  const out = new dtype.ArrayType(vals.length);
  for (let i = 0; i < vals.length; i++) out[i] = quantizeValue(vals[i]!, inv, zeroPoint, qmin, qmax);
  return newQuantized(out, dtype, x.shape, quantizer);
}

/**
 * Quantizes a float tensor with one scale and zero point:
 * `q = clamp(zp + rint(x * f32(1 / scale)), qmin, qmax)` (float32 arithmetic, half-to-even).
 * `scale`/`zeroPoint` may be one-element tensors. A list of tensors takes scale and zero point
 * tensors with one entry per input.
 */
export function quantizePerTensor(x: Tensor, scale: ScalarQparam, zeroPoint: ScalarQparam, dtype: DType): Tensor;
export function quantizePerTensor(xs: readonly Tensor[], scales: Tensor, zeroPoints: Tensor, dtype: DType): Tensor[];
export function quantizePerTensor(
  x: Tensor | readonly Tensor[], scale: ScalarQparam, zeroPoint: ScalarQparam, dtype: DType,
): Tensor | Tensor[] {
  const op = 'quantize_per_tensor';
  if (Array.isArray(x)) {
    const s = scale instanceof Tensor ? scale.values() : [scale];
    const z = zeroPoint instanceof Tensor ? zeroPoint.values() : [zeroPoint];
    if (s.length !== x.length || z.length !== x.length) {
      throw new QTorchTypeError(`${op}(): expected ${x.length} scales and zero points for ${x.length} tensors, got ${s.length} and ${z.length}`);
    }
    return x.map((t, i) => quantizePerTensorOne(t, s[i]!, z[i]!, dtype));
  }
  return quantizePerTensorOne(x as Tensor, scalarOf(scale, op, 'scale'), scalarOf(zeroPoint, op, 'zero_point'), dtype);
}

/**
 * Quantizes with one scale / zero point per slice along `axis`. Integer zero points give
 * `per_channel_affine`; a floating point zero point tensor gives
 * `per_channel_affine_float_qparams` (scales then act as float32).
 */
export function quantizePerChannel(x: Tensor, scales: QparamList, zeroPoints: QparamList, axis: number, dtype: DType): Tensor {
  const op = 'quantize_per_channel';
  const vals = float32Values(x, op);
  const q = perChannelQuantizer(scales, zeroPoints, axis, x.shape, dtype, op);
  const [qmin, qmax] = dtypeRange(dtype);
  const floatQ = q.qscheme === 'per_channel_affine_float_qparams';
  const inv = Array.from(q.scales, (s) => (floatQ ? f32(1 / f32(s)) : inverseScale(s)));
  const quant = floatQ ? quantizeValueFloatQparams : quantizeValue;
  const out = new dtype.ArrayType(vals.length);
  forEachChannel(x.shape, q.axis, (i, c) => {
    out[i] = quant(vals[i]!, inv[c]!, q.zeroPoints[c]!, qmin, qmax);
  });
  return newQuantized(out, dtype, x.shape, q);
}

function dequantizeOne(x: Tensor): Tensor {
  assertTensor(x, 'dequantize');
  if (!x.isQuantized) return to(x, float32);
  const native = viaNative('aten::dequantize', [x]);
  if (native) return native;
  const q = x.quantizer!;
  const ints = x.rawValues();
  const out = new Float32Array(ints.length);
  if (!isPerChannel(q)) {
    const s = f32(q.scale), zp = q.zeroPoint;
    for (let i = 0; i < ints.length; i++) out[i] = dequantizeValue(ints[i]!, s, zp);
  } else if (q.qscheme === 'per_channel_affine_float_qparams') {
    // float kernel: (f32(q) - zp) * scale, all in float32
    forEachChannel(x.shape, q.axis, (i, c) => {
      out[i] = f32(f32(ints[i]! - f32(q.zeroPoints[c]!)) * f32(q.scales[c]!));
    });
  } else {
    // per-channel kernel: float subtraction, then a multiply by the double scale
    forEachChannel(x.shape, q.axis, (i, c) => {
      out[i] = f32(f32(ints[i]! - q.zeroPoints[c]!) * q.scales[c]!);
    });
  }
  return new Tensor(out, float32, x.shape);
}

/** Converts a quantized tensor (or each of a list) to float32; a float tensor becomes float32. */
export function dequantize(x: Tensor): Tensor;
export function dequantize(xs: readonly Tensor[]): Tensor[];
export function dequantize(x: Tensor | readonly Tensor[]): Tensor | Tensor[] {
  return Array.isArray(x) ? x.map(dequantizeOne) : dequantizeOne(x as Tensor);
}

/**
 * The integer representation as a uint8 / int8 / int32 tensor (a copy). quint4x2 packs two
 * values per byte, element 2k in the low nibble, into a 1-d tensor of ceil(numel / 2) bytes,
 * as PyTorch's `int_repr` does.
 */
export function intRepr(x: Tensor): Tensor {
  assertQuantized(x, 'int_repr');
  const intDtype = underlyingIntDtype(x.dtype);
  const vals = x.rawValues();
  if (x.dtype === quint4x2) {
    const packed = new Uint8Array(Math.ceil(vals.length / 2));
    for (let i = 0; i < vals.length; i++) packed[i >> 1]! |= (vals[i]! & 0xf) << ((i & 1) * 4);
    return new Tensor(packed, intDtype, [packed.length]);
  }
  const out = new intDtype.ArrayType(vals.length);
  out.set(vals);
  return new Tensor(out, intDtype, x.shape);
}

declare module '../tensor.js' {
  interface Tensor {
    /** Float32 values of a quantized tensor (see `dequantize`). */
    dequantize(): Tensor;
    /** The integer representation (see `intRepr`). */
    intRepr(): Tensor;
  }
}
Tensor.prototype.dequantize = function () { return dequantizeOne(this); };
Tensor.prototype.intRepr = function () { return intRepr(this); };
