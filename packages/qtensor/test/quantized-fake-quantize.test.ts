// Fake quantization forward and gradients against PyTorch 1.13 (golden area B).
import { describe, expect, it } from 'vitest';
import {
  type Tensor, _fakeQuantizeLearnablePerChannelAffine, _fakeQuantizeLearnablePerTensorAffine, fakeQuantizePerChannelAffine,
  fakeQuantizePerTensorAffine, float64, onesLike, quantizePerTensor, quint8, tensor,
} from '../src/index.js';
import { type GoldenCase, expectTensorClose, loadGolden, tensorFromGolden } from '../../../tools/testing/src/index.js';

/** Runs y = op(x, ...) and backward of sum(y * g) as the generator did. */
function runCase(c: GoldenCase, op: (x: Tensor, scale: Tensor | number, zp: Tensor | number) => Tensor) {
  const x = tensorFromGolden(c.inputs.x).requiresGrad_();
  const param = (v: unknown): Tensor | number => (typeof v === 'number' ? v : tensorFromGolden(v as never));
  const scale = param(c.args.scale), zp = param(c.args.zero_point);
  const y = op(x, scale, zp);
  y.backward(tensorFromGolden(c.inputs.g));
  expectTensorClose(y, c.expected.y, { exact: true, label: `${c.name} y` });
  expectTensorClose(x.grad!, c.expected.grad_x, { exact: true, label: `${c.name} grad_x` });
  return { scale, zp };
}

describe('fake_quantize_per_tensor_affine golden', () => {
  for (const c of loadGolden('fake_quant/per_tensor.json').cases) {
    it(c.name, () => {
      runCase(c, (x, s, z) => fakeQuantizePerTensorAffine(x, s, z, c.args.quant_min, c.args.quant_max));
    });
  }
});

describe('fake_quantize_per_channel_affine golden', () => {
  for (const c of loadGolden('fake_quant/per_channel.json').cases) {
    it(c.name, () => {
      runCase(c, (x, s, z) => fakeQuantizePerChannelAffine(x, s as Tensor, z as Tensor, c.args.axis, c.args.quant_min, c.args.quant_max));
    });
  }
});

describe('learnable (LSQ) fake quantize golden', () => {
  for (const c of loadGolden('fake_quant/learnable.json').cases) {
    it(c.name, () => {
      const { quant_min: qmin, quant_max: qmax, grad_factor: gf } = c.args;
      const { scale, zp } = runCase(c, (x, s, z) => {
        (s as Tensor).requiresGrad_();
        (z as Tensor).requiresGrad_();
        return c.op.endsWith('per_channel_affine')
          ? _fakeQuantizeLearnablePerChannelAffine(x, s as Tensor, z as Tensor, c.args.axis, qmin, qmax, gf)
          : _fakeQuantizeLearnablePerTensorAffine(x, s as Tensor, z as Tensor, qmin, qmax, gf);
      });
      expectTensorClose((scale as Tensor).grad!, c.expected.grad_scale, { rtol: 1e-5, atol: 1e-6, label: `${c.name} grad_scale` });
      expectTensorClose((zp as Tensor).grad!, c.expected.grad_zero_point, { rtol: 1e-5, atol: 1e-6, label: `${c.name} grad_zero_point` });
    });
  }
});

describe('fake quantize properties', () => {
  it('equals quantize then dequantize for in-range values', () => {
    const x = tensor([-1.3, -0.05, 0, 0.049, 0.05, 0.15, 2.2, 12.7]);
    const y = fakeQuantizePerTensorAffine(x, 0.1, 3, 0, 255);
    expectTensorClose(y, quantizePerTensor(x, 0.1, 3, quint8).dequantize(), { exact: true });
  });
  it('LSQ x-gradient is 1 inside the range, 0 outside', () => {
    const x = tensor([-2, 0.31, 0.77, 9], { dtype: float64, requiresGrad: true });
    const s = tensor([0.5], { requiresGrad: true }), z = tensor([1.2], { requiresGrad: true });
    const y = _fakeQuantizeLearnablePerTensorAffine(x, s, z, 0, 7, 1);
    y.backward(onesLike(y));
    expect(Array.from(x.grad!.values())).toEqual([0, 1, 1, 0]);
    // out of range: dzp = -scale per clamped element; dscale = qmin - zp (low) / qmax - zp (high)
    // (zp for backward = int(1.2 + 0.5) = 1)
    expect(z.grad!.item()).toBeCloseTo(-0.5 * 2, 6);
    const inRange = [0.31, 0.77].map((v) => {
      const q = Math.round(1 + v / 0.5);
      return (q - 1) * 0.5 / 0.5 - v / 0.5;
    });
    expect(s.grad!.item()).toBeCloseTo((0 - 1) + (7 - 1) + inRange[0]! + inRange[1]!, 5);
  });
  it('rejects a zero point outside [quant_min, quant_max]', () => {
    expect(() => fakeQuantizePerTensorAffine(tensor([1]), 0.1, 300, 0, 255)).toThrow(/zero_point.*between/);
    expect(() => fakeQuantizePerTensorAffine(tensor([1]), 0.1, 0, 5, 1)).toThrow(/quant_min/);
  });
  it('straight-through gradient: g inside [quant_min, quant_max], 0 where clamped', () => {
    const x = tensor([0.12, 0.33, -2.71, 5.2, -0.4], { requiresGrad: true });
    const y = fakeQuantizePerTensorAffine(x, 1, 0, -2, 2);
    expect(Array.from(y.values())).toEqual([0, 0, -2, 2, 0]);
    y.backward(tensor([1, 2, 3, 4, 5]));
    expect(Array.from(x.grad!.values())).toEqual([1, 2, 0, 0, 5]);
  });
});
