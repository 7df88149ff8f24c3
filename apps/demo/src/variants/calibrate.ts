/** Calibration: running data through a prepared (observed) model so its observers see real activations. */
import type { Module } from '@qtorch/nn';
import type { Split } from '../data.js';
import { batches, runOver } from '../train.js';
import type { VariantContext } from './types.js';

/** Runs the calibration split through `prepared`, with a progress bar labelled `label`. */
export function calibrate(prepared: Module, ctx: VariantContext, label: string): void {
  prepared.eval();
  runOver(prepared, ctx.data.calib, ctx.settings.evalBatch, { label, sink: ctx.sink });
}

/** One small batch of calibration data: enough for a skeleton's observers to produce valid qparams. */
export function calibrateSkeleton(prepared: Module, split: Split): void {
  prepared.eval();
  const [x] = batches(split, 2).next().value!;
  prepared.call(x);
}
