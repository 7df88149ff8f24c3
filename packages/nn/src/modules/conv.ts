/**
 * Convolutions: Conv1d/2d/3d on a shared `_ConvNd`, ConvTranspose1d/2d/3d on `_ConvTransposeNd`
 * (torch.nn.modules.conv). Hyperparameters are stored as PyTorch stores them (tuples per spatial
 * dim; `padding` may stay the string 'same' / 'valid') under camelCase names.
 */
import { checkOptions, type IntOrTuple, QTorchValueError, type Tensor, empty, expandTuple } from '@qtorch/qtensor';
import * as F from '../functional/index.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { checkPositiveInt, resetWeightAndBias } from './linear.js';
import { pyTuple } from './_repr.js';

/** How a convolution pads its input. */
export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';

/** Options of Conv1d/2d/3d. */
export interface ConvNdOptions {
  /** Window step (default 1). */
  stride?: IntOrTuple;
  /** Padding per side, or 'valid' (none) / 'same' (output size = input size; stride 1 only). Default 0. */
  padding?: IntOrTuple | 'same' | 'valid';
  /** Spacing of kernel elements (default 1). */
  dilation?: IntOrTuple;
  /** Blocked connections from input to output channels (default 1). */
  groups?: number;
  /** Learn an additive bias (default true). */
  bias?: boolean;
  /** Padding values: zeros (default), reflect, replicate or circular. */
  paddingMode?: PaddingMode;
}

/** Options of ConvTranspose1d/2d/3d. */
export interface ConvTransposeNdOptions {
  /** Step of the kernel in each spatial dim (default 1). */
  stride?: IntOrTuple;
  /** `dilation * (kernel - 1) - padding` zeros are added to both sides of the input (default 0). */
  padding?: IntOrTuple;
  /** Extra size added to one side of the output (default 0). */
  outputPadding?: IntOrTuple;
  /** Number of blocked connections from input to output channels (default 1). */
  groups?: number;
  /** Whether a learned bias [C_out] is added (default true). */
  bias?: boolean;
  /** Spacing between kernel elements (default 1). */
  dilation?: IntOrTuple;
  /** Only 'zeros' is supported (as in PyTorch). */
  paddingMode?: 'zeros';
}

/** Constructor arguments of Conv1d/2d/3d (one tuple, so the three classes share one signature). */
export type ConvNdArgs = [inChannels: number, outChannels: number, kernelSize: IntOrTuple, options?: ConvNdOptions];

/** Constructor arguments of ConvTranspose1d/2d/3d. */
export type ConvTransposeNdArgs = [inChannels: number, outChannels: number, kernelSize: IntOrTuple, options?: ConvTransposeNdOptions];

const PADDING_MODES: readonly string[] = ['zeros', 'reflect', 'replicate', 'circular'];

type ConvFn = (x: Tensor, w: Tensor, opts: F.ConvOptions) => Tensor;
type ConvTransposeFn = (x: Tensor, w: Tensor, opts: F.ConvTransposeOptions) => Tensor;
const CONV_FNS: Record<number, ConvFn> = { 1: F.conv1d, 2: F.conv2d, 3: F.conv3d };
const CONV_TRANSPOSE_FNS: Record<number, ConvTransposeFn> = { 1: F.convTranspose1d, 2: F.convTranspose2d, 3: F.convTranspose3d };

/** Shared constructor arguments of `_ConvNd`. @internal */
interface ConvSpec {
  nSpatial: number;
  transposed: boolean;
  stride: IntOrTuple;
  padding: IntOrTuple | 'same' | 'valid';
  dilation: IntOrTuple;
  outputPadding: IntOrTuple;
  groups: number;
  bias: boolean;
  paddingMode: PaddingMode;
}

