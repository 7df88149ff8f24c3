/**
 * Pooling modules (torch.nn.modules.pooling). Hyperparameters are stored as given (an int stays
 * an int, as in PyTorch, so reprs match); `stride` defaults to the kernel size.
 */
import type { AdaptiveSize, IntOrTuple, Tensor } from '@qtorch/qtensor';
import * as F from '../functional/index.js';
import { Module } from '../module.js';
import { pyBool, pyIntOrTuple } from './_repr.js';
import { checkOptions } from '@qtorch/qtensor';

/** Options of MaxPool1d/2d/3d. */
export interface MaxPoolNdOptions {
  /** Window step (default: the kernel size). */
  stride?: IntOrTuple | null;
  /** Implicit -inf padding per side (default 0). */
  padding?: IntOrTuple;
  /** Spacing of window elements (default 1). */
  dilation?: IntOrTuple;
  /** Round the output size up (default false). */
  ceilMode?: boolean;
}

/** `returnIndices` as a type parameter, so `call()` is typed `Tensor` or `[values, indices]`. */
export interface ReturnIndicesOption<R extends boolean> {
  /** Also return argmax indices (float input only; default false). */
  returnIndices?: R;
}

/** What a pooling module returns for a `returnIndices` setting. */
export type PoolResult<R extends boolean> = R extends true ? [Tensor, Tensor] : Tensor;

type MaxPoolFn = (x: Tensor, k: IntOrTuple, o: F.MaxPoolOptions) => Tensor | [Tensor, Tensor];

/** Max pooling over 1-3 spatial dims. @internal */
export abstract class _MaxPoolNd<R extends boolean = false> extends Module {
  kernelSize: IntOrTuple;
  stride: IntOrTuple;
  padding: IntOrTuple;
  dilation: IntOrTuple;
  returnIndices: boolean;
  ceilMode: boolean;
  protected abstract readonly poolFn: MaxPoolFn;

  constructor(kernelSize: IntOrTuple, options: MaxPoolNdOptions & ReturnIndicesOption<R> = {}) {
    checkOptions(options, new.target.name);
    super();
    this.kernelSize = kernelSize;
    this.stride = options.stride ?? kernelSize;
    this.padding = options.padding ?? 0;
    this.dilation = options.dilation ?? 1;
    this.returnIndices = options.returnIndices ?? false;
    this.ceilMode = options.ceilMode ?? false;
  }

  /** The pooled tensor, or `[values, indices]` with `returnIndices`. */
  forward(input: Tensor): PoolResult<R> {
    return this.poolFn(input, this.kernelSize, {
      stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode, returnIndices: this.returnIndices,
    }) as PoolResult<R>;
  }

