// Quantized embeddings: prepack / unpack / lookups bit-exact against PyTorch 1.13 (golden
// embedding.json, both engines), hand-computed lookups, fmaf, packed params and errors.
import { describe, expect, it } from 'vitest';
import {
  type Engine, QTorchShapeError, QTorchTypeError, QTorchValueError, type Tensor, embeddingBag2bitPrepack, embeddingBag2bitRowwiseOffsets,
  embeddingBag4bitPrepack, embeddingBag4bitRowwiseOffsets, embeddingBag4bitUnpack, embeddingBagBytePrepack, embeddingBagByteRowwiseOffsets,
  embeddingBagByteUnpack, embeddingBagPrepack, embeddingBagUnpack, float32, fromValues, int32, int64, quantizePerChannel,
  quantizedEmbedding4bit, quantizedEmbeddingBagByte, quantizedEmbeddingByte, quint4x2, quint8, tensor, withEngine,
} from '../src/index.js';
import { fmaf } from '../src/quantized/ops/fmaf.js';
import { expectTensorClose, loadGolden, tensorFromGolden, type GoldenCase } from '../../../tools/testing/src/index.js';

const ENGINES: Array<[Engine, string]> = [['qnnpack', '@qnnpack'], ['fbgemm', '@onednn']];
const PREPACK: Record<string, (w: Tensor) => Tensor> = {
  embedding_bag_byte_prepack: embeddingBagBytePrepack,
  embedding_bag_4bit_prepack: (w) => embeddingBag4bitPrepack(w),
  embedding_bag_2bit_prepack: (w) => embeddingBag2bitPrepack(w),
};
const LOOKUP: Record<string, typeof embeddingBagByteRowwiseOffsets> = {
  'quantized::embedding_bag_byte_rowwise_offsets': embeddingBagByteRowwiseOffsets,
  'quantized::embedding_bag_4bit_rowwise_offsets': embeddingBag4bitRowwiseOffsets,
  'quantized::embedding_bag_2bit_rowwise_offsets': embeddingBag2bitRowwiseOffsets,
};

function run(c: GoldenCase): Tensor {
  const t = (k: string): Tensor => tensorFromGolden(c.inputs[k]);
  const opt = (k: string): Tensor | null => (c.inputs[k] ? t(k) : null);
  const name = c.op.slice('quantized::'.length);
  if (PREPACK[name]) return PREPACK[name]!(t('weight'));
  if (LOOKUP[c.op]) {
    return LOOKUP[c.op]!(PREPACK[c.args.prepack]!(t('weight')), t('indices'), {
      offsets: opt('offsets'), mode: c.args.mode, perSampleWeights: opt('per_sample_weights'), includeLastOffset: c.args.include_last_offset,
    });
  }
  if (name === 'embedding_bag_byte_unpack') return embeddingBagByteUnpack(embeddingBagBytePrepack(t('weight')));
  if (name === 'embedding_byte') return quantizedEmbeddingByte(embeddingBagPrepack(t('qweight')), t('indices'));
  const qw = quantizePerChannel(t('weight'), t('observer_scales'), t('observer_zero_points'), 0, quint4x2);
  return quantizedEmbedding4bit(embeddingBagPrepack(qw), t('indices'));
}

describe('quantized embeddings: golden, exact', () => {
  for (const [engine, suffix] of ENGINES) {
    for (const c of loadGolden('ops/embedding.json').cases.filter((k) => k.name.endsWith(suffix))) {
      it(`${c.name} on ${engine}`, () => withEngine(engine, () => {
        expectTensorClose(run(c), c.expected.y ?? c.expected.packed, { exact: true, label: c.name });
      }));
    }
  }
});

describe('fmaf', () => {
  it('rounds once where a double sum lands on a float32 midpoint', () => {
    const a = 2 ** -24 * (1 + 2 ** -23), b = 1 - 2 ** -23, c = 1 + 2 ** -23;
    // exact: c + 2^-24 - 2^-70, just below the midpoint between c and c + 2^-23
    expect(Math.fround(a * b + c)).toBe(1 + 2 ** -22); // double rounding goes up
    expect(fmaf(a, b, c)).toBe(1 + 2 ** -23);
    expect(fmaf(3, 0.5, 0.25)).toBe(1.75);
    expect(fmaf(-2, 2, 4)).toBe(0);
  });
});

const table = (): Tensor => fromValues(Array.from({ length: 4 * 6 }, (_, i) => Math.sin(i * 0.7) * 2 + (i % 6) * 0.1), [4, 6], float32);
const idx = (v: number[], shape = [v.length]): Tensor => tensor(v, { dtype: int64 }).reshape(shape);

