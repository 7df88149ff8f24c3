/**
 * Batch and instance normalization modules (torch.nn.modules.batchnorm / instancenorm) on a
 * shared `_NormBase`: affine `weight`/`bias`, and the buffers `running_mean`, `running_var`,
 * `num_batches_tracked` under PyTorch's state-dict names.
 */
import { assertTensor, checkOptions, QTorchShapeError, QTorchValueError, type Tensor, empty, fmtShape, int64, ones, zeros } from '@qtorch/qtensor';
import * as F from '../functional/index.js';
import { ones_, zeros_ } from '../init/index.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { checkPositiveInt } from './linear.js';
import { pyBool, pyFloat, pyOptional } from './_repr.js';

/** Options of the batch / instance norm modules. */
export interface NormOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Running-statistics update factor; null for a cumulative moving average (default 0.1). */
  momentum?: number | null;
  /** Learn per-channel weight and bias (default true for BatchNorm, false for InstanceNorm). */
  affine?: boolean;
  /** Keep running statistics (default true for BatchNorm, false for InstanceNorm). */
  trackRunningStats?: boolean;
}

/** Parameters, buffers, init and repr shared by BatchNorm and InstanceNorm. */
export abstract class _NormBase extends Module {
  /** Number of channels C (dim 1 of the input). */
  numFeatures: number;
  /** Added to the variance before the square root (default 1e-5). */
  eps: number;
  /** Weight of the new batch statistic in the running average (default 0.1); `null` for a cumulative average. */
  momentum: number | null;
  /** Whether the layer has a learned per-channel `weight` and `bias`. */
  affine: boolean;
  /** Whether running mean and variance are kept (and used in eval mode). */
  trackRunningStats: boolean;
  /** Per-channel scale [C] (null without `affine`). */
  weight: Parameter | null;
  /** Per-channel shift [C] (null without `affine`). */
  bias: Parameter | null;
  /** Running per-channel mean (a buffer; null without trackRunningStats). */
  declare running_mean: Tensor | null;
  /** Running per-channel (unbiased) variance (a buffer). */
  declare running_var: Tensor | null;
  /** Number of training batches seen, int64 (a buffer). */
  declare num_batches_tracked: Tensor | null;

  protected constructor(numFeatures: number, options: NormOptions, defaults: { affine: boolean; trackRunningStats: boolean }) {
    super();
    checkPositiveInt(numFeatures, 'num_features', new.target.name);
    this.numFeatures = numFeatures;
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum === undefined ? 0.1 : options.momentum;
    this.affine = options.affine ?? defaults.affine;
    this.trackRunningStats = options.trackRunningStats ?? defaults.trackRunningStats;
    this.weight = this.affine ? new Parameter(empty([numFeatures])) : null;
    this.bias = this.affine ? new Parameter(empty([numFeatures])) : null;
    const track = this.trackRunningStats;
    this.registerBuffer('running_mean', track ? zeros([numFeatures]) : null);
    this.registerBuffer('running_var', track ? ones([numFeatures]) : null);
    this.registerBuffer('num_batches_tracked', track ? zeros([], { dtype: int64 }) : null);
    this.resetParameters();
  }

  /** The running mean (camelCase alias of the `running_mean` buffer). */
  get runningMean(): Tensor | null {
    return this.running_mean;
  }

  /** The running variance (alias of `running_var`). */
  get runningVar(): Tensor | null {
    return this.running_var;
  }

  /** The batch counter (alias of `num_batches_tracked`). */
  get numBatchesTracked(): Tensor | null {
    return this.num_batches_tracked;
  }

  /** Zeroes the running mean and counter, sets the running variance to 1. */
  resetRunningStats(): void {
    if (!this.trackRunningStats) return;
    zeros_(this.running_mean!);
    ones_(this.running_var!);
    zeros_(this.num_batches_tracked!);
  }

  /** Resets the running statistics and sets weight to 1, bias to 0. */
  resetParameters(): void {
    this.resetRunningStats();
    if (this.weight) ones_(this.weight);
    if (this.bias) zeros_(this.bias);
  }

  /** Throws unless the input has a dimensionality this module accepts. */
  protected abstract checkInputDim(input: Tensor): void;

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${pyOptional(this.momentum, pyFloat)}, affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }
}

/** Throws PyTorch's "expected 2D or 3D input (got 4D input)" unless `input.ndim` is allowed. */
function checkDims(input: Tensor, allowed: readonly number[], cls: string): void {
  if (!allowed.includes(input.ndim)) {
    const want = allowed.map((d) => `${d}D`).join(' or ');
    throw new QTorchValueError(`${cls}: expected ${want} input (got ${input.ndim}D input of shape ${fmtShape(input.shape)})`);
  }
}

