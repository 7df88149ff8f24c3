/**
 * Saving and reloading models the way PyTorch documents it for quantized models: the state
 * dict goes to a file (safetensors; quantized tensors keep their integer data and qparams),
 * and a model of the same structure loads it back with `loadStateDict`.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { type Tensor, loadFile, noGrad, saveFile } from '@qtorch/qtensor';
import type { Module } from '@qtorch/nn';

/** Writes `model.stateDict()` to `path`; returns the file size in bytes. */
export function saveModel(model: Module, path: string, metadata: Record<string, string> = {}): number {
  mkdirSync(dirname(path), { recursive: true });
  saveFile(path, model.stateDict(), { metadata });
  return statSync(path).size;
}

/** Loads the state dict in `path` into `model` (strict: every key must match); returns the file's metadata. */
export function loadModel(model: Module, path: string): Record<string, string> {
  const { tensors, metadata } = loadFile(path);
  model.loadStateDict(tensors, { strict: true });
  return metadata;
}

/** Whether two models give bit-identical outputs on `x` (same shape, every float equal). */
export function outputsIdentical(a: Module, b: Module, x: Tensor): boolean {
  a.eval();
  b.eval();
  const [ya, yb] = noGrad(() => [a.call(x) as Tensor, b.call(x) as Tensor]);
  if (ya.shape.join() !== yb.shape.join()) return false;
  const va = ya.toArray(), vb = yb.toArray();
  return va.every((v, i) => Object.is(v, vb[i]));
}
