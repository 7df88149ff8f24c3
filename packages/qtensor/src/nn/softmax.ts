/**
 * softmax / logSoftmax along one dim, numerically stable (the max is subtracted before exp),
 * with autograd. `softmaxInto` is the typed-array kernel, shared with crossEntropy.
 */
import { recordOp } from '../autograd.js';
import type { DType } from '../dtype.js';
import { QTorchTypeError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { type DimLayout, type FloatArray, allocFloat, allocGrad, checkFloat, dimLayout, floatTensor, gradTensor, resultDtype } from './float_io.js';
import { checkOptions } from '../args.js';

/**
 * Writes softmax (or log-softmax when `log`) of `src` along the layout's dim into `dst`,
 * computing each slice in float64.
 */
export function softmaxInto(src: ArrayLike<number>, dst: FloatArray, { outer, size, inner }: DimLayout, log: boolean): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      let max = -Infinity;
      for (let k = 0; k < size; k++) max = Math.max(max, src[base + k * inner]!);
      // an all -inf slice: keep max finite so exp gives 0/0 = NaN as PyTorch does
      if (max === -Infinity) max = 0;
      let sum = 0;
      for (let k = 0; k < size; k++) sum += Math.exp(src[base + k * inner]! - max);
      const logSum = Math.log(sum);
      for (let k = 0; k < size; k++) {
        const p = base + k * inner;
        dst[p] = log ? src[p]! - max - logSum : Math.exp(src[p]! - max) / sum;
      }
    }
  }
}

/** Options of `softmax` / `logSoftmax`. */
export interface SoftmaxOptions {
  /** Compute and return in this float dtype (PyTorch's `dtype=` argument). */
  dtype?: DType;
}

function softmaxImpl(x: Tensor, dim: number, opts: SoftmaxOptions, log: boolean): Tensor {
  const op = log ? 'logSoftmax' : 'softmax';
  checkFloat(x, op);
  const layout = dimLayout(x.shape, dim, op);
  if (opts.dtype && (!opts.dtype.isFloatingPoint || opts.dtype.isQuantized)) {
    throw new QTorchTypeError(`${op}(): dtype must be a floating point type, got ${opts.dtype.torchName}`);
  }
  const dtype = opts.dtype ?? resultDtype(x);
  const xv = x.values();
  const y = allocFloat(xv.length, dtype);
  softmaxInto(xv, y, layout, log);
  const out = floatTensor(y, x.shape, dtype);
  return recordOp(log ? 'LogSoftmax' : 'Softmax', out, [x], (g) => {
    const gv = g.values();
    const gx = allocGrad(x);
    const { outer, size, inner } = layout;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * size * inner + i;
        // softmax: dx = y * (g - sum(g * y)); log-softmax: dx = g - exp(y) * sum(g)
        let s = 0;
        for (let k = 0; k < size; k++) s += log ? gv[base + k * inner]! : gv[base + k * inner]! * y[base + k * inner]!;
        for (let k = 0; k < size; k++) {
          const p = base + k * inner;
          gx[p] = log ? gv[p]! - Math.exp(y[p]!) * s : y[p]! * (gv[p]! - s);
        }
      }
    }
    return [gradTensor(gx, x)];
  });
}

/** exp(x) / sum(exp(x)) along `dim`. */
export function softmax(x: Tensor, dim: number, opts: SoftmaxOptions = {}): Tensor {
  checkOptions(opts, 'softmax');
  return softmaxImpl(x, dim, opts, false);
}

/** log(softmax(x)) along `dim`, computed as x - max - log(sum(exp(x - max))). */
export function logSoftmax(x: Tensor, dim: number, opts: SoftmaxOptions = {}): Tensor {
  checkOptions(opts, 'logSoftmax');
  return softmaxImpl(x, dim, opts, true);
}

declare module '../tensor.js' {
  interface Tensor {
    /** See `softmax`. */
    softmax(dim: number, opts?: SoftmaxOptions): Tensor;
    /** See `logSoftmax`. */
    logSoftmax(dim: number, opts?: SoftmaxOptions): Tensor;
  }
}
Tensor.prototype.softmax = function (this: Tensor, dim: number, opts?: SoftmaxOptions) { return softmax(this, dim, opts); };
Tensor.prototype.logSoftmax = function (this: Tensor, dim: number, opts?: SoftmaxOptions) { return logSoftmax(this, dim, opts); };
