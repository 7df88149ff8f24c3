/**
 * Quantized pooling: max_pool1d/2d (integer max, exact), avg_pool2d/3d and
 * adaptive_avg_pool2d/3d (int32 window sums requantized with PyTorch's `quantize_val(1 / m)`,
 * `m = f32(f32(s_in / s_out) / divisor)`). Output qparams are the input's.
 *
 * qnnpack quirk (reproduced on the 'qnnpack' engine, quint8 input, ceil_mode off, as PyTorch
 * 1.13 routes it): avg_pool2d ignores `count_include_pad=false` and `divisor_override`, always
 * divides by the kernel area, and rounds with qnnpack's fixed-point multiplier.
 */
import { QTorchShapeError, QTorchValueError, fmtShape } from '../../errors.js';
import { type Engine, getKernel } from '../../registry.js';
import type { Tensor } from '../../tensor.js';
import { poolOutputSize } from '../../nn/geometry.js';
import { inverseScale, quantizeValue } from '../numerics.js';
import { check8bit, clampInt, f32, makeQTensor, rint, readPerTensor, type QInput } from './requantize.js';
import { checkOptions } from '../../args.js';

/** Pooling geometry, one entry per spatial dim. */
export interface PoolGeometry {
  /** Window size per spatial dim. */
  kernel: number[];
  /** Step per spatial dim. */
  stride: number[];
  /** Implicit padding per spatial dim (each side). */
  padding: number[];
  /** Spacing between window elements per spatial dim. */
  dilation: number[];
  /** Round the output size up instead of down. */
  ceilMode: boolean;
}

/** Options of the pooling ops (PyTorch keyword arguments). */
export interface QPoolOptions {
  /** Step per spatial dim (default: the kernel size). */
  stride?: number | readonly number[] | null;
  /** Implicit padding per spatial dim (default 0). */
  padding?: number | readonly number[];
  /** Spacing between window elements (max pools; default 1). */
  dilation?: number | readonly number[];
  /** Round the output size up instead of down (default false). */
  ceilMode?: boolean;
  /** avg pools: count padded positions in the divisor (default true). */
  countIncludePad?: boolean;
  /** avg pools: divide by this instead of the window size. */
  divisorOverride?: number | null;
}

/** Kernel signature of pools: input, geometry, avg options. */
export type QPoolKernel = (x: Tensor, g: PoolGeometry, countIncludePad: boolean, divisorOverride: number | null) => Tensor;
/** Kernel signature of adaptive pools. */
export type QAdaptivePoolKernel = (x: Tensor, outputSize: number[]) => Tensor;

const to3 = (v: readonly number[], fill: number): number[] => [...new Array<number>(3 - v.length).fill(fill), ...v];

function tuple(v: number | readonly number[] | null | undefined, dflt: readonly number[], d: number, name: string, op: string): number[] {
  const arr = v === undefined || v === null ? [...dflt] : typeof v === 'number' ? new Array<number>(d).fill(v) : v.length === 1 ? new Array<number>(d).fill(v[0]!) : [...v];
  if (arr.length !== d || arr.some((x) => !Number.isInteger(x))) throw new QTorchValueError(`${op}(): ${name} must be an int or ${d} ints, got ${String(v)}`);
  return arr;
}

