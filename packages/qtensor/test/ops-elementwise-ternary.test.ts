// clamp / clip, where, lerp, addcmul, addcdiv: values against naive references, promotion,
// NaN rules, and quantized clamp against PyTorch 1.13 (golden ops/activations.json).
import { describe, expect, it } from 'vitest';
import {
  QTorchTypeError, QTorchValueError, addcdiv, addcmul, bool, clamp, clip, float16, float32, float64, gt, int32, int64, lerp,
  quantizePerTensor, quint8, tensor, uint8, where,
} from '../src/index.js';
import { expectQTensorEqual, loadGolden, tensorFromGolden } from '../../../tools/testing/src/index.js';
import { expectNear, expectValues, f32, ref, refBroadcast, rnd } from './ops-elementwise-helpers.js';

const clampRef = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);

describe('clamp', () => {
  const x = rnd([3, 4], 41);
  it('number bounds, either or both', () => {
    expectValues(clamp(x, { min: -0.5, max: 0.5 }), refBroadcast([ref(x)], (v) => clampRef(v, -0.5, 0.5)), float32);
    expectValues(clamp(x, { min: 0 }), refBroadcast([ref(x)], (v) => Math.max(v, 0)));
    expectValues(x.t().clip({ max: 0.25 }), f32(refBroadcast([ref(x.t())], (v) => Math.min(v, 0.25))));
  });
  it('tensor bounds broadcast', () => {
    const lo = rnd([4], 42).sub(1), hi = rnd([3, 1], 43).add(1);
    expectValues(clamp(x, { min: lo, max: hi }), refBroadcast([ref(x), ref(lo), ref(hi)], clampRef));
    expectValues(clamp(x, { min: lo, max: 0.5 }), refBroadcast([ref(x), ref(lo)], (v, l) => clampRef(v, l, Math.fround(0.5))));
  });
  it('NaN propagates; min > max gives max', () => {
    expectValues(clamp(tensor([NaN, 1]), { min: 0, max: 2 }), { values: [NaN, 1], shape: [2] });
    expectValues(clamp(tensor([-5, 0, 5]), { min: 2, max: 1 }), { values: [1, 1, 1], shape: [3] });
  });
  it('promotes integer tensors with float bounds, keeps them with integer bounds', () => {
    expectValues(clamp(tensor([1, 5], { dtype: int32 }), { min: 2.5 }), { values: [2.5, 5], shape: [2] }, float32);
    expectValues(clamp(tensor([0, 7, 255], { dtype: uint8 }), { min: 3, max: 200 }), { values: [3, 7, 200], shape: [3] }, uint8);
    expectValues(clamp(tensor([1, 9], { dtype: int32 }), { max: tensor([5], { dtype: int64 }) }), { values: [1, 5], shape: [2] }, int64);
  });
  it('needs a bound', () => {
    expect(() => clamp(x)).toThrow(QTorchValueError);
    expect(() => clamp(x, { min: null, max: null })).toThrow(/At least one of 'min' or 'max'/);
  });
  it('clip is clamp', () => {
    expect(clip).toBe(clamp);
  });

  describe('quantized input runs the quantized clamp (golden ops/activations.json)', () => {
    for (const c of loadGolden('ops/activations.json').cases.filter((k) => k.op === 'torch.clamp')) {
      it(c.name, () => {
        const q = tensorFromGolden(c.inputs.x);
        expectQTensorEqual(clamp(q, { min: c.args.min, max: c.args.max }), c.expected.y, { label: c.name });
        expectQTensorEqual(q.clamp({ min: c.args.min, max: c.args.max }), c.expected.y, { label: c.name });
      });
    }
    it('tensor bounds on a quantized tensor are refused', () => {
      const q = quantizePerTensor(tensor([0.5]), 0.1, 0, quint8);
      expect(() => clamp(q, { min: tensor([0]) })).toThrow(QTorchTypeError);
    });
  });
});