/** The base of every convolution: parameters, hyperparameters, checks, init and repr. */
export abstract class _ConvNd extends Module {
  /** Input channels C_in. */
  inChannels: number;
  /** Output channels C_out. */
  outChannels: number;
  /** Kernel size per spatial dim. */
  kernelSize: number[];
  /** Stride per spatial dim. */
  stride: number[];
  /** Padding per spatial dim, or `'same'` / `'valid'`. */
  padding: number[] | 'same' | 'valid';
  /** Dilation per spatial dim. */
  dilation: number[];
  /** Whether this is a transposed convolution (weight [C_in, C_out / groups, ...k]). */
  transposed: boolean;
  /** Extra size added to one side of each output dim (transposed convolutions). */
  outputPadding: number[];
  /** Number of channel groups; divides C_in and C_out. */
  groups: number;
  /** How the input is padded: `'zeros'`, `'reflect'`, `'replicate'` or `'circular'`. */
  paddingMode: PaddingMode;
  /** `F.pad` amounts for non-'zeros' padding modes (last dim first, left/right per dim). */
  _reversedPaddingRepeatedTwice: number[];
  /** The kernel: [C_out, C_in / groups, ...k], or [C_in, C_out / groups, ...k] when transposed. */
  weight: Parameter;
  /** The bias [C_out] (null with `bias: false`). */
  bias: Parameter | null;

  protected constructor(inChannels: number, outChannels: number, kernelSize: IntOrTuple, spec: ConvSpec) {
    super();
    const cls = new.target.name;
    const n = spec.nSpatial;
    checkPositiveInt(inChannels, 'in_channels', cls);
    checkPositiveInt(outChannels, 'out_channels', cls);
    if (!Number.isInteger(spec.groups) || spec.groups <= 0) throw new QTorchValueError(`${cls}(): groups must be a positive integer, got ${spec.groups}`);
    if (inChannels % spec.groups !== 0) throw new QTorchValueError(`${cls}(): in_channels must be divisible by groups (in_channels=${inChannels}, groups=${spec.groups})`);
    if (outChannels % spec.groups !== 0) throw new QTorchValueError(`${cls}(): out_channels must be divisible by groups (out_channels=${outChannels}, groups=${spec.groups})`);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = expandTuple(kernelSize, n, 'kernel_size', cls);
    this.stride = expandTuple(spec.stride, n, 'stride', cls);
    this.dilation = expandTuple(spec.dilation, n, 'dilation', cls);
    if (typeof spec.padding === 'string') {
      if (spec.padding !== 'same' && spec.padding !== 'valid') {
        throw new QTorchValueError(`${cls}(): Invalid padding string '${String(spec.padding)}', should be one of {'valid', 'same'}`);
      }
      if (spec.padding === 'same' && this.stride.some((s) => s !== 1)) {
        throw new QTorchValueError(`${cls}(): padding='same' is not supported for strided convolutions`);
      }
      this.padding = spec.padding;
    } else {
      this.padding = expandTuple(spec.padding, n, 'padding', cls);
    }
    if (!PADDING_MODES.includes(spec.paddingMode)) {
      throw new QTorchValueError(`${cls}(): padding_mode must be one of {'zeros', 'reflect', 'replicate', 'circular'}, but got padding_mode='${String(spec.paddingMode)}'`);
    }
    this.transposed = spec.transposed;
    this.outputPadding = expandTuple(spec.outputPadding, n, 'output_padding', cls);
    this.groups = spec.groups;
    this.paddingMode = spec.paddingMode;
    this._reversedPaddingRepeatedTwice = reversedPadding(this.padding, this.kernelSize, this.dilation);
    const wShape = spec.transposed
      ? [inChannels, outChannels / spec.groups, ...this.kernelSize]
      : [outChannels, inChannels / spec.groups, ...this.kernelSize];
    this.weight = new Parameter(empty(wShape));
    this.bias = spec.bias ? new Parameter(empty([outChannels])) : null;
    this.resetParameters();
  }

  /** Re-draws weight and bias with PyTorch's default initialization. */
  resetParameters(): void {
    resetWeightAndBias(this.weight, this.bias);
  }

