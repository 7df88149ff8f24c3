// Quantized tensor API: randomized quantize/dequantize vs a float64-loop reference, accessors,
// construction, validation, mixing errors, fill/masked_fill/resize_, quint4x2 packing.
import { describe, expect, it } from 'vitest';
import {
  QTorchTypeError, QTorchValueError, _emptyPerChannelAffineQuantized, _makePerChannelQuantizedTensor, _makePerTensorQuantizedTensor,
  assertNotQuantized, bool, dequantize, dtypeRange, emptyAffineQuantized, fromValues, int8, intRepr, qFill_, qMaskedFill, qResize_,
  qint32, qint8, quantizePerChannel, quantizePerTensor, quint4x2, quint8, tensor, uint8,
} from '../src/index.js';

const f32 = Math.fround;
// straightforward reference (float64 loops; the zero point is added in float32, as PyTorch does)
function refRint(v: number): number {
  const fl = Math.floor(v), d = v - fl;
  return d > 0.5 ? fl + 1 : d < 0.5 ? fl : fl % 2 === 0 ? fl : fl + 1;
}
function refQuantize(x: number, scale: number, zp: number, lo: number, hi: number): number {
  const v = f32(f32(zp) + refRint(f32(x * f32(1 / f32(scale)))));
  return Math.min(hi, Math.max(lo, v));
}

let seed = 12345;
const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);

describe('randomized quantize/dequantize vs float64 reference', () => {
  for (const dtype of [quint8, qint8, qint32]) {
    it(`${dtype.name}: scales 1e-6..1e3, all zero points, shapes incl. empty and non-contiguous`, () => {
      const [lo, hi] = dtypeRange(dtype);
      for (let trial = 0; trial < 40; trial++) {
        const scale = 10 ** (-6 + 9 * rnd());
        const zp = dtype === qint32 ? Math.round(-1000 + 2000 * rnd()) : lo + Math.floor(rnd() * (hi - lo + 1));
        const shape = trial === 0 ? [0, 3] : [1 + Math.floor(rnd() * 4), 1 + Math.floor(rnd() * 5)];
        const n = shape[0]! * shape[1]!;
        const vals = Array.from({ length: n }, () => f32((rnd() - 0.5) * scale * 600));
        const x = fromValues(vals, shape).t(); // non-contiguous input
        const q = quantizePerTensor(x, scale, zp, dtype);
        const xv = x.values();
        const expected = Array.from(xv, (v) => refQuantize(v, scale, zp, lo, hi));
        expect(Array.from(q.values())).toEqual(expected);
        const dq = Array.from(q.dequantize().values());
        expect(dq).toEqual(expected.map((k) => f32(f32((k - zp) | 0) * f32(scale))));
      }
    });
  }
  it('per-channel on a random axis matches the per-tensor formula channel by channel', () => {
    const x = fromValues(Array.from({ length: 24 }, () => f32(rnd() * 4 - 2)), [2, 3, 4]);
    const scales = [0.01, 0.1, 1e-3], zps = [0, 100, 255];
    const q = quantizePerChannel(x, scales, zps, 1, quint8);
    const xv = x.values(), qv = q.values();
    for (let i = 0; i < 24; i++) {
      const c = Math.floor(i / 4) % 3;
      expect(qv[i]).toBe(refQuantize(xv[i]!, scales[c]!, zps[c]!, 0, 255));
    }
    expect(q.qPerChannelAxis()).toBe(1);
    expect(Array.from(q.qPerChannelScales().values())).toEqual(scales);
    expect(Array.from(q.qPerChannelZeroPoints().values())).toEqual(zps);
    expect(q.qscheme()).toBe('per_channel_affine');
  });
});

