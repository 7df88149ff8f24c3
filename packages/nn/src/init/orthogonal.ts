/** orthogonal_: a (semi-)orthogonal matrix from the QR decomposition of a Gaussian matrix. */
import { QTorchShapeError, type Tensor, defaultGenerator, fmtShape } from '@qtorch/qtensor';
import { type RandomFillOptions, writeInto } from './fill.js';

/**
 * Q of the thin QR decomposition of a tall (n x m, n >= m) row-major matrix, with R's diagonal
 * made positive; modified Gram-Schmidt yields exactly that factor (PyTorch multiplies
 * Householder's Q by sign(diag(R)) to reach the same one).
 */
function thinQ(a: Float64Array, n: number, m: number): Float64Array {
  const q = Float64Array.from(a);
  for (let j = 0; j < m; j++) {
    for (let k = 0; k < j; k++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += q[i * m + k]! * q[i * m + j]!;
      for (let i = 0; i < n; i++) q[i * m + j]! -= dot * q[i * m + k]!;
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += q[i * m + j]! ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) q[i * m + j] = norm > 0 ? q[i * m + j]! / norm : 0;
  }
  return q;
}

/**
 * Fills `t` (at least 2-D; trailing dims flattened) with a (semi-)orthogonal matrix times `gain`
 * (default 1): rows orthonormal if rows <= cols, columns orthonormal otherwise.
 */
export function orthogonal_(t: Tensor, options: RandomFillOptions & { gain?: number } = {}): Tensor {
  const { gain = 1, generator = defaultGenerator } = options;
  if (t.ndim < 2) throw new QTorchShapeError(`orthogonal_(): Only tensors with 2 or more dimensions are supported, got shape ${fmtShape(t.shape)}`);
  if (t.numel() === 0) return t;
  const rows = t.shape[0]!, cols = t.numel() / rows;
  const tall = rows >= cols;
  const n = tall ? rows : cols, m = tall ? cols : rows;
  // draw the (rows x cols) matrix, factor it (transposed when wide), write Q back in (rows x cols) order
  const flat = Float64Array.from({ length: rows * cols }, () => generator.normal());
  const a = tall ? flat : Float64Array.from({ length: n * m }, (_, idx) => flat[(idx % m) * cols + Math.floor(idx / m)]!);
  const q = thinQ(a, n, m);
  const out = tall ? q : Float64Array.from({ length: rows * cols }, (_, idx) => q[(idx % cols) * m + Math.floor(idx / cols)]!);
  for (let i = 0; i < out.length; i++) out[i]! *= gain;
  return writeInto(t, out);
}
