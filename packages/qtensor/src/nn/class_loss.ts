/**
 * Class losses over an input of shape (C), (N, C) or (N, C, d1, ...): nllLoss on
 * log-probabilities and crossEntropy on logits (class-index targets with weights,
 * ignoreIndex and label smoothing, or class-probability targets), with autograd.
 *
 * Both are written as loss = -sum_{s,c} a[s,c] * z[s,c] over samples s and classes c, where
 * z is the input (nll) or its log-softmax (crossEntropy) and the coefficients a fold in
 * weights, smoothing and the 'mean' denominators exactly as PyTorch 1.13 combines them.
 */
import { recordOp } from '../autograd.js';
import { int64 } from '../dtype.js';
import { QTorchShapeError, QTorchTypeError, QTorchValueError, fmtShape } from '../errors.js';
import { shapesEqual } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { type Reduction, allocGrad, checkFloat, checkReduction, gradTensor, resultDtype } from './float_io.js';
import { reduceLosses } from './loss_reduce.js';
import { softmaxInto } from './softmax.js';
import { checkOptions } from '../args.js';

/** Options of `nllLoss` and `crossEntropy`. */
export interface ClassLossOptions {
  /** Per-class rescaling weight of shape [C]. */
  weight?: Tensor | null;
  /** Target value that contributes nothing (default -100). */
  ignoreIndex?: number;
  /** 'mean' (default, weighted by class weight), 'sum' or 'none'. */
  reduction?: Reduction;
}

/** Options of `crossEntropy`. */
export interface CrossEntropyOptions extends ClassLossOptions {
  /** Mix of the target with the uniform distribution, in [0, 1] (default 0). */
  labelSmoothing?: number;
}

/** Element (n, c, d) of the input sits at (n * C + c) * D + d; sample s = n * D + d. */
interface ClassLayout {
  N: number;
  C: number;
  D: number;
  /** 'none' output shape: [] for a (C) input, else [N, d1, ...]. */
  outShape: number[];
}

function classLayout(input: Tensor, op: string): ClassLayout {
  if (input.ndim < 1) throw new QTorchShapeError(`${op}(): Expected 1 or more dimensions (got 0)`);
  if (input.ndim === 1) return { N: 1, C: input.shape[0]!, D: 1, outShape: [] };
  const rest = input.shape.slice(2);
  return { N: input.shape[0]!, C: input.shape[1]!, D: rest.reduce((a, b) => a * b, 1), outShape: [input.shape[0]!, ...rest] };
}

const pos = (L: ClassLayout, s: number, c: number): number => (Math.floor(s / L.D) * L.C + c) * L.D + (s % L.D);

/** Checks class-index targets (int64, shape (N, d1, ...), in range unless ignored) and returns them. */
function classTargets(input: Tensor, target: Tensor, L: ClassLayout, ignoreIndex: number, op: string): ArrayLike<number> {
  if (target.dtype !== int64) {
    throw new QTorchTypeError(
      `${op}(): class-index targets must be torch.int64 but got ${target.dtype.torchName}` +
        (target.dtype.isFloatingPoint ? ` (class-probability targets must have the input's shape ${fmtShape(input.shape)}, got ${fmtShape(target.shape)})` : ''),
    );
  }
  if (input.ndim > 1 && target.shape[0] !== L.N) {
    throw new QTorchValueError(`${op}(): Expected input batch_size (${L.N}) to match target batch_size (${target.shape[0] ?? 'none'}).`);
  }
  if (!shapesEqual(target.shape, L.outShape)) {
    throw new QTorchShapeError(`${op}(): Expected target size ${fmtShape(L.outShape)}, got ${fmtShape(target.shape)}`);
  }
  const tv = target.values();
  for (let s = 0; s < tv.length; s++) {
    const t = tv[s]!;
    if (t !== ignoreIndex && !(t >= 0 && t < L.C)) throw new QTorchValueError(`${op}(): Target ${t} is out of bounds (expected 0 <= target < ${L.C}).`);
  }
  return tv;
}

