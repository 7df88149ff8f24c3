import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QTorchValueError } from '@qtorch/qtensor';
import { type RawImages, loadFashionMnist, loadMnistDigits, parseIdx, seededSplit } from '../src/data.js';

/** An IDX file by hand: magic 0x00 0x00 0x08 ndim, big-endian uint32 dims, uint8 data. */
function idx(dims: number[], data: number[]): Uint8Array {
  const head = [0, 0, 0x08, dims.length];
  for (const d of dims) head.push((d >>> 24) & 255, (d >>> 16) & 255, (d >>> 8) & 255, d & 255);
  return Uint8Array.from([...head, ...data]);
}

/** A tiny raw set: image i has every pixel equal to i / 100 and label i % 10. */
function tinyRaw(n: number): RawImages {
  const pixels = new Float32Array(n * 784);
  for (let i = 0; i < n; i++) pixels.fill(i / 100, i * 784, (i + 1) * 784);
  return { name: 'mnist', pixels, labels: Uint8Array.from({ length: n }, (_, i) => i % 10), mean: 0, std: 1 };
}

describe('parseIdx', () => {
  it('reads dims and payload of a hand-built file', () => {
    const { dims, data } = parseIdx(idx([2, 3], [1, 2, 3, 4, 5, 6, 99]));
    expect(dims).toEqual([2, 3]);
    expect([...data]).toEqual([1, 2, 3, 4, 5, 6]);
  });
  it('rejects a wrong magic and a truncated payload', () => {
    expect(() => parseIdx(Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 1, 5]))).toThrow(/unsigned-byte IDX/);
    expect(() => parseIdx(idx([4], [1, 2]))).toThrow(QTorchValueError);
    expect(() => parseIdx(idx([4], [1, 2]))).toThrow(/truncated.*need 12 bytes, got 10/);
  });
});

describe('loadFashionMnist', () => {
  it('decodes gzipped IDX train + t10k files into [0, 1] pixels and labels', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fashion-'));
    const img = (v: number) => new Array(784).fill(v);
    writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(idx([2, 28, 28], [...img(0), ...img(255)])));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(idx([2], [3, 7])));
    writeFileSync(join(dir, 't10k-images-idx3-ubyte.gz'), gzipSync(idx([1, 28, 28], img(51))));
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), gzipSync(idx([1], [9])));
    const raw = loadFashionMnist(dir);
    expect(raw.name).toBe('fashion-mnist');
    expect([...raw.labels]).toEqual([3, 7, 9]);
    expect([raw.pixels[0], raw.pixels[784], raw.pixels[2 * 784 + 5]]).toEqual([0, 1, Math.fround(0.2)]);
  });
  it('names the Debian package when the files are missing', () => {
    expect(() => loadFashionMnist('/nonexistent-dir')).toThrow(/dataset-fashion-mnist/);
  });
});

describe('seededSplit', () => {
  it('cuts disjoint parts of the requested sizes, reproducibly per seed', () => {
    const raw = tinyRaw(50);
    const a = seededSplit(raw, { train: 30, calib: 5, test: 10 }, 7);
    const b = seededSplit(raw, { train: 30, calib: 5, test: 10 }, 7);
    const c = seededSplit(raw, { train: 30, calib: 5, test: 10 }, 8);
    // Each image is identified by its constant pixel value i / 100.
    const ids = (s: typeof a.train) => {
      const v = s.images.toArray();
      return Array.from({ length: s.labels.shape[0]! }, (_, i) => Math.round(v[i * 784]! * 100));
    };
    expect(a.train.images.shape).toEqual([30, 1, 28, 28]);
    expect(a.calib.labels.shape).toEqual([5]);
    expect(a.test.labels.dtype.name).toBe('int64');
    const all = [...ids(a.train), ...ids(a.calib), ...ids(a.test)];
    expect(new Set(all).size).toBe(45);
    expect(ids(b.train)).toEqual(ids(a.train));
    expect(ids(c.train)).not.toEqual(ids(a.train));
    // Labels travel with their images.
    expect(a.test.labels.toArray()).toEqual(ids(a.test).map((i) => i % 10));
  });
  it('normalizes with the dataset mean and std', () => {
    const raw = { ...tinyRaw(3), mean: 0.01, std: 0.5 };
    const s = seededSplit(raw, { train: 3, calib: 0, test: 0 }, 0);
    const firstPixels = [0, 1, 2].map((i) => s.train.images.toArray()[i * 784]!).sort((x, y) => x - y);
    [(0 - 0.01) / 0.5, (0.01 - 0.01) / 0.5, (0.02 - 0.01) / 0.5].forEach((want, i) => expect(firstPixels[i]).toBeCloseTo(want, 6));
  });
  it('refuses a split larger than the data', () => {
    expect(() => seededSplit(tinyRaw(10), { train: 8, calib: 2, test: 1 }, 0)).toThrow(/has 10 images, the split asks for 11/);
  });
});

describe('loadMnistDigits', () => {
  it('has the 10,000 digits of the mnist package, every class, pixels in [0, 1]', () => {
    const raw = loadMnistDigits();
    expect(raw.labels.length).toBe(10_000);
    expect(raw.pixels.length).toBe(10_000 * 784);
    const counts = new Array(10).fill(0);
    for (const l of raw.labels) counts[l]++;
    expect(counts.every((c) => c > 0)).toBe(true);
    let min = Infinity, max = -Infinity;
    for (const p of raw.pixels) { if (p < min) min = p; if (p > max) max = p; }
    expect([min, max]).toEqual([0, 1]);
  });
});
