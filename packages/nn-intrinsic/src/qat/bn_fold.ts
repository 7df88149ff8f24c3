/**
 * Batch-norm folding for QAT (PyTorch's `_ConvBnNd` / `LinearBn1d`, arXiv 1806.08342 §3.2.2),
 * as one mixin over a float conv or linear class. In every forward the weight is scaled by
 * `gamma / sqrt(running_var + eps)` before fake quantization, so the quantized weight is the
 * one inference will use; the output is then scaled back and the conv bias added, and the
 * real BatchNorm (batch statistics in training, running ones when frozen) runs on it:
 *
 *     s = gamma / sqrt(running_var + eps)
 *     y = bn(op(x, fq(W * s[:, None...])) / s[None, :, None...] + b)
 *
 * Gradients reach W, gamma, beta and b through the fake quantizer's straight-through estimator.
 */
import { type Tensor, zeros } from '@qtorch/qtensor';
import type { Module, NormOptions, Parameter, Sequential, _BatchNorm } from '@qtorch/nn';
import { calculateFanInAndFanOut, uniform_, zeros_ } from '@qtorch/nn/init';
import { type Ctor, type QConfigLike, type QconfigOption, checkQconfig, makeWeightFakeQuant } from '@qtorch/nn-qat';

/** Options of the BN-folding QAT modules beyond their conv / linear options. */
export interface BnFoldOptions extends QconfigOption {
  /** BatchNorm epsilon (default 1e-5). */
  eps?: number;
  /** BatchNorm momentum (default 0.1). */
  momentum?: number | null;
  /** Start with frozen BN statistics (default false). */
  freezeBn?: boolean;
}

/** A float module with a weight whose first dim is the output channel (conv, linear). @internal */
export type WeightModule = Module & { weight: Parameter; bias: Parameter | null };

/** What `bnFoldMixin` adds to instances. */
export interface BnFoldMembers {
  /** The qconfig whose weight fake quantizer the folded weight passes through. */
  qconfig: QConfigLike;
  /** Whether BN statistics are frozen (PyTorch's `freeze_bn`): BN stays in eval mode. */
  freezeBn: boolean;
  /** The folded BatchNorm (child `bn`: state-dict keys `bn.weight`, `bn.running_mean`, ...). */
  bn: _BatchNorm;
  /** Fake quantizer of the BN-scaled weight (child `weight_fake_quant`). */
  weight_fake_quant: Module;
  /** Resets the BN running statistics. */
  resetRunningStats(): void;
  /** Resets BN statistics, gamma ~ U(0, 1), beta = 0, and redraws the bias. */
  resetBnParameters(): void;
  /** Lets BN update its running statistics again (BN follows the module's training mode). */
  updateBnStats(): this;
  /** Freezes BN statistics: BN normalizes with its running statistics from now on. */
  freezeBnStats(): this;
  /** The folded conv / linear + BN (without the fused activation). */
  _forward(input: Tensor): Tensor;
}

/** How the mixin runs the wrapped op and builds its BatchNorm. @internal */
export interface BnFoldSpec {
  /** The BatchNorm class (BatchNorm1d for Conv1d and Linear, ...). */
  bn: new (numFeatures: number, options?: NormOptions) => _BatchNorm;
  /** Index of the options object in the constructor arguments. */
  optionsIndex: number;
  /** Runs the op with the given weight and bias: `_convForward`, or `F.linear`. */
  run(mod: WeightModule, input: Tensor, weight: Tensor, bias: Tensor): Tensor;
  /** Number of output channels of the module. */
  outChannels(mod: WeightModule): number;
}

/** The layer (conv / linear) and the BatchNorm of a float fused module (nni.ConvBn2d, nni.LinearBn1d, ...). @internal */
export function fusedLayerAndBn<L extends WeightModule>(fused: Module): [L, _BatchNorm] {
  return [(fused as Sequential).at(0) as L, (fused as Sequential).at(1) as _BatchNorm];
}

/** The BN options of a QAT module built from a float BatchNorm (statistics not frozen). @internal */
export function bnFoldOptionsOf(bn: _BatchNorm): BnFoldOptions {
  return { eps: bn.eps, momentum: bn.momentum, freezeBn: false };
}

/**
 * Makes a QAT fused module share the float layer's weight and bias and the float BatchNorm's
 * parameters and running statistics: PyTorch's `from_float` shares them, it does not copy. @internal
 */
