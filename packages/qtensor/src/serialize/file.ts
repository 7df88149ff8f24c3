/**
 * Node file helpers over the platform-neutral serializers (the only serialize module that
 * touches `node:fs`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Tensor } from '../tensor.js';
import { type SafetensorsContents, type SaveSafetensorsOptions, loadSafetensors, saveSafetensors } from './safetensors.js';
import { type TorchValue, loadTorchFile } from './torch_load.js';

/** Reads a file into a Uint8Array over its own buffer. */
function readBytes(path: string): Uint8Array {
  const b = readFileSync(path);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Writes tensors to a safetensors file (`safetensors.torch.save_file`). */
export function saveFile(path: string, tensors: Record<string, Tensor>, opts: SaveSafetensorsOptions = {}): void {
  writeFileSync(path, saveSafetensors(tensors, opts));
}

/** Reads a safetensors file (`safetensors.torch.load_file`, plus its metadata). */
export function loadFile(path: string): SafetensorsContents {
  return loadSafetensors(readBytes(path));
}

/** Reads a PyTorch checkpoint file written by `torch.save` (see `loadTorchFile`). */
export function loadTorch(path: string): TorchValue {
  return loadTorchFile(readBytes(path));
}
