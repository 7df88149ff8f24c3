/**
 * Activation modules (torch.nn.modules.activation). Each holds PyTorch's constructor
 * arguments, runs the matching `F` function (which accepts quantized input where PyTorch's
 * does) and prints PyTorch's repr.
 */
import { checkOptions, QTorchShapeError, QTorchValueError, type Tensor, empty } from '@qtorch/qtensor';
import * as F from '../functional/index.js';
import { constant_ } from '../init/index.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { pyFloat } from './_repr.js';

/** The `inplace` constructor option. */
export interface InplaceOption {
  /** Overwrite the input (default false). */
  inplace?: boolean;
}

const inplaceRepr = (inplace: boolean, lead = ''): string => (inplace ? `${lead}inplace=True` : '');

/** A module whose only argument is `inplace`. @internal */
export abstract class InplaceActivation extends Module {
  readonly inplace: boolean;
  constructor(options: InplaceOption = {}) {
    checkOptions(options, new.target.name);
    super();
    this.inplace = options.inplace ?? false;
  }
  override extraRepr(): string {
    return inplaceRepr(this.inplace);
  }
}

/** max(0, x); quantized input works (used by quantized models as is). */
export class ReLU extends InplaceActivation {
  forward(input: Tensor): Tensor {
    return F.relu(input, { inplace: this.inplace });
  }
}

/** clamp(x, minVal, maxVal) (defaults -1, 1). */
export class Hardtanh extends InplaceActivation {
  /** Lower clamp bound (default -1). */
  readonly minVal: number;
  /** Upper clamp bound (default 1). */
  readonly maxVal: number;
  /**
   * @param options - `minVal`, `maxVal` (defaults -1, 1) and `inplace`.
   * @throws QTorchValueError when `minVal` exceeds `maxVal`.
   */
  constructor(options: InplaceOption & { minVal?: number; maxVal?: number } = {}) {
    super(options);
    this.minVal = options.minVal ?? -1;
    this.maxVal = options.maxVal ?? 1;
    if (!(this.minVal <= this.maxVal)) throw new QTorchValueError(`${new.target.name}(): min_val (${this.minVal}) must not exceed max_val (${this.maxVal})`);
  }
  forward(input: Tensor): Tensor {
    return F.hardtanh(input, { minVal: this.minVal, maxVal: this.maxVal, inplace: this.inplace });
  }
  /** `min_val=..., max_val=...` (and `inplace=True`), as PyTorch prints it. */
  override extraRepr(): string {
    return `min_val=${pyFloat(this.minVal)}, max_val=${pyFloat(this.maxVal)}${inplaceRepr(this.inplace, ', ')}`;
  }
}

/** min(max(0, x), 6) (a Hardtanh(0, 6), as in PyTorch). */
export class ReLU6 extends Hardtanh {
  /** @param options - `inplace`: overwrite the input. */
  constructor(options: InplaceOption = {}) {
    checkOptions(options, new.target.name);
    super({ minVal: 0, maxVal: 6, inplace: options.inplace });
  }
  override forward(input: Tensor): Tensor {
    return F.relu6(input, { inplace: this.inplace });
  }
  /** `inplace=True` when set (ReLU6 prints no bounds, as in PyTorch). */
  override extraRepr(): string {
    return inplaceRepr(this.inplace);
  }
}

/** 1 / (1 + exp(-x)). */
export class Sigmoid extends Module {
  forward(input: Tensor): Tensor {
    return F.sigmoid(input);
  }
}

/** tanh(x). */
export class Tanh extends Module {
  forward(input: Tensor): Tensor {
    return F.tanh(input);
  }
}

/** relu6(x + 3) / 6. */
export class Hardsigmoid extends InplaceActivation {
  forward(input: Tensor): Tensor {
    return F.hardsigmoid(input, { inplace: this.inplace });
  }
  /** Empty, as PyTorch's Hardsigmoid prints no arguments. */
  override extraRepr(): string {
    return '';
  }
}

/** x * relu6(x + 3) / 6. */
export class Hardswish extends InplaceActivation {
  forward(input: Tensor): Tensor {
    return F.hardswish(input, { inplace: this.inplace });
  }
  /** Empty, as PyTorch's Hardswish prints no arguments. */
  override extraRepr(): string {
    return '';
  }
}

/** x if x > 0 else negativeSlope * x (default 0.01). */
export class LeakyReLU extends InplaceActivation {
  /** Slope below 0 (default 0.01). */
  readonly negativeSlope: number;
  /** @param options - `negativeSlope` (default 0.01) and `inplace`. */
  constructor(options: InplaceOption & { negativeSlope?: number } = {}) {
    super(options);
    this.negativeSlope = options.negativeSlope ?? 0.01;
  }
  forward(input: Tensor): Tensor {
    return F.leakyRelu(input, { negativeSlope: this.negativeSlope, inplace: this.inplace });
  }
  /** `negative_slope=...` (and `inplace=True`), as PyTorch prints it. */
  override extraRepr(): string {
    return `negative_slope=${pyFloat(this.negativeSlope)}${inplaceRepr(this.inplace, ', ')}`;
  }
}

