/**
 * Native `quantized::max_pool2d` (and `max_pool1d`, as height 1), `avg_pool2d` and `adaptive_avg_pool2d` over NCHW (or CHW)
 * tensors, with the reference kernels' signatures (qtensor src/quantized/ops/pool.ts) and
 * bit-exact results, qnnpack's avg_pool2d quirk included on that engine. The geometry arrives
 * validated by qtensor's pooling front end; other layouts fall back to the reference.
 */
import type { QTensor } from '../qtensor_api.js';
import { type OpContext, readInput8, withFallback, wrapQuantized } from './common.js';

/** qtensor's `PoolGeometry` (one entry per spatial dim). */
interface PoolGeometryLike {
  readonly kernel: readonly number[];
  readonly stride: readonly number[];
  readonly padding: readonly number[];
  readonly dilation: readonly number[];
  readonly ceilMode: boolean;
}

/** [planes, ih, iw] of a 3-d or 4-d input, and its leading dims. */
function planesOf(x: QTensor): { planes: number; h: number; w: number; lead: number[] } | null {
  if (x.shape.length !== 3 && x.shape.length !== 4) return null;
  const lead = x.shape.slice(0, -2);
  const [h, w] = x.shape.slice(-2) as [number, number];
  return { planes: lead.reduce((a, b) => a * b, 1), h, w, lead };
}

/** `quantized::max_pool2d`: (x, geometry) -> quantized tensor, input qparams. */
export function nativeMaxPool2d(ctx: OpContext) {
  return withFallback(ctx, 'quantized::max_pool2d', (x: QTensor, g: PoolGeometryLike) => {
    const p = planesOf(x), xi = p && g.kernel.length === 2 && readInput8(x);
    if (!p || !xi) return null;
    const [kh, kw] = g.kernel as [number, number], [sh, sw] = g.stride as [number, number];
    const [ph, pw] = g.padding as [number, number], [dh, dw] = g.dilation as [number, number];
    const y = ctx.binding.qmaxPool2d(xi.ints, [p.planes, p.h, p.w, kh, kw, sh, sw, ph, pw, dh, dw], g.ceilMode);
    const out = ctx.qt.poolOutputSize;
    const shape = [...p.lead, out(p.h, kh, ph, ph, sh, dh, g.ceilMode), out(p.w, kw, pw, pw, sw, dw, g.ceilMode)];
    return wrapQuantized(ctx.qt, y, shape, x.dtype, xi.scale, xi.zeroPoint);
  });
}

/** `quantized::max_pool1d`: (x, geometry) on a 2-d or 3-d input, as a 2-d pool of height 1. */
export function nativeMaxPool1d(ctx: OpContext) {
  return withFallback(ctx, 'quantized::max_pool1d', (x: QTensor, g: PoolGeometryLike) => {
    const xi = g.kernel.length === 1 && (x.shape.length === 2 || x.shape.length === 3) && readInput8(x);
    if (!xi) return null;
    const [k, st, pd, dl] = [g.kernel[0]!, g.stride[0]!, g.padding[0]!, g.dilation[0]!];
    const lead = x.shape.slice(0, -1), w = x.shape[x.shape.length - 1]!;
    const y = ctx.binding.qmaxPool2d(xi.ints, [lead.reduce((a, b) => a * b, 1), 1, w, 1, k, 1, st, 0, pd, 1, dl], g.ceilMode);
    return wrapQuantized(ctx.qt, y, [...lead, ctx.qt.poolOutputSize(w, k, pd, pd, st, dl, g.ceilMode)], x.dtype, xi.scale, xi.zeroPoint);
  });
}

/**
 * `quantized::avg_pool2d`: (x, geometry, countIncludePad, divisorOverride). On 'qnnpack', quint8
 * without ceil mode takes that engine's path (kernel-area divisor, its rounding), as the reference.
 */
export function nativeAvgPool2d(ctx: OpContext) {
  return withFallback(ctx, 'quantized::avg_pool2d', (x: QTensor, g: PoolGeometryLike, countIncludePad: boolean, divisorOverride: number | null) => {
    const p = planesOf(x), xi = p && g.kernel.length === 2 && readInput8(x);
    if (!p || !xi || g.dilation.some((d) => d !== 1) || (divisorOverride ?? 0) > 2 ** 31 - 1) return null;
    const [kh, kw] = g.kernel as [number, number], [sh, sw] = g.stride as [number, number];
    const [ph, pw] = g.padding as [number, number];
    const qnnpack = ctx.engine === 'qnnpack' && x.dtype.name === 'quint8' && !g.ceilMode;
    const y = ctx.binding.qavgPool2d(xi.ints, [p.planes, p.h, p.w, kh, kw, sh, sw, ph, pw], g.ceilMode, xi.zeroPoint, countIncludePad,
      divisorOverride ?? 0, qnnpack);
    const out = ctx.qt.poolOutputSize;
    const shape = [...p.lead, out(p.h, kh, ph, ph, sh, 1, g.ceilMode), out(p.w, kw, pw, pw, sw, 1, g.ceilMode)];
    return wrapQuantized(ctx.qt, y, shape, x.dtype, xi.scale, xi.zeroPoint);
  });
}

/** `quantized::adaptive_avg_pool2d`: (x, outputSize [oh, ow]). */
export function nativeAdaptiveAvgPool2d(ctx: OpContext) {
  return withFallback(ctx, 'quantized::adaptive_avg_pool2d', (x: QTensor, outputSize: readonly number[]) => {
    const p = planesOf(x), xi = p && outputSize.length === 2 && readInput8(x);
    if (!p || !xi) return null;
    const [oh, ow] = outputSize as [number, number];
    const y = ctx.binding.qadaptiveAvgPool2d(xi.ints, [p.planes, p.h, p.w, oh, ow], xi.zeroPoint);
    return wrapQuantized(ctx.qt, y, [...p.lead, oh, ow], x.dtype, xi.scale, xi.zeroPoint);
  });
}
