/**
 * embedding (row lookup) and embeddingBag (sum / mean / max over bags of rows) for float
 * weights, with autograd to the weight (and to perSampleWeights). Bags come from a 2-D input
 * (one bag per row) or from a 1-D input cut by `offsets`, as in PyTorch.
 */
import { recordOp } from '../autograd.js';
import { QTorchShapeError, QTorchValueError, fmtShape } from '../errors.js';
import { shapesEqual } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { allocFloat, allocGrad, checkFloat, checkIndexTensor, floatTensor, gradTensor, resultDtype } from './float_io.js';
import { checkOptions } from '../args.js';

function checkWeight(weight: Tensor, op: string): [number, number] {
  checkFloat(weight, op, 'weight');
  if (weight.ndim !== 2) throw new QTorchShapeError(`${op}(): 'weight' must be 2-D, got shape ${fmtShape(weight.shape)}`);
  return [weight.shape[0]!, weight.shape[1]!];
}

/** Resolves a negative paddingIdx and checks its range (undefined/null: no padding row). */
function resolvePadding(paddingIdx: number | null | undefined, rows: number, op: string): number {
  if (paddingIdx === undefined || paddingIdx === null) return -1;
  if (!Number.isInteger(paddingIdx) || paddingIdx >= rows || paddingIdx < -rows) {
    throw new QTorchValueError(`${op}(): Padding_idx must be within num_embeddings (${rows}), got ${paddingIdx}`);
  }
  return paddingIdx < 0 ? paddingIdx + rows : paddingIdx;
}

function readIndices(indices: Tensor, rows: number, op: string): ArrayLike<number> {
  checkIndexTensor(indices, op, 'indices');
  const iv = indices.values();
  for (let k = 0; k < iv.length; k++) {
    if (!(iv[k]! >= 0 && iv[k]! < rows)) throw new QTorchValueError(`${op}(): index out of range in self: index ${iv[k]} with ${rows} embeddings`);
  }
  return iv;
}

/** Options of `embedding`. */
export interface EmbeddingOptions {
  /** Row whose entries get no gradient (may be negative, counted from the end). */
  paddingIdx?: number | null;
}

/** Looks up rows of `weight` ([numEmbeddings, dim]); the output has shape [...indices.shape, dim]. */
export function embedding(indices: Tensor, weight: Tensor, opts: EmbeddingOptions = {}): Tensor {
  checkOptions(opts, 'embedding');
  const op = 'embedding';
  const [rows, dim] = checkWeight(weight, op);
  const pad = resolvePadding(opts.paddingIdx, rows, op);
  const iv = readIndices(indices, rows, op);
  const wv = weight.values();
  const dtype = resultDtype(weight);
  const out = allocFloat(iv.length * dim, dtype);
  for (let k = 0; k < iv.length; k++) out.set(wv.subarray(iv[k]! * dim, (iv[k]! + 1) * dim), k * dim);
  return recordOp('Embedding', floatTensor(out, [...indices.shape, dim], dtype), [weight], (g) => {
    const gv = g.values();
    const gw = allocGrad(weight);
    for (let k = 0; k < iv.length; k++) {
      const r = iv[k]!;
      if (r === pad) continue;
      for (let j = 0; j < dim; j++) gw[r * dim + j]! += gv[k * dim + j]!;
    }
    return [gradTensor(gw, weight)];
  });
}

/** Options of `embeddingBag`. */
export interface EmbeddingBagOptions {
  /** Start of each bag in a 1-D input (required for 1-D input, forbidden for 2-D). */
  offsets?: Tensor | null;
  /** How a bag's rows combine (default 'mean'). */
  mode?: 'sum' | 'mean' | 'max';
  /** Per-index weights (mode 'sum' only), same shape as the input. */
  perSampleWeights?: Tensor | null;
  /** The last offset is the end of the last bag rather than the start of one more. */
  includeLastOffset?: boolean;
  /** Entries equal to this row are left out of their bag (and of the mean's count). */
  paddingIdx?: number | null;
}

