// Binary arithmetic: broadcasting against a naive index-arithmetic reference, non-contiguous
// operands, PyTorch's type promotion table, integer semantics (wrapping, Python floor division,
// zero division), C pow special cases, float16 rounding on write, and the error messages.
import { describe, expect, it } from 'vitest';
import {
  QTorchShapeError, QTorchTypeError, QTorchValueError, type DType, type Tensor, add, atan2, bool, div, float16, float32, float64,
  floorDivide, fmod, int16, int32, int64, int8, maximum, minimum, mul, pow, quantizePerTensor, quint8, remainder, resultType,
  scalarTensor, sub, tensor, uint8, zeros,
} from '../src/index.js';
import { expectValues, f32, ref, refBroadcast, rnd } from './ops-elementwise-helpers.js';

const SHAPE_PAIRS: Array<[number[], number[]]> = [
  [[2, 3], [2, 3]], [[2, 3], [3]], [[2, 1, 4], [3, 1]], [[1], [2, 2]], [[], [2, 3]], [[4, 1], [1, 5]], [[0, 3], [1, 3]], [[3, 1, 2], [1, 4, 1]],
];

describe('broadcasting', () => {
  const ops: Array<[string, (a: Tensor, b: Tensor) => Tensor, (x: number, y: number) => number]> = [
    ['add', add, (x, y) => x + y],
    ['add alpha', (a, b) => add(a, b, { alpha: -2.5 }), (x, y) => x + Math.fround(-2.5) * y],
    ['sub', sub, (x, y) => x - y],
    ['mul', mul, (x, y) => x * y],
    ['div', div, (x, y) => x / y],
  ];
  for (const [name, op, f] of ops) {
    it(`${name} matches the reference for every shape pair, both orders`, () => {
      SHAPE_PAIRS.forEach(([sa, sb], k) => {
        for (const [x, y] of [[rnd(sa, k), rnd(sb, 100 + k)], [rnd(sb, 200 + k), rnd(sa, 300 + k)]] as const) {
          // + - * / are correctly rounded: float32 results equal the float64 result rounded once
          expectValues(op(x, y), f32(refBroadcast([ref(x), ref(y)], f)), float32);
        }
      });
    });
  }

  it('a number operand broadcasts like a 0-d tensor on either side', () => {
    const x = rnd([2, 3], 1);
    expectValues(sub(1.5, x), f32(refBroadcast([1.5, ref(x)], (a, b) => a - b)));
    expectValues(x.mul(3), f32(refBroadcast([ref(x), 3], (a, b) => a * b)));
    expectValues(div(2, x), f32(refBroadcast([2, ref(x)], (a, b) => a / b)));
  });

  it('shape mismatch names the op and both shapes', () => {
    const run = () => add(zeros([2, 3]), zeros([4]));
    expect(run).toThrow(QTorchShapeError);
    expect(run).toThrow(/add\(\).*\[2, 3\].*\[4\]/);
    expect(() => mul(zeros([2, 3]), zeros([3, 2]))).toThrow(/mul\(\).*\[2, 3\] and \[3, 2\]/);
  });
});

describe('non-contiguous operands', () => {
  it('transposed, expanded and strided views read their logical values', () => {
    const base = rnd([4, 3], 5);
    const tr = base.t(); // [3, 4], strides [1, 3]
    const ex = rnd([4], 6).expand(3, 4); // stride 0 rows
    const stepped = rnd([3, 8], 7).slice(1, 0, null, 2); // every second column
    expect(tr.isContiguous() || ex.isContiguous() || stepped.isContiguous()).toBe(false);
    for (const [a, b] of [[tr, ex], [ex, stepped], [stepped, tr]] as const) {
      expectValues(add(a, b), f32(refBroadcast([ref(a), ref(b)], (x, y) => x + y)));
      expectValues(mul(a, b), f32(refBroadcast([ref(a), ref(b)], (x, y) => x * y)));
      expectValues(maximum(a, b), refBroadcast([ref(a), ref(b)], Math.max));
    }
  });

  it('float16 views convert their half bits', () => {
    const h = tensor([[1, 2, 3], [4, 5, 6]], { dtype: float16 }).t();
    expectValues(add(h, 0.5), { values: [1.5, 4.5, 2.5, 5.5, 3.5, 6.5], shape: [3, 2] }, float16);
  });
});

