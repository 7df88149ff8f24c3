/**
 * `Optimizer`: parameter groups, per-parameter state, zeroGrad and state dicts
 * (torch.optim.Optimizer). Subclasses implement `step()` with PyTorch's update formulas,
 * computed elementwise with the rounding of the parameter's dtype (float32 rounds after each
 * elementary operation, as PyTorch's tensor ops do).
 */
import { QTorchTypeError, QTorchValueError, type Tensor, float64, fromValues, noGrad } from '@qtorch/qtensor';

/** Hyperparameters of a group (`lr`, `momentum`, `betas`, ...) plus its parameters. */
export interface ParamGroup {
  /** The group's parameters. */
  params: Tensor[];
  [hyper: string]: unknown;
}

/** What an optimizer is given: parameters, or groups with their own hyperparameters. */
export type ParamsArg = Iterable<Tensor> | ReadonlyArray<{ params: Iterable<Tensor>; [hyper: string]: unknown }>;

/** The serialized form (`state_dict()`): per-parameter state by index, groups with parameter indices. */
export interface OptimizerStateDict {
  /** Per-parameter state by parameter index (order of the groups' `params`). */
  state: Record<number, Record<string, unknown>>;
  /** The groups' hyperparameters, with parameter indices instead of tensors. */
  param_groups: Array<Record<string, unknown> & { params: number[] }>;
}

/** Per-parameter optimizer state (momentum buffers, Adam moments, step counts). */
export type ParamState = Record<string, unknown>;

/**
 * Base of the optimizers (torch.optim.Optimizer): parameter groups with their hyperparameters,
 * per-parameter state, `zeroGrad()`, `stateDict()` / `loadStateDict()`. Subclasses implement `step()`.
 */
export abstract class Optimizer<D extends object = Record<string, unknown>> {
  /** Hyperparameters applied to groups that do not set their own. */
  readonly defaults: D;
  /** The parameter groups; change `lr` here (schedulers do). */
  paramGroups: Array<ParamGroup & D>;
  /** Per-parameter state, keyed by the parameter tensor. */
  state = new Map<Tensor, ParamState>();
  /** Number of `step()` calls (schedulers check it). @internal */
  _stepCount = 0;

  protected constructor(params: ParamsArg, defaults: D) {
    this.defaults = defaults;
    this.paramGroups = [];
    const list = [...(params as Iterable<unknown>)];
    if (list.length === 0) throw new QTorchValueError(`${new.target.name}(): optimizer got an empty parameter list`);
    const groups = isGroup(list[0]) ? (list as Array<{ params: Iterable<Tensor> }>) : [{ params: list as Tensor[] }];
    for (const g of groups) this.addParamGroup(g);
  }

  /** Adds a group; missing hyperparameters come from `defaults`. A parameter may be in one group only. */
  addParamGroup(group: { params: Iterable<Tensor>; [hyper: string]: unknown }): void {
    const params = [...group.params];
    for (const p of params) {
      if (!p || typeof p !== 'object' || !('requiresGrad' in p)) throw new QTorchTypeError(`${this.constructor.name}: optimizer can only optimize Tensors, but one of the params is ${typeof p}`);
      if (!p.isLeaf) throw new QTorchValueError(`${this.constructor.name}: can't optimize a non-leaf Tensor`);
      if (this.paramGroups.some((g) => g.params.includes(p))) throw new QTorchValueError(`${this.constructor.name}: some parameters appear in more than one parameter group`);
    }
    this.paramGroups.push({ ...this.defaults, ...group, params } as ParamGroup & D);
  }

  /** Clears the gradients of every parameter: zeroed in place, or null with `setToNone` (1.13 default: false). */
  zeroGrad(options: { setToNone?: boolean } = {}): void {
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        if (!p.grad) continue;
        if (options.setToNone) p.grad = null;
        else p.grad.data.fill(0);
      }
    }
  }

  /**
   * Performs one update. `closure` re-evaluates the model and returns the loss (needed by
   * some optimizers in PyTorch; here it is run first, under autograd, if given).
   */
  step(closure?: () => Tensor | number): Tensor | number | undefined {
    const loss = closure ? closure() : undefined;
    noGrad(() => {
      for (const group of this.paramGroups) this.updateGroup(group);
    });
    this._stepCount++;
    return loss;
  }

  /** Applies the update rule to one group's parameters that have gradients. */
  protected abstract updateGroup(group: ParamGroup & D): void;

  /** The state of `p`, created empty on first use. */
  protected stateOf(p: Tensor): ParamState {
    let s = this.state.get(p);
    if (!s) this.state.set(p, (s = {}));
    return s;
  }

  /** PyTorch's `state_dict()`: parameters replaced by their index over all groups. */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const groups = this.paramGroups.map((g) => {
      const { params, ...hyper } = g;
      return { ...hyper, params: params.map((p) => { if (!index.has(p)) index.set(p, index.size); return index.get(p)!; }) };
    });
    const state: Record<number, ParamState> = {};
    for (const [p, s] of this.state) if (index.has(p)) state[index.get(p)!] = { ...s };
    return { state, param_groups: groups };
  }

  /** Restores hyperparameters and state saved by `stateDict()` (same parameter layout required). */
  loadStateDict(sd: OptimizerStateDict): void {
    if (sd.param_groups.length !== this.paramGroups.length) throw new QTorchValueError('loadStateDict(): loaded state dict has a different number of parameter groups');
    const byIndex: Tensor[] = [];
    sd.param_groups.forEach((saved, gi) => {
      const group = this.paramGroups[gi]!;
      if (saved.params.length !== group.params.length) {
        throw new QTorchValueError("loadStateDict(): loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
      }
      saved.params.forEach((idx, k) => { byIndex[idx] = group.params[k]!; });
      const { params: _ignored, ...hyper } = saved;
      Object.assign(group, hyper);
    });
    this.state = new Map();
    for (const [idx, s] of Object.entries(sd.state)) {
      const p = byIndex[Number(idx)];
      if (p) this.state.set(p, { ...s });
    }
  }
}

function isGroup(x: unknown): x is { params: Iterable<Tensor> } {
  return typeof x === 'object' && x !== null && 'params' in x && !('requiresGrad' in x);
}

/** A rounding step for the dtype's arithmetic: float32 rounds every operation, float64 does not. @internal */
export function roundingFor(t: Tensor): (v: number) => number {
  return t.dtype === float64 ? (v) => v : Math.fround;
}

/** Writes float values into a tensor's storage in place (logical order). @internal */
export function writeValues(t: Tensor, values: Float64Array): void {
  if (t.isContiguous()) {
    const d = t.data;
    for (let i = 0; i < values.length; i++) d[t.offset + i] = values[i]!;
  } else {
    noGrad(() => t.copy_(fromValues(values, t.shape, float64)));
  }
}

/** Throws unless `v` is a finite number >= 0. @internal */
export function checkNonNegative(v: number, what: string, cls: string): void {
  if (!(v >= 0)) throw new QTorchValueError(`${cls}(): Invalid ${what}: ${v}`);
}
