/**
 * Float convolutions with autograd: conv1d/2d/3d (stride, padding as ints, tuples, 'valid' or
 * 'same', dilation, groups) and convTranspose1d/2d/3d (stride, padding, outputPadding,
 * groups, dilation). Inputs may be batched (N, C, *) or unbatched (C, *), as in PyTorch.
 */
import { recordOp } from '../autograd.js';
import { QTorchShapeError, QTorchValueError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { type FloatArray, allocFloat, allocGrad, checkFloat, floatTensor, gradTensor, resultDtype } from './float_io.js';
import { type ConvGeometry, addBias, biasGrad, convBackwardData, convBackwardWeight, convForward } from './conv_core.js';
import {
  type IntOrTuple, checkWindowParams, convOutputLength, convTransposeOutputLength, expandTuple, samePadding,
  spatialOutputShape, splitSpatialInput, to3d,
} from './geometry.js';
import { checkOptions } from '../args.js';

/** Keyword arguments of `conv1d/2d/3d`. */
export interface ConvOptions {
  /** Bias of shape [out_channels]. */
  bias?: Tensor | null;
  /** Window step (default 1). */
  stride?: IntOrTuple;
  /** Zero padding per side, or 'valid' (none) / 'same' (output size = input size; stride 1 only). Default 0. */
  padding?: IntOrTuple | 'valid' | 'same';
  /** Spacing of kernel elements (default 1). */
  dilation?: IntOrTuple;
  /** Number of blocked connections from input to output channels (default 1). */
  groups?: number;
}

/** Keyword arguments of `convTranspose1d/2d/3d`. */
export interface ConvTransposeOptions {
  /** Bias of shape [out_channels]. */
  bias?: Tensor | null;
  /** Step of the (forward) convolution this transposes (default 1). */
  stride?: IntOrTuple;
  /** `dilation * (kernel - 1) - padding` zeros are added to both sides of the input (default 0). */
  padding?: IntOrTuple;
  /** Extra size added to one side of the output (default 0; smaller than stride or dilation). */
  outputPadding?: IntOrTuple;
  /** Number of blocked connections (default 1). */
  groups?: number;
  /** Spacing of kernel elements (default 1). */
  dilation?: IntOrTuple;
}

const fmtDims = (v: readonly number[]): string => `(${v.join(' x ')})`;

interface Checked {
  x: Tensor;
  weight: Tensor;
  bias: Tensor | null;
  groups: number;
  kernel: number[];
  op: string;
}

/** Checks dtypes, the weight's ndim, groups, zero-size kernels and the bias shape. */
function checkOperands(x: Tensor, weight: Tensor, bias: Tensor | null | undefined, groups: number, nSp: number, biasLen: (w: Tensor) => number, op: string): Checked {
  checkFloat(x, op);
  checkFloat(weight, op, 'weight');
  if (bias) checkFloat(bias, op, 'bias');
  if (weight.ndim !== nSp + 2) {
    throw new QTorchShapeError(`${op}(): expected ${nSp + 2}-D weight, got weight of shape ${fmtShape(weight.shape)}`);
  }
  if (!Number.isInteger(groups) || groups < 1) throw new QTorchValueError(`${op}(): non-positive groups is not supported, got groups=${groups}`);
  const kernel = weight.shape.slice(2);
  if (kernel.some((k) => k === 0) || weight.shape[0] === 0 || weight.shape[1] === 0) {
    throw new QTorchShapeError(`${op}(): weight of shape ${fmtShape(weight.shape)} has a zero-size dimension`);
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== biasLen(weight))) {
    throw new QTorchShapeError(`${op}(): expected bias of shape [${biasLen(weight)}], got ${fmtShape(bias.shape)}`);
  }
  return { x, weight, bias: bias ?? null, groups, kernel, op };
}

function resolvePadding(padding: ConvOptions['padding'], kernel: number[], dilation: number[], stride: number[], op: string): [number[], number[]] {
  const n = kernel.length;
  if (padding === 'valid') return [new Array<number>(n).fill(0), new Array<number>(n).fill(0)];
  if (padding === 'same') {
    if (stride.some((s) => s !== 1)) throw new QTorchValueError(`${op}(): padding='same' is not supported for strided convolutions`);
    const lr = kernel.map((k, i) => samePadding(k, dilation[i]!));
    return [lr.map((p) => p[0]), lr.map((p) => p[1])];
  }
  if (typeof padding === 'string') throw new QTorchValueError(`${op}(): invalid padding string '${padding}', should be one of 'valid', 'same'`);
  const p = expandTuple(padding ?? 0, n, 'padding', op);
  return [p, p];
}

