/**
 * Quantized convolution: `quantized::conv1d/2d/3d` (+ `_relu`) and `conv_transpose2d`, direct
 * int32 loops over a packed weight, then the engine's output stage (output_stage.ts). Padding
 * reads the input zero point, i.e. contributes nothing to `(x - zx)`.
 */
import { QTorchShapeError, QTorchTypeError, QTorchValueError, fmtShape } from '../../errors.js';
import { type Engine, getKernel } from '../../registry.js';
import type { Tensor } from '../../tensor.js';
import { makeOutputStage } from './output_stage.js';
import { ConvPackedParams } from './packed_params.js';
import { check8bit, checkOutputQparams, makeQTensor, readPerTensor } from './requantize.js';

/** Kernel signature of `quantized::convNd` / `convNd_relu` / `conv_transpose2d`. */
export type QConvKernel = (x: Tensor, packed: ConvPackedParams, outScale: number, outZeroPoint: number) => Tensor;

/** Pads a spatial list to 3 entries (leading `fill`), so one loop nest serves 1-d, 2-d and 3-d. */
const to3 = (v: readonly number[], fill: number): number[] => [...new Array<number>(3 - v.length).fill(fill), ...v];

/** Output size of a convolution along one dim (PyTorch's formula). */
export function convOutputSize(inSize: number, k: number, stride: number, pad: number, dilation: number): number {
  return Math.floor((inSize + 2 * pad - dilation * (k - 1) - 1) / stride) + 1;
}

/** Output size of a transposed convolution along one dim. */
export function convTransposeOutputSize(inSize: number, k: number, stride: number, pad: number, dilation: number, outPad: number): number {
  return (inSize - 1) * stride - 2 * pad + dilation * (k - 1) + outPad + 1;
}

function convName(packed: ConvPackedParams, relu: boolean): string {
  const g = packed.geometry;
  return `quantized::conv${g.transposed ? '_transpose' : ''}${packed.spatialDims}d${relu ? '_relu' : ''}`;
}

/** Checks input vs packed weight; returns the output shape. */
function convOutputShape(x: Tensor, p: ConvPackedParams, op: string): number[] {
  const d = p.spatialDims, g = p.geometry, ws = p.weight.shape;
  if (x.ndim !== d + 2) throw new QTorchShapeError(`${op}(): expected a ${d + 2}-d input [N, C, ${d === 1 ? 'L' : d === 2 ? 'H, W' : 'D, H, W'}], got ${fmtShape(x.shape)}`);
  const cin = x.shape[1]!;
  const expectCin = g.transposed ? ws[0]! : ws[1]! * g.groups;
  if (cin !== expectCin) {
    throw new QTorchShapeError(`${op}(): expected ${expectCin} input channels (weight ${fmtShape(ws)}, groups ${g.groups}), got input ${fmtShape(x.shape)}`);
  }
  const out = [x.shape[0]!, p.outChannels];
  for (let i = 0; i < d; i++) {
    const s = x.shape[2 + i]!, k = ws[2 + i]!;
    const o = g.transposed
      ? convTransposeOutputSize(s, k, g.stride[i]!, g.padding[i]!, g.dilation[i]!, g.outputPadding[i]!)
      : convOutputSize(s, k, g.stride[i]!, g.padding[i]!, g.dilation[i]!);
    if (o < 1) throw new QTorchShapeError(`${op}(): input ${fmtShape(x.shape)} is too small for kernel ${fmtShape(ws.slice(2))} (output size ${o})`);
    out.push(o);
  }
  return out;
}

/** The reference convolution kernel of `engine` (any spatial rank, transposed or not). */
export function convKernel(engine: Engine, relu: boolean): QConvKernel {
  return (x, p, outScale, outZeroPoint) => {
    const op = convName(p, relu);
    const xi = readPerTensor(x, op);
    const outShape = convOutputShape(x, p, op);
    const y = makeQTensor(outShape, x.dtype, outScale, outZeroPoint);
    const stage = makeOutputStage({
      engine, inputScale: xi.scale, weight: p.weight, bias: p.bias,
      outScale, outZeroPoint, qmin: xi.qmin, qmax: xi.qmax, relu,
    });
    const acc = (p.geometry.transposed ? transposedAccumulate : directAccumulate)(xi.q, xi.zeroPoint, x.shape, p, outShape);
    const perOc = acc.length / Math.max(1, outShape[0]! * outShape[1]!);
    const out = y.data;
    // the packed qparams and the bias are per output channel, transposed or not
    for (let i = 0; i < acc.length; i++) out[i] = stage(acc[i]!, Math.floor(i / perOc) % outShape[1]!);
    return y;
  };
}

