// Comparisons and logical ops: bool results, comparison in the promoted dtype, NaN rules,
// quantized operands (dequantized, as PyTorch's quantized comparators do), torch.equal against
// PyTorch 1.13 (golden qtensor/views.json) and isclose / allclose tolerances.
import { describe, expect, it } from 'vitest';
import {
  QTorchTypeError, QTorchValueError, type Tensor, type TensorLike, allclose, bool, eq, equal, float16, float32, float64, ge, gt, int32, int64, int8,
  isclose, isfinite, isnan, le, logicalAnd, logicalNot, logicalOr, logicalXor, lt, ne, quantizePerTensor, quint8, tensor, uint8,
} from '../src/index.js';
import { loadGolden, tensorFromGolden } from '../../../tools/testing/src/index.js';
import { expectValues, ref, refBroadcast, rnd } from './ops-elementwise-helpers.js';

const b = (v: boolean): number => (v ? 1 : 0);

describe('comparisons', () => {
  const ops: Array<[string, (x: TensorLike, y: TensorLike) => Tensor, (x: number, y: number) => boolean]> = [
    ['eq', eq, (x, y) => x === y], ['ne', ne, (x, y) => x !== y], ['lt', lt, (x, y) => x < y],
    ['le', le, (x, y) => x <= y], ['gt', gt, (x, y) => x > y], ['ge', ge, (x, y) => x >= y],
  ];
  // integer-valued data so equality actually occurs
  const x = rnd([3, 4], 31).mul(2).round(), y = rnd([4], 32).mul(2).round();
  for (const [name, op, f] of ops) {
    it(`${name} broadcasts, returns bool, handles NaN`, () => {
      expectValues(op(x, y), refBroadcast([ref(x), ref(y)], (p, q) => b(f(p, q))), bool);
      expectValues(op(x.t(), 0), refBroadcast([ref(x.t()), 0], (p, q) => b(f(p, q))), bool);
      const nan = tensor([NaN, 1]);
      expectValues(op(nan, nan), { values: [b(f(NaN, NaN)), b(f(1, 1))], shape: [2] }, bool);
    });
  }

  it('compares in the promoted dtype: float32(0.1) equals the scalar 0.1', () => {
    expectValues(eq(tensor([0.1]), 0.1), { values: [1], shape: [1] });
    expectValues(eq(tensor([0.1], { dtype: float64 }), 0.1), { values: [1], shape: [1] });
    expectValues(eq(tensor([0.1], { dtype: float64 }), tensor([0.1])), { values: [0], shape: [1] }); // float64 vs float32(0.1)
    // int32 16777217 vs float32 16777216: compared as float32, both are 16777216
    expectValues(eq(tensor([16777217], { dtype: int32 }), tensor([16777216], { dtype: float32 })), { values: [1], shape: [1] });
    expectValues(lt(tensor([1, 2], { dtype: int8 }), 1.5), { values: [1, 0], shape: [2] });
    expectValues(gt(tensor([200], { dtype: uint8 }), tensor([-1], { dtype: int8 })), { values: [1], shape: [1] }); // int16 compare
  });

  it('quantized operands are dequantized first', () => {
    const q = quantizePerTensor(tensor([0.1, 0.5, 1]), 0.1, 0, quint8);
    // q dequantizes to float32 [0.1, 0.5, 1]
    expectValues(eq(q, tensor([0.1, 0.4, 1])), { values: [1, 0, 1], shape: [3] }, bool);
    expectValues(ge(q, 0.5), { values: [0, 1, 1], shape: [3] });
    expectValues(lt(tensor([1, 1, 1]), q), { values: [0, 0, 0], shape: [3] });
  });
});