describe('row-wise tables and lookups', () => {
  it('8-bit / 4-bit prepack -> unpack stays within half a step of the table', () => {
    const w = table(), wv = w.values();
    for (const [bits, pre, un] of [[8, embeddingBagBytePrepack, embeddingBagByteUnpack], [4, (x: Tensor) => embeddingBag4bitPrepack(x), embeddingBag4bitUnpack]] as const) {
      const packed = pre(w);
      expect(packed.shape).toEqual([4, bits === 8 ? 14 : 7]);
      const back = un(packed).values();
      for (let r = 0; r < 4; r++) {
        const row = Array.from(wv.slice(r * 6, r * 6 + 6));
        const step = (Math.max(...row) - Math.min(...row)) / (bits === 8 ? 255 : 15);
        for (let j = 0; j < 6; j++) expect(Math.abs(back[r * 6 + j]! - row[j]!)).toBeLessThanOrEqual(step / 2 + 2e-3);
      }
    }
  });

  it('a bag sums its rows (times per-sample weights); 2-d indices are fixed-length bags; empty bags are zero', () => {
    const packed = embeddingBagBytePrepack(table());
    const rows = embeddingBagByteUnpack(packed).values();
    const row = (r: number): number[] => Array.from(rows.slice(r * 6, r * 6 + 6));
    const y = embeddingBagByteRowwiseOffsets(packed, idx([1, 3, 2]), { offsets: idx([0, 2, 2]), perSampleWeights: fromValues([2, 1, 0.5], [3], float32) });
    expect(y.shape).toEqual([3, 6]);
    const v = y.values();
    for (let j = 0; j < 6; j++) {
      expect(v[j]).toBeCloseTo(2 * row(1)[j]! + row(3)[j]!, 5);
      expect(v[6 + j]).toBe(0);
      expect(v[12 + j]).toBeCloseTo(0.5 * row(2)[j]!, 5);
    }
    const y2 = embeddingBagByteRowwiseOffsets(packed, idx([0, 1, 2, 3], [2, 2]));
    for (let j = 0; j < 6; j++) expect(y2.values()[6 + j]).toBeCloseTo(row(2)[j]! + row(3)[j]!, 5);
    // int32 indices and include_last_offset give the same bags
    const y3 = embeddingBagByteRowwiseOffsets(packed, tensor([0, 1, 2, 3], { dtype: int32 }), { offsets: tensor([0, 2, 4], { dtype: int32 }), includeLastOffset: true });
    expect(Array.from(y3.values())).toEqual(Array.from(y2.values()));
  });

  it('pruned tables map indices through compressed_indices_mapping (-1 skips)', () => {
    const packed = embeddingBagBytePrepack(table());
    const plain = embeddingBagByteRowwiseOffsets(packed, idx([3]), { offsets: idx([0]) }).values();
    const mapping = tensor([-1, 3], { dtype: int32 });
    const y = embeddingBagByteRowwiseOffsets(packed, idx([0, 1]), { offsets: idx([0]), prunedWeights: true, compressedIndicesMapping: mapping });
    expect(Array.from(y.values())).toEqual(Array.from(plain));
  });

  it('packed params from a quint8 / quint4x2 table unpack to the same table; lookups return its rows', () => {
    const w = table();
    for (const dtype of [quint8, quint4x2]) {
      const scales = fromValues([0.02, 0.03, 0.025, 0.05], [4], float32);
      const zps = fromValues([100.5, 90, 80.25, 60], [4], float32);
      const qw = quantizePerChannel(dtype === quint8 ? w : w.mul(0.1), scales, zps, 0, dtype);
      const p = embeddingBagPrepack(qw);
      const back = embeddingBagUnpack(p);
      expect(back.dtype).toBe(dtype);
      expect(Array.from(back.values())).toEqual(Array.from(qw.values()));
      const lookup = dtype === quint8 ? quantizedEmbeddingByte : quantizedEmbedding4bit;
      const y = lookup(p, idx([2, 0, 2, 1], [2, 2]));
      expect(y.shape).toEqual([2, 2, 6]);
      const dq = qw.dequantize().values(), yv = y.values();
      // row 2 at bag (0, 0): scale * q - zp * scale (float16 scale/bias for 4-bit tables)
      for (let j = 0; j < 6; j++) expect(Math.abs(yv[j]! - dq[12 + j]!)).toBeLessThanOrEqual(dtype === quint8 ? 1e-6 : 2e-3);
    }
  });
});

describe('quantized embedding errors', () => {
  const packed = embeddingBagBytePrepack(table());
  it('bad tables, indices, offsets and weights', () => {
    expect(() => embeddingBagBytePrepack(tensor([1, 2, 3]))).toThrow(QTorchShapeError);
    expect(() => embeddingBag4bitPrepack(fromValues([1, 2, 3, 4, 5, 6], [2, 3], float32))).toThrow(/multiple of 2/);
    expect(() => embeddingBagByteRowwiseOffsets(table(), idx([0]), { offsets: idx([0]) })).toThrow(QTorchTypeError);
    expect(() => embeddingBagByteRowwiseOffsets(packed, idx([4]), { offsets: idx([0]) })).toThrow(/Index 0 is out of bounds: 4/);
    expect(() => embeddingBagByteRowwiseOffsets(packed, idx([0, 1]))).toThrow(/offsets to be set for 1D indices/);
    expect(() => embeddingBagByteRowwiseOffsets(packed, idx([0, 1], [1, 2]), { offsets: idx([0]) })).toThrow(/offsets has to be None/);
    expect(() => embeddingBagByteRowwiseOffsets(packed, idx([0, 1]), { offsets: idx([1, 0]) })).toThrow(QTorchValueError);
    expect(() => embeddingBagByteRowwiseOffsets(packed, fromValues([0], [1], float32), { offsets: idx([0]) })).toThrow(/32 or 64 bit indices/);
    expect(() => embeddingBagByteRowwiseOffsets(packed, idx([0, 1]), { offsets: idx([0]), perSampleWeights: fromValues([1], [1], float32) })).toThrow(/per_sample_weights/);
    expect(() => embeddingBagPrepack(quantizePerChannel(table(), [0.1, 0.1, 0.1, 0.1], [0, 0, 0, 0], 0, quint8))).toThrow(/kPerChannelAffineFloatQParams/);
    const p4 = embeddingBagPrepack(quantizePerChannel(table(), fromValues([1, 1, 1, 1], [4], float32), fromValues([0, 0, 0, 0], [4], float32), 0, quint4x2));
    expect(() => quantizedEmbeddingBagByte(p4, idx([0]), { offsets: idx([0]) })).toThrow(/expected an 8-bit table, got a 4-bit one/);
  });
});
