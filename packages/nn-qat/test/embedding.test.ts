import { describe, expect, it } from 'vitest';
import { Embedding as FloatEmbedding, EmbeddingBag as FloatEmbeddingBag } from '@qtorch/nn';
import { type Tensor, int64, manualSeed, noGrad, tensor } from '@qtorch/qtensor';
import { defaultEmbeddingQatQconfig, defaultQatQconfig } from '@qtorch/quantization';
import { Embedding, EmbeddingBag } from '../src/index.js';
import { channelRanges, maxAbsDiff, rint } from './reference.js';

const f32 = Math.fround;

/**
 * Per-row float-qparams fake quantization written out (quint8 0..255): scale = (max - min) / 255,
 * zero point = -min / scale (a float), q = rint(zp + x / scale), y = (clamp(q) - zp) * scale.
 */
function fakeQuantRows(w: Tensor): Float64Array {
  const v = w.values(), rows = w.shape[0]!, dim = w.shape[1]!;
  const out = new Float64Array(v.length);
  channelRanges(v, rows).forEach(([lo, hi], r) => {
    let scale = f32(f32(hi - lo) / 255);
    if (!(scale > 1.1920928955078125e-7)) scale = 1;
    const zp = f32(f32(-lo) / scale);
    for (let j = r * dim; j < (r + 1) * dim; j++) {
      const q = rint(f32(zp + f32(v[j]! * f32(1 / scale))));
      out[j] = f32((Math.min(Math.max(q, 0), 255) - zp) * scale);
    }
  });
  return out;
}

const idx = (rows: number[][] | number[]): Tensor => tensor(rows, { dtype: int64 });

describe('qat Embedding / EmbeddingBag', () => {
  it('Embedding looks rows up from the fake-quantized weight', () => {
    manualSeed(40);
    const emb = new Embedding(7, 5, { qconfig: defaultEmbeddingQatQconfig });
    const wq = fakeQuantRows(emb.weight);
    const input = idx([[0, 3], [6, 3]]);
    const y = emb.call(input);
    expect(y.shape).toEqual([2, 2, 5]);
    const want = [0, 3, 6, 3].flatMap((r) => Array.from(wq.subarray(r * 5, r * 5 + 5)));
    expect(maxAbsDiff(y.values(), want)).toBeLessThan(1e-6);
    expect(maxAbsDiff(wq, emb.weight.values())).toBeGreaterThan(1e-4);
    // gradients reach the looked-up rows (straight through the fake quantizer)
    y.sum().backward();
    const grad = emb.weight.grad!.values();
    expect(Array.from(grad.subarray(15, 20))).toEqual([2, 2, 2, 2, 2]);
    expect(Array.from(grad.subarray(5, 10))).toEqual([0, 0, 0, 0, 0]);
  });

  it('EmbeddingBag sums / averages fake-quantized rows per bag', () => {
    manualSeed(41);
    for (const mode of ['sum', 'mean'] as const) {
      const bag = new EmbeddingBag(6, 3, { mode, qconfig: defaultEmbeddingQatQconfig });
      const wq = fakeQuantRows(bag.weight);
      const y = bag.call(idx([1, 2, 4, 5, 0]), idx([0, 2]));
      const bags = [[1, 2], [4, 5, 0]];
      const want = bags.flatMap((rows) => [0, 1, 2].map((j) => {
        const s = rows.reduce((acc, r) => acc + wq[r * 3 + j]!, 0);
        return mode === 'sum' ? s : s / rows.length;
      }));
      expect(maxAbsDiff(y.values(), want)).toBeLessThan(1e-6);
    }
  });

  it('requires the per_channel_affine_float_qparams weight qscheme', () => {
    expect(() => new Embedding(3, 2, { qconfig: defaultQatQconfig })).toThrow(/requires a qscheme of torch.per_channel_affine_float_qparams Got torch.per_tensor_symmetric/);
    expect(() => new EmbeddingBag(3, 2)).toThrow(/qconfig must be provided/);
  });

  it('fromFloat / toFloat keep settings and weight storage', () => {
    const float = Object.assign(new FloatEmbedding(9, 4, { paddingIdx: 2, maxNorm: 3 }), { qconfig: defaultEmbeddingQatQconfig });
    const qat = Embedding.fromFloat(float);
    expect([qat.paddingIdx, qat.maxNorm, qat.numEmbeddings]).toEqual([2, 3, 9]);
    noGrad(() => float.weight.mul_(2));
    expect(Array.from(qat.weight.values())).toEqual(Array.from(float.weight.values()));
    const back = qat.toFloat();
    expect(back.constructor).toBe(FloatEmbedding);
    expect(back.extraRepr()).toBe(float.extraRepr());
    expect(() => Embedding.fromFloat(new FloatEmbedding(2, 2))).toThrow(/qconfig/);

    const floatBag = Object.assign(new FloatEmbeddingBag(5, 2, { mode: 'max', includeLastOffset: true }), { qconfig: defaultEmbeddingQatQconfig });
    const qatBag = EmbeddingBag.fromFloat(floatBag);
    expect([qatBag.mode, qatBag.includeLastOffset]).toEqual(['max', true]);
    expect(qatBag.toFloat().extraRepr()).toBe(floatBag.extraRepr());
    expect(() => EmbeddingBag.fromFloat(float)).toThrow(/only works for EmbeddingBag, got Embedding/);
  });

  it('state dict: weight, then weight_fake_quant.*', () => {
    const qat = new Embedding(4, 2, { qconfig: defaultEmbeddingQatQconfig });
    const fqKeys = Object.keys(qat.weight_fake_quant.stateDict()).map((k) => `weight_fake_quant.${k}`);
    expect(Object.keys(qat.stateDict())).toEqual(['weight', ...fqKeys]);
    expect(qat.toString().split('\n').slice(0, 2)).toEqual(['Embedding(', '  4, 2']);
  });
});