/** Validates pooling arguments for `d` spatial dims; returns the geometry and output shape. */
function poolSetup(x: Tensor, d: number, kernelSize: number | readonly number[], o: QPoolOptions, op: string, isMax: boolean): [PoolGeometry, number[]] {
  if (x.ndim !== d + 1 && x.ndim !== d + 2) throw new QTorchShapeError(`${op}(): expected a ${d + 1}-d or ${d + 2}-d input, got ${fmtShape(x.shape)}`);
  const kernel = tuple(kernelSize, [], d, 'kernel_size', op);
  const stride = tuple(o.stride, kernel, d, 'stride', op);
  const padding = tuple(o.padding, new Array<number>(d).fill(0), d, 'padding', op);
  const dilation = tuple(o.dilation, new Array<number>(d).fill(1), d, 'dilation', op);
  for (let i = 0; i < d; i++) {
    if (kernel[i]! < 1 || stride[i]! < 1 || dilation[i]! < 1) throw new QTorchValueError(`${op}(): kernel_size, stride and dilation must be positive, got kernel ${kernel}, stride ${stride}, dilation ${dilation}`);
    if (padding[i]! < 0 || padding[i]! > kernel[i]! / 2) throw new QTorchValueError(`${op}(): pad should be at most half of kernel size, got padding ${padding} for kernel ${kernel}`);
  }
  if (!isMax && dilation.some((v) => v !== 1)) throw new QTorchValueError(`${op}(): avg pooling has no dilation`);
  const g: PoolGeometry = { kernel, stride, padding, dilation, ceilMode: o.ceilMode ?? false };
  const sp = x.shape.slice(-d);
  const out = sp.map((s, i) => poolOutputSize(s, kernel[i]!, padding[i]!, padding[i]!, stride[i]!, dilation[i]!, g.ceilMode));
  if (out.some((v) => v < 1)) throw new QTorchShapeError(`${op}(): output size ${fmtShape(out)} is too small for input ${fmtShape(x.shape)}`);
  return [g, [...x.shape.slice(0, -d), ...out]];
}

/** Iterates windows: `fn(planeOffset, outIndex, [starts], [ends])` over every (plane, output position). */
function forEachWindow(
  xi: QInput, g: PoolGeometry, outShape: readonly number[],
  fn: (plane: number, o: number, pos: number[]) => void,
): void {
  const d = g.kernel.length;
  const [OD, OH, OW] = to3(outShape.slice(-d), 1);
  const planes = outShape.slice(0, -d).reduce((a, b) => a * b, 1);
  let o = 0;
  for (let p = 0; p < planes; p++) for (let od = 0; od < OD; od++) for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++) fn(p, o++, [od, oh, ow]);
}

/** Reference max pooling (integer max over dilated windows; padding never wins). */
export const maxPoolKernel: QPoolKernel = (x, g) => {
  const xi = readPerTensor(x, 'max_pool');
  const d = g.kernel.length;
  const outShape = [...x.shape.slice(0, -d), ...x.shape.slice(-d).map((s, i) => poolOutputSize(s, g.kernel[i]!, g.padding[i]!, g.padding[i]!, g.stride[i]!, g.dilation[i]!, g.ceilMode))];
  const [ID, IH, IW] = to3(x.shape.slice(-d), 1);
  const [KD, KH, KW] = to3(g.kernel, 1), [sd, sh, sw] = to3(g.stride, 1), [pd, ph, pw] = to3(g.padding, 0), [dd, dh, dw] = to3(g.dilation, 1);
  const y = makeQTensor(outShape, x.dtype, xi.scale, xi.zeroPoint);
  const out = y.data;
  forEachWindow(xi, g, outShape, (p, o, [od, oh, ow]) => {
    let m = -Infinity;
    for (let kd = 0; kd < KD; kd++) {
      const id = od! * sd! - pd! + kd * dd!;
      if (id < 0 || id >= ID!) continue;
      for (let kh = 0; kh < KH; kh++) {
        const ih = oh! * sh! - ph! + kh * dh!;
        if (ih < 0 || ih >= IH!) continue;
        for (let kw = 0; kw < KW; kw++) {
          const iw = ow! * sw! - pw! + kw * dw!;
          if (iw < 0 || iw >= IW!) continue;
          const v = xi.q[((p * ID! + id) * IH! + ih) * IW! + iw]!;
          if (v > m) m = v;
        }
      }
    }
    out[o] = m;
  });
  return y;
};

/**
 * PyTorch's requantization of a window average: the zero point is added in float before
 * rounding, `rint(f32(f32(acc * m) + zp))` with `m = f32(f32(s_in / s_out) / divisor)` (ties
 * resolve on the final value, as the golden k2 / adaptive cases show).
 */
function averageRequant(acc: number, divisor: number, xi: QInput, outScale: number, outZp: number): number {
  const m = f32(f32(f32(xi.scale) / f32(outScale)) / divisor);
  return clampInt(rint(f32(f32(acc * m) + outZp)), xi.qmin, xi.qmax);
}