function classWeights(weight: Tensor | null | undefined, C: number, op: string): ArrayLike<number> | null {
  if (!weight) return null;
  checkFloat(weight, op, 'weight');
  if (weight.ndim !== 1 || weight.numel() !== C) {
    throw new QTorchShapeError(`${op}(): weight tensor should be defined either for all ${C} classes or no classes but got weight tensor of shape: ${fmtShape(weight.shape)}`);
  }
  return weight.values();
}

/**
 * Coefficients of the class-index losses: (1 - eps) w[t] on the target class (normalized by
 * the total target weight for 'mean') plus eps / C * w[c] on every class (normalized by the
 * same total, or by the count of non-ignored samples when there is no weight).
 */
function indexCoefficients(
  tv: ArrayLike<number>, w: ArrayLike<number> | null, L: ClassLayout, ignoreIndex: number, reduction: Reduction, eps: number,
): { a: Float64Array; emptyMean: boolean } {
  const samples = L.N * L.D;
  let totalWeight = 0, kept = 0;
  for (let s = 0; s < samples; s++) {
    if (tv[s] === ignoreIndex) continue;
    kept++;
    totalWeight += w ? w[tv[s]!]! : 1;
  }
  const nllDen = reduction === 'mean' ? totalWeight : 1;
  const smoothDen = reduction === 'mean' ? (w ? totalWeight : kept) : 1;
  const a = new Float64Array(samples * L.C);
  for (let s = 0; s < samples; s++) {
    const t = tv[s]!;
    if (t === ignoreIndex) continue;
    if (eps > 0) for (let c = 0; c < L.C; c++) a[pos(L, s, c)] = ((eps / L.C) * (w ? w[c]! : 1)) / smoothDen;
    a[pos(L, s, t)]! += ((1 - eps) * (w ? w[t]! : 1)) / nllDen;
  }
  // a 'mean' over zero total weight is 0/0 in PyTorch
  return { a, emptyMean: reduction === 'mean' && totalWeight === 0 };
}

/** Sets a reduced loss to NaN (PyTorch's mean over nothing). */
function nanIf(out: Tensor, cond: boolean): Tensor {
  if (cond) out.data[0] = NaN;
  return out;
}

/** Per-sample losses -sum_c a[s,c] z[s,c] (NaN-free where a is 0, as PyTorch skips ignored samples). */
function sampleLosses(a: Float64Array, z: ArrayLike<number>, L: ClassLayout): Float64Array {
  const per = new Float64Array(L.N * L.D);
  for (let s = 0; s < per.length; s++) {
    let acc = 0;
    for (let c = 0; c < L.C; c++) {
      const p = pos(L, s, c);
      if (a[p] !== 0) acc -= a[p]! * z[p]!;
    }
    per[s] = acc;
  }
  return per;
}

/** The output gradient per sample: g[s] for 'none', else the scalar g for every sample. */
function sampleGrads(g: Tensor, samples: number, reduction: Reduction): Float64Array {
  const gv = g.values();
  return reduction === 'none' ? Float64Array.from(gv) : new Float64Array(samples).fill(gv[0]!);
}

/**
 * Negative log-likelihood of class-index targets (int64) given log-probabilities.
 * 'mean' divides by the summed weight of the non-ignored targets.
 */
export function nllLoss(input: Tensor, target: Tensor, opts: ClassLossOptions = {}): Tensor {
  checkOptions(opts, 'nllLoss');
  const op = 'nllLoss';
  const { weight, ignoreIndex = -100, reduction = 'mean' } = opts;
  checkFloat(input, op);
  checkReduction(reduction, op);
  const L = classLayout(input, op);
  const tv = classTargets(input, target, L, ignoreIndex, op);
  const { a, emptyMean } = indexCoefficients(tv, classWeights(weight, L.C, op), L, ignoreIndex, reduction, 0);
  const xv = input.values();
  const out = nanIf(reduceLosses(sampleLosses(a, xv, L), L.outShape, resultDtype(input), reduction, 1), emptyMean);
  return recordOp('NllLoss', out, [input], (g) => {
    const gs = sampleGrads(g, L.N * L.D, reduction);
    const gx = allocGrad(input);
    for (let i = 0; i < gx.length; i++) gx[i] = -a[i]! * gs[Math.floor(i / (L.C * L.D)) * L.D + (i % L.D)]!;
    return [gradTensor(gx, input)];
  });
}

