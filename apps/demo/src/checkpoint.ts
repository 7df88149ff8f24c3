/**
 * Float-model checkpoints written by the demo itself. A checkpoint is reused only when it was
 * trained on the same data split with the same settings (recorded in the file's metadata),
 * so a reloaded model is never evaluated on images it was trained on.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Module } from '@qtorch/nn';
import { type SafetensorsContents, loadFile } from '@qtorch/qtensor';
import { saveModel } from './persist.js';

const METADATA_KEY = 'qtorch.demo.checkpoint';

/** Everything a trained model depends on. */
export interface CheckpointKey {
  model: string;
  dataset: string;
  seed: number;
  /** Train / calib / test sizes (they decide which images are in the training set). */
  split: string;
  epochs: number;
  /** Architecture and optimizer settings. */
  config: string;
}

/** The checkpoint file for `key` in `dir`. */
export function checkpointPath(dir: string, key: CheckpointKey): string {
  return join(dir, `${key.model}-${key.dataset}-${key.split}-e${key.epochs}-s${key.seed}.safetensors`);
}

/** Loads the checkpoint into `model` if it exists and was written for exactly `key`; returns whether it did. */
export function tryLoadCheckpoint(model: Module, dir: string, key: CheckpointKey): boolean {
  const path = checkpointPath(dir, key);
  if (!existsSync(path)) return false;
  // An unreadable or incompatible file is treated as absent: the model is retrained and the file rewritten.
  let contents: SafetensorsContents;
  try {
    contents = loadFile(path);
  } catch {
    return false;
  }
  if (contents.metadata[METADATA_KEY] !== JSON.stringify(key)) return false;
  // stateDict() shares storage with the parameters: keep real copies to restore after a failed load.
  const backup = Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, t.clone()]));
  try {
    model.loadStateDict(contents.tensors);
    return true;
  } catch {
    model.loadStateDict(backup);
    return false;
  }
}

/** Saves `model` as the checkpoint for `key`. */
export function saveCheckpoint(model: Module, dir: string, key: CheckpointKey): string {
  const path = checkpointPath(dir, key);
  saveModel(model, path, { [METADATA_KEY]: JSON.stringify(key) });
  return path;
}
