/**
 * Node file helpers over the platform-neutral serializers (the only serialize module that
 * touches `node:fs`).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { checkOptions, describeValue } from '../args.js';
import { QTorchTypeError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { type SafetensorsContents, type SaveSafetensorsOptions, loadSafetensors, saveSafetensors } from './safetensors.js';
import { type TorchValue, loadTorchFile } from './torch_load.js';

/** Throws unless `path` is a non-empty string (Node's own error would not name the qtorch op). */
function checkPath(path: unknown, op: string): asserts path is string {
  if (typeof path !== 'string' || path === '') {
    throw new QTorchTypeError(`${op}(): expected a file path (a non-empty string), got ${describeValue(path)}`);
  }
}

/** Reads a file into a Uint8Array over its own buffer. */
function readBytes(path: string, op: string): Uint8Array {
  checkPath(path, op);
  const b = readFileSync(path);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Removes `path` if it exists; cleanup after a failed write must not mask the write's error. */
function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    /* already gone, or the directory vanished: nothing left to clean */
  }
}

/** Flushes a directory entry (the rename) to disk where the platform allows opening directories. */
function fsyncDirQuietly(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    /* Windows and some file systems cannot fsync a directory; the rename is still atomic */
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Writes `data` to `path` atomically: the bytes go to a new temporary file in the same
 * directory (`.<name>.<random>.tmp`), are fsynced, and the temporary file is then renamed over
 * `path`. A failure or crash at any point leaves the previous `path` untouched (a crash may
 * leave the temporary file behind; a thrown error removes it), so a reader never sees a
 * truncated file. Every qtorch file writer goes through this.
 */
export function writeFileAtomic(path: string, data: Uint8Array): void {
  checkPath(path, 'writeFileAtomic');
  if (!(data instanceof Uint8Array)) throw new QTorchTypeError(`writeFileAtomic(): expected the data as a Uint8Array, got ${describeValue(data)}`);
  const target = resolve(path);
  const dir = dirname(target);
  const tmp = join(dir, `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  // 'wx': never follow or reuse an existing file under the temporary name
  const fd = openSync(tmp, 'wx', 0o644);
  try {
    try {
      for (let off = 0; off < data.byteLength; ) off += writeSync(fd, data, off, data.byteLength - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
  } catch (err) {
    unlinkQuietly(tmp);
    throw err;
  }
  fsyncDirQuietly(dir);
}

/** Writes tensors to a safetensors file (`safetensors.torch.save_file`), atomically (see `writeFileAtomic`). */
export function saveFile(path: string, tensors: Record<string, Tensor>, opts: SaveSafetensorsOptions = {}): void {
  checkOptions(opts, 'saveFile');
  checkPath(path, 'saveFile');
  writeFileAtomic(path, saveSafetensors(tensors, opts));
}

/** Reads a safetensors file (`safetensors.torch.load_file`, plus its metadata). */
export function loadFile(path: string): SafetensorsContents {
  return loadSafetensors(readBytes(path, 'loadFile'));
}

/** Reads a PyTorch checkpoint file written by `torch.save` (see `loadTorchFile`). */
export function loadTorch(path: string): TorchValue {
  return loadTorchFile(readBytes(path, 'loadTorch'));
}
