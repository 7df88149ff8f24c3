/** Upsample (torch.nn.Upsample): `F.interpolate` as a module. */
import { checkOptions, QTorchValueError, type Tensor } from '@qtorch/qtensor';
import * as F from '../functional/index.js';
import { Module } from '../module.js';
import { pyFloat, pyTuple } from './_repr.js';

/** Options of `Upsample` (exactly one of `size` / `scaleFactor`). */
export interface UpsampleOptions {
  /** Output spatial size (one number or one per dim); exclusive with `scaleFactor`. */
  size?: number | readonly number[] | null;
  /** Multiplier of the spatial size; exclusive with `size`. */
  scaleFactor?: number | readonly number[] | null;
  /** Default 'nearest'. */
  mode?: F.InterpolateMode;
  /** For the linear modes: align the corner pixels of input and output. */
  alignCorners?: boolean | null;
  /** Recompute the scale from the output size in the interpolation (PyTorch's `recompute_scale_factor`). */
  recomputeScaleFactor?: boolean | null;
}

/**
 * Resizes (N, C, *spatial) input by `scaleFactor` or to `size`; 'nearest' also resizes quantized input.
 * @example new Upsample({ scaleFactor: 2, mode: 'bilinear' })
 */
export class Upsample extends Module {
  /** Output spatial size, or null when `scaleFactor` is set. */
  size: number | number[] | null;
  /** Spatial size multiplier, or null when `size` is set. */
  scaleFactor: number | number[] | null;
  /** Interpolation mode (default `'nearest'`). */
  mode: F.InterpolateMode;
  /** Corner alignment of the linear modes (null: PyTorch's default). */
  alignCorners: boolean | null;
  /** See {@link UpsampleOptions.recomputeScaleFactor}. */
  recomputeScaleFactor: boolean | null;

  /** @param options - `size` or `scaleFactor`, `mode`, `alignCorners`, `recomputeScaleFactor` (torch.nn.Upsample's arguments). */
  constructor(options: UpsampleOptions = {}) {
    checkOptions(options, new.target.name);
    super();
    const toVal = <T>(v: T | readonly T[] | null | undefined): T | T[] | null => (v === undefined || v === null ? null : Array.isArray(v) ? [...v] : (v as T));
    this.size = toVal(options.size);
    this.scaleFactor = toVal(options.scaleFactor);
    if ((this.size === null) === (this.scaleFactor === null)) {
      throw new QTorchValueError('Upsample(): exactly one of size and scaleFactor must be given');
    }
    this.mode = options.mode ?? 'nearest';
    this.alignCorners = options.alignCorners ?? null;
    this.recomputeScaleFactor = options.recomputeScaleFactor ?? null;
  }

  forward(input: Tensor): Tensor {
    const opts: F.InterpolateOptions = { mode: this.mode, alignCorners: this.alignCorners, recomputeScaleFactor: this.recomputeScaleFactor };
    if (this.size !== null) opts.size = this.size;
    else opts.scaleFactor = this.scaleFactor!;
    return F.interpolate(input, opts);
  }

  override extraRepr(): string {
    // PyTorch stores a scalar scale factor as a float, so it prints `2.0`
    const info = this.scaleFactor !== null
      ? `scale_factor=${typeof this.scaleFactor === 'number' ? pyFloat(this.scaleFactor) : `(${this.scaleFactor.map(pyFloat).join(', ')}${this.scaleFactor.length === 1 ? ',' : ''})`}`
      : `size=${typeof this.size === 'number' ? this.size : pyTuple(this.size!)}`;
    return `${info}, mode=${this.mode}`;
  }
}
