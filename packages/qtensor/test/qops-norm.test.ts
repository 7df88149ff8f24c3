// Quantized batch / layer / group / instance norm: bit-exact against PyTorch 1.13 (golden
// norms.json, both engines), a float64 "dequantize -> norm -> quantize" model, and errors.
import { describe, expect, it } from 'vitest';
import {
  type Engine, QTorchShapeError, QTorchTypeError, QTorchValueError, type Tensor, float32, fromValues, quantizePerTensor,
  quantizedBatchNorm, quantizedBatchNorm1d, quantizedBatchNorm2d, quantizedBatchNorm2dRelu, quantizedBatchNorm3d,
  quantizedBatchNorm3dRelu, quantizedGroupNorm, quantizedInstanceNorm, quantizedLayerNorm, quint8, withEngine,
} from '../src/index.js';
import { expectQTensorEqual, loadGolden, tensorFromGolden, type GoldenCase } from '../../../tools/testing/src/index.js';

const ENGINES: Array<[Engine, string]> = [['qnnpack', '@qnnpack'], ['fbgemm', '@onednn']];
const BN: Record<string, typeof quantizedBatchNorm> = {
  'quantized::batch_norm1d': quantizedBatchNorm1d,
  'quantized::batch_norm2d': quantizedBatchNorm2d,
  'quantized::batch_norm3d': quantizedBatchNorm3d,
  'quantized::batch_norm2d_relu': quantizedBatchNorm2dRelu,
  'quantized::batch_norm3d_relu': quantizedBatchNorm3dRelu,
};

function run(c: GoldenCase): Tensor {
  const t = (k: string): Tensor => tensorFromGolden(c.inputs[k]);
  const a = c.args, x = t('x');
  if (BN[c.op]) return BN[c.op]!(x, t('weight'), t('bias'), t('running_mean'), t('running_var'), a.eps, a.out_scale, a.out_zero_point);
  if (c.op === 'quantized::layer_norm') return quantizedLayerNorm(x, a.normalized_shape, t('weight'), t('bias'), a.eps, a.out_scale, a.out_zero_point);
  if (c.op === 'quantized::group_norm') return quantizedGroupNorm(x, a.num_groups, t('weight'), t('bias'), a.eps, a.out_scale, a.out_zero_point);
  return quantizedInstanceNorm(x, t('weight'), t('bias'), a.eps, a.out_scale, a.out_zero_point);
}

describe('quantized norms: golden, exact', () => {
  for (const [engine, suffix] of ENGINES) {
    for (const c of loadGolden('ops/norms.json').cases.filter((k) => k.name.endsWith(suffix))) {
      it(`${c.name} on ${engine}`, () => withEngine(engine, () => expectQTensorEqual(run(c), c.expected.y, { label: c.name })));
    }
  }
});

/** A deterministic quint8 tensor with scale 0.05, zero point 120. */
function qinput(shape: number[]): Tensor {
  const n = shape.reduce((p, s) => p * s, 1);
  const v = Array.from({ length: n }, (_, i) => Math.sin(i * 1.7) * 3 + Math.cos(i * 0.3));
  return quantizePerTensor(fromValues(v, shape, float32), 0.05, 120, quint8);
}
const vec = (v: number[]): Tensor => fromValues(v, [v.length], float32);
const quant = (v: number, s: number, zp: number): number => Math.min(255, Math.max(0, zp + Math.round(v / s)));

