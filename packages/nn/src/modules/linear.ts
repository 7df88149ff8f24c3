/** Linear and its MultiheadAttention variant NonDynamicallyQuantizableLinear (torch.nn.Linear). */
import { checkOptions, QTorchValueError, type Tensor, empty } from '@qtorch/qtensor';
import * as F from '../functional/index.js';
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from '../init/index.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { pyBool } from './_repr.js';

/**
 * PyTorch's default layer init: weight kaiming_uniform(a = sqrt(5)), i.e. U(-1/sqrt(fanIn),
 * 1/sqrt(fanIn)), and bias U(-1/sqrt(fanIn), 1/sqrt(fanIn)). @internal
 */
export function resetWeightAndBias(weight: Tensor, bias: Tensor | null): void {
  kaimingUniform_(weight, { a: Math.sqrt(5) });
  if (!bias) return;
  const [fanIn] = calculateFanInAndFanOut(weight);
  const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  uniform_(bias, { a: -bound, b: bound });
}

/** Checks a positive integer constructor argument. @internal */
export function checkPositiveInt(v: number, name: string, cls: string, allowZero = false): void {
  if (!Number.isInteger(v) || v < 0 || (!allowZero && v === 0)) {
    throw new QTorchValueError(`${cls}(): ${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${v}`);
  }
}

/** Options of `Linear`. */
export interface LinearOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
}

/**
 * y = x W^T + b, with `weight` [outFeatures, inFeatures] and `bias` [outFeatures] (or null).
 * @example const fc = new Linear(4, 2); const y = fc.call(randn([3, 4]));
 */
export class Linear extends Module {
  /** Size of each input sample (last dim). */
  readonly inFeatures: number;
  /** Size of each output sample. */
  readonly outFeatures: number;
  /** The weight [outFeatures, inFeatures]. */
  weight: Parameter;
  /** The bias [outFeatures] (null with `bias: false`). */
  bias: Parameter | null;

  /**
   * @param inFeatures - Size of each input sample.
   * @param outFeatures - Size of each output sample.
   * @param options - `bias` (default true); weights use PyTorch's kaiming-uniform init.
   * @throws QTorchValueError when a size is not a non-negative integer or an option is unknown.
   */
  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    checkOptions(options, new.target.name);
    super();
    checkPositiveInt(inFeatures, 'in_features', new.target.name, true);
    checkPositiveInt(outFeatures, 'out_features', new.target.name, true);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = new Parameter(empty([outFeatures, inFeatures]));
    this.bias = options.bias ?? true ? new Parameter(empty([outFeatures])) : null;
    this.resetParameters();
  }

  /** Re-draws weight and bias with PyTorch's default initialization. */
  resetParameters(): void {
    resetWeightAndBias(this.weight, this.bias);
  }

  forward(input: Tensor): Tensor {
    return F.linear(input, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}

/**
 * The Linear that MultiheadAttention uses for `out_proj`: a distinct class so dynamic
 * quantization mappings skip it (PyTorch quantizes attention as a whole, not this layer).
 */
export class NonDynamicallyQuantizableLinear extends Linear {}

/** Options of `Bilinear`. */
export interface BilinearOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
}

/** y = x1^T A x2 + b, with `weight` [out, in1, in2] (torch.nn.Bilinear). */
export class Bilinear extends Module {
  /** Size of the first input's last dim. */
  readonly in1Features: number;
  /** Size of the second input's last dim. */
  readonly in2Features: number;
  /** Size of each output sample. */
  readonly outFeatures: number;
  /** The weight [outFeatures, in1Features, in2Features]. */
  weight: Parameter;
  /** The bias [outFeatures] (null with `bias: false`). */
  bias: Parameter | null;

  /**
   * @param in1Features - Size of the first input's last dim.
   * @param in2Features - Size of the second input's last dim.
   * @param outFeatures - Size of each output sample.
   * @param options - `bias` (default true).
   */
  constructor(in1Features: number, in2Features: number, outFeatures: number, options: BilinearOptions = {}) {
    checkOptions(options, new.target.name);
    super();
    for (const [v, n] of [[in1Features, 'in1_features'], [in2Features, 'in2_features'], [outFeatures, 'out_features']] as const) checkPositiveInt(v, n, 'Bilinear', true);
    this.in1Features = in1Features;
    this.in2Features = in2Features;
    this.outFeatures = outFeatures;
    this.weight = new Parameter(empty([outFeatures, in1Features, in2Features]));
    this.bias = options.bias ?? true ? new Parameter(empty([outFeatures])) : null;
    this.resetParameters();
  }

  /** Weight and bias from U(-1/sqrt(in1), 1/sqrt(in1)), as PyTorch. */
  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.in1Features);
    uniform_(this.weight, { a: -bound, b: bound });
    if (this.bias) uniform_(this.bias, { a: -bound, b: bound });
  }

  forward(input1: Tensor, input2: Tensor): Tensor {
    return F.bilinear(input1, input2, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in1_features=${this.in1Features}, in2_features=${this.in2Features}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}
