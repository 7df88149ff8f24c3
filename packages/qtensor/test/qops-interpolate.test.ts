// Quantized F.interpolate (nearest, nearest-exact, bilinear) and dropout: bit-exact against
// PyTorch 1.13 (golden interpolate.json / activations.json dropout cases, both engines), hand-worked values, errors.
import { describe, expect, it } from 'vitest';
import {
  type Engine, QTorchShapeError, QTorchTypeError, QTorchValueError, Tensor, quantizedDropout, quantizedInterpolate,
  quantizedUpsampleBilinear, quantizedUpsampleNearest, quint8, withEngine,
} from '../src/index.js';
import { expectQTensorEqual, loadGolden, tensorFromGolden } from '../../../tools/testing/src/index.js';

const ENGINES: Array<[Engine, string]> = [['qnnpack', '@qnnpack'], ['fbgemm', '@onednn']];

describe('quantized interpolate: golden, exact', () => {
  for (const [engine, suffix] of ENGINES) {
    for (const c of loadGolden('ops/interpolate.json').cases.filter((k) => k.name.endsWith(suffix))) {
      it(`${c.name} on ${engine}`, () => withEngine(engine, () => {
        const a = c.args;
        const y = quantizedInterpolate(tensorFromGolden(c.inputs.x), {
          size: a.size, scaleFactor: a.scale_factor, mode: a.mode, alignCorners: a.align_corners, recomputeScaleFactor: a.recompute_scale_factor,
        });
        expectQTensorEqual(y, c.expected.y, { label: c.name });
      }));
    }
    for (const c of loadGolden('ops/activations.json').cases.filter((k) => k.op === 'torch.nn.functional.dropout' && k.name.endsWith(suffix))) {
      it(`${c.name} on ${engine}`, () => withEngine(engine, () => {
        expectQTensorEqual(quantizedDropout(tensorFromGolden(c.inputs.x), { p: c.args.p, training: c.args.training }), c.expected.y, { label: c.name });
      }));
    }
  }
});

/** quint8 [1, 1, h, w] with the given ints, scale 0.5, zero point 10. */
function q(ints: number[], h: number, w: number): Tensor {
  const t = new Tensor(Uint8Array.from(ints), quint8, [1, 1, h, w]);
  t.quantizer = { qscheme: 'per_tensor_affine', scale: 0.5, zeroPoint: 10 };
  return t;
}

describe('quantized interpolate: hand-worked values', () => {
  it('nearest x2 repeats each integer, keeps qparams', () => {
    const y = quantizedUpsampleNearest(q([1, 2, 3, 4], 2, 2), { scaleFactor: 2 });
    expect(Array.from(y.values())).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
    expect(y.quantizer).toEqual({ qscheme: 'per_tensor_affine', scale: 0.5, zeroPoint: 10 });
  });

  it('nearest to size 3 from 2 picks floor(o * 2/3); nearest-exact floor((o + 0.5) * 2/3)', () => {
    expect(Array.from(quantizedInterpolate(q([10, 20], 1, 2), { size: [1, 3] }).values())).toEqual([10, 10, 20]);
    expect(Array.from(quantizedInterpolate(q([10, 20], 1, 2), { size: [1, 3], mode: 'nearest-exact' }).values())).toEqual([10, 20, 20]);
  });

  it('bilinear align_corners=True to 3 columns averages the neighbours (ties round to even)', () => {
    // (ints - zp) = [0, 10] and [-10, 0]: the midpoint column is 5 and -5, plus the zero point
    const y = quantizedUpsampleBilinear(q([10, 20, 0, 10], 2, 2), { size: [2, 3] });
    expect(Array.from(y.values())).toEqual([10, 15, 20, 0, 5, 10]);
    // [10, 13]: (10 + 13) / 2 - 10 = 1.5 rounds to 2 (even), so 12
    expect(Array.from(quantizedInterpolate(q([10, 13], 1, 2), { size: [1, 3], mode: 'bilinear', alignCorners: true }).values())).toEqual([10, 12, 13]);
  });

  it('bilinear to the same size copies', () => {
    const x = q([3, 7, 9, 250], 2, 2);
    expect(Array.from(quantizedInterpolate(x, { size: [2, 2], mode: 'bilinear' }).values())).toEqual([3, 7, 9, 250]);
  });
});

describe('quantized interpolate / dropout errors', () => {
  const x = q([1, 2, 3, 4], 2, 2);
  it('bad modes, ranks, sizes and float inputs', () => {
    expect(() => quantizedInterpolate(x, { scaleFactor: 2, mode: 'bicubic' as never })).toThrow(QTorchValueError);
    expect(() => quantizedInterpolate(x, { scaleFactor: 2, mode: 'area' })).toThrow(/no quantized kernel for mode 'area'/);
    expect(() => quantizedInterpolate(x, { scaleFactor: 2, alignCorners: true })).toThrow(/align_corners/);
    expect(() => quantizedInterpolate(x, { size: 2, scaleFactor: 2 })).toThrow(QTorchValueError);
    expect(() => quantizedInterpolate(x, { size: [0, 2] })).toThrow(QTorchShapeError);
    expect(() => quantizedInterpolate(x, { size: [2, 2, 2] })).toThrow(QTorchShapeError);
    expect(() => quantizedInterpolate(x.dequantize(), { scaleFactor: 2 })).toThrow(/expected a quantized tensor, got torch.float32/);
  });
  it('dropout: identity in eval, an error in training', () => {
    expect(quantizedDropout(x, { training: false })).toBe(x);
    expect(() => quantizedDropout(x)).toThrow(QTorchTypeError);
    expect(() => quantizedDropout(x, { p: 2, training: false })).toThrow(QTorchValueError);
  });
});
