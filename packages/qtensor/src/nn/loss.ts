/**
 * Elementwise losses (mseLoss, l1Loss, smoothL1Loss, huberLoss, binaryCrossEntropy,
 * binaryCrossEntropyWithLogits) with autograd to input and target. The class losses
 * (nllLoss, crossEntropy) live in `class_loss.ts` and are re-exported here.
 */
import { recordOp } from '../autograd.js';
import { QTorchShapeError, QTorchValueError, fmtShape } from '../errors.js';
import { broadcastShapes, shapesEqual } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { expand } from '../views.js';
import { type Reduction, allocGrad, checkFloat, checkReduction, gradTensor, resultDtype } from './float_io.js';
import { itemGrads, reduceLosses, scaleInto } from './loss_reduce.js';
import * as S from './scalar_math.js';
import { checkOptions } from '../args.js';

export * from './class_loss.js';

/** Options every loss takes. */
export interface ReductionOptions {
  /** 'mean' (default), 'sum' or 'none'. */
  reduction?: Reduction;
}

/** Per element i: [loss, dloss/dinput, dloss/dtarget]. */
type ElemLoss = (x: number, t: number, i: number) => readonly [number, number, number];

/** Broadcasts `ts` to one shape (or requires equal shapes), through differentiable expands. */
function alignShapes(op: string, input: Tensor, ts: ReadonlyArray<Tensor | null | undefined>, sameShape: boolean): { shape: readonly number[]; expanded: Array<Tensor | null> } {
  const target = ts[0]!;
  if (sameShape && !shapesEqual(input.shape, target.shape)) {
    throw new QTorchShapeError(`${op}(): Using a target size (${fmtShape(target.shape)}) that is different to the input size (${fmtShape(input.shape)}) is not supported; please ensure they have the same size.`);
  }
  let shape: readonly number[] = input.shape;
  for (const t of ts) if (t) shape = broadcastShapes(shape, t.shape, op);
  if (sameShape && !shapesEqual(shape, input.shape)) {
    throw new QTorchShapeError(`${op}(): weight of shape ${fmtShape(ts.find((t) => t && !shapesEqual(t.shape, input.shape))!.shape)} does not broadcast to the input size ${fmtShape(input.shape)}`);
  }
  const fit = (t: Tensor): Tensor => (shapesEqual(t.shape, shape) ? t : expand(t, shape));
  return { shape, expanded: [fit(input), ...ts.map((t) => (t ? fit(t) : null))] };
}

/**
 * A differentiable elementwise loss over input and target (broadcast together), with
 * optional extra broadcast tensors (weights) whose values `f` reads through `extras`.
 */
function elementwiseLoss(
  name: string, op: string, input: Tensor, target: Tensor, reduction: string,
  f: (extras: ArrayLike<number>[]) => ElemLoss, opts: { sameShape?: boolean; extras?: Array<Tensor | null | undefined> } = {},
): Tensor {
  checkFloat(input, op);
  checkFloat(target, op, 'target');
  checkReduction(reduction, op);
  for (const e of opts.extras ?? []) if (e) checkFloat(e, op, 'weight');
  const { shape, expanded } = alignShapes(op, input, [target, ...(opts.extras ?? [])], opts.sameShape ?? false);
  const [xi, ti, ...extras] = expanded as [Tensor, Tensor, ...Array<Tensor | null>];
  const xv = xi.values(), tv = ti.values();
  const fn = f(extras.map((e) => (e ? e.values() : [])));
  const n = xv.length;
  const per = new Float64Array(n), dx = new Float64Array(n), dt = new Float64Array(n);
  for (let i = 0; i < n; i++) [per[i], dx[i], dt[i]] = fn(xv[i]!, tv[i]!, i);
  const out = reduceLosses(per, shape, resultDtype(input, target), reduction);
  return recordOp(name, out, [xi, ti], (g) => {
    const s = itemGrads(g, n, reduction);
    return [gradTensor(scaleInto(allocGrad(xi), s, dx), xi), gradTensor(scaleInto(allocGrad(ti), s, dt), ti)];
  });
}

/** Mean squared error (x - t)^2. */
export function mseLoss(input: Tensor, target: Tensor, opts: ReductionOptions = {}): Tensor {
  checkOptions(opts, 'mseLoss');
  return elementwiseLoss('MseLoss', 'mseLoss', input, target, opts.reduction ?? 'mean', () => (x, t) => {
    const d = x - t;
    return [d * d, 2 * d, -2 * d];
  });
}

/** Mean absolute error |x - t| (gradient sign(x - t), 0 at 0). */
export function l1Loss(input: Tensor, target: Tensor, opts: ReductionOptions = {}): Tensor {
  checkOptions(opts, 'l1Loss');
  return elementwiseLoss('L1Loss', 'l1Loss', input, target, opts.reduction ?? 'mean', () => (x, t) => {
    const d = x - t, s = Math.sign(d);
    return [Math.abs(d), s, -s];
  });
}