describe('construction and accessors', () => {
  it('_makePerTensorQuantizedTensor copies ints and picks the quantized dtype', () => {
    const ints = tensor([1, 2, 250], { dtype: uint8 });
    const q = _makePerTensorQuantizedTensor(ints, 0.5, 3);
    expect(q.dtype).toBe(quint8);
    expect(q.qScale()).toBe(0.5);
    expect(q.qZeroPoint()).toBe(3);
    expect(q.toArray()).toEqual([-1, -0.5, 123.5]);
    ints.data[0] = 9;
    expect(Array.from(intRepr(q).values())).toEqual([1, 2, 250]);
    expect(intRepr(q).dtype).toBe(uint8);
  });
  it('_makePerChannelQuantizedTensor and empty constructors', () => {
    const q = _makePerChannelQuantizedTensor(tensor([[1, -1], [2, -2]], { dtype: int8 }), [0.5, 2], [0, 1], 0);
    expect(q.dtype).toBe(qint8);
    expect(q.toArray()).toEqual([0.5, -0.5, 2, -6]);
    expect(emptyAffineQuantized([2, 2], { scale: 0.1, zeroPoint: 5, dtype: quint8 }).toArray()).toEqual([-0.5, -0.5, -0.5, -0.5].map((v) => f32(v)));
    const e = _emptyPerChannelAffineQuantized([3, 2], { scales: [1, 1], zeroPoints: [0, 0], axis: 1, dtype: qint8 });
    expect(e.shape).toEqual([3, 2]);
  });
  it('dequantize accepts lists and float tensors', () => {
    const a = quantizePerTensor(tensor([1]), 1, 0, quint8);
    expect(dequantize([a, a]).map((t) => t.item())).toEqual([1, 1]);
    expect(dequantize(tensor([2.5])).item()).toBe(2.5);
  });
  it('quint4x2 packs two values per byte, element 2k in the low nibble', () => {
    const q = quantizePerTensor(tensor([1, 2, 15, 3, 7]), 1, 0, quint4x2);
    const packed = intRepr(q);
    expect(packed.shape).toEqual([3]);
    expect(Array.from(packed.values())).toEqual([1 | (2 << 4), 15 | (3 << 4), 7]);
    expect(q.toArray()).toEqual([1, 2, 15, 3, 7]);
  });
});

describe('validation and mixing errors', () => {
  it('rejects bad scales and zero points, naming the op', () => {
    expect(() => quantizePerTensor(tensor([1]), 0, 0, quint8)).toThrow(/quantize_per_tensor\(\): scale must be a positive finite number, got 0/);
    expect(() => quantizePerTensor(tensor([1]), NaN, 0, quint8)).toThrow(QTorchValueError);
    expect(() => quantizePerTensor(tensor([1]), 0.1, 256, quint8)).toThrow(/zero_point must be an integer in \[0, 255\]/);
    expect(() => quantizePerTensor(tensor([1]), 0.1, -129, qint8)).toThrow(/\[-128, 127\]/);
    expect(() => quantizePerChannel(tensor([[1, 2]]), [0.1], [0], 1, qint8)).toThrow(/expected 2 scales/);
    expect(() => quantizePerTensor(tensor([1]), 0.1, 0, int8)).toThrow(/expected a quantized dtype/);
  });
  it('a quantized tensor in a float op, or a float tensor in a quantized op, says what to do', () => {
    const q = quantizePerTensor(tensor([1]), 0.1, 0, quint8);
    expect(() => quantizePerTensor(q, 0.1, 0, quint8)).toThrow(/call dequantize\(\) first/i);
    expect(() => assertNotQuantized(q, 'conv2d')).toThrow(QTorchTypeError);
    expect(() => intRepr(tensor([1]))).toThrow(/int_repr\(\): expected a quantized tensor.*QuantStub/);
    expect(() => tensor([1]).qScale()).toThrow(/quantize/);
    expect(() => q.qPerChannelScales()).toThrow(/per-channel/);
  });
});

describe('fill_, masked_fill, resize_, copies', () => {
  it('fill_ quantizes the value with the tensor qparams (also through a view)', () => {
    const q = quantizePerTensor(tensor([[0, 0], [0, 0]]), 0.1, 10, quint8);
    qFill_(q.select(0, 1), 0.25);
    expect(Array.from(q.values())).toEqual([10, 10, 12, 12]);
  });
  it('masked_fill leaves the input alone and fills per channel', () => {
    const q = quantizePerChannel(tensor([[0, 0], [0, 0]]), [0.5, 1], [0, 0], 0, qint8);
    const y = qMaskedFill(q, tensor([[true, false], [false, true]], { dtype: bool }), 2);
    expect(Array.from(y.values())).toEqual([4, 0, 0, 2]);
    expect(Array.from(q.values())).toEqual([0, 0, 0, 0]);
  });
  it('resize_ keeps leading elements and zero-fills growth', () => {
    const q = quantizePerTensor(tensor([1, 2, 3]), 1, 0, quint8);
    qResize_(q, [2, 3]);
    expect(q.shape).toEqual([2, 3]);
    expect(Array.from(q.values())).toEqual([1, 2, 3, 0, 0, 0]);
  });
  it('clone and copy_ keep qparams and ints', () => {
    const a = quantizePerTensor(tensor([1, 2]), 0.5, 1, qint8);
    const b = quantizePerTensor(tensor([0, 0]), 0.1, 0, qint8);
    b.copy_(a);
    expect(b.quantizer).toEqual(a.quantizer);
    expect(Array.from(b.values())).toEqual(Array.from(a.clone().values()));
  });
});
