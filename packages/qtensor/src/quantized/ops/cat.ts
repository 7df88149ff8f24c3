/**
 * `quantized::cat(xs, dim, scale, zero_point)`: concatenation into requested output qparams.
 * Inputs whose qparams equal the output's are copied; others are dequantized and quantized
 * again (PyTorch's `quantized_cat_impl`). `torch.cat` on qtensors (first input's qparams) is
 * quantized/cat.ts.
 */
import { QTorchShapeError, QTorchTypeError, QTorchValueError, fmtShape } from '../../errors.js';
import { getKernel } from '../../registry.js';
import { normalizeDim, shapeNumel } from '../../shape.js';
import type { Tensor } from '../../tensor.js';
import { dequantizeValue, inverseScale, quantizeValue } from '../numerics.js';
import { check8bit, checkOutputQparams, f32, makeQTensor, readPerTensor } from './requantize.js';

/** Kernel signature of `quantized::cat` / `cat_relu`. */
export type QCatKernel = (xs: readonly Tensor[], dim: number, outScale: number, outZeroPoint: number) => Tensor;

/** Reference `quantized::cat` (`relu`: `cat_relu`). */
export function catKernel(relu: boolean): QCatKernel {
  return (xs, dimIn, outScale, outZeroPoint) => {
    const op = relu ? 'quantized::cat_relu' : 'quantized::cat';
    const inputs = xs.map((x) => readPerTensor(x, op));
    const first = inputs[0]!;
    const dim = normalizeDim(dimIn, first.shape.length, op);
    const shape = [...first.shape];
    shape[dim] = inputs.reduce((n, x) => n + x.shape[dim]!, 0);
    const y = makeQTensor(shape, xs[0]!.dtype, outScale, outZeroPoint);
    const out = y.data;
    const outer = shapeNumel(shape.slice(0, dim)), rowOut = shapeNumel(shape.slice(dim));
    const inv = inverseScale(outScale), lo = relu ? Math.max(outZeroPoint, first.qmin) : first.qmin;
    let col = 0;
    for (const x of inputs) {
      const same = x.scale === outScale && x.zeroPoint === outZeroPoint;
      const s32 = f32(x.scale), row = shapeNumel(x.shape.slice(dim));
      for (let o = 0; o < outer; o++) {
        for (let j = 0; j < row; j++) {
          const q = x.q[o * row + j]!;
          const r = same ? q : quantizeValue(dequantizeValue(q, s32, x.zeroPoint), inv, outZeroPoint, x.qmin, x.qmax);
          out[o * rowOut + col + j] = r < lo ? lo : r;
        }
      }
      col += row;
    }
    return y;
  };
}

function runCat(op: string, xs: readonly Tensor[], dim: number, outScale: number, outZeroPoint: number): Tensor {
  if (!xs || xs.length === 0) throw new QTorchValueError(`${op}(): expected a non-empty list of tensors`);
  const first = readPerTensor(xs[0]!, op);
  check8bit(first, op);
  const d = normalizeDim(dim, first.shape.length, op);
  for (const x of xs) {
    readPerTensor(x, op);
    if (x.dtype !== xs[0]!.dtype) throw new QTorchTypeError(`${op}(): all inputs must have the same dtype, got ${xs[0]!.dtype.torchName} and ${x.dtype.torchName}`);
    if (x.ndim !== first.shape.length || x.shape.some((s, i) => i !== d && s !== first.shape[i])) {
      throw new QTorchShapeError(`${op}(): sizes must match except in dimension ${d}, got ${fmtShape(first.shape)} and ${fmtShape(x.shape)}`);
    }
  }
  checkOutputQparams(outScale, outZeroPoint, xs[0]!.dtype, op);
  return getKernel<QCatKernel>(op)(xs, d, outScale, outZeroPoint);
}

/** `torch.ops.quantized.cat(xs, dim, scale, zero_point)`. */
export const quantizedConcat = (xs: readonly Tensor[], dim: number, scale: number, zeroPoint: number): Tensor => runCat('quantized::cat', xs, dim, scale, zeroPoint);
/** `torch.ops.quantized.cat_relu(xs, dim, scale, zero_point)`. */
export const quantizedConcatRelu = (xs: readonly Tensor[], dim: number, scale: number, zeroPoint: number): Tensor => runCat('quantized::cat_relu', xs, dim, scale, zeroPoint);
