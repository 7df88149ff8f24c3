// Unary math: values against Math references and known constants, dtype rules (integers to
// float32 for float ops, identity rounding on integers), round half to even with decimals
// (float32 steps as PyTorch computes them), and the bool / integer refusals.
import { describe, expect, it } from 'vitest';
import {
  QTorchTypeError, type Tensor, abs, bool, ceil, cos, exp, expm1, float16, float32, float64, floor, frac, int32, int64, int8, log,
  log1p, log2, neg, quantizePerTensor, quint8, reciprocal, round, rsqrt, sign, sin, sqrt, square, tensor, trunc, uint8,
} from '../src/index.js';
import { expectNear, expectValues, f32, ref, refBroadcast, rnd } from './ops-elementwise-helpers.js';

describe('float unary ops', () => {
  const x = rnd([3, 4], 21);
  const pos = rnd([3, 4], 22).abs().add(0.01);
  const cases: Array<[string, (t: Tensor) => Tensor, (v: number) => number, Tensor]> = [
    ['neg', neg, (v) => -v, x], ['abs', abs, Math.abs, x], ['exp', exp, Math.exp, x], ['expm1', expm1, Math.expm1, x],
    ['log', log, Math.log, pos], ['log1p', log1p, Math.log1p, pos], ['log2', log2, Math.log2, pos], ['sqrt', sqrt, Math.sqrt, pos],
    ['rsqrt', rsqrt, (v) => 1 / Math.sqrt(v), pos], ['reciprocal', reciprocal, (v) => 1 / v, x], ['sin', sin, Math.sin, x],
    ['cos', cos, Math.cos, x], ['floor', floor, Math.floor, x], ['ceil', ceil, Math.ceil, x], ['trunc', trunc, Math.trunc, x],
    ['frac', frac, (v) => v - Math.trunc(v), x], ['square', square, (v) => v * v, x],
  ];
  for (const [name, op, f, input] of cases) {
    it(`${name} matches the float64 formula rounded to float32`, () => {
      expectValues(op(input), f32(refBroadcast([ref(input)], f)), float32);
      const t = input.t(); // a non-contiguous input gives the same logical result
      expectValues(op(t), f32(refBroadcast([ref(t)], f)), float32);
    });
  }

  it('known values', () => {
    expectNear(exp(tensor([1, 0], { dtype: float64 })), { values: [2.718281828459045, 1], shape: [2] }, 0, 1e-15);
    expectValues(log2(tensor([8, 1024, 0.5])), { values: [3, 10, -1], shape: [3] });
    expectValues(sqrt(tensor([-1, 0, 16])), { values: [NaN, 0, 4], shape: [3] });
    expectValues(log(tensor([0, -1])), { values: [-Infinity, NaN], shape: [2] });
    expectValues(rsqrt(tensor([0.25, 0])), { values: [2, Infinity], shape: [2] });
    expectNear(expm1(tensor([1e-10], { dtype: float64 })), { values: [1.00000000005e-10], shape: [1] }, 0, 1e-15);
    expectNear(log1p(tensor([1e-10], { dtype: float64 })), { values: [9.9999999995e-11], shape: [1] }, 0, 1e-15);
    expectValues(frac(tensor([-2.5, 3.75])), { values: [-0.5, 0.75], shape: [2] });
  });

  it('sign is 0 for NaN and signed zeros (PyTorch); abs(-0) is 0', () => {
    expectValues(sign(tensor([-3, -0, 0, 2, NaN, -Infinity])), { values: [-1, 0, 0, 1, 0, -1], shape: [6] });
    expect(Object.is(abs(tensor([-0])).toArray()[0], 0)).toBe(true);
    expect(Object.is(neg(tensor([0])).toArray()[0], -0)).toBe(true); // float negation keeps the IEEE sign
  });
});