/** int32 accumulators of a direct convolution, layout [N, Cout, *out]. */
function directAccumulate(xq: ArrayLike<number>, zx: number, xShape: readonly number[], p: ConvPackedParams, outShape: readonly number[]): Int32Array {
  const g = p.geometry, w = p.weight;
  const [B, Cin] = [xShape[0]!, xShape[1]!];
  const Cout = outShape[1]!;
  const [ID, IH, IW] = to3(xShape.slice(2), 1);
  const [OD, OH, OW] = to3(outShape.slice(2), 1);
  const [KD, KH, KW] = to3(w.shape.slice(2), 1);
  const [sd, sh, sw] = to3(g.stride, 1), [pd, ph, pw] = to3(g.padding, 0), [dd, dh, dw] = to3(g.dilation, 1);
  const cinG = Cin / g.groups, coutG = Cout / g.groups;
  const acc = new Int32Array(B * Cout * OD * OH * OW);
  const wq = w.q;
  let o = 0;
  for (let b = 0; b < B; b++) {
    for (let oc = 0; oc < Cout; oc++) {
      const ic0 = Math.floor(oc / coutG) * cinG, zw = w.zeroPoints[oc]!;
      for (let od = 0; od < OD; od++) for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++) {
        let s = 0;
        for (let c = 0; c < cinG; c++) {
          const xBase = (b * Cin + ic0 + c) * ID;
          const wBase = (oc * cinG + c) * KD;
          for (let kd = 0; kd < KD; kd++) {
            const id = od * sd - pd + kd * dd;
            if (id < 0 || id >= ID) continue;
            for (let kh = 0; kh < KH; kh++) {
              const ih = oh * sh - ph + kh * dh;
              if (ih < 0 || ih >= IH) continue;
              const xRow = ((xBase + id) * IH + ih) * IW, wRow = ((wBase + kd) * KH + kh) * KW;
              for (let kw = 0; kw < KW; kw++) {
                const iw = ow * sw - pw + kw * dw;
                if (iw < 0 || iw >= IW) continue;
                s += (xq[xRow + iw]! - zx) * (wq[wRow + kw]! - zw);
              }
            }
          }
        }
        acc[o++] = s;
      }
    }
  }
  return acc;
}

/** int32 accumulators of a transposed convolution (scatter form), layout [N, Cout, *out]. */
function transposedAccumulate(xq: ArrayLike<number>, zx: number, xShape: readonly number[], p: ConvPackedParams, outShape: readonly number[]): Int32Array {
  const g = p.geometry, w = p.weight;
  const [B, Cin] = [xShape[0]!, xShape[1]!];
  const Cout = outShape[1]!;
  const [ID, IH, IW] = to3(xShape.slice(2), 1);
  const [OD, OH, OW] = to3(outShape.slice(2), 1);
  const [KD, KH, KW] = to3(w.shape.slice(2), 1);
  const [sd, sh, sw] = to3(g.stride, 1), [pd, ph, pw] = to3(g.padding, 0), [dd, dh, dw] = to3(g.dilation, 1);
  const cinG = Cin / g.groups, coutG = Cout / g.groups;
  const acc = new Int32Array(B * Cout * OD * OH * OW);
  for (let b = 0; b < B; b++) for (let ic = 0; ic < Cin; ic++) {
    const grp = Math.floor(ic / cinG);
    for (let id = 0; id < ID; id++) for (let ih = 0; ih < IH; ih++) for (let iw = 0; iw < IW; iw++) {
      const xv = xq[(((b * Cin + ic) * ID + id) * IH + ih) * IW + iw]! - zx;
      if (xv === 0) continue;
      for (let c = 0; c < coutG; c++) {
        const oc = grp * coutG + c, zw = w.zeroPoints[oc]!;
        for (let kd = 0; kd < KD; kd++) {
          const od = id * sd - pd + kd * dd;
          if (od < 0 || od >= OD) continue;
          for (let kh = 0; kh < KH; kh++) {
            const oh = ih * sh - ph + kh * dh;
            if (oh < 0 || oh >= OH) continue;
            for (let kw = 0; kw < KW; kw++) {
              const ow = iw * sw - pw + kw * dw;
              if (ow < 0 || ow >= OW) continue;
              const wv = w.q[(((ic * coutG + c) * KD + kd) * KH + kh) * KW + kw]! - zw;
              const oi = (((b * Cout + oc) * OD + od) * OH + oh) * OW + ow;
              acc[oi] = (acc[oi]! + xv * wv) | 0;
            }
          }
        }
      }
    }
  }
  return acc;
}

