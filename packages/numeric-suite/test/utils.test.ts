import { describe, expect, it } from 'vitest';
import { goldenCase, tensorFromGolden } from '@qtorch/testing';
import { QTorchShapeError, QTorchTypeError, quantizePerTensor, quint8, tensor } from '@qtorch/qtensor';
import { computeCosineSimilarity, computeNormalizedL2Error, computeSqnr } from '../src/index.js';

describe('metrics (hand-computed references)', () => {
  const x = tensor([1, 2, 3, 4]);
  const y = tensor([1, 2, 3, 5]);

  it('computeSqnr is 20 log10(||x|| / ||x - y||)', () => {
    // ||x|| = sqrt(30), ||x - y|| = 1
    expect(computeSqnr(x, y)).toBeCloseTo(10 * Math.log10(30), 12);
  });

  it('computeNormalizedL2Error is sqrt(sum (x-y)^2 / sum x^2)', () => {
    expect(computeNormalizedL2Error(x, y)).toBeCloseTo(Math.sqrt(1 / 30), 12);
  });

  it('computeCosineSimilarity flattens both tensors', () => {
    const a = tensor([[1, 2], [3, 4]]);
    expect(computeCosineSimilarity(a, y)).toBeCloseTo(34 / Math.sqrt(30 * 39), 12);
    expect(computeCosineSimilarity(x, tensor([-1, -2, -3, -4]))).toBeCloseTo(-1, 12);
  });

  it('identical tensors: infinite SQNR, zero error, cosine 1', () => {
    expect(computeSqnr(x, x)).toBe(Infinity);
    expect(computeNormalizedL2Error(x, x)).toBe(0);
    expect(computeCosineSimilarity(x, x)).toBeCloseTo(1, 14);
  });

  it('a zero vector gives cosine 0 (eps clamp, as F.cosine_similarity)', () => {
    expect(computeCosineSimilarity(tensor([0, 0]), tensor([1, 1]))).toBe(0);
  });

  it('dequantizes quantized arguments', () => {
    const q = quantizePerTensor(tensor([0.1, 0.52, -0.3, 0.9]), 0.1, 10, quint8);
    // dequantized: 0.1, 0.5, -0.3, 0.9 (float32)
    const deq = [0.1, 0.5, -0.3, 0.9].map(Math.fround);
    const xs = [0.1, 0.52, -0.3, 0.9].map(Math.fround);
    let sx = 0, sd = 0;
    xs.forEach((v, i) => { sx += v * v; sd += (v - deq[i]!) ** 2; });
    expect(computeSqnr(tensor([0.1, 0.52, -0.3, 0.9]), q)).toBeCloseTo(20 * Math.log10(Math.sqrt(sx) / Math.sqrt(sd)), 9);
  });

  it('compares lists pairwise', () => {
    const r = computeSqnr([x, x], [y, x]);
    expect(r).toHaveLength(2);
    expect(r[0]).toBeCloseTo(10 * Math.log10(30), 12);
    expect(r[1]).toBe(Infinity);
  });

  it('rejects mismatched sizes and types with the op name', () => {
    expect(() => computeSqnr(x, tensor([1, 2]))).toThrow(QTorchShapeError);
    expect(() => computeSqnr(x, tensor([1, 2]))).toThrow(/computeSqnr\(\).*\[4\].*\[2\]/);
    expect(() => computeSqnr([x], x)).toThrow(QTorchTypeError);
    expect(() => computeSqnr([x], [x, x])).toThrow(/lengths/);
  });
});

describe('metrics vs PyTorch (golden area G)', () => {
  it('computeSqnr reproduces the SQNR of every weight and activation within 1e-3 dB', () => {
    let checked = 0;
    for (const name of ['compare_weights_qnnpack_on_qnnpack', 'compare_weights_fbgemm_on_onednn']) {
      for (const [key, e] of Object.entries(goldenCase('numeric_suite/numeric_suite.json', name).expected.weights as Record<string, any>)) {
        expect(Math.abs(computeSqnr(tensorFromGolden(e.float), tensorFromGolden(e.quantized)) - e.sqnr), `${name} ${key}`).toBeLessThan(1e-3);
        checked++;
      }
    }
    for (const name of ['compare_model_outputs_qnnpack_on_qnnpack', 'compare_model_outputs_fbgemm_on_onednn']) {
      for (const [key, e] of Object.entries(goldenCase('numeric_suite/numeric_suite.json', name).expected.outputs as Record<string, any>)) {
        (e.sqnr as number[]).forEach((s, i) => {
          expect(Math.abs(computeSqnr(tensorFromGolden(e.float[i]), tensorFromGolden(e.quantized[i])) - s), `${name} ${key}`).toBeLessThan(1e-3);
          checked++;
        });
      }
    }
    expect(checked).toBe(16);
  });
});