describe('type promotion (torch.result_type)', () => {
  const t = (d: DType, dims = true): Tensor => (dims ? tensor([1, 0], { dtype: d }) : scalarTensor(1, d));
  const table: Array<[string, Array<Tensor | number | boolean>, DType]> = [
    ['int8 + uint8', [t(int8), t(uint8)], int16],
    ['uint8 + int16', [t(uint8), t(int16)], int16],
    ['bool + bool', [t(bool), t(bool)], bool],
    ['bool + int8', [t(bool), t(int8)], int8],
    ['bool + int scalar', [t(bool), 1], int64],
    ['bool + float scalar', [t(bool), 1.5], float32],
    ['int32 + int scalar', [t(int32), 2], int32],
    ['uint8 + large int scalar', [t(uint8), 300], uint8],
    ['int32 + float scalar', [t(int32), 2.5], float32],
    ['int64 + float16', [t(int64), t(float16)], float16],
    ['float16 + float scalar', [t(float16), 2.5], float16],
    ['float16 + float32', [t(float16), t(float32)], float32],
    ['float32 + float64', [t(float32), t(float64)], float64],
    ['float32 dims + float64 0-d', [t(float32), t(float64, false)], float32],
    ['int32 dims + float64 0-d (higher category)', [t(int32), t(float64, false)], float64],
    ['int32 dims + int64 0-d', [t(int32), t(int64, false)], int32],
    ['uint8 dims + int8 0-d', [t(uint8), t(int8, false)], uint8],
    ['bool dims + int32 0-d', [t(bool), t(int32, false)], int32],
    ['0-d int16 + int scalar', [t(int16, false), 7], int16],
    ['0-d int16 + 0-d int32', [t(int16, false), t(int32, false)], int32],
    ['bool scalar + int8', [t(int8), true], int8],
  ];
  for (const [name, operands, expected] of table) {
    it(`${name} -> ${expected.name}`, () => {
      expect(resultType(...operands)).toBe(expected);
      const [a, b] = operands as [Tensor | number, Tensor | number];
      if (typeof operands[1] !== 'boolean') expect(add(a, b).dtype).toBe(expected);
    });
  }

  it('div of integers is float32 (the default dtype); rounded div keeps the integer dtype', () => {
    const a = tensor([7, -7], { dtype: int32 });
    expectValues(div(a, 2), { values: [3.5, -3.5], shape: [2] }, float32);
    expectValues(div(a, tensor([2, 2], { dtype: int64 }), { roundingMode: 'trunc' }), { values: [3, -3], shape: [2] }, int64);
    expect(div(tensor([1, 2], { dtype: float64 }), 3).dtype).toBe(float64);
  });

  it('atan2 of integers is float32', () => {
    const y = tensor([1, -1, 0], { dtype: int32 }), x = tensor([1, 1, -1], { dtype: int32 });
    expectValues(atan2(y, x), { values: [Math.PI / 4, -Math.PI / 4, Math.PI].map(Math.fround), shape: [3] }, float32);
  });
});

describe('integer arithmetic', () => {
  it('wraps like C integers', () => {
    expectValues(add(tensor([127, -128], { dtype: int8 }), 1), { values: [-128, -127], shape: [2] }, int8);
    expectValues(sub(tensor([3], { dtype: uint8 }), 5), { values: [254], shape: [1] }, uint8);
    expectValues(add(tensor([200], { dtype: uint8 }), 300), { values: [244], shape: [1] }, uint8);
    // exact modulo 2^32 even where the true product exceeds 2^53
    expectValues(mul(tensor([65536, 46341, 2147483647], { dtype: int32 }), tensor([65536, 46341, 2147483647], { dtype: int32 })),
      { values: [0, 2147488281 - 2 ** 32, 1], shape: [3] }, int32);
    expectValues(sub(tensor([5, 0], { dtype: int32 }), tensor([2, 3], { dtype: int32 }), { alpha: 3 }), { values: [-1, -9], shape: [2] });
  });

  it('bool + bool is logical or, bool * bool logical and', () => {
    const a = tensor([true, true, false, false]), b = tensor([true, false, true, false]);
    expectValues(add(a, b), { values: [1, 1, 1, 0], shape: [4] }, bool);
    expectValues(mul(a, b), { values: [1, 0, 0, 0], shape: [4] }, bool);
  });

  it('floor division, remainder and fmod follow Python / C signs', () => {
    const a = tensor([7, -7, 7, -7], { dtype: int32 }), b = tensor([2, 2, -2, -2], { dtype: int32 });
    expectValues(floorDivide(a, b), { values: [3, -4, -4, 3], shape: [4] }, int32);
    expectValues(div(a, b, { roundingMode: 'trunc' }), { values: [3, -3, -3, 3], shape: [4] }, int32);
    expectValues(remainder(a, b), { values: [1, 1, -1, -1], shape: [4] }, int32);
    expectValues(fmod(a, b), { values: [1, -1, 1, -1], shape: [4] }, int32);
    expectValues(remainder(tensor([-4], { dtype: int64 }), 2), { values: [0], shape: [1] }, int64);
    expect(Object.is(remainder(tensor([-4], { dtype: int64 }), 2).toArray()[0], 0)).toBe(true); // not -0
  });

  it('integer division by zero throws ZeroDivisionError', () => {
    const a = tensor([1, 2], { dtype: int32 });
    expect(() => floorDivide(a, 0)).toThrow(/ZeroDivisionError/);
    expect(() => remainder(a, tensor([1, 0], { dtype: int32 }))).toThrow(QTorchValueError);
    expect(() => div(a, 0, { roundingMode: 'trunc' })).toThrow(/div\(\).*ZeroDivisionError/);
    expectValues(div(a, 0), { values: [Infinity, Infinity], shape: [2] }, float32); // true division is float
  });

  it('integer pow is exact with wrapping; negative scalar exponents are refused', () => {
    expectValues(pow(tensor([2, 3, -2], { dtype: int64 }), 3), { values: [8, 27, -8], shape: [3] }, int64);
    expectValues(pow(tensor([3], { dtype: int32 }), 21), { values: [10460353203 - 2 * 2 ** 32], shape: [1] }, int32);
    expect(() => pow(tensor([2], { dtype: int32 }), -1)).toThrow(/negative integer powers/);
    // a tensor exponent follows ATen's powi: 0 except for bases 1 and -1
    const e = tensor([-1, -1, -1, -2], { dtype: int32 });
    expectValues(pow(tensor([2, 1, -1, -1], { dtype: int32 }), e), { values: [0, 1, -1, 1], shape: [4] }, int32);
  });
});