/** Options of `smoothL1Loss`. */
export interface SmoothL1Options extends ReductionOptions {
  /** Where the loss switches from quadratic to linear (default 1; 0 gives l1Loss). */
  beta?: number;
}
/** 0.5 d^2 / beta if |d| < beta else |d| - 0.5 beta, with d = x - t. */
export function smoothL1Loss(input: Tensor, target: Tensor, opts: SmoothL1Options = {}): Tensor {
  checkOptions(opts, 'smoothL1Loss');
  const beta = opts.beta ?? 1;
  if (beta < 0) throw new QTorchValueError(`smoothL1Loss(): smooth_l1_loss does not support negative values for beta, got ${beta}`);
  return elementwiseLoss('SmoothL1Loss', 'smoothL1Loss', input, target, opts.reduction ?? 'mean', () => (x, t) => {
    const d = x - t, a = Math.abs(d);
    if (a < beta) return [(0.5 * d * d) / beta, d / beta, -d / beta];
    const s = Math.sign(d);
    return [a - 0.5 * beta, s, -s];
  });
}

/** Options of `huberLoss`. */
export interface HuberOptions extends ReductionOptions {
  /** Where the loss switches from quadratic to linear (default 1). */
  delta?: number;
}
/** 0.5 d^2 if |d| <= delta else delta (|d| - 0.5 delta). */
export function huberLoss(input: Tensor, target: Tensor, opts: HuberOptions = {}): Tensor {
  checkOptions(opts, 'huberLoss');
  const delta = opts.delta ?? 1;
  if (!(delta > 0)) throw new QTorchValueError(`huberLoss(): huber_loss does not support non-positive values for delta, got ${delta}`);
  return elementwiseLoss('HuberLoss', 'huberLoss', input, target, opts.reduction ?? 'mean', () => (x, t) => {
    const d = x - t, a = Math.abs(d);
    if (a <= delta) return [0.5 * d * d, d, -d];
    const s = Math.sign(d) * delta;
    return [delta * (a - 0.5 * delta), s, -s];
  });
}

/** Options of `binaryCrossEntropy`. */
export interface BceOptions extends ReductionOptions {
  /** Rescaling weight, broadcast to the input's shape. */
  weight?: Tensor | null;
}
/** PyTorch clamps log terms at -100 so a probability of exactly 0 or 1 stays finite. */
const clampedLog = (v: number): number => Math.max(Math.log(v), -100);
/** PyTorch's floor on x (1 - x) in the BCE input gradient. */
const BCE_EPS = 1e-12;

/** -w (t log x + (1 - t) log(1 - x)); input probabilities must lie in [0, 1]. */
export function binaryCrossEntropy(input: Tensor, target: Tensor, opts: BceOptions = {}): Tensor {
  checkOptions(opts, 'binaryCrossEntropy');
  const op = 'binaryCrossEntropy';
  checkFloat(input, op);
  const xv = input.values();
  for (let i = 0; i < xv.length; i++) {
    if (!(xv[i]! >= 0 && xv[i]! <= 1)) throw new QTorchValueError(`${op}(): all elements of input should be between 0 and 1, got ${xv[i]} at index ${i}`);
  }
  return elementwiseLoss('BinaryCrossEntropy', op, input, target, opts.reduction ?? 'mean', ([w]) => (x, t, i) => {
    const wi = opts.weight ? w![i]! : 1;
    const lx = clampedLog(x), l1x = clampedLog(1 - x);
    return [-wi * (t * lx + (1 - t) * l1x), (wi * (x - t)) / Math.max((1 - x) * x, BCE_EPS), wi * (l1x - lx)];
  }, { sameShape: true, extras: [opts.weight] });
}

/** Options of `binaryCrossEntropyWithLogits`. */
export interface BceWithLogitsOptions extends BceOptions {
  /** Weight of positive examples, broadcast along the last (class) dim. */
  posWeight?: Tensor | null;
}
/**
 * BCE on logits, computed stably: w [(1 - t) x + (1 + (pw - 1) t) softplus(-x)]
 * (= -w [pw t log sigmoid(x) + (1 - t) log(1 - sigmoid(x))]).
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, opts: BceWithLogitsOptions = {}): Tensor {
  checkOptions(opts, 'binaryCrossEntropyWithLogits');
  return elementwiseLoss('BinaryCrossEntropyWithLogits', 'binaryCrossEntropyWithLogits', input, target, opts.reduction ?? 'mean', ([w, pw]) => (x, t, i) => {
    const wi = opts.weight ? w![i]! : 1, pwi = opts.posWeight ? pw![i]! : 1;
    const spNeg = S.softplusScalar(-x, 1, Infinity), spPos = S.softplusScalar(x, 1, Infinity);
    const sig = S.sigmoidScalar(x);
    const loss = wi * ((1 - t) * x + (1 + (pwi - 1) * t) * spNeg);
    return [loss, wi * (sig * (1 + (pwi - 1) * t) - pwi * t), wi * (pwi * spNeg - spPos)];
  }, { sameShape: true, extras: [opts.weight, opts.posWeight] });
}
