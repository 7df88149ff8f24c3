/**
 * Matrix products for float tensors with autograd: matmul (PyTorch's 1-D promotion and batch
 * broadcasting), mm, bmm, addmm and linear (F.linear). Forward and backward run on the
 * typed-array GEMMs in gemm.ts.
 */
import { noGrad, recordOp } from '../autograd.js';
import { QTorchShapeError, fmtShape } from '../errors.js';
import { broadcastShapes, contiguousStrides, shapeNumel } from '../shape.js';
import { Tensor } from '../tensor.js';
import { expand, sumToShape } from '../views.js';
import { type FloatArray, allocFloat, allocGrad, checkFloat, floatTensor, gradTensor, resultDtype } from './float_io.js';
import { gemmNN, gemmNT, gemmTN } from './gemm.js';
import { assertTensor, checkOptions } from '../args.js';

/** Start of each matrix of a batched operand (shape `batchShape`) for every index of the broadcast `batch`. */
function batchOffsets(batchShape: readonly number[], batch: readonly number[], matSize: number): Float64Array {
  const nb = shapeNumel(batch);
  const offs = new Float64Array(nb);
  const own = contiguousStrides(batchShape);
  const lead = batch.length - batchShape.length;
  // stride of each broadcast batch dim in the operand (0 where it is broadcast)
  const strides = batch.map((_, d) => (d < lead || batchShape[d - lead] === 1 ? 0 : own[d - lead]! * matSize));
  const idx = new Array<number>(batch.length).fill(0);
  let off = 0;
  for (let b = 0; b < nb; b++) {
    offs[b] = off;
    for (let d = batch.length - 1; d >= 0; d--) {
      idx[d]!++;
      off += strides[d]!;
      if (idx[d]! < batch[d]!) break;
      off -= idx[d]! * strides[d]!;
      idx[d] = 0;
    }
  }
  return offs;
}