describe('float special cases', () => {
  it('floor division is exact (1 // 0.1 == 9, as in Python)', () => {
    expectValues(floorDivide(tensor([1, 7.5, -7.5], { dtype: float64 }), tensor([0.1, 2, 2], { dtype: float64 })), { values: [9, 3, -4], shape: [3] });
    expectValues(floorDivide(tensor([1, -1, 0]), 0), { values: [Infinity, -Infinity, NaN], shape: [3] });
    expectValues(remainder(tensor([5.5, -5.5, 1], { dtype: float64 }), tensor([-2, 2, 0], { dtype: float64 })), { values: [-0.5, 0.5, NaN], shape: [3] });
    expectValues(fmod(tensor([5.5, -5.5], { dtype: float64 }), -2), { values: [1.5, -1.5], shape: [2] });
  });

  it("pow follows C: 1 ** nan == 1, (-1) ** inf == 1, nan ** 0 == 1; scalar base", () => {
    expectValues(pow(tensor([1, -1, NaN, 2, -8]), tensor([NaN, Infinity, 0, 0.5, 1 / 3])),
      { values: [1, 1, 1, Math.fround(Math.SQRT2), NaN], shape: [5] });
    expectValues(pow(2, tensor([1, 2, 10])), { values: [2, 4, 1024], shape: [3] }, float32);
  });

  it('maximum / minimum propagate NaN', () => {
    const a = tensor([1, NaN, 3, -1]), b = tensor([2, 2, NaN, -3]);
    expectValues(maximum(a, b), { values: [2, NaN, NaN, -1], shape: [4] });
    expectValues(minimum(a, b), { values: [1, NaN, NaN, -3], shape: [4] });
    expectValues(minimum(tensor([5, 1], { dtype: int16 }), 3), { values: [3, 1], shape: [2] }, int16);
  });

  it('atan2 covers all quadrants', () => {
    const y = rnd([2, 5], 11), x = rnd([5], 12);
    expectValues(atan2(y, x), f32(refBroadcast([ref(y), ref(x)], Math.atan2)));
  });
});

describe('float16 computes in float32 and rounds on write', () => {
  it('sums round half to even into half precision', () => {
    // 2048 + 1 = 2049 is a tie between halves 2048 and 2050 -> even mantissa 2048
    expectValues(add(tensor([2048, 2050, 1], { dtype: float16 }), 1), { values: [2048, 2052, 2], shape: [3] }, float16);
    // 0.1 is stored as half 0.0999755859375; 1.0999755859375 rounds to 1.099609375
    expectValues(add(tensor([1], { dtype: float16 }), tensor([0.1], { dtype: float16 })), { values: [1.099609375], shape: [1] }, float16);
    expectValues(mul(tensor([65504], { dtype: float16 }), 2), { values: [Infinity], shape: [1] }, float16);
  });
});

describe('quantized operands', () => {
  const q = quantizePerTensor(tensor([0.5, 1]), 0.1, 0, quint8);
  it('are refused with a hint to dequantize() (and the quantized add)', () => {
    expect(() => add(q, tensor([1, 2]))).toThrow(QTorchTypeError);
    expect(() => add(q, 1)).toThrow(/add\(\).*quint8.*dequantize\(\).*quantizedAdd/);
    expect(() => q.mul(2)).toThrow(/mul\(\).*dequantize/);
    expect(() => div(tensor([1]), q)).toThrow(/div\(\).*dequantize/);
    expect(() => pow(q, 2)).toThrow(QTorchTypeError);
  });
  it('work after dequantize()', () => {
    expectValues(add(q.dequantize(), 1), { values: [1.5, 2], shape: [2] });
  });
});

describe('options', () => {
  it('rejects unknown rounding modes and float alpha for integers', () => {
    expect(() => div(tensor([1]), 2, { roundingMode: 'round' as never })).toThrow(/rounding_mode/);
    expect(() => add(tensor([1], { dtype: int32 }), 2, { alpha: 0.5 })).toThrow(/alpha/);
    expect(() => sub(tensor([true]), tensor([false]))).toThrow(/Subtraction.*bool/);
  });
});
