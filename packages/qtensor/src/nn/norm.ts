/**
 * batchNorm, instanceNorm, groupNorm and layerNorm (torch.nn.functional) with autograd,
 * all on the shared kernel in `norm_core.ts`. Running statistics are updated in place in
 * training mode (unbiased variance for the running value, biased for normalizing).
 */
import { QTorchShapeError, QTorchValueError, fmtShape } from '../errors.js';
import { shapeNumel } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { checkFloat } from './float_io.js';
import { channelPlan, checkParam, normalize, updateRunningStats } from './norm_core.js';
import { checkOptions } from '../args.js';

/** Affine parameters and epsilon shared by the norm ops. */
export interface AffineNormOptions {
  /** Per-channel (or per-element for layerNorm) scale gamma. */
  weight?: Tensor | null;
  /** Per-channel (or per-element for layerNorm) shift beta. */
  bias?: Tensor | null;
  /** Added to the variance (default 1e-5). */
  eps?: number;
}

/** Options of `batchNorm`. */
export interface BatchNormOptions extends AffineNormOptions {
  /** Use batch statistics and update the running ones (default false). */
  training?: boolean;
  /** Running-statistics update factor (default 0.1). */
  momentum?: number;
}

function checkNCInput(x: Tensor, op: string): number {
  checkFloat(x, op);
  if (x.ndim < 2) throw new QTorchShapeError(`${op}(): expected an input of shape (N, C, *) with at least 2 dims but got ${fmtShape(x.shape)}`);
  return x.shape[1]!;
}

/**
 * Batch normalization over an (N, C, *) input, statistics per channel C. In training mode
 * (or without running statistics) the batch statistics normalize and, when running
 * statistics are given, they are updated in place.
 */
export function batchNorm(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, opts: BatchNormOptions = {}): Tensor {
  checkOptions(opts, 'batchNorm');
  const op = 'batchNorm';
  const C = checkNCInput(x, op);
  const { weight, bias, training = false, momentum = 0.1, eps = 1e-5 } = opts;
  for (const [t, arg] of [[runningMean, 'runningMean'], [runningVar, 'runningVar'], [weight, 'weight'], [bias, 'bias']] as const) {
    checkParam(t, [C], op, arg);
  }
  if (!training && (!runningMean || !runningVar)) {
    throw new QTorchValueError(`${op}(): runningMean and runningVar must be defined in evaluation mode (training: false)`);
  }
  const perChannel = x.numel() / Math.max(C, 1);
  if (training && perChannel <= 1) {
    throw new QTorchValueError(`${op}(): Expected more than 1 value per channel when training, got input size ${fmtShape(x.shape)}`);
  }
  const plan = channelPlan(x.shape, C, (_n, c) => c);
  const res = normalize('NativeBatchNorm', x, plan, {
    weight, bias, eps,
    fixedMean: training ? null : runningMean!.values(),
    fixedVar: training ? null : runningVar!.values(),
  });
  if (training) updateRunningStats(runningMean, runningVar, res.mean, res.varBiased, res.count, momentum);
  return res.out;
}

/** Options of `instanceNorm`. */
export interface InstanceNormOptions extends AffineNormOptions {
  /** Running mean per channel, updated when `useInputStats`. */
  runningMean?: Tensor | null;
  /** Running variance per channel, updated when `useInputStats`. */
  runningVar?: Tensor | null;
  /** Normalize with each instance's statistics (default true); false uses the running ones. */
  useInputStats?: boolean;
  /** Running-statistics update factor (default 0.1). */
  momentum?: number;
}

/**
 * Instance normalization: statistics per (sample, channel) over the spatial dims. Running
 * statistics, when given, are updated with the batch average of the instance statistics.
 */