/** Batched A·B on operands already promoted to >= 2-D shapes `aS`, `bS`; `outShape` drops promoted dims. */
function batchedProduct(a: Tensor, b: Tensor, aS: readonly number[], bS: readonly number[], outShape: (batch: number[], n: number, p: number) => number[], op: string, name: string): Tensor {
  checkFloat(a, op);
  checkFloat(b, op, 'other');
  const n = aS[aS.length - 2]!, m = aS[aS.length - 1]!, m2 = bS[bS.length - 2]!, p = bS[bS.length - 1]!;
  if (m !== m2) {
    throw new QTorchShapeError(`${op}(): mat1 and mat2 shapes cannot be multiplied (${n}x${m} and ${m2}x${p}); got shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  const batch = broadcastShapes(aS.slice(0, -2), bS.slice(0, -2), op);
  const nb = shapeNumel(batch);
  const aOffs = batchOffsets(aS.slice(0, -2), batch, n * m), bOffs = batchOffsets(bS.slice(0, -2), batch, m * p);
  const dtype = resultDtype(a, b);
  const av = a.values(), bv = b.values();
  const out = allocFloat(nb * n * p, dtype);
  for (let i = 0; i < nb; i++) gemmNN(n, p, m, av, aOffs[i]!, bv, bOffs[i]!, out, i * n * p);
  return recordOp(name, floatTensor(out, outShape(batch, n, p), dtype), [a, b], (g) => {
    const gv = g.values();
    let ga: FloatArray | null = null, gb: FloatArray | null = null;
    if (a.requiresGrad) {
      ga = allocGrad(a);
      for (let i = 0; i < nb; i++) gemmNT(n, m, p, gv, i * n * p, bv, bOffs[i]!, ga, aOffs[i]!, true);
    }
    if (b.requiresGrad) {
      gb = allocGrad(b);
      for (let i = 0; i < nb; i++) gemmTN(m, p, n, av, aOffs[i]!, gv, i * n * p, gb, bOffs[i]!, true);
    }
    return [ga && gradTensor(ga, a), gb && gradTensor(gb, b)];
  });
}

/**
 * Matrix product with PyTorch's rules: 1-D·1-D is a dot product (0-d result), a 1-D first
 * operand is a row vector and a 1-D second operand a column vector (the added dim is removed
 * afterwards), and leading batch dims broadcast.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  assertTensor(a, 'matmul');
  if (a.ndim === 0 || b.ndim === 0) {
    throw new QTorchShapeError(`matmul(): both arguments to matmul need to be at least 1D, but they are ${a.ndim}D and ${b.ndim}D`);
  }
  const aVec = a.ndim === 1, bVec = b.ndim === 1;
  const aS = aVec ? [1, a.shape[0]!] : a.shape;
  const bS = bVec ? [b.shape[0]!, 1] : b.shape;
  return batchedProduct(a, b, aS, bS, (batch, n, p) => [...batch, ...(aVec ? [] : [n]), ...(bVec ? [] : [p])], 'matmul', 'Matmul');
}

/** Product of two 2-D matrices. */
export function mm(a: Tensor, b: Tensor): Tensor {
  assertTensor(a, 'mm');
  if (a.ndim !== 2 || b.ndim !== 2) {
    throw new QTorchShapeError(`mm(): expected two 2-D matrices, got shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  return batchedProduct(a, b, a.shape, b.shape, (_, n, p) => [n, p], 'mm', 'Mm');
}

/** Batched product of two 3-D tensors with equal batch sizes (no broadcasting). */
export function bmm(a: Tensor, b: Tensor): Tensor {
  assertTensor(a, 'bmm');
  if (a.ndim !== 3 || b.ndim !== 3) {
    throw new QTorchShapeError(`bmm(): batch1 and batch2 must be 3-D tensors, got shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  if (a.shape[0] !== b.shape[0]) {
    throw new QTorchShapeError(`bmm(): batch1 and batch2 must have the same batch size, got shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  return batchedProduct(a, b, a.shape, b.shape, (batch, n, p) => [...batch, n, p], 'bmm', 'Bmm');
}

/** Options of `addmm`. */
export interface AddmmOptions {
  /** Multiplier of `input` (default 1; with 0, `input` is ignored, NaN included). */
  beta?: number;
  /** Multiplier of `mat1 @ mat2` (default 1). */
  alpha?: number;
}

/** `beta * input + alpha * (mat1 @ mat2)`, `input` broadcast to the product's shape. */
export function addmm(input: Tensor, mat1: Tensor, mat2: Tensor, opts: AddmmOptions = {}): Tensor {
  checkOptions(opts, 'addmm');
  const { beta = 1, alpha = 1 } = opts;
  checkFloat(input, 'addmm');
  // forward pieces without graph: the backward below scales the gradients by alpha / beta itself
  const prod = noGrad(() => mm(mat1, mat2));
  const [n, p] = prod.shape as [number, number];
  broadcastShapes(input.shape, [n, p], 'addmm');
  const dtype = resultDtype(input, mat1, mat2);
  const pv = prod.values();
  const iv = noGrad(() => expand(input, [n, p])).values();
  const out = allocFloat(n * p, dtype);
  for (let i = 0; i < out.length; i++) out[i] = (beta === 0 ? 0 : beta * iv[i]!) + alpha * pv[i]!;
  const m1v = mat1.values(), m2v = mat2.values();
  const k = mat1.shape[1]!;
  return recordOp('Addmm', floatTensor(out, [n, p], dtype), [input, mat1, mat2], (g) => {
    const gv = g.values();
    const scaled = (src: ArrayLike<number>, s: number, like: Tensor): FloatArray => {
      const r = allocGrad(like);
      for (let i = 0; i < r.length; i++) r[i] = src[i]! * s;
      return r;
    };
    const gIn = input.requiresGrad ? sumToShape(gradTensor(scaled(gv, beta, g), g), input.shape) : null;
    let g1: FloatArray | null = null, g2: FloatArray | null = null;
    if (mat1.requiresGrad) {
      g1 = allocGrad(mat1);
      gemmNT(n, k, p, gv, 0, m2v, 0, g1, 0);
      g1 = scaled(g1, alpha, mat1);
    }
    if (mat2.requiresGrad) {
      g2 = allocGrad(mat2);
      gemmTN(k, p, n, m1v, 0, gv, 0, g2, 0);
      g2 = scaled(g2, alpha, mat2);
    }
    return [gIn, g1 && gradTensor(g1, mat1), g2 && gradTensor(g2, mat2)];
  });
}

/** `F.linear`: `x @ weight.T + bias`, `x` of shape [..., in], `weight` [out, in], `bias` [out]. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const op = 'linear';
  checkFloat(x, op);
  checkFloat(weight, op, 'weight');
  if (bias) checkFloat(bias, op, 'bias');
  if (weight.ndim !== 2) throw new QTorchShapeError(`${op}(): weight must be 2-D [out_features, in_features], got ${fmtShape(weight.shape)}`);
  const [nOut, nIn] = weight.shape as [number, number];
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== nIn) {
    throw new QTorchShapeError(`${op}(): mat1 and mat2 shapes cannot be multiplied: input ${fmtShape(x.shape)} has ${x.shape[x.ndim - 1] ?? 0} features, weight ${fmtShape(weight.shape)} expects ${nIn}`);
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== nOut)) {
    throw new QTorchShapeError(`${op}(): bias must have shape [${nOut}], got ${fmtShape(bias.shape)}`);
  }
  // rows from the leading dims: numel / in_features is 0 / 0 for in_features = 0
  const M = shapeNumel(x.shape.slice(0, -1));
  const dtype = resultDtype(x, weight, bias);
  const xv = x.values(), wv = weight.values(), bv = bias?.values();
  const out = allocFloat(M * nOut, dtype);
  gemmNT(M, nOut, nIn, xv, 0, wv, 0, out, 0, false, bv ?? null);
  const outShape = [...x.shape.slice(0, -1), nOut];
  return recordOp('Linear', floatTensor(out, outShape, dtype), [x, weight, bias], (g) => {
    const gv = g.values();
    let gx: FloatArray | null = null, gw: FloatArray | null = null, gb: FloatArray | null = null;
    if (x.requiresGrad) gemmNN(M, nIn, nOut, gv, 0, wv, 0, (gx = allocGrad(x)), 0);
    if (weight.requiresGrad) gemmTN(nOut, nIn, M, gv, 0, xv, 0, (gw = allocGrad(weight)), 0);
    if (bias?.requiresGrad) {
      gb = allocGrad(bias);
      for (let i = 0; i < M; i++) for (let j = 0; j < nOut; j++) gb[j]! += gv[i * nOut + j]!;
    }
    return [gx && gradTensor(gx, x), gw && gradTensor(gw, weight), gb && bias && gradTensor(gb, bias)];
  });
}

declare module '../tensor.js' {
  interface Tensor {
    /** Matrix product (see `matmul`). */
    matmul(other: Tensor): Tensor;
    /** 2-D matrix product (see `mm`). */
    mm(other: Tensor): Tensor;
    /** Batched 3-D matrix product (see `bmm`). */
    bmm(other: Tensor): Tensor;
    /** `beta * this + alpha * (mat1 @ mat2)` (see `addmm`). */
    addmm(mat1: Tensor, mat2: Tensor, opts?: AddmmOptions): Tensor;
  }
}
Tensor.prototype.matmul = function (this: Tensor, other: Tensor): Tensor {
  return matmul(this, other);
};
Tensor.prototype.mm = function (this: Tensor, other: Tensor): Tensor {
  return mm(this, other);
};
Tensor.prototype.bmm = function (this: Tensor, other: Tensor): Tensor {
  return bmm(this, other);
};
Tensor.prototype.addmm = function (this: Tensor, mat1: Tensor, mat2: Tensor, opts?: AddmmOptions): Tensor {
  return addmm(this, mat1, mat2, opts);
};