describe('where', () => {
  it('selects with broadcasting and promotes the value dtypes', () => {
    const a = rnd([2, 3], 44), c = rnd([3], 45);
    const cond = gt(a, 0);
    expectValues(where(cond, a, c), refBroadcast([ref(cond), ref(a), ref(c)], (k, p, q) => (k ? p : q)), float32);
    expectValues(where(cond, 1, tensor([7], { dtype: int32 })), refBroadcast([ref(cond)], (k) => (k ? 1 : 7)), int32);
    expectValues(where(tensor([true, false]), tensor([1, 2], { dtype: int32 }), 2.5), { values: [1, 2.5], shape: [2] }, float32);
    expectValues(a.where(cond, 0), refBroadcast([ref(cond), ref(a)], (k, p) => (k ? p : 0)));
    expectValues(where(tensor([1, 0], { dtype: uint8 }), tensor([1, 2], { dtype: float64 }), 0), { values: [1, 0], shape: [2] }, float64);
  });
  it('needs a bool (or uint8) condition', () => {
    expect(() => where(tensor([1, 0]), tensor([1, 2]), 0)).toThrow(/condition to be a boolean tensor/);
  });
  it('keeps NaN from the chosen side only', () => {
    expectValues(where(tensor([true, false]), tensor([NaN, NaN]), tensor([1, 2])), { values: [NaN, 2], shape: [2] }, float32);
    expect(where(tensor([true]), tensor([1], { dtype: float16 }), 2).dtype).toBe(float16);
    expect(where(tensor([true]), tensor([true]), tensor([false])).dtype).toBe(bool);
  });
});

describe('lerp, addcmul, addcdiv', () => {
  const s = rnd([2, 3], 46), e = rnd([3], 47), w = rnd([2, 1], 48);
  // PyTorch's formula: exact at both ends
  const lerpRef = (p: number, q: number, t: number): number => (Math.abs(t) < 0.5 ? p + t * (q - p) : q - (q - p) * (1 - t));
  it('lerp with a number and a tensor weight', () => {
    expectValues(lerp(s, e, 0.25), f32(refBroadcast([ref(s), ref(e)], (p, q) => lerpRef(p, q, 0.25))));
    expectValues(s.lerp(e, w), f32(refBroadcast([ref(s), ref(e), ref(w)], lerpRef)));
    expectValues(lerp(tensor([3]), tensor([7]), 1), { values: [7], shape: [1] });
    expect(() => lerp(s, e.double(), 0.5)).toThrow(/expected dtype torch.float32 for `end`/);
    expect(() => lerp(tensor([1], { dtype: int32 }), tensor([2], { dtype: int32 }), 0.5)).toThrow(QTorchTypeError);
  });
  it('addcmul / addcdiv', () => {
    const t1 = rnd([3], 49), t2 = rnd([2, 3], 50);
    expectNear(addcmul(s, t1, t2, { value: 0.5 }), refBroadcast([ref(s), ref(t1), ref(t2)], (x, a, b) => x + 0.5 * a * b), 1e-6, 1e-6);
    expectNear(s.addcdiv(t1, t2), refBroadcast([ref(s), ref(t1), ref(t2)], (x, a, b) => x + a / b), 1e-5, 1e-6);
    expectValues(addcmul(tensor([1], { dtype: int32 }), tensor([2], { dtype: int32 }), tensor([3], { dtype: int32 }), { value: 2 }),
      { values: [13], shape: [1] }, int32);
    expect(() => addcmul(tensor([1], { dtype: int32 }), tensor([2], { dtype: int32 }), tensor([3], { dtype: int32 }), { value: 0.5 })).toThrow(/value/);
    expect(() => addcdiv(tensor([1]), tensor([2], { dtype: int32 }), tensor([3], { dtype: int32 }))).toThrow(/Integer division with addcdiv/);
  });
});
