import { describe, expect, it } from 'vitest';
import { Generator, dropout, dropout2d, float64, gradcheck, manualSeed, ones, tensor } from '../src/index.js';

describe('dropout', () => {
  it('zeroes about p of the elements and scales the rest by 1 / (1 - p)', () => {
    manualSeed(7);
    const y = dropout(ones([20000]), { p: 0.3 }).toArray();
    const kept = y.filter((v) => v !== 0);
    expect(kept.every((v) => Math.abs(v - 1 / 0.7) < 1e-6)).toBe(true);
    expect(Math.abs(1 - kept.length / 20000 - 0.3)).toBeLessThan(0.015);
  });
  it('is reproducible from a seed and uses the given generator', () => {
    const a = dropout(ones([50]), { generator: new Generator(3) }).toArray();
    const b = dropout(ones([50]), { generator: new Generator(3) }).toArray();
    expect(a).toEqual(b);
    manualSeed(11);
    const c = dropout(ones([50])).toArray();
    manualSeed(11);
    expect(dropout(ones([50])).toArray()).toEqual(c);
  });
  it('eval mode and p = 0 return the input; p = 1 gives zeros', () => {
    const x = tensor([1, 2, 3]);
    expect(dropout(x, { training: false })).toBe(x);
    expect(dropout(x, { p: 0 })).toBe(x);
    expect(dropout(x, { p: 1 }).toArray()).toEqual([0, 0, 0]);
  });
  it('gradient is the same mask times 1 / (1 - p)', () => {
    const x = tensor([1, 2, 3, 4, 5, 6], { dtype: float64 }).requiresGrad_();
    const y = dropout(x, { p: 0.5, generator: new Generator(5) });
    y.backward(ones([6], { dtype: float64 }));
    const yv = y.toArray(), g = x.grad!.toArray();
    g.forEach((v, i) => expect(v).toBe(yv[i] === 0 ? 0 : 2));
    expect(gradcheck((a) => dropout(a, { p: 0.4, generator: new Generator(9) }), [x])).toBe(true);
  });
  it('dropout2d drops whole channels', () => {
    const y = dropout2d(ones([4, 8, 3, 3]), { p: 0.5, generator: new Generator(1) }).toArray();
    for (let ch = 0; ch < 32; ch++) {
      const vals = new Set(y.slice(ch * 9, ch * 9 + 9));
      expect(vals.size).toBe(1);
      expect([0, 2]).toContain([...vals][0]);
    }
    expect(() => dropout2d(ones([2, 3]))).toThrow(/dropout2d\(\).*3D or 4D/);
  });
  it('rejects p outside [0, 1]', () => {
    expect(() => dropout(ones([2]), { p: -0.1 })).toThrow(/dropout\(\): dropout probability has to be between 0 and 1, but got -0.1/);
    expect(() => dropout(ones([2]), { p: 1.5 })).toThrow(/1.5/);
  });
});
