/** Learning-rate schedulers (torch.optim.lr_scheduler): StepLR and CosineAnnealingLR, PyTorch's recursive forms. */
import { checkOptions, QTorchValueError } from '@qtorch/qtensor';
import type { Optimizer, ParamGroup } from './optimizer.js';

/** Options shared by the schedulers. */
export interface LRSchedulerOptions {
  /** Index of the last epoch when resuming (default -1: start fresh). */
  lastEpoch?: number;
}

/**
 * The base scheduler: records each group's `initial_lr`, keeps `lastEpoch`, and sets every
 * group's `lr` on `step()` (call it after `optimizer.step()`, once per epoch).
 */
export abstract class LRScheduler {
  /** The optimizer whose groups' `lr` this scheduler sets. */
  readonly optimizer: Optimizer<object>;
  /** The groups' initial learning rates. */
  readonly baseLrs: number[];
  /** Index of the current epoch: incremented by `step()`; starts from the `lastEpoch` option (default -1, then the initial step). */
  lastEpoch: number;
  /** @internal */
  _stepCount = 0;
  private lastLr: number[] = [];

  protected constructor(optimizer: Optimizer<object>, options: LRSchedulerOptions = {}) {
    checkOptions(options, new.target.name);
    this.optimizer = optimizer;
    const lastEpoch = options.lastEpoch ?? -1;
    optimizer.paramGroups.forEach((g: ParamGroup, i) => {
      if (lastEpoch === -1) g.initial_lr ??= g.lr;
      else if (g.initial_lr === undefined) throw new QTorchValueError(`${new.target.name}(): param 'initial_lr' is not specified in param_groups[${i}] when resuming an optimizer`);
    });
    this.baseLrs = optimizer.paramGroups.map((g) => g.initial_lr as number);
    this.lastEpoch = lastEpoch;
  }

  /** PyTorch's `_initial_step`: subclasses call it at the end of their constructor. */
  protected initialStep(): void {
    this.optimizer._stepCount = 0;
    this._stepCount = 0;
    this.step();
  }

  /** The learning rates for `lastEpoch`, from the groups' current ones (chainable form). */
  protected abstract getLr(): number[];

  /** Advances one epoch and writes the new learning rates into the optimizer. */
  step(): void {
    this._stepCount++;
    this.lastEpoch++;
    const lrs = this.getLr();
    this.optimizer.paramGroups.forEach((g, i) => { g.lr = lrs[i]; });
    this.lastLr = [...lrs];
  }

  /** The learning rates set by the last `step()`. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  protected groupLrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr as number);
  }
}

/**
 * Multiplies the learning rate by `gamma` (default 0.1) every `stepSize` epochs.
 * @example const sched = new StepLR(opt, 30, { gamma: 0.1 });
 */
export class StepLR extends LRScheduler {
  /** Epochs between decays. */
  readonly stepSize: number;
  /** Multiplicative decay factor (default 0.1). */
  readonly gamma: number;
  /**
   * @param optimizer - The optimizer to schedule.
   * @param stepSize - Epochs between decays.
   * @param options - `gamma` (default 0.1) and `lastEpoch`.
   */
  constructor(optimizer: Optimizer<object>, stepSize: number, options: LRSchedulerOptions & { gamma?: number } = {}) {
    super(optimizer, options);
    this.stepSize = stepSize;
    this.gamma = options.gamma ?? 0.1;
    this.initialStep();
  }

  protected getLr(): number[] {
    const lrs = this.groupLrs();
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return lrs;
    return lrs.map((lr) => lr * this.gamma);
  }
}

/**
 * Cosine annealing from the initial learning rate to `etaMin` (default 0) over `tMax` epochs,
 * in PyTorch's recursive form (so it also follows external changes of `lr`).
 */
export class CosineAnnealingLR extends LRScheduler {
  /** Epochs of half a cosine period. */
  readonly tMax: number;
  /** Minimum learning rate (default 0). */
  readonly etaMin: number;
  /**
   * @param optimizer - The optimizer to schedule.
   * @param tMax - Epochs of half a cosine period.
   * @param options - `etaMin` (default 0) and `lastEpoch`.
   */
  constructor(optimizer: Optimizer<object>, tMax: number, options: LRSchedulerOptions & { etaMin?: number } = {}) {
    super(optimizer, options);
    this.tMax = tMax;
    this.etaMin = options.etaMin ?? 0;
    this.initialStep();
  }

  protected getLr(): number[] {
    const { lastEpoch: e, tMax: T, etaMin } = this;
    const lrs = this.groupLrs();
    if (e === 0) return lrs;
    if (this._stepCount === 1 && e > 0) {
      return this.baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + Math.cos((e * Math.PI) / T))) / 2);
    }
    if ((e - 1 - T) % (2 * T) === 0) {
      return lrs.map((lr, i) => lr + ((this.baseLrs[i]! - etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    return lrs.map((lr) => ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * (lr - etaMin) + etaMin);
  }
}
