import { float64, fromValues, intRepr, manualSeed, qScale, quantizePerTensor, quint8 } from '@qtorch/qtensor';
import { describe, expect, it } from 'vitest';
import { Dropout, Dropout2d, Upsample } from '../src/index.js';
import { expectAllClose, lcgValues, vals } from './helpers.js';

describe('Dropout', () => {
  it('zeroes about p of the elements and scales the rest by 1/(1-p) in training', () => {
    manualSeed(0);
    const x = fromValues(new Array(4000).fill(1), [4000], float64);
    const y = vals(new Dropout({ p: 0.25 }).call(x));
    const kept = y.filter((v) => v !== 0);
    for (const v of kept) expect(v).toBeCloseTo(1 / 0.75, 12);
    expect(Math.abs(kept.length / 4000 - 0.75)).toBeLessThan(0.03);
  });

  it('drops whole channels (Dropout2d)', () => {
    manualSeed(1);
    const y = vals(new Dropout2d().call(fromValues(new Array(16 * 4 * 4).fill(1), [16, 4, 2, 2])));
    // each (n, c) plane of 4 values is either all dropped or all kept (and scaled by 2)
    for (let c = 0; c < y.length / 4; c++) expect(new Set(y.slice(c * 4, c * 4 + 4)).size).toBe(1);
    expect(new Set(y)).toEqual(new Set([0, 2]));
  });

  it('is the identity in eval mode, quantized tensors included', () => {
    const d = new Dropout().eval();
    const x = fromValues([1, 2, 3], [3]);
    expect(d.call(x)).toBe(x);
    const q = quantizePerTensor(x, 0.1, 0, quint8);
    expect(d.call(q)).toBe(q);
    expect(new Dropout({ p: 0.1, inplace: true }).toString()).toBe('Dropout(p=0.1, inplace=True)');
    expect(new Dropout().toString()).toBe('Dropout(p=0.5, inplace=False)');
    expect(() => new Dropout({ p: 1.5 })).toThrow(/between 0 and 1/);
  });
});

describe('Upsample', () => {
  it('nearest and bilinear resizing', () => {
    const x = fromValues([1, 2, 3, 4], [1, 1, 2, 2]);
    expect(vals(new Upsample({ scaleFactor: 2 }).call(x))).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
    // align_corners: the corners stay, the middle is the average
    expectAllClose(vals(new Upsample({ size: [3, 3], mode: 'bilinear', alignCorners: true }).call(x)), [1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4], 1e-6, 1e-7);
  });

  it('resizes quantized tensors with nearest, keeping qparams', () => {
    const q = quantizePerTensor(fromValues(lcgValues(4), [1, 1, 2, 2]), 0.05, 10, quint8);
    const y = new Upsample({ scaleFactor: 2 }).call(q);
    expect(y.dtype).toBe(quint8);
    expect(qScale(y)).toBe(qScale(q));
    const ints = Array.from(intRepr(q).values());
    expect(Array.from(intRepr(y).values())).toEqual([0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3].map((i) => ints[i]));
    expect(() => new Upsample({ scaleFactor: 2, mode: 'bilinear' }).call(q)).toThrow(/nearest/);
  });

  it('prints like PyTorch', () => {
    expect(new Upsample({ scaleFactor: 2 }).toString()).toBe('Upsample(scale_factor=2.0, mode=nearest)');
    expect(new Upsample({ size: [4, 4], mode: 'bilinear', alignCorners: true }).toString()).toBe('Upsample(size=(4, 4), mode=bilinear)');
    expect(() => new Upsample({})).toThrow(/exactly one of size and scaleFactor/);
  });
});
