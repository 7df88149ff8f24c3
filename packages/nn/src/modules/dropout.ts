/** Dropout modules (torch.nn.modules.dropout): active in training mode, the identity in eval mode. */
import { checkOptions, QTorchValueError, type Tensor } from '@qtorch/qtensor';
import * as F from '../functional/index.js';
import { Module } from '../module.js';
import { pyBool, pyFloat } from './_repr.js';

/** Options of the dropout modules. */
export interface DropoutModuleOptions {
  /** Probability of zeroing (default 0.5). */
  p?: number;
  /** Accepted for API parity; qtorch always returns a new tensor in training mode. */
  inplace?: boolean;
}

/** The shared `p` / `inplace` state and repr. @internal */
export abstract class _DropoutNd extends Module {
  readonly p: number;
  readonly inplace: boolean;
  constructor(options: DropoutModuleOptions = {}) {
    checkOptions(options, new.target.name);
    super();
    const p = options.p ?? 0.5;
    if (!(p >= 0 && p <= 1)) throw new QTorchValueError(`${new.target.name}(): dropout probability has to be between 0 and 1, but got ${p}`);
    this.p = p;
    this.inplace = options.inplace ?? false;
  }
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${pyBool(this.inplace)}`;
  }
}

/**
 * Zeroes elements with probability p in training mode, scaling the rest by 1 / (1 - p). In eval
 * mode it returns its input (quantized tensors included).
 */
export class Dropout extends _DropoutNd {
  forward(input: Tensor): Tensor {
    return F.dropout(input, { p: this.p, training: this.training });
  }
}

/** Zeroes whole channels of (N, C, L) input. */
export class Dropout1d extends _DropoutNd {
  forward(input: Tensor): Tensor {
    return F.dropout1d(input, { p: this.p, training: this.training });
  }
}

/** Zeroes whole channels of (N, C, H, W) input. */
export class Dropout2d extends _DropoutNd {
  forward(input: Tensor): Tensor {
    return F.dropout2d(input, { p: this.p, training: this.training });
  }
}

/** Zeroes whole channels of (N, C, D, H, W) input. */
export class Dropout3d extends _DropoutNd {
  forward(input: Tensor): Tensor {
    return F.dropout3d(input, { p: this.p, training: this.training });
  }
}