describe('logical ops', () => {
  const p = tensor([0, 0, 2, -1]), q = tensor([0, NaN, 0, 3], { dtype: float64 });
  it('use truthiness (NaN is true) and return bool', () => {
    expectValues(logicalAnd(p, q), { values: [0, 0, 0, 1], shape: [4] }, bool);
    expectValues(logicalOr(p, q), { values: [0, 1, 1, 1], shape: [4] }, bool);
    expectValues(logicalXor(p, q), { values: [0, 1, 1, 0], shape: [4] }, bool);
    expectValues(logicalNot(q), { values: [1, 0, 1, 0], shape: [4] }, bool);
    expectValues(logicalAnd(tensor([true, false]), 1), { values: [1, 0], shape: [2] }, bool);
  });
  it('isnan / isfinite', () => {
    const v = tensor([NaN, Infinity, -Infinity, 0, -2.5]);
    expectValues(isnan(v), { values: [1, 0, 0, 0, 0], shape: [5] }, bool);
    expectValues(isfinite(v), { values: [0, 0, 0, 1, 1], shape: [5] }, bool);
    expectValues(isfinite(tensor([NaN], { dtype: float16 })), { values: [0], shape: [1] }, bool);
    expectValues(isnan(tensor([1, 2], { dtype: int64 })), { values: [0, 0], shape: [2] }, bool);
    expect(() => isnan(quantizePerTensor(tensor([1]), 0.1, 0, quint8))).toThrow(/isnan\(\).*dequantize/);
  });
});

describe('equal', () => {
  it('compares shape and values; NaN is never equal; dtypes must match', () => {
    const a = tensor([[1, 2], [3, 4]]);
    expect(equal(a, tensor([[1, 2], [3, 4]]))).toBe(true);
    expect(a.equal(a.t().t())).toBe(true);
    expect(equal(a, a.t())).toBe(false);
    expect(equal(a, tensor([1, 2, 3, 4]))).toBe(false);
    expect(equal(tensor([NaN]), tensor([NaN]))).toBe(false);
    expect(equal(tensor([0]), tensor([-0]))).toBe(true);
    expect(() => equal(a, a.double())).toThrow(QTorchTypeError);
  });

  describe('quantized (golden qtensor/views.json)', () => {
    for (const c of loadGolden('qtensor/views.json').cases.filter((k) => k.op === 'torch.equal')) {
      it(c.name, () => {
        const x = tensorFromGolden(c.inputs.a), y = tensorFromGolden(c.inputs.b);
        expect(equal(x, y)).toBe(c.expected.result);
        expect(x.equal(y)).toBe(c.expected.result); // the method dispatches to the quantized equal
      });
    }
  });
});

describe('isclose / allclose', () => {
  it('uses |a - b| <= atol + rtol * |b|, exact equality for infinities', () => {
    const a = tensor([1, 1, 100, Infinity, -Infinity, NaN], { dtype: float64 });
    const c = tensor([1 + 1e-6, 1.1, 100.001, Infinity, Infinity, NaN], { dtype: float64 });
    expectValues(isclose(a, c), { values: [1, 0, 1, 1, 0, 0], shape: [6] }, bool);
    expectValues(isclose(a, c, { equalNan: true }), { values: [1, 0, 1, 1, 0, 1], shape: [6] });
    expectValues(isclose(a, c, { rtol: 0, atol: 0.2 }), { values: [1, 1, 1, 1, 0, 0], shape: [6] });
    // the tolerance is relative to the second argument
    expect(allclose(tensor([0], { dtype: float64 }), tensor([1e-3], { dtype: float64 }), { rtol: 1, atol: 0 })).toBe(true);
    expect(allclose(tensor([1e-3], { dtype: float64 }), tensor([0], { dtype: float64 }), { rtol: 1, atol: 0 })).toBe(false);
  });
  it('allclose broadcasts and checks arguments', () => {
    expect(allclose(tensor([[1, 2], [1, 2]]), tensor([1, 2.00001]))).toBe(true);
    expect(tensor([1, 2]).allclose(tensor([1, 2.1]))).toBe(false);
    expect(() => allclose(tensor([1]), tensor([1], { dtype: float64 }))).toThrow(/did not match/);
    expect(() => isclose(tensor([1]), tensor([1]), { rtol: -1 })).toThrow(QTorchValueError);
  });
});