/** Runs the convolution kernels on the checked operands and records the op. */
function runConv(c: Checked, geom: ConvGeometry, outShape: number[], transposed: boolean): Tensor {
  const { x, weight, bias } = c;
  const dtype = resultDtype(x, weight, bias);
  const xv = x.values(), wv = weight.values(), bv = bias?.values();
  const L = geomOutNumel(geom, transposed);
  const outC = transposed ? geom.bigC : geom.smallC;
  const out = allocFloat(geom.n * outC * L, dtype);
  if (transposed) convBackwardData(xv, wv, geom, out);
  else convForward(xv, wv, geom, out);
  if (bv) addBias(out, bv, geom.n, outC, L);
  return recordOp(transposed ? 'ConvolutionTranspose' : 'Convolution', floatTensor(out, outShape, dtype), [x, weight, bias], (g) => {
    const gv = g.values();
    let gx: FloatArray | null = null, gw: FloatArray | null = null, gb: FloatArray | null = null;
    if (x.requiresGrad) {
      gx = allocGrad(x);
      if (transposed) convForward(gv, wv, geom, gx);
      else convBackwardData(gv, wv, geom, gx);
    }
    if (weight.requiresGrad) {
      gw = allocGrad(weight);
      if (transposed) convBackwardWeight(gv, xv, geom, gw);
      else convBackwardWeight(xv, gv, geom, gw);
    }
    if (bias?.requiresGrad) biasGrad(gv, geom.n, outC, L, (gb = allocGrad(bias)));
    return [gx && gradTensor(gx, x), gw && gradTensor(gw, weight), gb && bias && gradTensor(gb, bias)];
  });
}

function geomOutNumel(g: ConvGeometry, transposed: boolean): number {
  const s = transposed ? g.big : g.small;
  return s[0] * s[1] * s[2];
}

function convNd(x: Tensor, weight: Tensor, opts: ConvOptions, nSp: number, op: string): Tensor {
  const { bias, stride: s = 1, padding, dilation: d = 1, groups = 1 } = opts;
  const c = checkOperands(x, weight, bias, groups, nSp, (w) => w.shape[0]!, op);
  const inp = splitSpatialInput(x, nSp, op);
  const outC = weight.shape[0]!, cPerGroup = weight.shape[1]!;
  if (outC % groups !== 0) {
    throw new QTorchValueError(`${op}(): out_channels (${outC}) must be divisible by groups (${groups}); weight of shape ${fmtShape(weight.shape)}`);
  }
  if (inp.c !== cPerGroup * groups) {
    throw new QTorchShapeError(`${op}(): Given groups=${groups}, weight of size ${fmtShape(weight.shape)}, expected input${fmtShape(x.shape)} to have ${cPerGroup * groups} channels, but got ${inp.c} channels instead`);
  }
  const stride = expandTuple(s, nSp, 'stride', op), dilation = expandTuple(d, nSp, 'dilation', op);
  const [padL, padR] = resolvePadding(padding, c.kernel, dilation, stride, op);
  checkWindowParams(op, c.kernel, stride, padL, dilation);
  const padded = inp.spatial.map((v, i) => v + padL[i]! + padR[i]!);
  const effKernel = c.kernel.map((k, i) => dilation[i]! * (k - 1) + 1);
  if (padded.some((p, i) => p < effKernel[i]!)) {
    throw new QTorchShapeError(`${op}(): Calculated padded input size per channel: ${fmtDims(padded)}. Kernel size: ${fmtDims(effKernel)}. Kernel size can't be greater than actual input size; input of shape ${fmtShape(x.shape)}, weight of shape ${fmtShape(weight.shape)}`);
  }
  const outSp = inp.spatial.map((v, i) => convOutputLength(v, c.kernel[i]!, padL[i]!, padR[i]!, stride[i]!, dilation[i]!));
  const geom: ConvGeometry = {
    n: inp.n, groups, bigC: inp.c, smallC: outC,
    big: to3d(inp.spatial, 1), small: to3d(outSp, 1), kernel: to3d(c.kernel, 1),
    stride: to3d(stride, 1), pad: to3d(padL, 0), dilation: to3d(dilation, 1),
  };
  return runConv(c, geom, spatialOutputShape(inp, outC, outSp), false);
}

