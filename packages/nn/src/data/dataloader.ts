/**
 * A DataLoader-like batched iterator (torch.utils.data.DataLoader, single process): optional
 * seeded shuffling (a new permutation per epoch), `batchSize`, `dropLast` and a collate function.
 */
import { checkOptions, type Generator, QTorchValueError, type Tensor, defaultGenerator, stack } from '@qtorch/qtensor';
import type { Dataset } from './dataset.js';

/** Options of `DataLoader`. */
export interface DataLoaderOptions<T, B> {
  /** Samples per batch (default 1). */
  batchSize?: number;
  /** Visit samples in a new random order every epoch (default false). */
  shuffle?: boolean;
  /** Skip the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Random source of the shuffling (default: qtensor's seeded global generator). */
  generator?: Generator;
  /** Merges a list of samples into a batch (default: `defaultCollate`). */
  collateFn?: (samples: T[]) => B;
}

/**
 * PyTorch's default collation for tensor samples: a sample that is a tensor stacks into one
 * batch tensor; a sample that is an array of tensors stacks field by field.
 */
export function defaultCollate<T>(samples: T[]): unknown {
  const first = samples[0];
  if (Array.isArray(first)) return first.map((_, k) => stack(samples.map((s) => (s as unknown as Tensor[])[k]!), 0));
  return stack(samples as unknown as Tensor[], 0);
}

/** A random permutation of 0..n-1 (Fisher-Yates with the given generator). */
export function randperm(n: number, generator: Generator = defaultGenerator): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = generator.randint(0, i + 1);
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

/**
 * Iterates over a dataset in batches; iterating again starts a new epoch.
 * @example
 * for (const [x, y] of new DataLoader(new TensorDataset(xs, ys), { batchSize: 32, shuffle: true })) { ... }
 */
export class DataLoader<T = Tensor[], B = T extends Tensor[] ? Tensor[] : Tensor> implements Iterable<B> {
  /** The dataset the batches are read from. */
  readonly dataset: Dataset<T>;
  /** Samples per batch (default 1). */
  readonly batchSize: number;
  /** Whether each epoch visits the samples in a fresh random order (drawn from `generator`). */
  readonly shuffle: boolean;
  /** Whether a last batch smaller than `batchSize` is dropped. */
  readonly dropLast: boolean;
  /** The random generator used for shuffling (torch.Generator). */
  readonly generator: Generator;
  private readonly collate: (samples: T[]) => B;

  /**
   * @param dataset - The map-style dataset to batch.
   * @param options - `batchSize`, `shuffle`, `dropLast`, `generator`, `collateFn` (torch.utils.data.DataLoader's arguments).
   * @throws QTorchValueError for an unknown option or a batch size that is not a positive integer.
   */
  constructor(dataset: Dataset<T>, options: DataLoaderOptions<T, B> = {}) {
    checkOptions(options, 'DataLoader');
    this.dataset = dataset;
    this.batchSize = options.batchSize ?? 1;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new QTorchValueError(`DataLoader(): batch_size should be a positive integer value, but got batch_size=${this.batchSize}`);
    this.shuffle = options.shuffle ?? false;
    this.dropLast = options.dropLast ?? false;
    this.generator = options.generator ?? defaultGenerator;
    this.collate = options.collateFn ?? (defaultCollate as (s: T[]) => B);
  }

  /** Number of batches per epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** Yields one epoch of batches (collated samples); each iteration reshuffles when `shuffle` is set. */
  *[Symbol.iterator](): Iterator<B> {
    const n = this.dataset.length;
    const order = this.shuffle ? randperm(n, this.generator) : Array.from({ length: n }, (_, i) => i);
    for (let start = 0; start < n; start += this.batchSize) {
      const idx = order.slice(start, start + this.batchSize);
      if (this.dropLast && idx.length < this.batchSize) break;
      yield this.collate(idx.map((i) => this.dataset.get(i)));
    }
  }
}
