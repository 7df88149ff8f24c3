import { describe, expect, it } from 'vitest';
import { tensor, arange, Tensor, float16, zeros } from '../src/index.js';

describe('core views', () => {
  it('permute/transpose share storage and read in logical order', () => {
    const x = arange(6).reshape(2, 3);
    const y = x.t();
    expect(y.shape).toEqual([3, 2]);
    expect(y.isContiguous()).toBe(false);
    expect(y.toArray()).toEqual([0, 3, 1, 4, 2, 5]);
    expect(y.contiguous().isContiguous()).toBe(true);
    expect(y.storage).toBe(x.storage);
  });
  it('slicing and index expressions', () => {
    const x = arange(24).reshape(2, 3, 4);
    expect(x.index([1, { start: 1 }, null, '...']).shape).toEqual([2, 1, 4]);
    expect(x.slice(2, 1, null, 2).toArray()).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23]);
    expect(x.index(['...', 0]).toArray()).toEqual([0, 4, 8, 12, 16, 20]);
  });
  it('float16 rounds to nearest even', () => {
    const h = tensor([65504, 65520, 1 + 2 ** -11, 1 + 3 * 2 ** -11], { dtype: float16 });
    expect(h.toArray()).toEqual([65504, Infinity, 1, 1 + 2 ** -9]);
  });
  it('cat and stack gradients flow', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3], { requiresGrad: true });
    const c = Tensor.prototype.contiguous.call(a);
    expect(c).toBe(a);
    const z = zeros([1]);
    expect(z.item()).toBe(0);
  });
});
