import { QTorchValueError, float64, fromValues, gradcheck, noGrad } from '@qtorch/qtensor';
import { describe, expect, it } from 'vitest';
import { Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d } from '../src/index.js';
import { checkGrads, expectAllClose, lcgValues, leaf, naiveConv, toDouble, vals } from './helpers.js';

describe('Conv1d/2d/3d', () => {
  const cases = [
    { name: 'conv2d plain', m: () => new Conv2d(2, 3, 3), x: [2, 2, 5, 6] },
    { name: 'conv2d stride/pad/dilation', m: () => new Conv2d(2, 4, [3, 2], { stride: [2, 1], padding: [1, 2], dilation: [1, 2] }), x: [1, 2, 7, 6] },
    { name: 'conv2d groups, no bias', m: () => new Conv2d(4, 6, 3, { groups: 2, bias: false, padding: 1 }), x: [1, 4, 4, 4] },
    { name: 'conv1d', m: () => new Conv1d(3, 2, 3, { stride: 2, padding: 1 }), x: [2, 3, 8] },
    { name: 'conv3d', m: () => new Conv3d(2, 2, 2, { padding: 1 }), x: [1, 2, 3, 3, 3] },
  ];
  for (const c of cases) {
    it(`${c.name} matches a naive loop`, () => {
      const m = toDouble(c.m());
      const xv = lcgValues(c.x.reduce((a, b) => a * b), 11);
      const y = m.call(fromValues(xv, c.x, float64));
      const ref = naiveConv(xv, c.x, vals(m.weight), [...m.weight.shape], m.bias ? vals(m.bias) : null, {
        stride: m.stride, padding: m.padding as number[], dilation: m.dilation, groups: m.groups,
      });
      expect(y.shape).toEqual(ref.shape);
      expectAllClose(vals(y), ref.out, 1e-12, 1e-12);
    });
  }

  it("padding 'same' keeps the size (extra pad on the right for even kernels)", () => {
    const m = toDouble(new Conv1d(1, 1, 4, { padding: 'same', bias: false }));
    const xv = lcgValues(7, 2);
    const y = m.call(fromValues(xv, [1, 1, 7], float64));
    expect(y.shape).toEqual([1, 1, 7]);
    const w = vals(m.weight);
    // total padding 3: left 1, right 2
    const expected = Array.from({ length: 7 }, (_, o) => w.reduce((s, wk, k) => {
      const i = o - 1 + k;
      return s + (i >= 0 && i < 7 ? xv[i]! * wk : 0);
    }, 0));
    expectAllClose(vals(y), expected, 1e-12, 1e-12);
  });

  it('reflect / circular padding modes pad before a valid convolution', () => {
    const xv = [1, 2, 3, 4, 5];
    for (const [mode, padded] of [['reflect', [2, 1, 2, 3, 4, 5, 4]], ['circular', [5, 1, 2, 3, 4, 5, 1]], ['replicate', [1, 1, 2, 3, 4, 5, 5]]] as const) {
      const m = toDouble(new Conv1d(1, 1, 3, { padding: 1, paddingMode: mode, bias: false }));
      const w = vals(m.weight);
      const y = m.call(fromValues(xv, [1, 1, 5], float64));
      const expected = [0, 1, 2, 3, 4].map((o) => w[0]! * padded[o]! + w[1]! * padded[o + 1]! + w[2]! * padded[o + 2]!);
      expectAllClose(vals(y), expected, 1e-12, 1e-12);
    }
  });

  it('accepts unbatched input', () => {
    expect(new Conv2d(2, 3, 3).call(fromValues(lcgValues(50), [2, 5, 5])).shape).toEqual([3, 3, 3]);
  });

  it('prints like PyTorch', () => {
    expect(new Conv2d(1, 20, 5).toString()).toBe('Conv2d(1, 20, kernel_size=(5, 5), stride=(1, 1))');
    expect(new Conv1d(2, 4, 3, { padding: 'same', paddingMode: 'reflect', groups: 2, bias: false }).toString())
      .toBe('Conv1d(2, 4, kernel_size=(3,), stride=(1,), padding=same, groups=2, bias=False, padding_mode=reflect)');
    expect(new Conv2d(2, 4, 3, { padding: 'valid' }).toString()).toBe('Conv2d(2, 4, kernel_size=(3, 3), stride=(1, 1), padding=valid)');
    expect(new Conv3d(2, 4, 3, { stride: 2, padding: 1, dilation: 2 }).toString())
      .toBe('Conv3d(2, 4, kernel_size=(3, 3, 3), stride=(2, 2, 2), padding=(1, 1, 1), dilation=(2, 2, 2))');
    expect(new ConvTranspose2d(2, 3, 3, { stride: 2, outputPadding: 1 }).toString())
      .toBe('ConvTranspose2d(2, 3, kernel_size=(3, 3), stride=(2, 2), output_padding=(1, 1))');
    expect(new ConvTranspose1d(2, 3, 3).toString()).toBe('ConvTranspose1d(2, 3, kernel_size=(3,), stride=(1,))');
  });

  it('stores hyperparameters as tuples and weights in PyTorch layout', () => {
    const m = new Conv2d(4, 8, [3, 5], { stride: 2, groups: 2 });
    expect(m.kernelSize).toEqual([3, 5]);
    expect(m.stride).toEqual([2, 2]);
    expect(m.padding).toEqual([0, 0]);
    expect(m.paddingMode).toBe('zeros');
    expect(m.weight.shape).toEqual([8, 2, 3, 5]);
    expect(new ConvTranspose2d(4, 6, 3, { groups: 2 }).weight.shape).toEqual([4, 3, 3, 3]);
    // default init bound 1/sqrt(fan_in), fan_in = 2 * 3 * 5
    for (const v of [...vals(m.weight), ...vals(m.bias!)]) expect(Math.abs(v)).toBeLessThanOrEqual(1 / Math.sqrt(30));
  });

  it('rejects bad configurations as PyTorch does', () => {
    expect(() => new Conv2d(3, 4, 3, { groups: 2 })).toThrow(/in_channels must be divisible by groups/);
    expect(() => new Conv2d(4, 3, 3, { groups: 2 })).toThrow(/out_channels must be divisible by groups/);
    expect(() => new Conv2d(2, 2, 3, { padding: 'same', stride: 2 })).toThrow(/not supported for strided/);
    expect(() => new Conv2d(2, 2, 3, { padding: 'full' as 'same' })).toThrow(QTorchValueError);
    expect(() => new Conv2d(2, 2, 3, { paddingMode: 'mirror' as 'zeros' })).toThrow(/padding_mode must be one of/);
    expect(() => new ConvTranspose2d(2, 2, 3, { paddingMode: 'reflect' as 'zeros' })).toThrow(/Only "zeros" padding mode/);
  });

  it('has correct gradients (input, weight, bias)', () => {
    const m = toDouble(new Conv2d(2, 2, 2, { stride: 1, padding: 1, groups: 2 }));
    const x = leaf(lcgValues(18, 4), [1, 2, 3, 3]);
    checkGrads(m, [x], () => m.call(x));
    const r = toDouble(new Conv1d(1, 2, 3, { padding: 1, paddingMode: 'reflect' }));
    const x1 = leaf(lcgValues(5, 8), [1, 1, 5]);
    checkGrads(r, [x1], () => r.call(x1));
    expect(gradcheck((xx) => r.call(xx), [leaf(lcgValues(5, 3), [1, 1, 5])])).toBe(true);
  });
});

