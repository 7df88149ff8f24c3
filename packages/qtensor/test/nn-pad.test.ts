// pad (constant / reflect / replicate / circular) against hand-written results, gradcheck, errors.
import { describe, expect, it } from 'vitest';
import { QTorchShapeError, QTorchValueError, arange, gradcheck, int64, pad, randn, tensor } from '../src/index.js';
import { expectClose, gen, leaf } from './nn-float-helpers.js';

describe('pad modes by hand', () => {
  const x = tensor([[[1, 2, 3]]]);
  it('1-d: constant / reflect / replicate / circular', () => {
    expectClose(pad(x, [2, 1], { value: -1 }), [-1, -1, 1, 2, 3, -1], [1, 1, 6], 0, 0);
    expectClose(pad(x, [2, 2], { mode: 'reflect' }), [3, 2, 1, 2, 3, 2, 1], [1, 1, 7], 0, 0);
    expectClose(pad(x, [2, 1], { mode: 'replicate' }), [1, 1, 1, 2, 3, 3], [1, 1, 6], 0, 0);
    expectClose(pad(x, [3, 2], { mode: 'circular' }), [1, 2, 3, 1, 2, 3, 1, 2], [1, 1, 8], 0, 0);
  });
  it('pads are last dim first; negative pads crop', () => {
    const m = tensor([[1, 2], [3, 4]]);
    // (left, right) of the last dim, then (top, bottom) of the first
    expectClose(pad(m, [1, 0, 0, 1]), [0, 1, 2, 0, 3, 4, 0, 0, 0], [3, 3], 0, 0);
    expectClose(pad(m, [-1, 0]), [2, 4], [2, 1], 0, 0);
    const r = pad(tensor([[[[1, 2, 3], [4, 5, 6]]]]), [1, 1, 1, 1], { mode: 'reflect' });
    expectClose(r, [5, 4, 5, 6, 5, 2, 1, 2, 3, 2, 5, 4, 5, 6, 5, 2, 1, 2, 3, 2], [1, 1, 4, 5], 0, 0);
  });
  it('works on non-contiguous and integer inputs', () => {
    const t = tensor([[1, 2], [3, 4]]).t();
    expectClose(pad(t, [0, 1], { value: 9 }), [1, 3, 9, 2, 4, 9], [2, 3], 0, 0);
    const i = arange(0, 3, 1, { dtype: int64 });
    const p = pad(i, [1, 1], { value: 7 });
    expect(p.dtype).toBe(int64);
    expect(Array.from(p.values())).toEqual([7, 0, 1, 2, 7]);
  });
});

describe('pad gradients', () => {
  it('every mode, 1-3 padded dims', () => {
    const g = gen(51);
    expect(gradcheck((x) => pad(x!, [1, 2, -1, 1], { value: 3 }), [leaf([2, 3, 4], g)])).toBe(true);
    expect(gradcheck((x) => pad(x!, [2, 1, 1, 2], { mode: 'reflect' }), [leaf([1, 2, 3, 4], g)])).toBe(true);
    expect(gradcheck((x) => pad(x!.transpose(1, 2), [2, 2], { mode: 'replicate' }), [leaf([1, 3, 2], g)])).toBe(true);
    expect(gradcheck((x) => pad(x!, [1, 1, 2, 0, 0, 1], { mode: 'circular' }), [leaf([1, 1, 2, 3, 2], g)])).toBe(true);
  });
});

describe('pad errors', () => {
  const x = randn([1, 1, 3]);
  it('names the op, the pads and the shape', () => {
    expect(() => pad(x, [1])).toThrow(/Padding length must be divisible by 2/);
    expect(() => pad(x, [1, 1, 1, 1, 1, 1, 1, 1])).toThrow(/Padding length too large/);
    expect(() => pad(x, [3, 0], { mode: 'reflect' })).toThrow(/pad\(\): Padding size should be less than the corresponding input dimension, but got: padding \(3, 0\) at dimension 2 of input \[1, 1, 3\]/);
    expect(() => pad(x, [4, 0], { mode: 'circular' })).toThrow(QTorchShapeError);
    expect(() => pad(randn([3]), [1, 1], { mode: 'replicate' })).toThrow(/expects a 2-D or 3-D input/);
    expect(() => pad(x, [-2, -2])).toThrow(/negative output size/);
    expect(() => pad(x, [1, 1], { mode: 'wrap' as never })).toThrow(QTorchValueError);
  });
});