/** [start, end) of every bag over the flat index list. */
function bagBounds(indices: Tensor, opts: EmbeddingBagOptions, op: string): Array<[number, number]> {
  const { offsets, includeLastOffset = false } = opts;
  if (indices.ndim === 2) {
    if (offsets) throw new QTorchValueError(`${op}(): if input is 2D, then offsets has to be None, as input is treated is a mini-batch of fixed length sequences. However, found offsets of shape ${fmtShape(offsets.shape)}`);
    const [B, len] = indices.shape as [number, number];
    return Array.from({ length: B }, (_, b) => [b * len, (b + 1) * len]);
  }
  if (indices.ndim !== 1) throw new QTorchShapeError(`${op}(): input has to be 1D or 2D Tensor, but got Tensor of dimension ${indices.ndim}`);
  if (!offsets) throw new QTorchValueError(`${op}(): offsets has to be a 1D Tensor but got null`);
  checkIndexTensor(offsets, op, 'offsets');
  if (offsets.ndim !== 1) throw new QTorchShapeError(`${op}(): offsets has to be a 1D Tensor, but got Tensor of dimension ${offsets.ndim}`);
  const ov = offsets.values(), n = indices.numel();
  if (ov.length > 0 && ov[0] !== 0) {
    throw new QTorchValueError(`${op}(): offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from position 0. However, got ${ov[0]}`);
  }
  for (let b = 0; b < ov.length; b++) {
    if (!(ov[b]! <= n) || (b > 0 && ov[b]! < ov[b - 1]!)) throw new QTorchValueError(`${op}(): offsets must be non-decreasing and at most the input size (${n}), got ${ov[b]} at position ${b}`);
  }
  const B = includeLastOffset ? Math.max(ov.length - 1, 0) : ov.length;
  return Array.from({ length: B }, (_, b) => [ov[b]!, b + 1 < ov.length ? ov[b + 1]! : n]);
}

/**
 * Reduces bags of embedding rows to one row per bag: output [numBags, dim]. An empty bag
 * gives zeros. Gradients go to `weight` (and to `perSampleWeights` in mode 'sum').
 */
export function embeddingBag(indices: Tensor, weight: Tensor, opts: EmbeddingBagOptions = {}): Tensor {
  checkOptions(opts, 'embeddingBag');
  const op = 'embeddingBag';
  const { mode = 'mean', perSampleWeights } = opts;
  if (mode !== 'sum' && mode !== 'mean' && mode !== 'max') throw new QTorchValueError(`${op}(): mode has to be one of sum, mean or max, got '${String(mode)}'`);
  const [rows, dim] = checkWeight(weight, op);
  const pad = resolvePadding(opts.paddingIdx, rows, op);
  const iv = readIndices(indices, rows, op);
  const bags = bagBounds(indices, opts, op);
  let psw: ArrayLike<number> | null = null;
  if (perSampleWeights) {
    if (mode !== 'sum') throw new QTorchValueError(`${op}(): embedding_bag: per_sample_weights was not None. per_sample_weights is only supported for mode='sum' (got mode='${mode}'). Please open a feature request on GitHub.`);
    checkFloat(perSampleWeights, op, 'perSampleWeights');
    if (!shapesEqual(perSampleWeights.shape, indices.shape)) {
      throw new QTorchShapeError(`${op}(): embedding_bag: If per_sample_weights (${fmtShape(perSampleWeights.shape)}) is not None, then it must have the same shape as the input (${fmtShape(indices.shape)})`);
    }
    psw = perSampleWeights.values();
  }
  const wv = weight.values();
  const dtype = resultDtype(weight, perSampleWeights);
  const out = allocFloat(bags.length * dim, dtype);
  const counts = new Float64Array(bags.length);
  const argmax = mode === 'max' ? new Int32Array(bags.length * dim).fill(-1) : null;
  bags.forEach(([start, end], b) => {
    const acc = new Float64Array(dim).fill(mode === 'max' ? -Infinity : 0);
    for (let k = start; k < end; k++) {
      const r = iv[k]!;
      if (r === pad) continue;
      counts[b]!++;
      for (let j = 0; j < dim; j++) {
        const v = wv[r * dim + j]!;
        if (argmax) {
          if (v > acc[j]! || argmax[b * dim + j] === -1) { acc[j] = v; argmax[b * dim + j] = r; }
        } else acc[j]! += psw ? psw[k]! * v : v;
      }
    }
    for (let j = 0; j < dim; j++) out[b * dim + j] = counts[b] === 0 ? 0 : mode === 'mean' ? acc[j]! / counts[b]! : acc[j]!;
  });
  return recordOp('EmbeddingBag', floatTensor(out, [bags.length, dim], dtype), [weight, perSampleWeights], (g) => {
    const gv = g.values();
    const gw = allocGrad(weight);
    const gp = perSampleWeights ? allocGrad(perSampleWeights) : null;
    bags.forEach(([start, end], b) => {
      if (argmax) {
        for (let j = 0; j < dim; j++) if (argmax[b * dim + j]! >= 0) gw[argmax[b * dim + j]! * dim + j]! += gv[b * dim + j]!;
        return;
      }
      for (let k = start; k < end; k++) {
        const r = iv[k]!;
        if (r === pad) continue;
        const scale = mode === 'mean' ? 1 / counts[b]! : psw ? psw[k]! : 1;
        let dot = 0;
        for (let j = 0; j < dim; j++) {
          gw[r * dim + j]! += scale * gv[b * dim + j]!;
          dot += gv[b * dim + j]! * wv[r * dim + j]!;
        }
        if (gp) gp[k] = dot;
      }
    });
    return [gradTensor(gw, weight), gp && gradTensor(gp, perSampleWeights!)];
  });
}
