/** Adam and AdamW (torch.optim.Adam / AdamW, 1.13, single-tensor path). */
import { checkOptions, QTorchValueError, type Tensor, scalarTensor, zerosLike } from '@qtorch/qtensor';
import { Optimizer, type ParamGroup, type ParamsArg, checkNonNegative, roundingFor, writeValues } from './optimizer.js';

/** Hyperparameters of Adam / AdamW. */
export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr?: number;
  /** Decay rates of the first and second moment (default [0.9, 0.999]). */
  betas?: [number, number];
  /** Added to the denominator (default 1e-8). */
  eps?: number;
  /** L2 penalty (Adam: added to the gradient, default 0) or decoupled decay (AdamW: default 1e-2). */
  weightDecay?: number;
  /** Use the maximum of past second moments (default false). */
  amsgrad?: boolean;
  /** Maximize the objective instead (default false). */
  maximize?: boolean;
}

type AdamDefaults = Required<AdamOptions>;

function adamDefaults(options: AdamOptions, weightDecay: number, cls: string): AdamDefaults {
  const d: AdamDefaults = {
    lr: options.lr ?? 1e-3, betas: options.betas ?? [0.9, 0.999], eps: options.eps ?? 1e-8,
    weightDecay: options.weightDecay ?? weightDecay, amsgrad: options.amsgrad ?? false, maximize: options.maximize ?? false,
  };
  checkNonNegative(d.lr, 'learning rate', cls);
  checkNonNegative(d.eps, 'epsilon value', cls);
  checkNonNegative(d.weightDecay, 'weight_decay value', cls);
  for (const [k, b] of d.betas.entries()) if (!(b >= 0 && b < 1)) throw new QTorchValueError(`${cls}(): Invalid beta parameter at index ${k}: ${b}`);
  return d;
}

/** Adam's moment updates and parameter step; `decoupled` selects AdamW's weight decay. @internal */
export abstract class _AdamBase extends Optimizer<AdamDefaults> {
  protected abstract readonly decoupled: boolean;

  protected updateGroup(group: ParamGroup & AdamDefaults): void {
    const { lr, betas: [beta1, beta2], eps, weightDecay, amsgrad, maximize } = group;
    for (const p of group.params) {
      if (!p.grad) continue;
      const r = roundingFor(p);
      const state = this.stateOf(p);
      if (!state.step) {
        state.step = scalarTensor(0);
        state.exp_avg = zerosLike(p);
        state.exp_avg_sq = zerosLike(p);
        if (amsgrad) state.max_exp_avg_sq = zerosLike(p);
      }
      const stepT = state.step as Tensor;
      const step = (stepT.data[0]! += 1);
      const m = (state.exp_avg as Tensor).data, v = (state.exp_avg_sq as Tensor).data;
      const vmax = amsgrad ? (state.max_exp_avg_sq as Tensor).data : null;
      const pv = Float64Array.from(p.values()), gv = p.grad.values();
      const stepSize = lr / (1 - beta1 ** step), biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** step);
      // each tensor op of PyTorch's single-tensor Adam, rounded as its kernel rounds (scalars in the
      // parameter dtype; add with alpha fused; addcmul / addcdiv as (value * t1) op t2, then added)
      const b1 = r(beta1), b1c = r(1 - beta1), b2 = r(beta2), b2c = r(1 - beta2), e = r(eps), bc2 = r(biasCorrection2Sqrt);
      const wd = r(weightDecay), negStep = r(-stepSize), decay = r(1 - lr * weightDecay);
      for (let i = 0; i < pv.length; i++) {
        let g = maximize ? -gv[i]! : gv[i]!;
        if (this.decoupled) pv[i] = r(pv[i]! * decay);
        else if (weightDecay !== 0) g = r(g + wd * pv[i]!);
        m[i] = r(r(m[i]! * b1) + b1c * g);
        v[i] = r(r(v[i]! * b2) + r(r(b2c * g) * g));
        let second = v[i]!;
        if (vmax) second = vmax[i] = Math.max(vmax[i]!, v[i]!);
        const denom = r(r(r(Math.sqrt(second)) / bc2) + e);
        pv[i] = r(pv[i]! + r(r(negStep * m[i]!) / denom));
      }
      writeValues(p, pv);
    }
  }
}

/**
 * Adam: m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2, p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps),
 * with weightDecay added to the gradient as an L2 penalty.
 * @example const opt = new Adam(model.parameters(), { lr: 1e-2 });
 */
export class Adam extends _AdamBase {
  protected readonly decoupled = false;
  /**
   * @param params - Parameters or parameter groups.
   * @param options - `lr` (default 1e-3), `betas`, `eps`, `weightDecay` (L2, added to the gradient), `amsgrad`.
   */
  constructor(params: ParamsArg, options: AdamOptions = {}) {
    checkOptions(options, new.target.name);
    super(params, adamDefaults(options, 0, 'Adam'));
  }
}

/** AdamW: Adam with decoupled weight decay, p *= 1 - lr * weightDecay before the step (default 1e-2). */
export class AdamW extends _AdamBase {
  protected readonly decoupled = true;
  /**
   * @param params - Parameters or parameter groups.
   * @param options - `lr` (default 1e-3), `betas`, `eps`, `weightDecay` (decoupled, default 1e-2), `amsgrad`.
   */
  constructor(params: ParamsArg, options: AdamOptions = {}) {
    checkOptions(options, new.target.name);
    super(params, adamDefaults(options, 1e-2, 'AdamW'));
  }
}
