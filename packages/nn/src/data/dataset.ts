/** Datasets (torch.utils.data.Dataset / TensorDataset). */
import { QTorchShapeError, QTorchValueError, type Tensor, fmtShape } from '@qtorch/qtensor';

/** A map-style dataset: `length` samples, read by index. */
export interface Dataset<T> {
  /** Number of samples. */
  readonly length: number;
  /** The sample at `index` (0 <= index < length). */
  get(index: number): T;
}

/**
 * Samples are the i-th rows (along dim 0) of the given tensors, e.g. `[input, target]`.
 * @example const ds = new TensorDataset(x, y); const [xi, yi] = ds.get(0);
 */
export class TensorDataset implements Dataset<Tensor[]> {
  /** The tensors sampled, all with the same size of dim 0. */
  readonly tensors: Tensor[];

  /**
   * @param tensors - Tensors sharing their first dimension (the sample index).
   * @throws QTorchValueError when no tensor is given; QTorchShapeError when the first dims differ.
   */
  constructor(...tensors: Tensor[]) {
    if (tensors.length === 0) throw new QTorchValueError('TensorDataset(): at least one tensor is required');
    const n = tensors[0]!.shape[0];
    if (tensors.some((t) => t.ndim === 0 || t.shape[0] !== n)) {
      throw new QTorchShapeError(`TensorDataset(): Size mismatch between tensors: first dims ${tensors.map((t) => fmtShape(t.shape)).join(', ')}`);
    }
    this.tensors = tensors;
  }

  /** Number of samples: the size of dim 0 of the tensors. */
  get length(): number {
    return this.tensors[0]!.shape[0]!;
  }

  /** Row `index` of each tensor (`tensors.map((t) => t[index])`). */
  get(index: number): Tensor[] {
    const n = this.length;
    const i = index < 0 ? index + n : index;
    if (!Number.isInteger(index) || i < 0 || i >= n) throw new QTorchValueError(`TensorDataset.get(): index ${index} is out of range for ${n} samples`);
    return this.tensors.map((t) => t.select(0, i));
  }
}