/** Batch normalization over the channel dim (1) of (N, C, *) input. */
export abstract class _BatchNorm extends _NormBase {
  /**
   * @param numFeatures - Number of channels C.
   * @param options - `eps`, `momentum`, `affine` (default true), `trackRunningStats` (default true).
   */
  constructor(numFeatures: number, options: NormOptions = {}) {
    checkOptions(options, new.target.name);
    super(numFeatures, options, { affine: true, trackRunningStats: true });
  }

  forward(input: Tensor): Tensor {
    assertTensor(input, `${this.constructor.name}.forward`);
    this.checkInputDim(input);
    let factor = this.momentum ?? 0;
    if (this.training && this.trackRunningStats && this.num_batches_tracked) {
      // counter lives in an int64 buffer; bump it in place like PyTorch's add_(1)
      const nbt = this.num_batches_tracked;
      nbt.data[nbt.offset]! += 1;
      factor = this.momentum === null ? 1 / nbt.data[nbt.offset]! : this.momentum;
    }
    const bnTraining = this.training || (this.running_mean === null && this.running_var === null);
    const useRunning = !this.training || this.trackRunningStats;
    return F.batchNorm(input, useRunning ? this.running_mean : null, useRunning ? this.running_var : null, {
      weight: this.weight, bias: this.bias, training: bnTraining, momentum: factor, eps: this.eps,
    });
  }
}

/**
 * Batch normalization of (N, C) or (N, C, L) input.
 * @example new BatchNorm1d(100, { affine: false })
 */
export class BatchNorm1d extends _BatchNorm {
  protected checkInputDim(input: Tensor): void {
    checkDims(input, [2, 3], 'BatchNorm1d');
  }
}

/**
 * Batch normalization of (N, C, H, W) input.
 * @example new BatchNorm2d(16)
 */
export class BatchNorm2d extends _BatchNorm {
  protected checkInputDim(input: Tensor): void {
    checkDims(input, [4], 'BatchNorm2d');
  }
}

/** Batch normalization of (N, C, D, H, W) input. */
export class BatchNorm3d extends _BatchNorm {
  protected checkInputDim(input: Tensor): void {
    checkDims(input, [5], 'BatchNorm3d');
  }
}

/** Instance normalization: statistics per sample and channel over the spatial dims. */
export abstract class _InstanceNorm extends _NormBase {
  /** Number of dims of an unbatched input (2 for InstanceNorm1d: (C, L)). */
  protected abstract readonly noBatchDim: number;

  /**
   * @param numFeatures - Number of channels C.
   * @param options - `eps`, `momentum`, `affine` (default false), `trackRunningStats` (default false), as torch.nn.InstanceNorm.
   */
  constructor(numFeatures: number, options: NormOptions = {}) {
    checkOptions(options, new.target.name);
    super(numFeatures, options, { affine: false, trackRunningStats: false });
  }

  protected checkInputDim(input: Tensor): void {
    checkDims(input, [this.noBatchDim, this.noBatchDim + 1], this.constructor.name);
  }

  forward(input: Tensor): Tensor {
    assertTensor(input, `${this.constructor.name}.forward`);
    this.checkInputDim(input);
    const featureDim = input.ndim - this.noBatchDim;
    if (input.shape[featureDim] !== this.numFeatures && this.affine) {
      throw new QTorchShapeError(
        `${this.constructor.name}: expected input's size at dim=${featureDim} to match num_features (${this.numFeatures}), but got: ${input.shape[featureDim]}.`,
      );
    }
    // an unbatched input runs as a batch of one
    const batched = input.ndim === this.noBatchDim ? input.unsqueeze(0) : input;
    const out = F.instanceNorm(batched, {
      runningMean: this.running_mean, runningVar: this.running_var, weight: this.weight, bias: this.bias,
      useInputStats: this.training || !this.trackRunningStats, momentum: this.momentum ?? 0.1, eps: this.eps,
    });
    return input.ndim === this.noBatchDim ? out.squeeze(0) : out;
  }
}

/** Instance normalization of (N, C, L) or (C, L) input. */
export class InstanceNorm1d extends _InstanceNorm {
  protected readonly noBatchDim = 2;
}

/** Instance normalization of (N, C, H, W) or (C, H, W) input. */
export class InstanceNorm2d extends _InstanceNorm {
  protected readonly noBatchDim = 3;
}

/** Instance normalization of (N, C, D, H, W) or (C, D, H, W) input. */
export class InstanceNorm3d extends _InstanceNorm {
  protected readonly noBatchDim = 4;
}
