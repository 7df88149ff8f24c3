/** SGD with momentum, dampening, Nesterov momentum and weight decay (torch.optim.SGD, 1.13). */
import { QTorchValueError, type Tensor, zerosLike } from '@qtorch/qtensor';
import { Optimizer, type ParamGroup, type ParamsArg, checkNonNegative, roundingFor, writeValues } from './optimizer.js';

/** Hyperparameters of SGD (`lr` is required, as in PyTorch). */
export interface SGDOptions {
  /** Learning rate (required, as in PyTorch). */
  lr: number;
  /** Momentum factor (default 0). */
  momentum?: number;
  /** Dampening of the momentum (default 0). */
  dampening?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Nesterov momentum (default false; needs momentum > 0 and zero dampening). */
  nesterov?: boolean;
  /** Maximize the objective instead (default false). */
  maximize?: boolean;
}

type SGDDefaults = Required<SGDOptions>;

/**
 * Stochastic gradient descent. Per parameter: g = grad (+ weightDecay * p); with momentum,
 * buf = g on the first step, else momentum * buf + (1 - dampening) * g, and g = buf (or
 * g + momentum * buf for Nesterov); then p -= lr * g.
 * @example const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 */
export class SGD extends Optimizer<SGDDefaults> {
  /**
   * @param params - Parameters or parameter groups.
   * @param options - `lr` (required), `momentum`, `dampening`, `weightDecay`, `nesterov`, `maximize`.
   */
  constructor(params: ParamsArg, options: SGDOptions) {
    const d: SGDDefaults = {
      lr: options.lr, momentum: options.momentum ?? 0, dampening: options.dampening ?? 0,
      weightDecay: options.weightDecay ?? 0, nesterov: options.nesterov ?? false, maximize: options.maximize ?? false,
    };
    checkNonNegative(d.lr, 'learning rate', 'SGD');
    checkNonNegative(d.momentum, 'momentum value', 'SGD');
    checkNonNegative(d.weightDecay, 'weight_decay value', 'SGD');
    if (d.nesterov && (d.momentum <= 0 || d.dampening !== 0)) throw new QTorchValueError('SGD(): Nesterov momentum requires a momentum and zero dampening');
    super(params, d);
  }

  protected updateGroup(group: ParamGroup & SGDDefaults): void {
    const { lr, momentum, dampening, weightDecay, nesterov, maximize } = group;
    for (const p of group.params) {
      if (!p.grad) continue;
      // scalars enter PyTorch's kernels in the parameter's dtype; add with alpha is one fused multiply-add
      const r = roundingFor(p);
      const wd = r(weightDecay), mom = r(momentum), damp = r(1 - dampening), negLr = r(-lr);
      const pv = Float64Array.from(p.values()), gv = p.grad.values();
      const d = new Float64Array(pv.length);
      for (let i = 0; i < d.length; i++) {
        const g = maximize ? -gv[i]! : gv[i]!;
        d[i] = weightDecay !== 0 ? r(g + wd * pv[i]!) : g;
      }
      if (momentum !== 0) {
        const state = this.stateOf(p);
        let buf = state.momentum_buffer as Tensor | undefined;
        const first = !buf;
        if (!buf) state.momentum_buffer = buf = zerosLike(p);
        const bv = buf.data;
        for (let i = 0; i < d.length; i++) {
          bv[i] = first ? d[i]! : r(r(bv[i]! * mom) + damp * d[i]!);
          d[i] = nesterov ? r(d[i]! + mom * bv[i]!) : bv[i]!;
        }
      }
      for (let i = 0; i < pv.length; i++) pv[i] = r(pv[i]! + negLr * d[i]!);
      writeValues(p, pv);
    }
  }
}