/** avg_pool3d's requantization: `quantize_val(1 / m, zp, acc)`, i.e. `zp + rint(f32(acc * f32(1 / f32(1 / m))))`. */
function averageRequant3d(acc: number, divisor: number, xi: QInput, outScale: number, outZp: number): number {
  const m = f32(f32(f32(xi.scale) / f32(outScale)) / divisor);
  return quantizeValue(acc, inverseScale(f32(1 / m)), outZp, xi.qmin, xi.qmax);
}

/** qnnpack's average requantization: `zp + rint(f32(acc * scale))`, scale over the full kernel area. */
function qnnpackAverageRequant(acc: number, scale: number, outZp: number, qmin: number, qmax: number): number {
  return clampInt(outZp + rint(f32(acc * scale)), qmin, qmax);
}

/** Reference average pooling of `engine` (2-d or 3-d). */
export function avgPoolKernel(engine: Engine): QPoolKernel {
  return (x, g, countIncludePad, divisorOverride) => {
    const xi = readPerTensor(x, 'avg_pool');
    const d = g.kernel.length;
    const outShape = [...x.shape.slice(0, -d), ...x.shape.slice(-d).map((s, i) => poolOutputSize(s, g.kernel[i]!, g.padding[i]!, g.padding[i]!, g.stride[i]!, 1, g.ceilMode))];
    const [ID, IH, IW] = to3(x.shape.slice(-d), 1);
    const [KD, KH, KW] = to3(g.kernel, 1), [sd, sh, sw] = to3(g.stride, 1), [pd, ph, pw] = to3(g.padding, 0);
    const qnnpackPath = engine === 'qnnpack' && d === 2 && x.dtype.name === 'quint8' && !g.ceilMode;
    const qnnScale = f32(f32(f32(xi.scale) / f32(xi.scale)) / f32(KD! * KH! * KW!));
    const y = makeQTensor(outShape, x.dtype, xi.scale, xi.zeroPoint);
    const out = y.data, zp = xi.zeroPoint;
    forEachWindow(xi, g, outShape, (p, o, [od, oh, ow]) => {
      // window bounds: padded extent (for count_include_pad), then clipped to the input
      const d0 = od! * sd! - pd!, h0 = oh! * sh! - ph!, w0 = ow! * sw! - pw!;
      const d1 = Math.min(d0 + KD!, ID! + pd!), h1 = Math.min(h0 + KH!, IH! + ph!), w1 = Math.min(w0 + KW!, IW! + pw!);
      const poolSize = (d1 - d0) * (h1 - h0) * (w1 - w0);
      const ds = Math.max(d0, 0), hs = Math.max(h0, 0), ws = Math.max(w0, 0);
      const de = Math.min(d1, ID!), he = Math.min(h1, IH!), we = Math.min(w1, IW!);
      let acc = 0;
      for (let id = ds; id < de; id++) for (let ih = hs; ih < he; ih++) for (let iw = ws; iw < we; iw++) acc += xi.q[((p * ID! + id) * IH! + ih) * IW! + iw]! - zp;
      if (qnnpackPath) {
        out[o] = qnnpackAverageRequant(acc, qnnScale, zp, xi.qmin, xi.qmax);
        return;
      }
      const valid = (de - ds) * (he - hs) * (we - ws);
      const divisor = divisorOverride ?? (countIncludePad ? poolSize : valid);
      out[o] = (d === 3 ? averageRequant3d : averageRequant)(acc, divisor, xi, xi.scale, zp);
    });
    return y;
  };
}