/** x if x > 0 else alpha * (exp(x) - 1) (alpha default 1). */
export class ELU extends InplaceActivation {
  /** The saturation value for negative inputs (default 1). */
  readonly alpha: number;
  /** @param options - `alpha` (default 1) and `inplace`. */
  constructor(options: InplaceOption & { alpha?: number } = {}) {
    super(options);
    this.alpha = options.alpha ?? 1;
  }
  forward(input: Tensor): Tensor {
    return F.elu(input, { alpha: this.alpha, inplace: this.inplace });
  }
  /** `alpha=...` (and `inplace=True`), as PyTorch prints it. */
  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}${inplaceRepr(this.inplace, ', ')}`;
  }
}

/** scale * elu(x, alpha) with the self-normalizing constants. */
export class SELU extends InplaceActivation {
  forward(input: Tensor): Tensor {
    return F.selu(input, { inplace: this.inplace });
  }
}

/** x * Phi(x), exact or with `approximate: 'tanh'`. */
export class GELU extends Module {
  /** `'none'` for the exact erf form, `'tanh'` for the tanh approximation. */
  readonly approximate: 'none' | 'tanh';
  /** @param options - `approximate`: `'none'` (default) or `'tanh'`. */
  constructor(options: { approximate?: 'none' | 'tanh' } = {}) {
    checkOptions(options, new.target.name);
    super();
    this.approximate = options.approximate ?? 'none';
  }
  forward(input: Tensor): Tensor {
    return F.gelu(input, { approximate: this.approximate });
  }
  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** x * sigmoid(x). */
export class SiLU extends InplaceActivation {
  forward(input: Tensor): Tensor {
    return F.silu(input, { inplace: this.inplace });
  }
}

/** x * tanh(softplus(x)). */
export class Mish extends InplaceActivation {
  forward(input: Tensor): Tensor {
    return F.mish(input, { inplace: this.inplace });
  }
}

/** log(1 + exp(beta x)) / beta, linear above `threshold` (defaults 1, 20). */
export class Softplus extends Module {
  /** The slope of the smooth ramp (default 1). */
  readonly beta: number;
  /** Above `beta * x > threshold` the output is `x` (default 20). */
  readonly threshold: number;
  /** @param options - `beta` (default 1) and `threshold` (default 20). */
  constructor(options: { beta?: number; threshold?: number } = {}) {
    checkOptions(options, new.target.name);
    super();
    this.beta = options.beta ?? 1;
    this.threshold = options.threshold ?? 20;
  }
  forward(input: Tensor): Tensor {
    return F.softplus(input, { beta: this.beta, threshold: this.threshold });
  }
  override extraRepr(): string {
    // PyTorch's defaults are ints, so they print without '.0'
    return `beta=${this.beta}, threshold=${this.threshold}`;
  }
}

/**
 * PyTorch's implicit softmax dim for `dim: null` (deprecated there): 0 for 0-, 1- and 3-D
 * input, else 1.
 */
function implicitSoftmaxDim(ndim: number): number {
  return ndim === 0 || ndim === 1 || ndim === 3 ? 0 : 1;
}

/** Softmax along `dim` (null: PyTorch's legacy implicit choice). */
export class Softmax extends Module {
  /** The dim normalized over; `null` picks PyTorch's legacy implicit dim (0 for 0-d, 1-d and 3-d input, else 1). */
  readonly dim: number | null;
  /** @param options - `dim` to normalize over (default `null`, PyTorch's implicit choice). */
  constructor(options: { dim?: number | null } = {}) {
    checkOptions(options, new.target.name);
    super();
    this.dim = options.dim ?? null;
  }
  forward(input: Tensor): Tensor {
    return F.softmax(input, this.dim ?? implicitSoftmaxDim(input.ndim));
  }
  override extraRepr(): string {
    return `dim=${this.dim ?? 'None'}`;
  }
}

/** Log-softmax along `dim`. */
export class LogSoftmax extends Module {
  /** The dim normalized over; `null` picks PyTorch's legacy implicit dim. */
  readonly dim: number | null;
  /** @param options - `dim` to normalize over (default `null`, PyTorch's implicit choice). */
  constructor(options: { dim?: number | null } = {}) {
    checkOptions(options, new.target.name);
    super();
    this.dim = options.dim ?? null;
  }
  forward(input: Tensor): Tensor {
    return F.logSoftmax(input, this.dim ?? implicitSoftmaxDim(input.ndim));
  }
  override extraRepr(): string {
    return `dim=${this.dim ?? 'None'}`;
  }
}

/** x if x > 0 else a * x with a learnable slope `a` (one, or one per channel; init 0.25). */
export class PReLU extends Module {
  /** Number of learned slopes: 1, or the number of input channels (dim 1). */
  readonly numParameters: number;
  /** The learned slopes [numParameters]. */
  weight: Parameter;
  /** @param options - `numParameters` (default 1) and `init`, the initial slope (default 0.25). */
  constructor(options: { numParameters?: number; init?: number } = {}) {
    checkOptions(options, new.target.name);
    super();
    this.numParameters = options.numParameters ?? 1;
    if (!Number.isInteger(this.numParameters) || this.numParameters < 1) {
      throw new QTorchShapeError(`PReLU(): num_parameters must be a positive integer, got ${this.numParameters}`);
    }
    this.weight = new Parameter(constant_(empty([this.numParameters]), options.init ?? 0.25));
  }
  forward(input: Tensor): Tensor {
    return F.prelu(input, this.weight);
  }
  override extraRepr(): string {
    return `num_parameters=${this.numParameters}`;
  }
}
