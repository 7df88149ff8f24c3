/**
 * Measuring one model: test accuracy, size of its saved state dict, whether a model of the
 * same structure reloaded from that file computes identical outputs, and latency.
 */
import { join } from 'node:path';
import { noGrad } from '@qtorch/qtensor';
import type { Module } from '@qtorch/nn';
import type { DemoData } from './data.js';
import { medianLatencyMs } from './measure.js';
import { loadModel, outputsIdentical, saveModel } from './persist.js';
import { accuracy } from './train.js';

/** The numbers of one table row. */
export interface Measured {
  accuracy: number;
  sizeBytes: number;
  reloadIdentical: boolean;
  batchMs: number;
  imageMs: number;
  /** Time spent measuring. */
  ms: number;
}

/** Where files go and how latency is timed. */
export interface MeasureOptions {
  outDir: string;
  evalBatch: number;
  latencyBatch: number;
  latencyBudgetMs: number;
}

/**
 * Measures `model`: accuracy on the test split, saves it to `outDir/file`, loads the file
 * into `skeleton()` and compares outputs on a test batch, then times inference.
 */
export async function measureModel(
  model: Module, skeleton: () => Promise<Module>, data: DemoData, file: string, options: MeasureOptions,
): Promise<Measured> {
  const t0 = performance.now();
  model.eval();
  const acc = accuracy(model, data.test, options.evalBatch);
  const path = join(options.outDir, file);
  const sizeBytes = saveModel(model, path);
  const reloaded = await skeleton();
  loadModel(reloaded, path);
  const batch = data.test.images.narrow(0, 0, Math.min(options.latencyBatch, data.test.images.shape[0]!));
  const reloadIdentical = outputsIdentical(model, reloaded, batch);
  const one = batch.narrow(0, 0, 1);
  const timing = { budgetMs: options.latencyBudgetMs };
  const batchMs = medianLatencyMs(() => noGrad(() => model.call(batch)), timing);
  const imageMs = medianLatencyMs(() => noGrad(() => model.call(one)), timing);
  return { accuracy: acc, sizeBytes, reloadIdentical, batchMs, imageMs, ms: performance.now() - t0 };
}
