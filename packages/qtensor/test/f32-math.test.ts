import { describe, expect, it } from 'vitest';
import { float32, float64, sigmoid, tanh, tensor, sigmoid_, tanh_ } from '../src/index.js';
import { expNonPositiveF32 } from '../src/nn/f32_math.js';

const f = Math.fround;

/** The distance in float32 ulps between a float32 result and the exact value (a double). */
function ulps(got: number, exact: number): number {
  const want = f(exact);
  if (got === want) return 0;
  const bits = (v: number) => {
    const b = new Int32Array(new Float32Array([v]).buffer)[0]!;
    return b < 0 ? -(b & 0x7fffffff) : b; // a monotone integer line through +-0
  };
  // half an ulp of rounding in the exact value is not the algorithm's error
  return Math.abs(bits(got) - bits(want));
}

/** Float32 values spread over [-range, range], dense near 0, plus the edges. */
function sweep(range: number, n: number): number[] {
  const xs: number[] = [0, -0, range, -range];
  for (let i = 1; i <= n; i++) {
    const t = i / n;
    xs.push(f(range * t * t * t), f(-range * t * t * t));
  }
  return xs;
}

const values = (t: ReturnType<typeof tensor>): number[] => Array.from(t.values());

describe('float32 sigmoid and tanh (the float32 precision of PyTorch, one algorithm for every kernel)', () => {
  it('sigmoid is within 2 ulp of the exact sigmoid over [-110, 110], subnormals included', () => {
    const xs = sweep(110, 40000);
    const got = values(sigmoid(tensor(xs, { dtype: float32 })));
    let worst = 0;
    xs.forEach((x, i) => {
      const exact = x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
      worst = Math.max(worst, ulps(got[i]!, exact));
    });
    expect(worst).toBeLessThanOrEqual(2);
  });

  it('tanh is within 2 ulp of Math.tanh over [-30, 30], with the sign of zero kept', () => {
    const xs = sweep(30, 40000);
    const got = values(tanh(tensor(xs, { dtype: float32 })));
    let worst = 0;
    xs.forEach((x, i) => { worst = Math.max(worst, ulps(got[i]!, Math.tanh(x))); });
    expect(worst).toBeLessThanOrEqual(2);
    expect(Object.is(got[1], -0)).toBe(true);
    expect(Object.is(got[0], 0)).toBe(true);
  });

  it('saturates and propagates NaN as the exact functions do', () => {
    const xs = [Infinity, -Infinity, NaN, 1e30, -1e30];
    expect(values(sigmoid(tensor(xs, { dtype: float32 })))).toEqual([1, 0, NaN, 1, 0]);
    expect(values(tanh(tensor(xs, { dtype: float32 })))).toEqual([1, -1, NaN, 1, -1]);
  });

  it('exp reaches the subnormals with one rounding, and underflows to 0 below them', () => {
    expect(expNonPositiveF32(0)).toBe(1);
    expect(ulps(expNonPositiveF32(f(-100)), Math.exp(f(-100)))).toBeLessThanOrEqual(1);
    expect(expNonPositiveF32(-104)).toBe(0);
    expect(expNonPositiveF32(-1000)).toBe(0);
  });

  it('float64 tensors keep the double formulas; in-place forms use the tensor precision', () => {
    const xs = [-3.25, -0.5, 0.1, 2.75];
    expect(values(sigmoid(tensor(xs, { dtype: float64 })))).toEqual(xs.map((x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)))));
    expect(values(tanh(tensor(xs, { dtype: float64 })))).toEqual(xs.map(Math.tanh));
    expect(values(sigmoid_(tensor(xs, { dtype: float32 })))).toEqual(values(sigmoid(tensor(xs, { dtype: float32 }))));
    expect(values(tanh_(tensor(xs, { dtype: float32 })))).toEqual(values(tanh(tensor(xs, { dtype: float32 }))));
  });
});