function runConv(x: Tensor, packed: ConvPackedParams, outScale: number, outZeroPoint: number, relu: boolean, dims?: number): Tensor {
  if (!(packed instanceof ConvPackedParams)) throw new QTorchTypeError(`quantized::conv(): expected ConvPackedParams (from conv2dPrepack etc.), got ${String(packed)}`);
  const op = convName(packed, relu);
  if (dims !== undefined && packed.spatialDims !== dims) {
    throw new QTorchValueError(`${op}(): these packed params are for conv${packed.spatialDims}d, not conv${dims}d`);
  }
  if (relu && packed.geometry.transposed) throw new QTorchValueError(`${op}(): no fused ReLU for transposed convolution`);
  const xi = readPerTensor(x, op);
  check8bit(xi, op);
  checkOutputQparams(outScale, outZeroPoint, x.dtype, op);
  convOutputShape(x, packed, op);
  return getKernel<QConvKernel>(op, packed.engine)(x, packed, outScale, outZeroPoint);
}

/** Runs any packed convolution (1-d/2-d/3-d, transposed or not): `quantized::convNd(x, packed, scale, zp)`. */
export function quantizedConv(x: Tensor, packed: ConvPackedParams, outScale: number, outZeroPoint: number): Tensor {
  return runConv(x, packed, outScale, outZeroPoint, false);
}

/** `quantized::convNd_relu`: `quantizedConv` with a fused ReLU. */
export function quantizedConvRelu(x: Tensor, packed: ConvPackedParams, outScale: number, outZeroPoint: number): Tensor {
  return runConv(x, packed, outScale, outZeroPoint, true);
}

/** `torch.ops.quantized.conv1d(x, packed, scale, zero_point)`. */
export const quantizedConv1d = (x: Tensor, p: ConvPackedParams, s: number, zp: number): Tensor => runConv(x, p, s, zp, false, 1);
/** `torch.ops.quantized.conv1d_relu`. */
export const quantizedConv1dRelu = (x: Tensor, p: ConvPackedParams, s: number, zp: number): Tensor => runConv(x, p, s, zp, true, 1);
/** `torch.ops.quantized.conv2d(x, packed, scale, zero_point)`. */
export const quantizedConv2d = (x: Tensor, p: ConvPackedParams, s: number, zp: number): Tensor => runConv(x, p, s, zp, false, 2);
/** `torch.ops.quantized.conv2d_relu`. */
export const quantizedConv2dRelu = (x: Tensor, p: ConvPackedParams, s: number, zp: number): Tensor => runConv(x, p, s, zp, true, 2);
/** `torch.ops.quantized.conv3d(x, packed, scale, zero_point)`. */
export const quantizedConv3d = (x: Tensor, p: ConvPackedParams, s: number, zp: number): Tensor => runConv(x, p, s, zp, false, 3);
/** `torch.ops.quantized.conv3d_relu`. */
export const quantizedConv3dRelu = (x: Tensor, p: ConvPackedParams, s: number, zp: number): Tensor => runConv(x, p, s, zp, true, 3);
/** `torch.ops.quantized.conv_transpose2d(x, packed, scale, zero_point)`. */
export function quantizedConvTranspose2d(x: Tensor, p: ConvPackedParams, s: number, zp: number): Tensor {
  if (!(p instanceof ConvPackedParams) || !p.geometry.transposed) throw new QTorchTypeError('quantized::conv_transpose2d(): expected params from convTranspose2dPrepack');
  return runConv(x, p, s, zp, false, 2);
}
