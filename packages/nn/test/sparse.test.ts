import { float64, fromValues, int64, manualSeed } from '@qtorch/qtensor';
import { describe, expect, it } from 'vitest';
import { Embedding, EmbeddingBag } from '../src/index.js';
import { checkGrads, expectAllClose, vals } from './helpers.js';

const idx = (v: number[], shape = [v.length]) => fromValues(v, shape, int64);

describe('Embedding', () => {
  it('looks up rows, keeps the index shape and zeroes the padding row', () => {
    manualSeed(3);
    const emb = new Embedding(5, 3, { paddingIdx: -1 });
    expect(emb.paddingIdx).toBe(4);
    const w = vals(emb.weight);
    expect(w.slice(12)).toEqual([0, 0, 0]);
    const y = emb.call(idx([1, 4, 0, 1], [2, 2]));
    expect(y.shape).toEqual([2, 2, 3]);
    expect(vals(y)).toEqual([1, 4, 0, 1].flatMap((r) => w.slice(r * 3, r * 3 + 3)));
  });

  it('draws the weight from N(0, 1)', () => {
    manualSeed(1);
    const w = vals(new Embedding(400, 5).weight);
    const mean = w.reduce((a, b) => a + b) / w.length;
    const variance = w.reduce((a, b) => a + (b - mean) ** 2, 0) / w.length;
    expect(Math.abs(mean)).toBeLessThan(0.1);
    expect(Math.abs(variance - 1)).toBeLessThan(0.1);
  });

  it('maxNorm renormalizes looked-up rows in place', () => {
    const weight = fromValues([3, 4, 0.3, 0.4, 6, 8], [3, 2]);
    const emb = Embedding.fromPretrained(weight, { maxNorm: 1 });
    expect(emb.weight.requiresGrad).toBe(false);
    const y = emb.call(idx([0, 1]));
    const s = 1 / (5 + 1e-7);
    expectAllClose(vals(y), [3 * s, 4 * s, 0.3, 0.4], 1e-6, 1e-7);
    // row 2 was not looked up, so it keeps its norm of 10
    expectAllClose(vals(emb.weight).slice(4), [6, 8], 0, 0);
  });

  it('sends gradients to the looked-up rows except the padding row', () => {
    const emb = new Embedding(4, 2, { paddingIdx: 0 });
    emb._apply((t) => t.to(float64));
    checkGrads(emb, [], () => emb.call(idx([1, 2, 1])));
    emb.zeroGrad();
    emb.call(idx([0, 3])).sum().backward();
    expect(vals(emb.weight.grad!)).toEqual([0, 0, 0, 0, 0, 0, 1, 1]);
  });

  it('prints like PyTorch', () => {
    expect(new Embedding(10, 3).toString()).toBe('Embedding(10, 3)');
    expect(new Embedding(10, 3, { paddingIdx: 0, maxNorm: 1, normType: 1, scaleGradByFreq: true }).toString())
      .toBe('Embedding(10, 3, padding_idx=0, max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True)');
    expect(() => new Embedding(10, 3, { paddingIdx: 10 })).toThrow(/Padding_idx must be within num_embeddings/);
  });
});

describe('EmbeddingBag', () => {
  const weight = fromValues([1, 2, 3, 4, 5, 6, 7, 8], [4, 2]);

  it('reduces bags given by offsets or by a 2-D input', () => {
    const bag = new EmbeddingBag(4, 2, { mode: 'sum', _weight: weight });
    expect(vals(bag.call(idx([0, 1, 3, 2]), idx([0, 3])))).toEqual([1 + 3 + 7, 2 + 4 + 8, 5, 6]);
    const mean = new EmbeddingBag(4, 2, { _weight: weight });
    expect(vals(mean.call(idx([0, 2, 1, 3], [2, 2])))).toEqual([3, 4, 5, 6]);
    const max = new EmbeddingBag(4, 2, { mode: 'max', _weight: weight });
    expect(vals(max.call(idx([0, 3, 1], [1, 3])))).toEqual([7, 8]);
    const weighted = bag.call(idx([0, 1]), idx([0]), fromValues([2, -1], [2]));
    expect(vals(weighted)).toEqual([2 * 1 - 3, 2 * 2 - 4]);
  });

  it('prints like PyTorch', () => {
    expect(new EmbeddingBag(10, 3).toString()).toBe('EmbeddingBag(10, 3, mode=mean)');
    expect(new EmbeddingBag(10, 3, { mode: 'sum', paddingIdx: 2 }).toString()).toBe('EmbeddingBag(10, 3, mode=sum, padding_idx=2)');
  });
});