  override extraRepr(): string {
    const n = this.kernelSize.length;
    const isAll = (v: readonly number[], x: number): boolean => v.length === n && v.every((e) => e === x);
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}`;
    if (typeof this.padding === 'string') s += `, padding=${this.padding}`;
    else if (!isAll(this.padding, 0)) s += `, padding=${pyTuple(this.padding)}`;
    if (!isAll(this.dilation, 1)) s += `, dilation=${pyTuple(this.dilation)}`;
    if (!isAll(this.outputPadding, 0)) s += `, output_padding=${pyTuple(this.outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=False';
    if (this.paddingMode !== 'zeros') s += `, padding_mode=${this.paddingMode}`;
    return s;
  }
}

/** PyTorch's `_reversed_padding_repeated_twice`: F.pad amounts, last spatial dim first. */
function reversedPadding(padding: number[] | 'same' | 'valid', kernel: number[], dilation: number[]): number[] {
  const out: number[] = [];
  for (let d = kernel.length - 1; d >= 0; d--) {
    if (padding === 'valid') out.push(0, 0);
    else if (padding === 'same') {
      const total = dilation[d]! * (kernel[d]! - 1);
      const left = Math.floor(total / 2);
      out.push(left, total - left);
    } else out.push(padding[d]!, padding[d]!);
  }
  return out;
}

/** Conv1d/2d/3d: the forward shared by the three. @internal */
export abstract class ConvNdBase extends _ConvNd {
  constructor(nSpatial: number, inChannels: number, outChannels: number, kernelSize: IntOrTuple, options: ConvNdOptions = {}) {
    checkOptions(options, new.target.name);
    super(inChannels, outChannels, kernelSize, {
      nSpatial, transposed: false, outputPadding: 0,
      stride: options.stride ?? 1, padding: options.padding ?? 0, dilation: options.dilation ?? 1,
      groups: options.groups ?? 1, bias: options.bias ?? true, paddingMode: options.paddingMode ?? 'zeros',
    });
  }

  /** The convolution with the given weight and bias (QAT and fused modules pass their own). */
  _convForward(input: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
    const conv = CONV_FNS[this.kernelSize.length]!;
    const opts = { bias, stride: this.stride, dilation: this.dilation, groups: this.groups };
    if (this.paddingMode !== 'zeros') {
      const padded = F.pad(input, this._reversedPaddingRepeatedTwice, { mode: this.paddingMode });
      return conv(padded, weight, { ...opts, padding: 0 });
    }
    return conv(input, weight, { ...opts, padding: this.padding });
  }

  forward(input: Tensor): Tensor {
    return this._convForward(input, this.weight, this.bias);
  }
}

/**
 * 1-d convolution over (N, C_in, L) or (C_in, L) input.
 * @example new Conv1d(16, 33, 3, { stride: 2 })
 */
export class Conv1d extends ConvNdBase {
  /** Same arguments as torch.nn.Conv1d: `(inChannels, outChannels, kernelSize, options)`; throws on invalid sizes or groups. */
  constructor(...args: ConvNdArgs) {
    super(1, ...args);
  }
}

/**
 * 2-d convolution over (N, C_in, H, W) or (C_in, H, W) input.
 * @example new Conv2d(16, 33, 3, { stride: 2, padding: 1 })
 */
export class Conv2d extends ConvNdBase {
  /** Same arguments as torch.nn.Conv2d: `(inChannels, outChannels, kernelSize, options)`; throws on invalid sizes or groups. */
  constructor(...args: ConvNdArgs) {
    super(2, ...args);
  }
}

/** 3-d convolution over (N, C_in, D, H, W) or (C_in, D, H, W) input. */
export class Conv3d extends ConvNdBase {
  /** Same arguments as torch.nn.Conv3d: `(inChannels, outChannels, kernelSize, options)`; throws on invalid sizes or groups. */
  constructor(...args: ConvNdArgs) {
    super(3, ...args);
  }
}

/** The base of the transposed convolutions (weight [in, out / groups, *kernel]). */
export abstract class _ConvTransposeNd extends _ConvNd {
  /**
   * @param nSpatial - Number of spatial dims (1, 2 or 3).
   * @param inChannels - Input channels C_in.
   * @param outChannels - Output channels C_out.
   * @param kernelSize - Kernel size, one number or one per spatial dim.
   * @param options - torch.nn.ConvTranspose options (`stride`, `padding`, `outputPadding`, `groups`, `bias`, `dilation`).
   */
  constructor(nSpatial: number, inChannels: number, outChannels: number, kernelSize: IntOrTuple, options: ConvTransposeNdOptions = {}) {
    checkOptions(options, new.target.name);
    const paddingMode = options.paddingMode ?? 'zeros';
    if (paddingMode !== 'zeros') throw new QTorchValueError(`${new.target.name}(): Only "zeros" padding mode is supported for ${new.target.name}, got '${String(paddingMode)}'`);
    super(inChannels, outChannels, kernelSize, {
      nSpatial, transposed: true, outputPadding: options.outputPadding ?? 0,
      stride: options.stride ?? 1, padding: options.padding ?? 0, dilation: options.dilation ?? 1,
      groups: options.groups ?? 1, bias: options.bias ?? true, paddingMode,
    });
  }

