import { describe, expect, it } from 'vitest';
import {
  BatchNorm1d, BatchNorm2d, BatchNorm3d, Conv1d, Conv2d, Conv3d, ConvTranspose2d, Linear, Parameter, type _BatchNorm,
} from '@qtorch/nn';
import { QTorchValueError, type Tensor, fromValues, manualSeed, noGrad, rand, randn } from '@qtorch/qtensor';
import { expectTensorClose, loadGolden, tensorFromGolden } from '../../../tools/testing/src/index.js';
import { fuseConvBnEval, fuseConvBnWeights, fuseLinearBnEval, fuseLinearBnWeights } from '../src/index.js';
import { maxAbsDiff } from '../../nn-qat/test/reference.js';

/** Gives a BN non-trivial running statistics and affine parameters. */
function randomizeBn(bn: _BatchNorm): void {
  const c = bn.numFeatures;
  noGrad(() => {
    bn.running_mean!.copy_(randn([c]));
    bn.running_var!.copy_(rand([c]).add(0.5));
    bn.weight!.copy_(randn([c]));
    bn.bias!.copy_(randn([c]));
  });
}

describe('fuseConvBnWeights vs PyTorch (eager PTQ fixtures: conv1 + bn1 folded)', () => {
  for (const c of loadGolden('workflows/eager_ptq.json').cases) {
    it(`${c.name}: bit-exact folded weight and bias`, () => {
      const sd = c.inputs.float_state_dict;
      const t = (k: string): Tensor => tensorFromGolden(sd[k]);
      const [w, b] = fuseConvBnWeights(t('conv1.weight'), t('conv1.bias'), t('bn1.running_mean'), t('bn1.running_var'), 1e-5, t('bn1.weight'), t('bn1.bias'));
      expectTensorClose(w, c.expected.fused_state_dict['conv1.0.weight'], { exact: true, label: 'conv1.0.weight' });
      expectTensorClose(b, c.expected.fused_state_dict['conv1.0.bias'], { exact: true, label: 'conv1.0.bias' });
      expect(w).toBeInstanceOf(Parameter);
    });
  }
});

describe('fuseConvBnWeights / fuseLinearBnWeights by hand', () => {
  it('folds w * gamma / sqrt(var + eps) and (b - mean) * gamma / sqrt(var + eps) + beta', () => {
    const w = fromValues([1, 2, 3, 4], [2, 2, 1]);
    const [fw, fb] = fuseConvBnWeights(w, fromValues([1, -1], [2]), fromValues([0.5, 1], [2]), fromValues([3, 0], [2]), 1, fromValues([2, -1], [2]), fromValues([0.25, 1], [2]));
    expect(Array.from(fw.values())).toEqual([1, 2, -3, -4]);
    expect(Array.from(fb.values())).toEqual([0.75, 3]);
    // no conv bias, no affine BN: zeros / ones / zeros
    const [, fb2] = fuseConvBnWeights(w, null, fromValues([2, 2], [2]), fromValues([3, 3], [2]), 1, null, null);
    expect(Array.from(fb2.values())).toEqual([-1, -1]);
    const [lw, lb] = fuseLinearBnWeights(fromValues([1, 2, 3, 4], [2, 2]), null, fromValues([1, 0], [2]), fromValues([15, 3], [2]), 1, fromValues([4, 2], [2]), fromValues([1, 1], [2]));
    expect(Array.from(lw.values())).toEqual([1, 2, 3, 4]);
    expect(Array.from(lb.values())).toEqual([0, 1]);
  });

  it('checks channel counts', () => {
    expect(() => fuseConvBnWeights(randn([3, 2, 1]), null, randn([2]), rand([3]), 1e-5, null, null)).toThrow(/running_mean must have shape \(3,\)/);
  });
});

describe('fuseConvBnEval / fuseLinearBnEval: folded output == bn(layer(x)) within 1e-5', () => {
  const convs = [
    ['Conv1d', () => new Conv1d(3, 5, 3, { padding: 1 }), () => new BatchNorm1d(5), [2, 3, 8]],
    ['Conv2d', () => new Conv2d(4, 6, 3, { stride: 2, groups: 2 }), () => new BatchNorm2d(6), [2, 4, 7, 7]],
    ['Conv2d without bias', () => new Conv2d(3, 4, 1, { bias: false }), () => new BatchNorm2d(4), [1, 3, 5, 5]],
    ['Conv3d', () => new Conv3d(2, 3, 2), () => new BatchNorm3d(3), [1, 2, 4, 4, 3]],
  ] as const;
  for (const [name, makeConv, makeBn, shape] of convs) {
    it(name, () => {
      manualSeed(7);
      const conv = makeConv().eval();
      const bn = makeBn().eval();
      randomizeBn(bn);
      const x = randn([...shape]);
      const want = bn.call(conv.call(x));
      const fused = fuseConvBnEval(conv, bn);
      expect(fused).not.toBe(conv);
      expect(fused.constructor).toBe(conv.constructor);
      expect(fused.bias).not.toBeNull();
      expect(maxAbsDiff(fused.call(x).values(), want.values())).toBeLessThan(1e-5);
    });
  }

  it('ConvTranspose2d with transpose: true', () => {
    manualSeed(8);
    const conv = new ConvTranspose2d(3, 4, 3, { stride: 2 }).eval();
    const bn = new BatchNorm2d(4).eval();
    randomizeBn(bn);
    const x = randn([1, 3, 4, 4]);
    const want = bn.call(conv.call(x));
    const fused = fuseConvBnEval(conv, bn, { transpose: true });
    expect(maxAbsDiff(fused.call(x).values(), want.values())).toBeLessThan(1e-5);
  });

  it('Linear + BatchNorm1d', () => {
    manualSeed(9);
    const fc = new Linear(6, 4).eval();
    const bn = new BatchNorm1d(4).eval();
    randomizeBn(bn);
    const x = randn([5, 6]);
    const want = bn.call(fc.call(x));
    expect(maxAbsDiff(fuseLinearBnEval(fc, bn).call(x).values(), want.values())).toBeLessThan(1e-5);
  });

  it('refuses modules in training mode', () => {
    expect(() => fuseConvBnEval(new Conv2d(1, 2, 1), new BatchNorm2d(2).eval())).toThrow(QTorchValueError);
    expect(() => fuseLinearBnEval(new Linear(1, 2).eval(), new BatchNorm1d(2))).toThrow(/Fusion only for eval!/);
  });
});