export function shareFloatParameters(qat: WeightModule & BnFoldMembers, layer: WeightModule, bn: _BatchNorm): void {
  qat.weight = layer.weight;
  qat.bias = layer.bias;
  qat.bn.weight = bn.weight;
  qat.bn.bias = bn.bias;
  qat.bn.running_mean = bn.running_mean;
  qat.bn.running_var = bn.running_var;
  qat.bn.num_batches_tracked = bn.num_batches_tracked;
}

/** `gamma / sqrt(running_var + eps)`, differentiable in gamma. */
export function bnScaleFactor(bn: _BatchNorm): Tensor {
  return bn.weight!.div(bn.running_var!.add(bn.eps).sqrt());
}

/** Shapes that put a per-channel vector on dim 0 of the weight / dim 1 of the output. */
function channelShapes(weightNdim: number): { weightShape: number[]; outShape: number[] } {
  const weightShape = new Array<number>(weightNdim).fill(1);
  const outShape = new Array<number>(weightNdim).fill(1);
  weightShape[0] = -1;
  outShape[1] = -1;
  return { weightShape, outShape };
}

/**
 * Adds BN folding, `weight_fake_quant` and the BN statistics switches to a float conv or
 * linear class. (The explicit return type keeps Module's private members out of the emitted
 * declarations.) @internal
 */
export function bnFoldMixin<B extends Ctor<WeightModule>>(Base: B, spec: BnFoldSpec): B & Ctor<BnFoldMembers> {
  class BnFolded extends Base implements BnFoldMembers {
    qconfig!: QConfigLike;
    freezeBn!: boolean;
    bn!: _BatchNorm;
    weight_fake_quant!: Module;

    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    constructor(...args: any[]) {
      super(...args);
      const options = (args[spec.optionsIndex] ?? {}) as BnFoldOptions;
      const cls = new.target.name;
      this.qconfig = checkQconfig(options.qconfig, cls);
      const freezeBn = options.freezeBn ?? false;
      this.freezeBn = freezeBn;
      this.bn = new spec.bn(spec.outChannels(this), { eps: options.eps ?? 1e-5, momentum: options.momentum === undefined ? 0.1 : options.momentum, affine: true, trackRunningStats: true });
      this.weight_fake_quant = makeWeightFakeQuant(this.qconfig, cls);
      this.resetBnParameters();
      // after resetBnParameters, which also touches the BN; a module built in eval mode starts frozen
      if (this.training && !freezeBn) this.updateBnStats();
      else this.freezeBnStats();
    }

    resetRunningStats(): void {
      this.bn.resetRunningStats();
    }

    resetBnParameters(): void {
      this.bn.resetRunningStats();
      uniform_(this.bn.weight!);
      zeros_(this.bn.bias!);
      // the layer's own bias, redrawn with its default init (as PyTorch's _ConvBnNd does)
      if (this.bias) {
        const [fanIn] = calculateFanInAndFanOut(this.weight);
        const bound = 1 / Math.sqrt(fanIn);
        uniform_(this.bias, { a: -bound, b: bound });
      }
    }

    updateBnStats(): this {
      this.freezeBn = false;
      this.bn.training = true;
      return this;
    }

    freezeBnStats(): this {
      this.freezeBn = true;
      this.bn.training = false;
      return this;
    }

    _forward(input: Tensor): Tensor {
      const scaleFactor = bnScaleFactor(this.bn);
      const { weightShape, outShape } = channelShapes(this.weight.ndim);
      const scaledWeight = this.weight_fake_quant.call(this.weight.mul(scaleFactor.reshape(weightShape))) as Tensor;
      // zero bias here: the original bias is added after undoing the scale
      const zeroBias = zeros([spec.outChannels(this)], { dtype: input.dtype });
      let out = spec.run(this, input, scaledWeight, zeroBias).div(scaleFactor.reshape(outShape));
      if (this.bias) out = out.add(this.bias.reshape(outShape));
      return this.bn.call(out);
    }

    override forward(input: Tensor): Tensor {
      return this._forward(input);
    }

    /**
     * Sets training mode; while BN is frozen its children (BN, fake quant) keep their mode,
     * so `model.train()` does not unfreeze a frozen BN (as in PyTorch).
     */
    override train(mode = true): this {
      this.training = mode;
      if (!this.freezeBn) for (const child of this.children()) child.train(mode);
      return this;
    }
  }
  return BnFolded;
}
