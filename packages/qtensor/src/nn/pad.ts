/**
 * `F.pad`: constant, reflect, replicate and circular padding with autograd. Pads are given
 * last dim first, (left, right) pairs, as in PyTorch; negative pads crop. Each padded dim gets
 * an output -> input index map (-1 = fill value), so forward is a gather and backward the
 * matching scatter-add.
 */
import { recordOp } from '../autograd.js';
import { storageFromNumbers } from '../creation.js';
import { QTorchShapeError, QTorchTypeError, QTorchValueError, fmtShape } from '../errors.js';
import { contiguousStrides, shapeNumel } from '../shape.js';
import { Tensor } from '../tensor.js';
import { allocFloat, allocGrad, floatTensor, gradTensor, resultDtype } from './float_io.js';
import { assertTensor, checkOptions } from '../args.js';

/** Padding modes of `pad`. */
export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';

/** Keyword arguments of `pad`. */
export interface PadOptions {
  /** How padded positions are filled (default 'constant'). */
  mode?: PadMode;
  /** Fill value of 'constant' mode (default 0). */
  value?: number;
}

/** Input index read by output index `o` of a dim of size `n` padded by `left`, or -1 for the fill value. */
function sourceIndex(o: number, n: number, left: number, mode: PadMode): number {
  const i = o - left;
  switch (mode) {
    case 'constant': return i >= 0 && i < n ? i : -1;
    case 'reflect': return i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
    case 'replicate': return Math.min(Math.max(i, 0), n - 1);
    case 'circular': return ((i % n) + n) % n;
  }
}

/** Checks pads against the mode's limits and returns the per-dim [left, right] pads (all dims). */
function resolvePads(x: Tensor, pads: readonly number[], mode: PadMode): Array<[number, number]> {
  const op = 'pad', nd = x.ndim;
  if (!['constant', 'reflect', 'replicate', 'circular'].includes(mode)) {
    throw new QTorchValueError(`${op}(): Unrecognised padding mode '${mode}' (expected constant, reflect, replicate or circular)`);
  }
  if (pads.length % 2 !== 0) throw new QTorchValueError(`${op}(): Padding length must be divisible by 2, got ${pads.length}`);
  if (pads.some((p) => !Number.isInteger(p))) throw new QTorchValueError(`${op}(): pads must be integers, got ${JSON.stringify(pads)}`);
  const k = pads.length / 2;
  if (k > nd) throw new QTorchValueError(`${op}(): Padding length too large: ${pads.length} pads for an input of shape ${fmtShape(x.shape)}`);
  if (mode !== 'constant' && (k < 1 || k > 3 || (nd !== k + 1 && nd !== k + 2))) {
    throw new QTorchShapeError(`${op}(): ${mode} padding of the last ${k} dim(s) expects a ${k + 1}-D or ${k + 2}-D input, got input of shape ${fmtShape(x.shape)}`);
  }
  const out: Array<[number, number]> = x.shape.map(() => [0, 0]);
  for (let j = 0; j < k; j++) {
    const d = nd - 1 - j, n = x.shape[d]!, l = pads[2 * j]!, r = pads[2 * j + 1]!;
    if (n + l + r < 0) {
      throw new QTorchShapeError(`${op}(): The input size ${n}, plus negative padding ${l} and ${r} resulted in a negative output size, which is invalid. Check dimension ${d} of your input ${fmtShape(x.shape)}`);
    }
    if (mode === 'reflect' && (l >= n || r >= n)) {
      throw new QTorchShapeError(`${op}(): Padding size should be less than the corresponding input dimension, but got: padding (${l}, ${r}) at dimension ${d} of input ${fmtShape(x.shape)}`);
    }
    if (mode === 'circular' && (l > n || r > n)) {
      throw new QTorchShapeError(`${op}(): Padding value causes wrapping around more than once: padding (${l}, ${r}) at dimension ${d} of input ${fmtShape(x.shape)}`);
    }
    if (mode !== 'constant' && n === 0) throw new QTorchShapeError(`${op}(): ${mode} padding needs non-empty padded dims, got input ${fmtShape(x.shape)}`);
    out[d] = [l, r];
  }
  return out;
}

/** Visits every output element (row-major) with the contiguous input offset it reads (-1: fill). */
function forEachPadded(outShape: readonly number[], maps: Int32Array[], inStrides: readonly number[], visit: (o: number, src: number) => void): void {
  const nd = outShape.length;
  let o = 0;
  const walk = (d: number, off: number): void => {
    if (d === nd) {
      visit(o++, off);
      return;
    }
    const map = maps[d]!, s = inStrides[d]!;
    for (let i = 0; i < outShape[d]!; i++) {
      const m = map[i]!;
      if (m < 0 || off < 0) walk(d + 1, -1);
      else walk(d + 1, off + m * s);
    }
  };
  if (shapeNumel(outShape) > 0) walk(0, 0);
}

/**
 * Pads `x` (`F.pad`). `pads` = [left_last, right_last, left_second_last, ...]; 'constant' pads
 * any number of dims with `value`, the other modes pad the last 1-3 dims of a (k+1)- or (k+2)-D input.
 */
export function pad(x: Tensor, pads: readonly number[], opts: PadOptions = {}): Tensor {
  checkOptions(opts, 'pad');
  assertTensor(x, 'pad');
  const { mode = 'constant', value = 0 } = opts;
  if (x.isQuantized) throw new QTorchTypeError(`pad(): expected a non-quantized input, got ${x.dtype.torchName}`);
  const lr = resolvePads(x, pads, mode);
  const outShape = x.shape.map((n, d) => n + lr[d]![0] + lr[d]![1]);
  const maps = outShape.map((m, d) => Int32Array.from({ length: m }, (_, o) => sourceIndex(o, x.shape[d]!, lr[d]![0], mode)));
  const strides = contiguousStrides(x.shape);
  const xv = x.values();
  if (!x.dtype.isFloatingPoint) {
    const vals = new Float64Array(shapeNumel(outShape));
    forEachPadded(outShape, maps, strides, (o, s) => { vals[o] = s < 0 ? value : xv[s]!; });
    return new Tensor(storageFromNumbers(vals, x.dtype), x.dtype, outShape);
  }
  const dtype = resultDtype(x);
  const out = allocFloat(shapeNumel(outShape), dtype);
  forEachPadded(outShape, maps, strides, (o, s) => { out[o] = s < 0 ? value : xv[s]!; });
  return recordOp('Pad', floatTensor(out, outShape, dtype), [x], (g) => {
    const gv = g.values(), gx = allocGrad(x);
    forEachPadded(outShape, maps, strides, (o, s) => { if (s >= 0) gx[s]! += gv[o]!; });
    return [gradTensor(gx, x)];
  });
}
