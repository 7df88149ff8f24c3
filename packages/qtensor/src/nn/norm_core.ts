/**
 * The one normalization kernel behind batch, instance, group and layer norm. Each element i
 * belongs to a statistics group `statOf[i]` (a channel for batch norm, a row for layer norm,
 * ...) and reads its affine parameters at `affOf[i]`. The forward normalizes with the
 * group's biased variance (or with fixed running statistics); the backward is the full
 * gradient through the batch statistics when they were computed from the input.
 */
import { recordOp } from '../autograd.js';
import { QTorchShapeError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor.js';
import { allocFloat, allocGrad, checkFloat, floatTensor, gradTensor, resultDtype, writeValues } from './float_io.js';

/** Which statistics group and which affine slot each element uses. */
export interface NormPlan {
  statOf: Int32Array;
  nStats: number;
  affOf: Int32Array;
  nAff: number;
}

/** Options the norm ops pass to `normalize`. */
export interface NormCall {
  weight?: Tensor | null;
  bias?: Tensor | null;
  eps: number;
  /** Fixed per-group mean / variance (evaluation with running stats); null: use the input's. */
  fixedMean?: ArrayLike<number> | null;
  fixedVar?: ArrayLike<number> | null;
}

/** Result of `normalize`: the output and the batch statistics it used (biased variance). */
export interface NormResult {
  out: Tensor;
  mean: Float64Array;
  varBiased: Float64Array;
  /** Elements per statistics group. */
  count: number;
}

/** Builds the plan of an (N, C, *) tensor from a function of (n, c) giving the stat group. */
export function channelPlan(shape: readonly number[], nStats: number, statOfNC: (n: number, c: number) => number): NormPlan {
  const N = shape[0]!, C = shape[1]!;
  let S = 1;
  for (let d = 2; d < shape.length; d++) S *= shape[d]!;
  const statOf = new Int32Array(N * C * S), affOf = new Int32Array(N * C * S);
  for (let n = 0, i = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const s = statOfNC(n, c);
      for (let k = 0; k < S; k++, i++) {
        statOf[i] = s;
        affOf[i] = c;
      }
    }
  }
  return { statOf, nStats, affOf, nAff: C };
}

/** Checks an optional affine parameter (or running statistic) has `expected` shape. */
export function checkParam(t: Tensor | null | undefined, expected: readonly number[], op: string, arg: string): void {
  if (!t) return;
  checkFloat(t, op, arg);
  if (t.numel() !== expected.reduce((a, b) => a * b, 1) || (t.ndim !== expected.length && t.ndim !== 1)) {
    throw new QTorchShapeError(`${op}(): expected ${arg} of shape ${fmtShape(expected)} but got ${fmtShape(t.shape)}`);
  }
}

/** Normalizes `x` per statistics group, applies the affine parameters and records the backward. */
export function normalize(name: string, x: Tensor, plan: NormPlan, call: NormCall): NormResult {
  const { statOf, nStats, affOf } = plan;
  const { weight, bias, eps, fixedMean, fixedVar } = call;
  const xv = x.values();
  const n = xv.length;
  const count = nStats > 0 ? n / nStats : 0;
  const mean = new Float64Array(nStats), varBiased = new Float64Array(nStats);
  // two passes in float64: mean, then squared deviations (no catastrophic cancellation)
  for (let i = 0; i < n; i++) mean[statOf[i]!]! += xv[i]!;
  for (let s = 0; s < nStats; s++) mean[s]! /= count;
  for (let i = 0; i < n; i++) {
    const d = xv[i]! - mean[statOf[i]!]!;
    varBiased[statOf[i]!]! += d * d;
  }
  for (let s = 0; s < nStats; s++) varBiased[s]! /= count;
  const useMean = fixedMean ?? mean, useVar = fixedVar ?? varBiased;
  const invstd = new Float64Array(nStats);
  for (let s = 0; s < nStats; s++) invstd[s] = 1 / Math.sqrt(useVar[s]! + eps);
  const wv = weight?.values(), bv = bias?.values();
  const xhat = new Float64Array(n);
  const dtype = resultDtype(x, weight, bias);
  const y = allocFloat(n, dtype);
  for (let i = 0; i < n; i++) {
    const s = statOf[i]!, a = affOf[i]!;
    const h = (xv[i]! - useMean[s]!) * invstd[s]!;
    xhat[i] = h;
    y[i] = h * (wv ? wv[a]! : 1) + (bv ? bv[a]! : 0);
  }
  const batchStats = !fixedMean;
  const out = recordOp(name, floatTensor(y, x.shape, dtype), [x, weight, bias], (g) => {
    const gv = g.values();
    const gx = allocGrad(x);
    const gw = weight ? allocGrad(weight) : null, gb = bias ? allocGrad(bias) : null;
    const dxhat = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const a = affOf[i]!;
      dxhat[i] = gv[i]! * (wv ? wv[a]! : 1);
      if (gw) gw[a]! += gv[i]! * xhat[i]!;
      if (gb) gb[a]! += gv[i]!;
    }
    if (batchStats) {
      // dx = invstd / M * (M dxhat - sum(dxhat) - xhat * sum(dxhat * xhat)), sums per group
      const sum1 = new Float64Array(nStats), sum2 = new Float64Array(nStats);
      for (let i = 0; i < n; i++) {
        sum1[statOf[i]!]! += dxhat[i]!;
        sum2[statOf[i]!]! += dxhat[i]! * xhat[i]!;
      }
      for (let i = 0; i < n; i++) {
        const s = statOf[i]!;
        gx[i] = (invstd[s]! / count) * (count * dxhat[i]! - sum1[s]! - xhat[i]! * sum2[s]!);
      }
    } else {
      for (let i = 0; i < n; i++) gx[i] = dxhat[i]! * invstd[statOf[i]!]!;
    }
    return [gradTensor(gx, x), gw && gradTensor(gw, weight!), gb && gradTensor(gb, bias!)];
  });
  return { out, mean, varBiased, count };
}

/**
 * Running-statistics update: running = (1 - momentum) * running + momentum * batch, with the
 * batch variance made unbiased (count / (count - 1)) as PyTorch does.
 */
export function updateRunningStats(
  runningMean: Tensor | null | undefined, runningVar: Tensor | null | undefined,
  batchMean: ArrayLike<number>, batchVarBiased: ArrayLike<number>, count: number, momentum: number,
): void {
  const unbias = count > 1 ? count / (count - 1) : Infinity;
  if (runningMean) {
    const rm = runningMean.values();
    writeValues(runningMean, Array.from(rm, (v, c) => (1 - momentum) * v + momentum * batchMean[c]!));
  }
  if (runningVar) {
    const rv = runningVar.values();
    writeValues(runningVar, Array.from(rv, (v, c) => (1 - momentum) * v + momentum * batchVarBiased[c]! * unbias));
  }
}