  override extraRepr(): string {
    return `kernel_size=${pyIntOrTuple(this.kernelSize)}, stride=${pyIntOrTuple(this.stride)}, padding=${pyIntOrTuple(this.padding)}, dilation=${pyIntOrTuple(this.dilation)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}

/** Max pooling of (N, C, L) input; quantized input works. */
export class MaxPool1d<R extends boolean = false> extends _MaxPoolNd<R> {
  protected readonly poolFn: MaxPoolFn = F.maxPool1d;
}

/**
 * Max pooling of (N, C, H, W) input; quantized input works.
 * @example new MaxPool2d(2) // kernel 2, stride 2
 */
export class MaxPool2d<R extends boolean = false> extends _MaxPoolNd<R> {
  protected readonly poolFn: MaxPoolFn = F.maxPool2d;
}

/** Max pooling of (N, C, D, H, W) input. */
export class MaxPool3d<R extends boolean = false> extends _MaxPoolNd<R> {
  protected readonly poolFn: MaxPoolFn = F.maxPool3d;
}

/** Options of AvgPool1d/2d/3d. */
export interface AvgPoolNdOptions {
  /** Window step (default: the kernel size). */
  stride?: IntOrTuple | null;
  /** Implicit zero padding per side (default 0). */
  padding?: IntOrTuple;
  /** Round the output size up (default false). */
  ceilMode?: boolean;
  /** Count padding zeros in the divisor (default true). */
  countIncludePad?: boolean;
  /** Divide by this instead of the window size (2-d and 3-d only). */
  divisorOverride?: number | null;
}

type AvgPoolFn = (x: Tensor, k: IntOrTuple, o: F.AvgPoolOptions) => Tensor;

/** Average pooling over 1-3 spatial dims. @internal */
export abstract class _AvgPoolNd extends Module {
  kernelSize: IntOrTuple;
  stride: IntOrTuple;
  padding: IntOrTuple;
  ceilMode: boolean;
  countIncludePad: boolean;
  divisorOverride: number | null;
  protected abstract readonly poolFn: AvgPoolFn;

  constructor(kernelSize: IntOrTuple, options: AvgPoolNdOptions = {}) {
    checkOptions(options, new.target.name);
    super();
    this.kernelSize = kernelSize;
    this.stride = options.stride ?? kernelSize;
    this.padding = options.padding ?? 0;
    this.ceilMode = options.ceilMode ?? false;
    this.countIncludePad = options.countIncludePad ?? true;
    this.divisorOverride = options.divisorOverride ?? null;
  }

  forward(input: Tensor): Tensor {
    const opts: F.AvgPoolOptions = { stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad };
    if (this.divisorOverride !== null) opts.divisorOverride = this.divisorOverride;
    return this.poolFn(input, this.kernelSize, opts);
  }

  override extraRepr(): string {
    return `kernel_size=${pyIntOrTuple(this.kernelSize)}, stride=${pyIntOrTuple(this.stride)}, padding=${pyIntOrTuple(this.padding)}`;
  }
}

/** Average pooling of (N, C, L) input (PyTorch stores its sizes as 1-tuples). */
export class AvgPool1d extends _AvgPoolNd {
  protected readonly poolFn: AvgPoolFn = F.avgPool1d;
  /**
   * @param kernelSize - Window length.
   * @param options - `stride` (default `kernelSize`), `padding`, `ceilMode`, `countIncludePad`.
   */
  constructor(kernelSize: IntOrTuple, options: Omit<AvgPoolNdOptions, 'divisorOverride'> = {}) {
    checkOptions(options, new.target.name);
    const single = (v: IntOrTuple): number[] => (typeof v === 'number' ? [v] : [...v]);
    super(single(kernelSize), { ...options, stride: single(options.stride ?? kernelSize), padding: single(options.padding ?? 0) });
  }
}

/** Average pooling of (N, C, H, W) input; quantized input works. */
export class AvgPool2d extends _AvgPoolNd {
  protected readonly poolFn: AvgPoolFn = F.avgPool2d;
}

/** Average pooling of (N, C, D, H, W) input; quantized input works. */
export class AvgPool3d extends _AvgPoolNd {
  protected readonly poolFn: AvgPoolFn = F.avgPool3d;
}

/** Adaptive pooling to a fixed output size (`null` keeps an input size). @internal */
export abstract class _AdaptivePoolNd extends Module {
  outputSize: AdaptiveSize;
  constructor(outputSize: AdaptiveSize) {
    super();
    this.outputSize = outputSize;
  }
  override extraRepr(): string {
    return `output_size=${pyIntOrTuple(this.outputSize)}`;
  }
}

/** Adaptive average pooling of (N, C, L) input. */
export class AdaptiveAvgPool1d extends _AdaptivePoolNd {
  forward(input: Tensor): Tensor {
    return F.adaptiveAvgPool1d(input, this.outputSize);
  }
}

/**
 * Adaptive average pooling of (N, C, H, W) input; quantized input works.
 * @example new AdaptiveAvgPool2d([1, 1])
 */
export class AdaptiveAvgPool2d extends _AdaptivePoolNd {
  forward(input: Tensor): Tensor {
    return F.adaptiveAvgPool2d(input, this.outputSize);
  }
}

/** Adaptive average pooling of (N, C, D, H, W) input; quantized input works. */
export class AdaptiveAvgPool3d extends _AdaptivePoolNd {
  forward(input: Tensor): Tensor {
    return F.adaptiveAvgPool3d(input, this.outputSize);
  }
}

/** Adaptive max pooling of (N, C, H, W) input; `returnIndices` adds the argmax indices. */
export class AdaptiveMaxPool2d<R extends boolean = false> extends _AdaptivePoolNd {
  /** Whether `forward` returns `[values, indices]`. */
  readonly returnIndices: boolean;
  /**
   * @param outputSize - Output [H, W] (a number for both; `null` keeps the input's size).
   * @param options - `returnIndices` (default false).
   */
  constructor(outputSize: AdaptiveSize, options: ReturnIndicesOption<R> = {}) {
    checkOptions(options, new.target.name);
    super(outputSize);
    this.returnIndices = options.returnIndices ?? false;
  }
  forward(input: Tensor): PoolResult<R> {
    return (this.returnIndices ? F.adaptiveMaxPool2d(input, this.outputSize, { returnIndices: true }) : F.adaptiveMaxPool2d(input, this.outputSize)) as PoolResult<R>;
  }
}
