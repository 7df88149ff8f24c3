// conv_transpose2d against hand-computed values (no golden fixtures exist for it in PyTorch 1.13's build).
import { describe, expect, it } from 'vitest';
import { Tensor, convTranspose2dPrepack, makeQTensor, qint8, quantizedConvTranspose2d, quint8 } from '../src/index.js';

function w22(ints: number[], cin: number, cout: number): Tensor {
  const w = new Tensor(Int8Array.from(ints), qint8, [cin, cout, 2, 2]);
  w.quantizer = { qscheme: 'per_tensor_affine', scale: 0.25, zeroPoint: 0 };
  return w;
}

describe('quantized conv_transpose2d', () => {
  it('scatters each input pixel times the kernel (stride 2: no overlap)', () => {
    // x = [[1, 2], [3, 4]] (scale 0.5, zp 128), w = [[1, 2], [3, 4]] * 0.25, out scale 0.25
    const x = makeQTensor([1, 1, 2, 2], quint8, 0.5, 128, [130, 132, 134, 136]);
    const p = convTranspose2dPrepack(w22([1, 2, 3, 4], 1, 1), null, 2);
    const y = quantizedConvTranspose2d(x, p, 0.25, 0);
    expect(y.shape).toEqual([1, 1, 4, 4]);
    // y[2i + a, 2j + b] = x[i, j] * w[a, b] / 0.25 = x * wInt
    expect(Array.from(y.rawValues())).toEqual([1, 2, 2, 4, 3, 4, 6, 8, 3, 6, 4, 8, 9, 12, 12, 16]);
  });

  it('sums overlapping contributions (stride 1) and adds the bias', () => {
    const x = makeQTensor([1, 1, 1, 2], quint8, 0.5, 128, [130, 130]); // x = [1, 1]
    const b = Tensor.fromTypedArray(Float32Array.of(0.5), [1]);
    const p = convTranspose2dPrepack(w22([1, 1, 1, 1], 1, 1), b, 1);
    const y = quantizedConvTranspose2d(x, p, 0.25, 10);
    expect(y.shape).toEqual([1, 1, 2, 3]);
    // real: [0.25, 0.5, 0.25] per row + 0.5 bias = [0.75, 1, 0.75] -> /0.25 + 10
    expect(Array.from(y.rawValues())).toEqual([13, 14, 13, 13, 14, 13]);
  });
});
