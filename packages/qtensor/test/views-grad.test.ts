import { describe, expect, it } from 'vitest';
import { cat, gradcheck, randn, stack, Tensor, float64 } from '../src/index.js';

const leaf = (shape: number[]): Tensor => randn(shape, { dtype: float64 }).requiresGrad_();

describe('view gradients (finite differences)', () => {
  it('permute / reshape / expand / slice / select / asStrided', () => {
    expect(gradcheck((x) => x.t().reshape(6), [leaf([2, 3])])).toBe(true);
    expect(gradcheck((x) => x.unsqueeze(0).expand(4, 2, 3), [leaf([2, 3])])).toBe(true);
    expect(gradcheck((x) => x.slice(1, 0, null, 2), [leaf([2, 5])])).toBe(true);
    expect(gradcheck((x) => x.select(1, -1), [leaf([3, 4])])).toBe(true);
    expect(gradcheck((x) => x.asStrided([3, 3], [1, 1]), [leaf([5])])).toBe(true);
    expect(gradcheck((x) => x.index([null, '...', 1]), [leaf([2, 3, 2])])).toBe(true);
  });
  it('cat / stack / split', () => {
    expect(gradcheck((a, b) => cat([a!, b!], 1), [leaf([2, 3]), leaf([2, 1])])).toBe(true);
    expect(gradcheck((a, b) => stack([a!, b!], 2), [leaf([2, 3]), leaf([2, 3])])).toBe(true);
    expect(gradcheck((a) => a.split(2, 1)[1]!, [leaf([2, 5])])).toBe(true);
  });
  it('detects a wrong gradient', () => {
    const wrong = (x: Tensor): Tensor => {
      const out = x.reshape(6).clone();
      out.gradFn = { ...out.gradFn!, backward: (g: Tensor) => [new Tensor(Float64Array.from(g.values()).reverse(), float64, g.shape)] } as never;
      return out;
    };
    expect(gradcheck(wrong, [leaf([2, 3])], { raiseException: false })).toBe(false);
  });
});