describe('quantized norms vs a float64 model (at most 1 step)', () => {
  const x = qinput([2, 4, 3, 5]);
  const dq = x.dequantize().values();
  const s = 0.03, zp = 128;

  it('batch_norm2d (+ relu)', () => {
    const w = [1.5, -0.5, 2, 0.25], b = [0.1, -0.2, 0.3, 0], m = [0.05, -0.1, 0.2, 0], v = [1.2, 0.5, 2, 0.9];
    for (const relu of [false, true]) {
      const fn = relu ? quantizedBatchNorm2dRelu : quantizedBatchNorm2d;
      const y = fn(x, vec(w), vec(b), vec(m), vec(v), 1e-5, s, zp).values();
      for (let i = 0; i < dq.length; i++) {
        const c = Math.floor(i / 15) % 4;
        let r = ((dq[i]! - m[c]!) / Math.sqrt(v[c]! + 1e-5)) * w[c]! + b[c]!;
        if (relu) r = Math.max(r, 0);
        expect(Math.abs(y[i]! - quant(r, s, zp))).toBeLessThanOrEqual(1);
      }
    }
  });

  it('layer_norm over the last two dims, group_norm and instance_norm', () => {
    const normRef = (groupSize: number, affine: (i: number) => [number, number]): number[] => {
      const out: number[] = [];
      for (let g = 0; g < dq.length / groupSize; g++) {
        const xs = Array.from(dq.slice(g * groupSize, (g + 1) * groupSize));
        const mean = xs.reduce((p, q) => p + q, 0) / groupSize;
        const variance = xs.reduce((p, q) => p + (q - mean) ** 2, 0) / groupSize;
        xs.forEach((q, k) => {
          const [gw, gb] = affine(g * groupSize + k);
          out.push(quant(((q - mean) / Math.sqrt(variance + 1e-5)) * gw + gb, s, zp));
        });
      }
      return out;
    };
    const lw = Array.from({ length: 15 }, (_, i) => 0.5 + i / 10), lb = Array.from({ length: 15 }, (_, i) => i / 50 - 0.1);
    const ln = quantizedLayerNorm(x, [3, 5], fromValues(lw, [3, 5], float32), fromValues(lb, [3, 5], float32), 1e-5, s, zp).values();
    const cw = [1, 0.5, -1, 2], cb = [0, 0.1, -0.1, 0.2];
    const gn = quantizedGroupNorm(x, 2, vec(cw), vec(cb), 1e-5, s, zp).values();
    const inorm = quantizedInstanceNorm(x, vec(cw), vec(cb), 1e-5, s, zp).values();
    const perCh = (i: number): [number, number] => [cw[Math.floor(i / 15) % 4]!, cb[Math.floor(i / 15) % 4]!];
    const cases: Array<[ArrayLike<number>, number[]]> = [
      [ln, normRef(15, (i) => [lw[i % 15]!, lb[i % 15]!])],
      [gn, normRef(30, perCh)],
      [inorm, normRef(15, perCh)],
    ];
    for (const [got, want] of cases) for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThanOrEqual(1);
  });

  it('layer_norm without weight and bias; batch_norm on an empty batch keeps the shape', () => {
    const y = quantizedLayerNorm(x, 5, null, null, 1e-5, s, zp);
    expect(y.shape).toEqual([2, 4, 3, 5]);
    expect(y.quantizer).toMatchObject({ scale: s, zeroPoint: zp });
    const ones = vec([1, 1, 1, 1]), zeros = vec([0, 0, 0, 0]);
    expect(quantizedBatchNorm(qinput([0, 4, 2]), ones, zeros, zeros, ones, 1e-5, s, zp).shape).toEqual([0, 4, 2]);
  });
});

describe('quantized norm errors', () => {
  const x = qinput([2, 4, 3]);
  const c4 = vec([1, 1, 1, 1]);
  it('float input, wrong ranks and sizes', () => {
    expect(() => quantizedBatchNorm1d(x.dequantize(), c4, c4, c4, c4, 1e-5, 0.1, 0)).toThrow(QTorchTypeError);
    expect(() => quantizedBatchNorm2d(x, c4, c4, c4, c4, 1e-5, 0.1, 0)).toThrow(/quantized::batch_norm2d\(\): expected a 4-d input, got \[2, 4, 3\]/);
    expect(() => quantizedBatchNorm1d(x, vec([1, 1]), c4, c4, c4, 1e-5, 0.1, 0)).toThrow(/weight with 4 elements/);
    expect(() => quantizedBatchNorm1d(x, c4, c4, c4, c4, 1e-5, 0.1, 300)).toThrow(QTorchValueError);
    expect(() => quantizedLayerNorm(x, [4], null, null, 1e-5, 0.1, 0)).toThrow(QTorchShapeError);
    expect(() => quantizedGroupNorm(x, 3, null, null, 1e-5, 0.1, 0)).toThrow(/divisible by num_groups/);
    expect(() => quantizedInstanceNorm(x, vec([1, 2]), null, 1e-5, 0.1, 0)).toThrow(QTorchShapeError);
  });
});
