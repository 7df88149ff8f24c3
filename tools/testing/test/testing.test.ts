import { describe, expect, it } from 'vitest';
import { float32, int64, qint8, quint8, tensor } from '@qtorch/qtensor';
import {
  expectQTensorEqual, expectTensorClose, goldenCase, goldenPath, loadGolden, tensorFromGolden, ulpDiff,
  type GoldenQTensor,
} from '../src/index.js';

describe('golden loading', () => {
  it('loads a fixture file and finds cases by name', () => {
    const f = loadGolden('qtensor/quantize_per_tensor.json');
    expect(f.torch_version).toBe('1.13.0a0');
    expect(f.cases.length).toBe(112);
    expect(goldenCase('qtensor/quantize_per_tensor.json', 'quint8_s0.1_zp0').op).toBe('quantize_per_tensor');
    expect(goldenPath('qtensor/views.json')).toMatch(/tools\/golden\/qtensor\/views\.json$/);
  });

  it('names the file when a case is missing', () => {
    expect(() => goldenCase('qtensor/views.json', 'no_such_case')).toThrow(/no case 'no_such_case' in qtensor\/views\.json/);
  });
});

describe('tensorFromGolden', () => {
  it('restores float32 bits and the special strings', () => {
    const t = tensorFromGolden({ shape: [2, 3], dtype: 'float32', data: [0.1, -0.0, 'nan', 'inf', '-inf', 16777217] });
    expect(t.dtype).toBe(float32);
    expect(t.shape).toEqual([2, 3]);
    const v = Array.from(t.values());
    expect(v[0]).toBe(Math.fround(0.1));
    expect(Object.is(v[1], -0)).toBe(true);
    expect(v[2]).toBeNaN();
    expect(v.slice(3)).toEqual([Infinity, -Infinity, 16777216]);
  });

  it('builds int and bool tensors', () => {
    const t = tensorFromGolden({ shape: [3], dtype: 'int64', data: [-5, 0, 2 ** 40] });
    expect(t.dtype).toBe(int64);
    expect(Array.from(t.values())).toEqual([-5, 0, 2 ** 40]);
    expect(tensorFromGolden({ shape: [2], dtype: 'bool', data: [1, 0] }).tolist()).toEqual([true, false]);
  });

  it('builds per-tensor and per-channel quantized tensors with the recorded qparams', () => {
    const pt = tensorFromGolden({ qtensor: true, dtype: 'quint8', qscheme: 'per_tensor_affine', shape: [2, 2], int_repr: [0, 3, 255, 7], scale: 0.1, zero_point: 3 });
    expect(pt.dtype).toBe(quint8);
    expect(pt.quantizer).toEqual({ qscheme: 'per_tensor_affine', scale: 0.1, zeroPoint: 3 });
    expect(Array.from(pt.values())).toEqual([0, 3, 255, 7]);
    const pc = tensorFromGolden({ qtensor: true, dtype: 'qint8', qscheme: 'per_channel_affine', shape: [2, 2], int_repr: [-128, 0, 5, 127], scales: [0.5, 0.25], zero_points: [0, -1], axis: 1 });
    expect(pc.dtype).toBe(qint8);
    expect(pc.quantizer).toMatchObject({ qscheme: 'per_channel_affine', axis: 1 });
    expect(pc.toArray()).toEqual([-64, 0.25, 2.5, 32]);
  });

  it('matches a recorded dequantization', () => {
    const c = goldenCase('qtensor/dequantize.json', 'qint8_sthird_zprand');
    expectTensorClose(tensorFromGolden(c.inputs.q).dequantize(), c.expected.y, { exact: true });
  });
});

describe('ulpDiff', () => {
  it('counts float32 steps, across zero too', () => {
    expect(ulpDiff(1, 1 + 2 ** -23)).toBe(1);
    expect(ulpDiff(1, 1 + 2 ** -21)).toBe(4);
    expect(ulpDiff(0, -0)).toBe(0);
    expect(ulpDiff(2 ** -149, -(2 ** -149))).toBe(2);
    expect(ulpDiff(NaN, NaN)).toBe(0);
    expect(ulpDiff(NaN, 1)).toBe(Infinity);
  });
});

describe('expectTensorClose', () => {
  const a = tensor([[1, 2], [3, 4]]);
  it('passes within tolerance and fails outside it with a readable diff', () => {
    expectTensorClose(a, [1, 2, 3, 4.000001]);
    expect(() => expectTensorClose(a, [1, 2, 3.5, 4], { label: 'case x' })).toThrow(
      /case x: values differ: 1 of 4 elements differ \(max abs diff 0\.5\)\n {2}at \[1, 0\] \(flat 2\): actual 3, expected 3\.5/,
    );
  });
  it('checks shapes, exact bits and ulps', () => {
    expect(() => expectTensorClose(a, { shape: [4], dtype: 'float32', data: [1, 2, 3, 4] })).toThrow(/shape mismatch/);
    expect(() => expectTensorClose(tensor([0]), [-0], { exact: true })).toThrow(/values differ/);
    expectTensorClose(tensor([1 + 2 ** -22]), [1], { ulp: 2 });
    expect(() => expectTensorClose(tensor([1 + 2 ** -22]), [1], { ulp: 1 })).toThrow(/values differ/);
    expectTensorClose(tensor([NaN]), [NaN], { exact: true });
  });
});

describe('expectQTensorEqual', () => {
  const spec: GoldenQTensor = { qtensor: true, dtype: 'quint8', qscheme: 'per_tensor_affine', shape: [4], int_repr: [1, 2, 3, 4], scale: 0.5, zero_point: 2 };
  it('passes on identical data and qparams', () => {
    expectQTensorEqual(tensorFromGolden(spec), spec);
  });
  it('reports qparam and int_repr mismatches', () => {
    expect(() => expectQTensorEqual(tensorFromGolden({ ...spec, scale: 0.25 }), spec)).toThrow(/scale: actual 0.25, expected 0.5/);
    const off = tensorFromGolden({ ...spec, int_repr: [1, 3, 3, 6] });
    expect(() => expectQTensorEqual(off, spec)).toThrow(/2 of 4 elements differ \(max abs diff 2\)/);
    expect(() => expectQTensorEqual(off, spec, { maxIntDiff: 1 })).toThrow(/flat 3/);
    const one = tensorFromGolden({ ...spec, int_repr: [1, 3, 3, 4] });
    expectQTensorEqual(one, spec, { maxIntDiff: 1 });
    expect(() => expectQTensorEqual(one, spec, { maxIntDiff: 1, maxFractionDiff: 0.2 })).toThrow(/more than 20% of elements/);
    expect(() => expectQTensorEqual(tensor([1, 2, 3, 4]), spec)).toThrow(/expected a quantized quint8 tensor/);
  });
});