export function instanceNorm(x: Tensor, opts: InstanceNormOptions = {}): Tensor {
  checkOptions(opts, 'instanceNorm');
  const op = 'instanceNorm';
  const C = checkNCInput(x, op);
  const N = x.shape[0]!;
  const { runningMean, runningVar, weight, bias, useInputStats = true, momentum = 0.1, eps = 1e-5 } = opts;
  for (const [t, arg] of [[runningMean, 'runningMean'], [runningVar, 'runningVar'], [weight, 'weight'], [bias, 'bias']] as const) {
    checkParam(t, [C], op, arg);
  }
  const spatial = shapeNumel(x.shape.slice(2));
  if (useInputStats && spatial <= 1) {
    throw new QTorchValueError(`${op}(): Expected more than 1 spatial element when training, got input size ${fmtShape(x.shape)}`);
  }
  if (!useInputStats && (!runningMean || !runningVar)) {
    throw new QTorchValueError(`${op}(): Expected running_mean and running_var to be defined when use_input_stats is false`);
  }
  const plan = channelPlan(x.shape, N * C, (n, c) => n * C + c);
  const perInstance = (t: Tensor): Float64Array => {
    const v = t.values();
    return Float64Array.from({ length: N * C }, (_, s) => v[s % C]!);
  };
  const res = normalize('NativeBatchNorm', x, plan, {
    weight, bias, eps,
    fixedMean: useInputStats ? null : perInstance(runningMean!),
    fixedVar: useInputStats ? null : perInstance(runningVar!),
  });
  if (useInputStats && (runningMean || runningVar)) {
    const avgMean = new Float64Array(C), avgVar = new Float64Array(C);
    for (let s = 0; s < N * C; s++) {
      avgMean[s % C]! += res.mean[s]! / N;
      avgVar[s % C]! += res.varBiased[s]! / N;
    }
    updateRunningStats(runningMean, runningVar, avgMean, avgVar, res.count, momentum);
  }
  return res.out;
}

/** Group normalization: channels split into `numGroups` groups, statistics per (sample, group). */
export function groupNorm(x: Tensor, numGroups: number, opts: AffineNormOptions = {}): Tensor {
  checkOptions(opts, 'groupNorm');
  const op = 'groupNorm';
  const C = checkNCInput(x, op);
  const N = x.shape[0]!;
  if (!Number.isInteger(numGroups) || numGroups <= 0 || C % numGroups !== 0) {
    throw new QTorchValueError(
      `${op}(): Expected number of channels in input to be divisible by num_groups, but got input of shape ${fmtShape(x.shape)} and num_groups=${numGroups}`,
    );
  }
  const { weight, bias, eps = 1e-5 } = opts;
  checkParam(weight, [C], op, 'weight');
  checkParam(bias, [C], op, 'bias');
  const perGroup = C / numGroups;
  const plan = channelPlan(x.shape, N * numGroups, (n, c) => n * numGroups + Math.floor(c / perGroup));
  return normalize('NativeGroupNorm', x, plan, { weight, bias, eps }).out;
}

/** Layer normalization over the trailing dims given by `normalizedShape`; weight/bias have that shape. */
export function layerNorm(x: Tensor, normalizedShape: readonly number[] | number, opts: AffineNormOptions = {}): Tensor {
  checkOptions(opts, 'layerNorm');
  const op = 'layerNorm';
  checkFloat(x, op);
  const ns = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
  const k = ns.length;
  const tail = x.shape.slice(x.ndim - k);
  if (k === 0 || k > x.ndim || tail.some((s, i) => s !== ns[i])) {
    throw new QTorchShapeError(
      `${op}(): Given normalized_shape=${fmtShape(ns)}, expected input with shape [*, ${ns.join(', ')}], but got input of size ${fmtShape(x.shape)}`,
    );
  }
  const { weight, bias, eps = 1e-5 } = opts;
  for (const [t, arg] of [[weight, 'weight'], [bias, 'bias']] as const) {
    if (t && (checkFloat(t, op, arg), t.ndim !== k || t.shape.some((s, i) => s !== ns[i]))) {
      throw new QTorchShapeError(`${op}(): expected ${arg} of shape ${fmtShape(ns)} but got ${fmtShape(t.shape)}`);
    }
  }
  const M = shapeNumel(ns), n = x.numel();
  const rows = M > 0 ? n / M : 0;
  const statOf = new Int32Array(n), affOf = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    statOf[i] = Math.floor(i / M);
    affOf[i] = i % M;
  }
  return normalize('NativeLayerNorm', x, { statOf, nStats: rows, affOf, nAff: M }, { weight, bias, eps }).out;
}
