/** Identity, Flatten, Unflatten (shape plumbing modules). */
import type { Tensor } from '@qtorch/qtensor';
import { Module } from '../module.js';
import { assertTensor, checkOptions } from '@qtorch/qtensor';

/** Returns its input unchanged (a placeholder that fusion and conversion swap in). */
export class Identity extends Module {
  /** Accepts and ignores any constructor arguments, as torch.nn.Identity does. */
  constructor(..._args: unknown[]) {
    super();
  }

  forward<T>(input: T): T {
    return input;
  }
}

/** Flattens dims `startDim..endDim` into one (torch.nn.Flatten; defaults 1 and -1). */
export class Flatten extends Module {
  /** First dim flattened (default 1, keeping the batch dim). */
  readonly startDim: number;
  /** Last dim flattened (default -1). */
  readonly endDim: number;

  /** @param options - `startDim` (default 1) and `endDim` (default -1). */
  constructor(options: { startDim?: number; endDim?: number } = {}) {
    checkOptions(options, new.target.name);
    super();
    this.startDim = options.startDim ?? 1;
    this.endDim = options.endDim ?? -1;
  }

  forward(input: Tensor): Tensor {
    assertTensor(input, `${this.constructor.name}.forward`);
    return input.flatten(this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

/** Splits dim `dim` into `sizes` (torch.nn.Unflatten). */
export class Unflatten extends Module {
  /**
   * @param dim - The dim to expand.
   * @param unflattenedSize - Its new shape; the product must equal the size of `dim`.
   */
  constructor(readonly dim: number, readonly unflattenedSize: readonly number[]) {
    super();
  }

  forward(input: Tensor): Tensor {
    assertTensor(input, `${this.constructor.name}.forward`);
    return input.unflatten(this.dim, this.unflattenedSize);
  }

  override extraRepr(): string {
    return `dim=${this.dim}, unflattened_size=(${this.unflattenedSize.join(', ')}${this.unflattenedSize.length === 1 ? ',' : ''})`;
  }
}
