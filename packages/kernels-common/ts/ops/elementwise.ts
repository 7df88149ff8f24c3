/**
 * Native whole-tensor ops: `quantized::add(_relu)`, `mul(_relu)`, `quantized::relu` (the reference kernels'
 * signatures) and `aten::quantize_per_tensor` / `aten::dequantize` (qtensor's
 * `quantizePerTensor(x, scale, zeroPoint, dtype)` / `dequantize(x)` for one tensor). Each
 * covers contiguous-or-gathered per-tensor quint8 / qint8 data and falls back otherwise
 * (broadcasting, other dtypes and schemes, invalid qparams: the reference raises the errors).
 */
import type { Bytes8 } from '../binding.js';
import type { QDType, QTensor } from '../qtensor_api.js';
import { type OpContext, allocLike, allocOutput, isFloat32, readInput8, withFallback, wrapQuantized } from './common.js';

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((s, i) => s === b[i]);

/**
 * The 8-bit binary ops: (a, b, outScale, outZeroPoint) on same shapes and dtypes only (the
 * reference broadcasts the rest); `fn` names the binding function with their common signature.
 */
function nativeBinary(ctx: OpContext, op: string, fn: 'qadd' | 'qmul', relu: boolean) {
  return withFallback(ctx, op, (a: QTensor, b: QTensor, outScale: number, outZeroPoint: number) => {
    if (a.dtype !== b.dtype || !sameShape(a.shape, b.shape)) return null;
    const ai = readInput8(a), bi = readInput8(b);
    if (!ai || !bi) return null;
    const out = allocLike(ai.ints, ai.ints.length);
    ctx.binding[fn](ai.ints, ai.scale, ai.zeroPoint, bi.ints as typeof ai.ints, bi.scale, bi.zeroPoint, outScale, outZeroPoint, relu, out);
    return wrapQuantized(ctx.qt, out, a.shape, a.dtype, outScale, outZeroPoint);
  });
}

/** `quantized::add` / `add_relu`: (a, b, outScale, outZeroPoint); same shapes and dtypes only. */
export const nativeAdd = (ctx: OpContext, relu: boolean) => nativeBinary(ctx, relu ? 'quantized::add_relu' : 'quantized::add', 'qadd', relu);

/** `quantized::mul` / `mul_relu`: (a, b, outScale, outZeroPoint); same shapes and dtypes only. */
export const nativeMul = (ctx: OpContext, relu: boolean) => nativeBinary(ctx, relu ? 'quantized::mul_relu' : 'quantized::mul', 'qmul', relu);

/** `quantized::relu`: (x) -> max(x, zero point), qparams kept. */
export function nativeRelu(ctx: OpContext) {
  return withFallback(ctx, 'quantized::relu', (x: QTensor) => {
    const xi = readInput8(x);
    if (!xi) return null;
    const out = ctx.binding.qrelu(xi.ints, xi.zeroPoint, allocLike(xi.ints, xi.ints.length));
    return wrapQuantized(ctx.qt, out, x.shape, x.dtype, xi.scale, xi.zeroPoint);
  });
}

/** The registered reference of a whole-tensor aten op, else qtensor's own function. */
function atenFallback<A extends unknown[]>(ctx: OpContext, op: string, own: (...args: A) => QTensor) {
  return (...args: A): QTensor => {
    const ref = ctx.qt.listKernels().find((k) => k.op === op && k.engine === ctx.engine && k.source === 'reference');
    return ref ? (ref.impl as unknown as (...a: A) => QTensor)(...args) : own(...args);
  };
}

const validScale = (s: number): boolean => s > 0 && Number.isFinite(s);
const zeroPointRange = (dtype: QDType): [number, number] | null =>
  dtype.name === 'quint8' ? [0, 255] : dtype.name === 'qint8' ? [-128, 127] : null;

/** `aten::quantize_per_tensor`: (x: float32, scale, zeroPoint, dtype: quint8 | qint8). */
export function nativeQuantizePerTensor(ctx: OpContext) {
  const { qt } = ctx;
  const fallback = atenFallback(ctx, 'aten::quantize_per_tensor', (x: QTensor, s: number, z: number, d: QDType) => qt.quantizePerTensor(x, s, z, d));
  return (x: QTensor, scale: number, zeroPoint: number, dtype: QDType): QTensor => {
    const range = zeroPointRange(dtype);
    const xv = x.rawValues();
    if (!isFloat32(x.dtype) || !(xv instanceof Float32Array) || !range || !validScale(scale) || !Number.isInteger(zeroPoint) ||
      zeroPoint < range[0] || zeroPoint > range[1]) {
      return fallback(x, scale, zeroPoint, dtype);
    }
    const out: Bytes8 = dtype.name === 'qint8' ? allocOutput(Int8Array, xv.length) : allocOutput(Uint8Array, xv.length);
    ctx.binding.quantizePerTensor(xv, scale, zeroPoint, out);
    return wrapQuantized(qt, out, x.shape, dtype, scale, zeroPoint);
  };
}

/** `aten::dequantize`: (x: per-tensor quint8 / qint8) -> float32. */
export function nativeDequantize(ctx: OpContext) {
  const { qt } = ctx;
  const fallback = atenFallback(ctx, 'aten::dequantize', (x: QTensor) => qt.dequantize(x));
  return (x: QTensor): QTensor => {
    const xi = readInput8(x);
    if (!xi) return fallback(x);
    const y = ctx.binding.dequantize(xi.ints, xi.scale, xi.zeroPoint, allocOutput(Float32Array, xi.ints.length));
    return qt.Tensor.fromTypedArray(y, x.shape, qt.float32);
  };
}