  /**
   * The output padding that makes the output `outputSize` (spatial sizes, optionally with
   * the batch/channel dims in front), or the configured `outputPadding` when not given.
   */
  _outputPadding(input: Tensor, outputSize: readonly number[] | null | undefined): number[] {
    if (!outputSize) return [...this.outputPadding];
    const n = this.kernelSize.length;
    const nonSpatial = input.ndim === n + 2 ? 2 : 1;
    const size = outputSize.length === nonSpatial + n ? outputSize.slice(nonSpatial) : [...outputSize];
    const cls = this.constructor.name;
    if (size.length !== n) {
      throw new QTorchValueError(`${cls}: for ${input.ndim}D input, output_size must have ${n} or ${n + nonSpatial} elements (got ${outputSize.length})`);
    }
    const pad = this.padding as number[];
    const minSizes = size.map((_, d) => (input.shape[d + nonSpatial]! - 1) * this.stride[d]! - 2 * pad[d]! + this.dilation[d]! * (this.kernelSize[d]! - 1) + 1);
    const maxSizes = minSizes.map((m, d) => m + this.stride[d]! - 1);
    if (size.some((s, d) => s < minSizes[d]! || s > maxSizes[d]!)) {
      throw new QTorchValueError(
        `${cls}: requested an output size of ${pyTuple(size)}, but valid sizes range from ${pyTuple(minSizes)} to ${pyTuple(maxSizes)} (for an input of ${pyTuple(input.shape.slice(nonSpatial))})`,
      );
    }
    return size.map((s, d) => s - minSizes[d]!);
  }

  /** Runs the transposed convolution; `outputSize` picks among the sizes a stride > 1 makes possible. */
  forward(input: Tensor, outputSize?: readonly number[] | null): Tensor {
    const convT = CONV_TRANSPOSE_FNS[this.kernelSize.length]!;
    return convT(input, this.weight, {
      bias: this.bias, stride: this.stride, padding: this.padding as number[],
      outputPadding: this._outputPadding(input, outputSize), groups: this.groups, dilation: this.dilation,
    });
  }
}

/** 1-d transposed convolution ("deconvolution"). */
export class ConvTranspose1d extends _ConvTransposeNd {
  /** Same arguments as torch.nn.ConvTranspose1d: `(inChannels, outChannels, kernelSize, options)`. */
  constructor(...args: ConvTransposeNdArgs) {
    super(1, ...args);
  }
}

/**
 * 2-d transposed convolution ("deconvolution").
 * @example new ConvTranspose2d(16, 33, 3, { stride: 2 }).call(x, [1, 33, 9, 9])
 */
export class ConvTranspose2d extends _ConvTransposeNd {
  /** Same arguments as torch.nn.ConvTranspose2d: `(inChannels, outChannels, kernelSize, options)`. */
  constructor(...args: ConvTransposeNdArgs) {
    super(2, ...args);
  }
}

/** 3-d transposed convolution. */
export class ConvTranspose3d extends _ConvTransposeNd {
  /** Same arguments as torch.nn.ConvTranspose3d: `(inChannels, outChannels, kernelSize, options)`. */
  constructor(...args: ConvTransposeNdArgs) {
    super(3, ...args);
  }
}