describe('ConvTranspose', () => {
  it('is the adjoint of the convolution with the same weight', () => {
    // <convT(y), x> = <y, conv(x)> for conv weight w reinterpreted as [in=O, out=C, k]
    const conv = toDouble(new Conv2d(2, 3, 3, { stride: 2, padding: 1, bias: false }));
    const convT = toDouble(new ConvTranspose2d(3, 2, 3, { stride: 2, padding: 1, bias: false }));
    noGrad(() => convT.weight.copy_(conv.weight.detach()));
    const xv = lcgValues(2 * 5 * 5, 1), yv = lcgValues(3 * 3 * 3, 2);
    const cx = vals(conv.call(fromValues(xv, [1, 2, 5, 5], float64)));
    const ty = vals(convT.call(fromValues(yv, [1, 3, 3, 3], float64)));
    expect(ty.length).toBe(xv.length);
    const lhs = ty.reduce((s, v, i) => s + v * xv[i]!, 0), rhs = cx.reduce((s, v, i) => s + v * yv[i]!, 0);
    expect(lhs).toBeCloseTo(rhs, 10);
  });

  it('adds bias and honours outputSize', () => {
    const m = new ConvTranspose2d(1, 1, 3, { stride: 2 });
    const x = fromValues(lcgValues(4), [1, 1, 2, 2]);
    expect(m.call(x).shape).toEqual([1, 1, 5, 5]);
    expect(m.call(x, [6, 6]).shape).toEqual([1, 1, 6, 6]);
    expect(m.call(x, [1, 1, 6, 6]).shape).toEqual([1, 1, 6, 6]);
    expect(() => m.call(x, [8, 8])).toThrow(/valid sizes range from \(5, 5\) to \(6, 6\)/);
    const zeroW = new ConvTranspose1d(1, 2, 2);
    zeroW.weight.requiresGrad = false;
    zeroW.weight.copy_(fromValues([0, 0, 0, 0], [1, 2, 2]));
    const y = zeroW.call(fromValues([1, 2], [1, 1, 2]));
    const b = vals(zeroW.bias!);
    expectAllClose(vals(y), [b[0]!, b[0]!, b[0]!, b[1]!, b[1]!, b[1]!], 1e-6, 1e-7);
  });

  it('has correct gradients', () => {
    const m = toDouble(new ConvTranspose1d(2, 2, 3, { stride: 2 }));
    const x = leaf(lcgValues(6, 6), [1, 2, 3]);
    checkGrads(m, [x], () => m.call(x));
  });
});
