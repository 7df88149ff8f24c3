/**
 * Float pooling with autograd: maxPool1d/2d/3d (stride defaults to the kernel, padding,
 * dilation, ceilMode, returnIndices), avgPool1d/2d/3d (ceilMode, countIncludePad,
 * divisorOverride), adaptiveAvgPool1d/2d/3d and adaptiveMaxPool1d/2d/3d. Inputs are
 * (N, C, *) or unbatched (C, *); indices are flat positions within each (n, c) plane, int64.
 */
import { recordOp } from '../autograd.js';
import { int64 } from '../dtype.js';
import { QTorchShapeError, QTorchValueError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor.js';
import { allocFloat, allocGrad, checkFloat, floatTensor, gradTensor, resultDtype } from './float_io.js';
import {
  type IntOrTuple, type SpatialInput, checkWindowParams, expandTuple, poolOutputSize, spatialOutputShape, splitSpatialInput, to3d,
} from './geometry.js';
import {
  type DimWindows, adaptiveWindows, avgPoolBackward, avgPoolForward, avgWindows, maxPoolBackward, maxPoolForward,
  slidingWindows, unitWindows,
} from './pool_windows.js';
import { checkOptions } from '../args.js';

/** Keyword arguments of `maxPool1d/2d/3d`. */
export interface MaxPoolOptions {
  /** Window step (default: the kernel size). */
  stride?: IntOrTuple | null;
  /** Implicit -inf padding per side, at most half the kernel (default 0). */
  padding?: IntOrTuple;
  /** Spacing of window elements (default 1). */
  dilation?: IntOrTuple;
  /** Round the output size up (a last window must still start inside the input or left padding). */
  ceilMode?: boolean;
  /** Also return the argmax indices. */
  returnIndices?: boolean;
}

/** Keyword arguments of `avgPool1d`. */
export interface AvgPool1dOptions {
  /** Window step (default: the kernel size). */
  stride?: IntOrTuple | null;
  /** Implicit zero padding per side, at most half the kernel (default 0). */
  padding?: IntOrTuple;
  /** Round the output size up. */
  ceilMode?: boolean;
  /** Count padding zeros in the divisor (default true). */
  countIncludePad?: boolean;
}

/** Keyword arguments of `avgPool2d/3d`. */
export interface AvgPoolOptions extends AvgPool1dOptions {
  /** Divide every window sum by this instead of the window size. */
  divisorOverride?: number | null;
}

/** Keyword arguments of `adaptiveMaxPool1d/2d/3d`. */
export interface AdaptiveMaxPoolOptions {
  /** Also return the argmax indices. */
  returnIndices?: boolean;
}

/** An output size per spatial dim; `null` keeps that input size. */
export type AdaptiveSize = number | ReadonlyArray<number | null>;

const fmtDims = (c: number, v: readonly number[]): string => `(${[c, ...v].join('x')})`;

interface PoolPlan {
  x: Tensor;
  inp: SpatialInput;
  outSp: number[];
  windows: [DimWindows, DimWindows, DimWindows];
  op: string;
}

function planes(p: PoolPlan): number {
  return p.inp.n * p.inp.c;
}

function inSp3(p: PoolPlan): [number, number, number] {
  return to3d(p.inp.spatial, 1);
}

function windows3(ws: DimWindows[]): [DimWindows, DimWindows, DimWindows] {
  const all = [...new Array<DimWindows>(3 - ws.length).fill(unitWindows()), ...ws];
  return [all[0]!, all[1]!, all[2]!];
}

/** Validates a sliding-window pool and computes its output size (ATen pool*_shape_check). */
function slidingPlan(
  x: Tensor, nSp: number, kernelSize: IntOrTuple, strideOpt: IntOrTuple | null | undefined, paddingOpt: IntOrTuple,
  dilationOpt: IntOrTuple, ceilMode: boolean, op: string,
): { inp: SpatialInput; kernel: number[]; stride: number[]; padding: number[]; dilation: number[]; outSp: number[] } {
  checkFloat(x, op);
  const inp = splitSpatialInput(x, nSp, op);
  const kernel = expandTuple(kernelSize, nSp, 'kernel_size', op);
  const noStride = strideOpt === null || strideOpt === undefined || (Array.isArray(strideOpt) && strideOpt.length === 0);
  const stride = noStride ? kernel : expandTuple(strideOpt, nSp, 'stride', op);
  const padding = expandTuple(paddingOpt, nSp, 'padding', op);
  const dilation = expandTuple(dilationOpt, nSp, 'dilation', op);
  checkWindowParams(op, kernel, stride, padding, dilation);
  if (padding.some((p, i) => p > kernel[i]! / 2)) {
    throw new QTorchValueError(`${op}(): pad should be smaller than or equal to half of kernel size, but got padding ${fmtShape(padding)} for kernel_size ${fmtShape(kernel)}`);
  }
  if (inp.c === 0 && inp.batched) throw new QTorchShapeError(`${op}(): expected input with non-zero channels, got ${fmtShape(x.shape)}`);
  if (inp.spatial.some((s) => s === 0)) throw new QTorchShapeError(`${op}(): expected input with non-zero spatial sizes, got ${fmtShape(x.shape)}`);
  const outSp = inp.spatial.map((s, i) => poolOutputSize(s, kernel[i]!, padding[i]!, padding[i]!, stride[i]!, dilation[i]!, ceilMode));
  if (outSp.some((o) => o < 1)) {
    throw new QTorchShapeError(`${op}(): Given input size: ${fmtDims(inp.c, inp.spatial)}. Calculated output size: ${fmtDims(inp.c, outSp)}. Output size is too small; input of shape ${fmtShape(x.shape)}, kernel_size ${fmtShape(kernel)}`);
  }
  return { inp, kernel, stride, padding, dilation, outSp };
}

/** Max over the plan's windows, with argmax indices and the scatter backward. */
function runMax(p: PoolPlan, returnIndices: boolean): Tensor | [Tensor, Tensor] {
  const { x, inp, outSp, windows } = p;
  const dtype = resultDtype(x);
  const outShape = spatialOutputShape(inp, inp.c, outSp);
  const nOut = planes(p) * outSp.reduce((a, b) => a * b, 1);
  const out = allocFloat(nOut, dtype), idx = new Float64Array(nOut);
  maxPoolForward(x.values(), planes(p), inSp3(p), windows, out, idx);
  const inPlane = inp.spatial.reduce((a, b) => a * b, 1), outPlane = nOut / Math.max(planes(p), 1);
  const result = recordOp('MaxPool', floatTensor(out, outShape, dtype), [x], (g) => {
    const gx = allocGrad(x);
    maxPoolBackward(g.values(), idx, planes(p), inPlane, outPlane, gx);
    return [gradTensor(gx, x)];
  });
  return returnIndices ? [result, new Tensor(idx, int64, outShape)] : result;
}

/** Average over the plan's windows with the spreading backward. */
function runAvg(p: PoolPlan, divisorOverride: number | null): Tensor {
  const { x, inp, outSp, windows } = p;
  const dtype = resultDtype(x);
  const out = allocFloat(planes(p) * outSp.reduce((a, b) => a * b, 1), dtype);
  avgPoolForward(x.values(), planes(p), inSp3(p), windows, divisorOverride, out);
  return recordOp('AvgPool', floatTensor(out, spatialOutputShape(inp, inp.c, outSp), dtype), [x], (g) => {
    const gx = allocGrad(x);
    avgPoolBackward(g.values(), planes(p), inSp3(p), windows, divisorOverride, gx);
    return [gradTensor(gx, x)];
  });
}

function maxPoolNd(x: Tensor, kernelSize: IntOrTuple, opts: MaxPoolOptions, nSp: number, op: string): Tensor | [Tensor, Tensor] {
  const { stride, padding = 0, dilation = 1, ceilMode = false, returnIndices = false } = opts;
  const s = slidingPlan(x, nSp, kernelSize, stride, padding, dilation, ceilMode, op);
  const windows = windows3(s.inp.spatial.map((n, i) => slidingWindows(n, s.outSp[i]!, s.kernel[i]!, s.stride[i]!, s.padding[i]!, s.dilation[i]!)));
  return runMax({ x, inp: s.inp, outSp: s.outSp, windows, op }, returnIndices);
}

function avgPoolNd(x: Tensor, kernelSize: IntOrTuple, opts: AvgPoolOptions, nSp: number, op: string): Tensor {
  const { stride, padding = 0, ceilMode = false, countIncludePad = true, divisorOverride = null } = opts;
  if (divisorOverride !== null && (divisorOverride === 0 || !Number.isInteger(divisorOverride))) {
    throw new QTorchValueError(`${op}(): divisor must be a non-zero integer, got divisor_override=${divisorOverride}`);
  }
  const s = slidingPlan(x, nSp, kernelSize, stride, padding, 1, ceilMode, op);
  const windows = windows3(s.inp.spatial.map((n, i) => avgWindows(n, s.outSp[i]!, s.kernel[i]!, s.stride[i]!, s.padding[i]!, countIncludePad)));
  return runAvg({ x, inp: s.inp, outSp: s.outSp, windows, op }, divisorOverride);
}

/** Resolves an adaptive output size (ints, or null = keep the input size) and builds its windows. */
function adaptivePlan(x: Tensor, outputSize: AdaptiveSize, nSp: number, op: string): PoolPlan {
  checkFloat(x, op);
  const inp = splitSpatialInput(x, nSp, op);
  const raw = typeof outputSize === 'number' ? new Array<number>(nSp).fill(outputSize) : [...outputSize];
  if (raw.length !== nSp) throw new QTorchValueError(`${op}(): output_size must have ${nSp} elements, got ${JSON.stringify(outputSize)}`);
  const outSp = raw.map((o, i) => (o === null ? inp.spatial[i]! : o));
  if (outSp.some((o) => !Number.isInteger(o) || o < 0)) throw new QTorchValueError(`${op}(): output_size must be non-negative integers, got ${JSON.stringify(outputSize)}`);
  if (inp.spatial.some((s) => s === 0)) {
    throw new QTorchShapeError(`${op}(): expected input with non-zero sizes in the spatial dims, got input of shape ${fmtShape(x.shape)}`);
  }
  const windows = windows3(inp.spatial.map((n, i) => adaptiveWindows(n, outSp[i]!)));
  return { x, inp, outSp, windows, op };
}

/** 1-d max pooling (`F.max_pool1d`) over (N, C, L) or (C, L). With `returnIndices`, also the argmax. */
export function maxPool1d(x: Tensor, kernelSize: IntOrTuple, opts: MaxPoolOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool1d(x: Tensor, kernelSize: IntOrTuple, opts?: MaxPoolOptions): Tensor;
export function maxPool1d(x: Tensor, kernelSize: IntOrTuple, opts: MaxPoolOptions = {}): Tensor | [Tensor, Tensor] {
  checkOptions(opts, 'maxPool1d');
  return maxPoolNd(x, kernelSize, opts, 1, 'maxPool1d');
}

/** 2-d max pooling (`F.max_pool2d`) over (N, C, H, W) or (C, H, W). With `returnIndices`, also the argmax (h * W + w). */
export function maxPool2d(x: Tensor, kernelSize: IntOrTuple, opts: MaxPoolOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool2d(x: Tensor, kernelSize: IntOrTuple, opts?: MaxPoolOptions): Tensor;
export function maxPool2d(x: Tensor, kernelSize: IntOrTuple, opts: MaxPoolOptions = {}): Tensor | [Tensor, Tensor] {
  checkOptions(opts, 'maxPool2d');
  return maxPoolNd(x, kernelSize, opts, 2, 'maxPool2d');
}

/** 3-d max pooling (`F.max_pool3d`) over (N, C, D, H, W) or (C, D, H, W). */
export function maxPool3d(x: Tensor, kernelSize: IntOrTuple, opts: MaxPoolOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool3d(x: Tensor, kernelSize: IntOrTuple, opts?: MaxPoolOptions): Tensor;
export function maxPool3d(x: Tensor, kernelSize: IntOrTuple, opts: MaxPoolOptions = {}): Tensor | [Tensor, Tensor] {
  checkOptions(opts, 'maxPool3d');
  return maxPoolNd(x, kernelSize, opts, 3, 'maxPool3d');
}

/** 1-d average pooling (`F.avg_pool1d`). */
export function avgPool1d(x: Tensor, kernelSize: IntOrTuple, opts: AvgPool1dOptions = {}): Tensor {
  checkOptions(opts, 'avgPool1d');
  return avgPoolNd(x, kernelSize, opts, 1, 'avgPool1d');
}

/** 2-d average pooling (`F.avg_pool2d`). */
export function avgPool2d(x: Tensor, kernelSize: IntOrTuple, opts: AvgPoolOptions = {}): Tensor {
  checkOptions(opts, 'avgPool2d');
  return avgPoolNd(x, kernelSize, opts, 2, 'avgPool2d');
}

/** 3-d average pooling (`F.avg_pool3d`). */
export function avgPool3d(x: Tensor, kernelSize: IntOrTuple, opts: AvgPoolOptions = {}): Tensor {
  checkOptions(opts, 'avgPool3d');
  return avgPoolNd(x, kernelSize, opts, 3, 'avgPool3d');
}

/** 1-d adaptive average pooling (`F.adaptive_avg_pool1d`): windows [floor(o*L/out), ceil((o+1)*L/out)). */
export function adaptiveAvgPool1d(x: Tensor, outputSize: AdaptiveSize): Tensor {
  return runAvg(adaptivePlan(x, outputSize, 1, 'adaptiveAvgPool1d'), null);
}

/** 2-d adaptive average pooling (`F.adaptive_avg_pool2d`). */
export function adaptiveAvgPool2d(x: Tensor, outputSize: AdaptiveSize): Tensor {
  return runAvg(adaptivePlan(x, outputSize, 2, 'adaptiveAvgPool2d'), null);
}

/** 3-d adaptive average pooling (`F.adaptive_avg_pool3d`). */
export function adaptiveAvgPool3d(x: Tensor, outputSize: AdaptiveSize): Tensor {
  return runAvg(adaptivePlan(x, outputSize, 3, 'adaptiveAvgPool3d'), null);
}

/** 1-d adaptive max pooling (`F.adaptive_max_pool1d`). */
export function adaptiveMaxPool1d(x: Tensor, outputSize: AdaptiveSize, opts: AdaptiveMaxPoolOptions & { returnIndices: true }): [Tensor, Tensor];
export function adaptiveMaxPool1d(x: Tensor, outputSize: AdaptiveSize, opts?: AdaptiveMaxPoolOptions): Tensor;
export function adaptiveMaxPool1d(x: Tensor, outputSize: AdaptiveSize, opts: AdaptiveMaxPoolOptions = {}): Tensor | [Tensor, Tensor] {
  checkOptions(opts, 'adaptiveMaxPool1d');
  return runMax(adaptivePlan(x, outputSize, 1, 'adaptiveMaxPool1d'), opts.returnIndices ?? false);
}

/** 2-d adaptive max pooling (`F.adaptive_max_pool2d`). */
export function adaptiveMaxPool2d(x: Tensor, outputSize: AdaptiveSize, opts: AdaptiveMaxPoolOptions & { returnIndices: true }): [Tensor, Tensor];
export function adaptiveMaxPool2d(x: Tensor, outputSize: AdaptiveSize, opts?: AdaptiveMaxPoolOptions): Tensor;
export function adaptiveMaxPool2d(x: Tensor, outputSize: AdaptiveSize, opts: AdaptiveMaxPoolOptions = {}): Tensor | [Tensor, Tensor] {
  checkOptions(opts, 'adaptiveMaxPool2d');
  return runMax(adaptivePlan(x, outputSize, 2, 'adaptiveMaxPool2d'), opts.returnIndices ?? false);
}

/** 3-d adaptive max pooling (`F.adaptive_max_pool3d`). */
export function adaptiveMaxPool3d(x: Tensor, outputSize: AdaptiveSize, opts: AdaptiveMaxPoolOptions & { returnIndices: true }): [Tensor, Tensor];
export function adaptiveMaxPool3d(x: Tensor, outputSize: AdaptiveSize, opts?: AdaptiveMaxPoolOptions): Tensor;
export function adaptiveMaxPool3d(x: Tensor, outputSize: AdaptiveSize, opts: AdaptiveMaxPoolOptions = {}): Tensor | [Tensor, Tensor] {
  checkOptions(opts, 'adaptiveMaxPool3d');
  return runMax(adaptivePlan(x, outputSize, 3, 'adaptiveMaxPool3d'), opts.returnIndices ?? false);
}