function convTransposeNd(x: Tensor, weight: Tensor, opts: ConvTransposeOptions, nSp: number, op: string): Tensor {
  const { bias, stride: s = 1, padding: p = 0, outputPadding: op_ = 0, groups = 1, dilation: d = 1 } = opts;
  const c = checkOperands(x, weight, bias, groups, nSp, (w) => w.shape[1]! * groups, op);
  const inp = splitSpatialInput(x, nSp, op);
  const inC = weight.shape[0]!, outC = weight.shape[1]! * groups;
  if (inC % groups !== 0) {
    throw new QTorchValueError(`${op}(): in_channels (${inC}) must be divisible by groups (${groups}); weight of shape ${fmtShape(weight.shape)}`);
  }
  if (inp.c !== inC) {
    throw new QTorchShapeError(`${op}(): Given transposed=1, weight of size ${fmtShape(weight.shape)}, expected input${fmtShape(x.shape)} to have ${inC} channels, but got ${inp.c} channels instead`);
  }
  const stride = expandTuple(s, nSp, 'stride', op), dilation = expandTuple(d, nSp, 'dilation', op);
  const padding = expandTuple(p, nSp, 'padding', op), outPad = expandTuple(op_, nSp, 'output_padding', op);
  checkWindowParams(op, c.kernel, stride, padding, dilation);
  if (outPad.some((o, i) => o < 0 || (o >= stride[i]! && o >= dilation[i]!))) {
    throw new QTorchValueError(`${op}(): output padding must be smaller than either stride or dilation, got output_padding ${fmtShape(outPad)}, stride ${fmtShape(stride)}, dilation ${fmtShape(dilation)}`);
  }
  const outSp = inp.spatial.map((v, i) => convTransposeOutputLength(v, c.kernel[i]!, padding[i]!, stride[i]!, dilation[i]!, outPad[i]!));
  if (outSp.some((o) => o <= 0)) {
    throw new QTorchShapeError(`${op}(): calculated output size ${fmtDims(outSp)} is too small for input of shape ${fmtShape(x.shape)}, weight of shape ${fmtShape(weight.shape)}`);
  }
  const geom: ConvGeometry = {
    n: inp.n, groups, bigC: outC, smallC: inC,
    big: to3d(outSp, 1), small: to3d(inp.spatial, 1), kernel: to3d(c.kernel, 1),
    stride: to3d(stride, 1), pad: to3d(padding, 0), dilation: to3d(dilation, 1),
  };
  return runConv(c, geom, spatialOutputShape(inp, outC, outSp), true);
}

/** 1-d convolution (`F.conv1d`): input (N, C, L) or (C, L), weight (out, C / groups, k). */
export function conv1d(x: Tensor, weight: Tensor, opts: ConvOptions = {}): Tensor {
  checkOptions(opts, 'conv1d');
  return convNd(x, weight, opts, 1, 'conv1d');
}

/** 2-d convolution (`F.conv2d`): input (N, C, H, W) or (C, H, W), weight (out, C / groups, kH, kW). */
export function conv2d(x: Tensor, weight: Tensor, opts: ConvOptions = {}): Tensor {
  checkOptions(opts, 'conv2d');
  return convNd(x, weight, opts, 2, 'conv2d');
}

/** 3-d convolution (`F.conv3d`): input (N, C, D, H, W) or (C, D, H, W), weight (out, C / groups, kD, kH, kW). */
export function conv3d(x: Tensor, weight: Tensor, opts: ConvOptions = {}): Tensor {
  checkOptions(opts, 'conv3d');
  return convNd(x, weight, opts, 3, 'conv3d');
}

/** 1-d transposed convolution (`F.conv_transpose1d`): weight (in, out / groups, k). */
export function convTranspose1d(x: Tensor, weight: Tensor, opts: ConvTransposeOptions = {}): Tensor {
  checkOptions(opts, 'convTranspose1d');
  return convTransposeNd(x, weight, opts, 1, 'convTranspose1d');
}

/** 2-d transposed convolution (`F.conv_transpose2d`): weight (in, out / groups, kH, kW). */
export function convTranspose2d(x: Tensor, weight: Tensor, opts: ConvTransposeOptions = {}): Tensor {
  checkOptions(opts, 'convTranspose2d');
  return convTransposeNd(x, weight, opts, 2, 'convTranspose2d');
}

/** 3-d transposed convolution (`F.conv_transpose3d`): weight (in, out / groups, kD, kH, kW). */
export function convTranspose3d(x: Tensor, weight: Tensor, opts: ConvTransposeOptions = {}): Tensor {
  checkOptions(opts, 'convTranspose3d');
  return convTransposeNd(x, weight, opts, 3, 'convTranspose3d');
}
