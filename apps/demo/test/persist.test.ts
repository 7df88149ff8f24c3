import { describe, expect, it } from 'vitest';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manualSeed, randn } from '@qtorch/qtensor';
import { Linear } from '@qtorch/nn';
import { type CheckpointKey, checkpointPath, saveCheckpoint, tryLoadCheckpoint } from '../src/checkpoint.js';
import { loadModel, outputsIdentical, saveModel } from '../src/persist.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'demo-persist-'));

describe('saveModel / loadModel', () => {
  it('round-trips a state dict through a safetensors file and reports its size', () => {
    manualSeed(1);
    const a = new Linear(3, 2), b = new Linear(3, 2);
    const path = join(tmp(), 'sub', 'a.safetensors');
    const size = saveModel(a, path, { note: 'x' });
    expect(size).toBe(statSync(path).size);
    // 8 float32 values = 32 bytes of data plus the JSON header.
    expect(size).toBeGreaterThan(32);
    const x = randn([4, 3]);
    expect(outputsIdentical(a, b, x)).toBe(false);
    expect(loadModel(b, path)).toEqual({ note: 'x' });
    expect(outputsIdentical(a, b, x)).toBe(true);
    expect(b.weight.toArray()).toEqual(a.weight.toArray());
  });
  it('refuses a state dict of another structure', () => {
    const path = join(tmp(), 'a.safetensors');
    saveModel(new Linear(3, 2), path);
    expect(() => loadModel(new Linear(4, 2), path)).toThrow(/size mismatch for weight/);
  });
});

describe('checkpoints', () => {
  const key: CheckpointKey = { model: 'lin', dataset: 'mnist', seed: 0, split: '10-1-1', epochs: 1, config: '{}' };

  it('loads only a checkpoint written for the same key', () => {
    const dir = tmp();
    manualSeed(2);
    const trained = new Linear(3, 2);
    saveCheckpoint(trained, dir, key);
    const fresh = new Linear(3, 2);
    expect(tryLoadCheckpoint(fresh, dir, key)).toBe(true);
    expect(fresh.weight.toArray()).toEqual(trained.weight.toArray());

    const other = new Linear(3, 2);
    const before = other.weight.toArray();
    expect(tryLoadCheckpoint(other, dir, { ...key, epochs: 2 })).toBe(false);
    // The config is not in the file name: the same file is found, but the key recorded inside differs.
    expect(checkpointPath(dir, { ...key, config: '{"lr":1}' })).toBe(checkpointPath(dir, key));
    expect(tryLoadCheckpoint(other, dir, { ...key, config: '{"lr":1}' })).toBe(false);
    expect(other.weight.toArray()).toEqual(before);
  });
  it('restores the model when the file holds another structure', () => {
    const dir = tmp();
    saveCheckpoint(new Linear(4, 2), dir, key);
    const m = new Linear(3, 2);
    const before = m.weight.toArray();
    expect(tryLoadCheckpoint(m, dir, key)).toBe(false);
    expect(m.weight.toArray()).toEqual(before);
  });
  it('treats an unreadable file as absent', () => {
    const dir = tmp();
    writeFileSync(checkpointPath(dir, key), 'garbage');
    expect(tryLoadCheckpoint(new Linear(3, 2), dir, key)).toBe(false);
  });
});