/**
 * Cross entropy of logits: logSoftmax over the class dim followed by the (weighted,
 * smoothed) negative log-likelihood. Targets are class indices (int64, shape without the
 * class dim) or class probabilities (float, the input's shape). Gradients flow to the input
 * and to probability targets.
 */
export function crossEntropy(input: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  checkOptions(opts, 'crossEntropy');
  const op = 'crossEntropy';
  const { weight, ignoreIndex = -100, reduction = 'mean', labelSmoothing: eps = 0 } = opts;
  checkFloat(input, op);
  checkReduction(reduction, op);
  if (!(eps >= 0 && eps <= 1)) throw new QTorchValueError(`${op}(): label_smoothing must be between 0.0 and 1.0. Got: ${eps}`);
  const L = classLayout(input, op);
  const w = classWeights(weight, L.C, op);
  const samples = L.N * L.D;
  const probTarget = target.dtype.isFloatingPoint && shapesEqual(target.shape, input.shape);
  let a: Float64Array;
  let tv: ArrayLike<number> = [];
  let emptyMean = false;
  if (probTarget) {
    checkFloat(target, op, 'target');
    if (ignoreIndex >= 0) throw new QTorchValueError(`${op}(): ignore_index is not supported for floating point target (got ignoreIndex ${ignoreIndex})`);
    tv = target.values();
    const den = reduction === 'mean' ? samples : 1;
    emptyMean = reduction === 'mean' && samples === 0;
    a = new Float64Array(tv.length);
    for (let i = 0; i < a.length; i++) {
      const c = Math.floor(i / L.D) % L.C;
      a[i] = ((w ? w[c]! : 1) * (tv[i]! * (1 - eps) + eps / L.C)) / den;
    }
  } else {
    ({ a, emptyMean } = indexCoefficients(classTargets(input, target, L, ignoreIndex, op), w, L, ignoreIndex, reduction, eps));
  }
  const logp = new Float64Array(input.numel());
  softmaxInto(input.values(), logp, { dim: 1, outer: L.N, size: L.C, inner: L.D }, true);
  const per = sampleLosses(a, logp, L);
  const out = nanIf(reduceLosses(per, L.outShape, resultDtype(input), reduction, 1), emptyMean);
  return recordOp('CrossEntropyLoss', out, [input, probTarget ? target : null], (g) => {
    const gs = sampleGrads(g, samples, reduction);
    const gx = allocGrad(input);
    // d/dz of -sum_c a_c logsoftmax(z)_c is -(a_c - softmax(z)_c * sum_c' a_c')
    for (let s = 0; s < samples; s++) {
      let sumA = 0;
      for (let c = 0; c < L.C; c++) sumA += a[pos(L, s, c)]!;
      for (let c = 0; c < L.C; c++) {
        const p = pos(L, s, c);
        gx[p] = -gs[s]! * (a[p]! - Math.exp(logp[p]!) * sumA);
      }
    }
    if (!probTarget) return [gradTensor(gx, input)];
    const gt = allocGrad(target);
    const den = reduction === 'mean' ? samples : 1;
    for (let i = 0; i < gt.length; i++) {
      const s = Math.floor(i / (L.C * L.D)) * L.D + (i % L.D), c = Math.floor(i / L.D) % L.C;
      gt[i] = (-gs[s]! * (w ? w[c]! : 1) * (1 - eps) * logp[i]!) / den;
    }
    return [gradTensor(gx, input), gradTensor(gt, target)];
  });
}