/** Reference adaptive average pooling (2-d or 3-d): windows `[floor(o*in/out), ceil((o+1)*in/out))`. */
export const adaptiveAvgPoolKernel: QAdaptivePoolKernel = (x, outputSize) => {
  const xi = readPerTensor(x, 'adaptive_avg_pool');
  const d = outputSize.length;
  const outShape = [...x.shape.slice(0, -d), ...outputSize];
  const [ID, IH, IW] = to3(x.shape.slice(-d), 1), [OD, OH, OW] = to3(outputSize, 1);
  const start = (o: number, i: number, n: number): number => Math.floor((o * i) / n);
  const end = (o: number, i: number, n: number): number => Math.ceil(((o + 1) * i) / n);
  const y = makeQTensor(outShape, x.dtype, xi.scale, xi.zeroPoint);
  const out = y.data, zp = xi.zeroPoint;
  const planes = outShape.slice(0, -d).reduce((a, b) => a * b, 1);
  let o = 0;
  for (let p = 0; p < planes; p++) for (let od = 0; od < OD!; od++) for (let oh = 0; oh < OH!; oh++) for (let ow = 0; ow < OW!; ow++) {
    const ds = start(od, ID!, OD!), de = end(od, ID!, OD!), hs = start(oh, IH!, OH!), he = end(oh, IH!, OH!), ws = start(ow, IW!, OW!), we = end(ow, IW!, OW!);
    let acc = 0;
    for (let id = ds; id < de; id++) for (let ih = hs; ih < he; ih++) for (let iw = ws; iw < we; iw++) acc += xi.q[((p * ID! + id) * IH! + ih) * IW! + iw]! - zp;
    out[o++] = averageRequant(acc, (de - ds) * (he - hs) * (we - ws), xi, xi.scale, zp);
  }
  return y;
};

function runPool(op: string, d: number, isMax: boolean, x: Tensor, kernelSize: number | readonly number[], o: QPoolOptions): Tensor {
  checkOptions(o, op);
  check8bit(readPerTensor(x, op), op);
  const [g] = poolSetup(x, d, kernelSize, o, op, isMax);
  if (o.divisorOverride !== undefined && o.divisorOverride !== null && !(Number.isInteger(o.divisorOverride) && o.divisorOverride > 0)) {
    throw new QTorchValueError(`${op}(): divisor must be a positive integer, got ${o.divisorOverride}`);
  }
  return getKernel<QPoolKernel>(op)(x, g, o.countIncludePad ?? true, o.divisorOverride ?? null);
}

/** `F.max_pool1d` on a quantized tensor ([N,] C, L). */
export const quantizedMaxPool1d = (x: Tensor, kernelSize: number | readonly number[], opts: QPoolOptions = {}): Tensor => runPool('quantized::max_pool1d', 1, true, x, kernelSize, opts);
/** `F.max_pool2d` on a quantized tensor ([N,] C, H, W). */
export const quantizedMaxPool2d = (x: Tensor, kernelSize: number | readonly number[], opts: QPoolOptions = {}): Tensor => runPool('quantized::max_pool2d', 2, true, x, kernelSize, opts);
/** `F.avg_pool2d` on a quantized tensor. */
export const quantizedAvgPool2d = (x: Tensor, kernelSize: number | readonly number[], opts: QPoolOptions = {}): Tensor => runPool('quantized::avg_pool2d', 2, false, x, kernelSize, opts);
/** `F.avg_pool3d` on a quantized tensor. */
export const quantizedAvgPool3d = (x: Tensor, kernelSize: number | readonly number[], opts: QPoolOptions = {}): Tensor => runPool('quantized::avg_pool3d', 3, false, x, kernelSize, opts);

function runAdaptive(op: string, d: number, x: Tensor, outputSize: number | readonly number[]): Tensor {
  check8bit(readPerTensor(x, op), op);
  if (x.ndim !== d + 1 && x.ndim !== d + 2) throw new QTorchShapeError(`${op}(): expected a ${d + 1}-d or ${d + 2}-d input, got ${fmtShape(x.shape)}`);
  const size = tuple(outputSize, [], d, 'output_size', op);
  if (size.some((s) => s < 1)) throw new QTorchValueError(`${op}(): output_size must be positive, got ${fmtShape(size)}`);
  if (x.shape.slice(-d).some((s) => s < 1)) throw new QTorchShapeError(`${op}(): empty spatial input ${fmtShape(x.shape)}`);
  return getKernel<QAdaptivePoolKernel>(op)(x, size);
}

/** `F.adaptive_avg_pool2d` on a quantized tensor. */
export const quantizedAdaptiveAvgPool2d = (x: Tensor, outputSize: number | readonly number[]): Tensor => runAdaptive('quantized::adaptive_avg_pool2d', 2, x, outputSize);
/** `F.adaptive_avg_pool3d` on a quantized tensor. */
export const quantizedAdaptiveAvgPool3d = (x: Tensor, outputSize: number | readonly number[]): Tensor => runAdaptive('quantized::adaptive_avg_pool3d', 3, x, outputSize);
