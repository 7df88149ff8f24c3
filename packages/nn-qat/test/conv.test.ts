import { describe, expect, it } from 'vitest';
import { Conv1d as FloatConv1d, Conv2d as FloatConv2d, Conv3d as FloatConv3d, Linear as FloatLinear, Parameter } from '@qtorch/nn';
import { QTorchTypeError, QTorchValueError, fromValues, manualSeed, randn } from '@qtorch/qtensor';
import { FakeQuantize, defaultQatQconfig, getDefaultQatQconfig } from '@qtorch/quantization';
import { Conv1d, Conv2d, Conv3d } from '../src/index.js';
import { fakeQuantWeight, maxAbsDiff } from './reference.js';

const perChannelQconfig = getDefaultQatQconfig('fbgemm', 0);

const CASES = [
  { name: 'Conv1d', Qat: Conv1d, Float: FloatConv1d, input: [2, 4, 9], opts: { stride: 2, padding: 1 } },
  { name: 'Conv2d', Qat: Conv2d, Float: FloatConv2d, input: [2, 4, 7, 6], opts: { padding: 1, groups: 2 } },
  { name: 'Conv3d', Qat: Conv3d, Float: FloatConv3d, input: [1, 4, 6, 5, 7], opts: { dilation: [2, 1, 2], bias: false } },
] as const;

describe('qat ConvNd', () => {
  for (const { name, Qat, Float, input, opts } of CASES) {
    for (const [label, qconfig, perChannel] of [['per-tensor', defaultQatQconfig, false], ['per-channel', perChannelQconfig, true]] as const) {
      it(`${name} (${label}) equals a float conv run with independently fake-quantized weights`, () => {
        manualSeed(10);
        const qat = new Qat(4, 6, 3, { ...opts, qconfig });
        const x = randn([...input]);
        const y = qat.call(x);
        const ref = new Float(4, 6, 3, opts);
        const { values } = fakeQuantWeight(qat.weight, perChannel);
        ref.weight = new Parameter(fromValues(values, qat.weight.shape));
        ref.bias = qat.bias;
        const want = ref.call(x);
        expect(y.shape).toEqual(want.shape);
        expect(maxAbsDiff(y.values(), want.values())).toBeLessThan(1e-5);
        // and not just the float conv
        expect(maxAbsDiff(values, qat.weight.values())).toBeGreaterThan(1e-4);
      });
    }
  }

  it('fromFloat keeps the hyperparameters and shares the parameters; toFloat goes back', () => {
    const float = Object.assign(new FloatConv2d(4, 8, [3, 2], { stride: [2, 1], padding: 1, dilation: 1, groups: 4, paddingMode: 'reflect' }), { qconfig: defaultQatQconfig });
    const qat = Conv2d.fromFloat(float);
    expect(qat).toBeInstanceOf(Conv2d);
    expect([qat.kernelSize, qat.stride, qat.padding, qat.groups, qat.paddingMode]).toEqual([[3, 2], [2, 1], [1, 1], 4, 'reflect']);
    expect(qat.weight).toBe(float.weight);
    expect(qat.bias).toBe(float.bias);
    const back = qat.toFloat() as FloatConv2d;
    expect(back.constructor).toBe(FloatConv2d);
    expect(back.extraRepr()).toBe(float.extraRepr());
    expect(Array.from(back.weight.values())).toEqual(Array.from(float.weight.values()));
    (qat.weight_fake_quant as FakeQuantize).disableFakeQuant();
    const x = randn([1, 4, 6, 5]);
    expect(Array.from(back.call(x).values())).toEqual(Array.from(qat.call(x).values()));
  });

  it('fromFloat refuses other classes and modules without a qconfig', () => {
    expect(() => Conv2d.fromFloat(new FloatConv2d(1, 1, 1))).toThrow(QTorchValueError);
    expect(() => Conv2d.fromFloat(Object.assign(new FloatConv1d(1, 1, 1), { qconfig: defaultQatQconfig }))).toThrow(QTorchTypeError);
    expect(() => Conv1d.fromFloat(Object.assign(new FloatLinear(1, 1), { qconfig: defaultQatQconfig }))).toThrow(/only works for Conv1d, got Linear/);
    expect(() => new Conv2d(1, 1, 1)).toThrow(/qconfig must be provided/);
  });

  it('has the float conv repr plus the weight_fake_quant child, and its state-dict keys', () => {
    const qat = new Conv2d(3, 4, 3, { qconfig: getDefaultQatQconfig('qnnpack') });
    expect(qat.toString().split('\n').slice(0, 2)).toEqual(['Conv2d(', '  3, 4, kernel_size=(3, 3), stride=(1, 1)']);
    const fqKeys = Object.keys(qat.weight_fake_quant.stateDict()).map((k) => `weight_fake_quant.${k}`);
    expect(Object.keys(qat.stateDict())).toEqual(['weight', 'bias', ...fqKeys]);
    expect(fqKeys).toContain('weight_fake_quant.scale');
  });
});
