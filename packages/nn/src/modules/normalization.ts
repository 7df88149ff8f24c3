/** LayerNorm and GroupNorm (torch.nn.modules.normalization). */
import { checkOptions, QTorchValueError, type Tensor, empty } from '@qtorch/qtensor';
import * as F from '../functional/index.js';
import { ones_, zeros_ } from '../init/index.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { checkPositiveInt } from './linear.js';
import { pyBool, pyFloat, pyTuple } from './_repr.js';

/**
 * Normalizes over the trailing dims `normalizedShape`, with per-element affine weight and bias.
 * @example new LayerNorm(8) // or new LayerNorm([2, 3], { elementwiseAffine: false })
 */
export class LayerNorm extends Module {
  /** The trailing dims normalized over. */
  normalizedShape: number[];
  /** Added to the variance before the square root (default 1e-5). */
  eps: number;
  /** Whether `weight` and `bias` of shape `normalizedShape` are learned. */
  elementwiseAffine: boolean;
  /** Elementwise scale (null without `elementwiseAffine`). */
  weight: Parameter | null;
  /** Elementwise shift (null without `elementwiseAffine`). */
  bias: Parameter | null;

  /**
   * @param normalizedShape - The trailing dims to normalize over (a number for the last dim only).
   * @param options - `eps` (default 1e-5) and `elementwiseAffine` (default true).
   */
  constructor(normalizedShape: number | readonly number[], options: { eps?: number; elementwiseAffine?: boolean } = {}) {
    checkOptions(options, new.target.name);
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    this.eps = options.eps ?? 1e-5;
    this.elementwiseAffine = options.elementwiseAffine ?? true;
    this.weight = this.elementwiseAffine ? new Parameter(empty(this.normalizedShape)) : null;
    this.bias = this.elementwiseAffine ? new Parameter(empty(this.normalizedShape)) : null;
    this.resetParameters();
  }

  /** Weight to 1, bias to 0. */
  resetParameters(): void {
    if (this.weight) ones_(this.weight);
    if (this.bias) zeros_(this.bias);
  }

  forward(input: Tensor): Tensor {
    return F.layerNorm(input, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  override extraRepr(): string {
    return `${pyTuple(this.normalizedShape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}`;
  }
}

/** Normalizes (N, C, *) input in `numGroups` groups of channels, with per-channel affine weight and bias. */
export class GroupNorm extends Module {
  /** Number of groups the channels are split into. */
  numGroups: number;
  /** Number of channels C; divisible by `numGroups`. */
  numChannels: number;
  /** Added to the variance before the square root (default 1e-5). */
  eps: number;
  /** Whether a per-channel `weight` and `bias` are learned. */
  affine: boolean;
  /** Per-channel scale [C] (null without `affine`). */
  weight: Parameter | null;
  /** Per-channel shift [C] (null without `affine`). */
  bias: Parameter | null;

  /**
   * @param numGroups - Number of groups.
   * @param numChannels - Number of channels; must be divisible by `numGroups`.
   * @param options - `eps` (default 1e-5) and `affine` (default true).
   * @throws QTorchValueError when `numGroups` does not divide `numChannels`.
   */
  constructor(numGroups: number, numChannels: number, options: { eps?: number; affine?: boolean } = {}) {
    checkOptions(options, new.target.name);
    super();
    checkPositiveInt(numGroups, 'num_groups', 'GroupNorm');
    checkPositiveInt(numChannels, 'num_channels', 'GroupNorm');
    if (numChannels % numGroups !== 0) {
      throw new QTorchValueError(`GroupNorm(): num_channels must be divisible by num_groups (num_channels=${numChannels}, num_groups=${numGroups})`);
    }
    this.numGroups = numGroups;
    this.numChannels = numChannels;
    this.eps = options.eps ?? 1e-5;
    this.affine = options.affine ?? true;
    this.weight = this.affine ? new Parameter(empty([numChannels])) : null;
    this.bias = this.affine ? new Parameter(empty([numChannels])) : null;
    this.resetParameters();
  }

  /** Weight to 1, bias to 0. */
  resetParameters(): void {
    if (this.weight) ones_(this.weight);
    if (this.bias) zeros_(this.bias);
  }

  forward(input: Tensor): Tensor {
    return F.groupNorm(input, this.numGroups, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${pyBool(this.affine)}`;
  }
}
