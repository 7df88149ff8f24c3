/**
 * Native quantized activations with the reference kernels' signatures (qtensor
 * src/quantized/ops/activation.ts), bit-exact: each is a pure function of the 8-bit input given
 * the qparams, so the addon evaluates the reference formula once per possible input value (a
 * 256-entry table, built in C++) and maps the tensor through it. Also the scalar ops
 * `quantized::add_scalar` / `mul_scalar` (+relu), whose table and output qparams come from the
 * reference kernel itself run on the 256 possible inputs. And the float32 `sigmoid` / `tanh`
 * that qtensor's float ops call (`kernels::float_activation`).
 */
import type { ActivationKind, Bytes8, NativeBinding } from '../binding.js';
import type { QTensor } from '../qtensor_api.js';
import { type OpContext, allocLike, allocOutput, readInput8, referenceKernel, withFallback, wrapQuantized } from './common.js';

/** Output qparams of an activation: given (scale, zero point), or the input's (null). */
type OutQparams = readonly [number, number] | null;

/** Runs `kind` over `x`'s ints; null (reference fallback) for inputs the native code does not read. */
function activate(ctx: OpContext, x: QTensor, kind: ActivationKind, out: OutQparams, a: number | null = null, b: number | null = null): QTensor | null {
  const xi = readInput8(x);
  // NaN parameters are the reference's business (the addon refuses them as arguments)
  if (!xi || Number.isNaN(a) || Number.isNaN(b)) return null;
  const [scale, zeroPoint] = out ?? [xi.scale, xi.zeroPoint];
  const y = ctx.binding.qactivation(xi.ints, kind, xi.scale, xi.zeroPoint, scale, zeroPoint, a, b, allocLike(xi.ints, xi.ints.length));
  return wrapQuantized(ctx.qt, y, x.shape, x.dtype, scale, zeroPoint);
}

/** `quantized::{hardswish, hardsigmoid, sigmoid, tanh}`: (x, scale, zeroPoint). */
export function nativeActivation(ctx: OpContext, kind: 'hardswish' | 'hardsigmoid' | 'sigmoid' | 'tanh') {
  return withFallback(ctx, `quantized::${kind}`, (x: QTensor, scale: number, zeroPoint: number) => activate(ctx, x, kind, [scale, zeroPoint]));
}

/** `quantized::leaky_relu`: (x, negativeSlope, scale, zeroPoint). */
export function nativeLeakyRelu(ctx: OpContext) {
  return withFallback(ctx, 'quantized::leaky_relu', (x: QTensor, slope: number, scale: number, zeroPoint: number) =>
    activate(ctx, x, 'leaky_relu', [scale, zeroPoint], slope));
}

/** `quantized::elu` / `celu`: (x, scale, zeroPoint, alpha). */
export function nativeElu(ctx: OpContext, kind: 'elu' | 'celu') {
  return withFallback(ctx, `quantized::${kind}`, (x: QTensor, scale: number, zeroPoint: number, alpha: number) =>
    activate(ctx, x, kind, [scale, zeroPoint], alpha));
}

/** `quantized::threshold`: (x, threshold, value), input qparams. */
export function nativeThreshold(ctx: OpContext) {
  return withFallback(ctx, 'quantized::threshold', (x: QTensor, threshold: number, value: number) => activate(ctx, x, 'threshold', null, threshold, value));
}

/** `quantized::clamp` (also hardtanh): (x, min | null, max | null), input qparams. */
export function nativeClamp(ctx: OpContext) {
  return withFallback(ctx, 'quantized::clamp', (x: QTensor, min: number | null, max: number | null) => activate(ctx, x, 'clamp', null, min, max));
}

/** `quantized::relu6`: (x), input qparams. */
export function nativeRelu6(ctx: OpContext) {
  return withFallback(ctx, 'quantized::relu6', (x: QTensor) => activate(ctx, x, 'relu6', null));
}

/** The 256 possible values of `ints`' type, element i holding the byte i (the table's order). */
function everyValue(ints: Bytes8): Bytes8 {
  const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
  return ints instanceof Int8Array ? new Int8Array(bytes.buffer) : bytes;
}

/**
 * `quantized::add_scalar` / `mul_scalar` (+relu): (x, other). The output qparams depend on the
 * input's and `other` only, and each output int on the input int only: the reference kernel on
 * the 256 possible inputs gives both exactly, then the tensor is mapped natively.
 */
export function nativeScalarOp(ctx: OpContext, op: string) {
  return withFallback(ctx, op, (x: QTensor, other: number) => {
    const xi = readInput8(x);
    if (!xi) return null;
    const ref = referenceKernel<(x: QTensor, other: number) => QTensor>(ctx.qt, op, ctx.engine);
    const t = ref(wrapQuantized(ctx.qt, everyValue(xi.ints), [256], x.dtype, xi.scale, xi.zeroPoint), other);
    const q = t.quantizer, table = t.rawValues();
    if (q?.scale === undefined || q.zeroPoint === undefined || !(table instanceof Uint8Array || table instanceof Int8Array)) return null;
    const y = ctx.binding.qlut(xi.ints, table as typeof xi.ints, allocLike(xi.ints, xi.ints.length));
    return wrapQuantized(ctx.qt, y, x.shape, x.dtype, q.scale, q.zeroPoint);
  });
}

/** The float32 activations of `kernels::float_activation`, in the native code's numbering. */
const FLOAT_ACTIVATIONS = { sigmoid: 0, tanh: 1 } as const;
/** `'sigmoid'` or `'tanh'`. */
export type FloatActivationKind = keyof typeof FLOAT_ACTIVATIONS;

/** `kernels::float_activation` on `binding.floatActivation`: `out` (fresh by default) = f(x). */
export function floatActivation(run: NonNullable<NativeBinding['floatActivation']>, kind: FloatActivationKind, x: Float32Array, out?: Float32Array): Float32Array {
  if (!Object.hasOwn(FLOAT_ACTIVATIONS, kind)) throw new TypeError(`kernels::float_activation: expected kind 'sigmoid' or 'tanh', got ${String(kind)}`);
  if (!(x instanceof Float32Array)) throw new TypeError(`kernels::float_activation: expected x as a Float32Array, got ${Object.prototype.toString.call(x)}`);
  const y = out ?? allocOutput(Float32Array, x.length);
  run(FLOAT_ACTIVATIONS[kind], x, y);
  return y;
}