describe('dtype rules', () => {
  const ints = tensor([-2, 0, 3], { dtype: int32 });
  it('float ops on integers and bool compute in float32', () => {
    expectValues(exp(ints), { values: [Math.exp(-2), 1, Math.exp(3)].map(Math.fround), shape: [3] }, float32);
    expectValues(reciprocal(ints), { values: [-0.5, Infinity, Math.fround(1 / 3)], shape: [3] }, float32);
    expectValues(sqrt(tensor([true, false])), { values: [1, 0], shape: [2] }, float32);
    expect(sin(tensor([1], { dtype: float64 })).dtype).toBe(float64);
    expect(cos(tensor([1], { dtype: float16 })).dtype).toBe(float16);
  });
  it('sign-preserving ops keep integer dtypes and wrap', () => {
    expectValues(neg(ints), { values: [2, 0, -3], shape: [3] }, int32);
    expectValues(abs(tensor([-128, -5], { dtype: int8 })), { values: [-128, 5], shape: [2] }, int8); // C wraps abs(INT8_MIN)
    expectValues(square(tensor([12, -12], { dtype: int8 })), { values: [-112, -112], shape: [2] }, int8); // 144 wraps
    expectValues(square(tensor([true, false])), { values: [1, 0], shape: [2] }, int64);
    expectValues(sign(tensor([-4, 0, 9], { dtype: int64 })), { values: [-1, 0, 1], shape: [3] }, int64);
    expectValues(sign(tensor([true, false])), { values: [1, 0], shape: [2] }, bool);
  });
  it('rounding ops are the identity on integers', () => {
    const u = tensor([0, 7, 255], { dtype: uint8 });
    for (const op of [floor, ceil, trunc, round]) expectValues(op(u), { values: [0, 7, 255], shape: [3] }, uint8);
  });
  it('refuses what PyTorch refuses', () => {
    expect(() => neg(tensor([true]))).toThrow(/Negation.*bool.*logicalNot/);
    expect(() => frac(ints)).toThrow(QTorchTypeError);
    expect(() => round(ints, { decimals: 1 })).toThrow(/round/);
    expect(() => exp(quantizePerTensor(tensor([1]), 0.1, 0, quint8))).toThrow(/exp\(\).*dequantize/);
  });
});

describe('round: half to even', () => {
  it('ties go to the even neighbour', () => {
    expectValues(round(tensor([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, 2.4999998, 2.5000002, 1e7 + 0.5], { dtype: float64 })),
      { values: [0, 2, 2, 4, -0, -2, -2, 2, 3, 1e7], shape: [10] });
    expect(Object.is(round(tensor([-0.5])).toArray()[0], -0)).toBe(true);
    expectValues(round(tensor([0.5, 1.5, 2.5], { dtype: float16 })), { values: [0, 2, 2], shape: [3] }, float16);
  });
  it('decimals scale, round half to even and scale back', () => {
    expectValues(round(tensor([1.2345, 0.125, -0.375], { dtype: float64 }), { decimals: 2 }), { values: [1.23, 0.12, -0.38], shape: [3] });
    // negative decimals round to tens/hundreds: 12.345 -> 12, 12.5 -> 12 (tie to even), 13.5 -> 14
    expectValues(round(tensor([1234.5, 1250, 1350]), { decimals: -2 }), { values: [1200, 1200, 1400], shape: [3] });
  });
  it('float32 computes each step in float32 as PyTorch does', () => {
    // float32(0.015) * 100 is 1.4999999664 in float64 (-> 0.01) but rounds to the tie 1.5 in
    // float32 (-> 2 -> 0.02); likewise 0.025 -> 2.5 -> 2 -> 0.02 where float64 would give 0.03
    expectValues(round(tensor([0.015, 0.025]), { decimals: 2 }), { values: [Math.fround(0.02), Math.fround(0.02)], shape: [2] });
    // float64 steps: 1.005 * 100 = 100.49999999999999 -> 100 -> 1
    expectValues(round(tensor([0.015, 1.005], { dtype: float64 }), { decimals: 2 }), { values: [0.02, 1], shape: [2] });
  });
});
