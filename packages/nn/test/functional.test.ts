import { dequantize, fromValues, intRepr, qScale, qZeroPoint, qint8, quantizePerTensor, quint8 } from '@qtorch/qtensor';
import { describe, expect, it } from 'vitest';
import * as F from '../src/functional/index.js';
import { expectAllClose, lcgValues, vals } from './helpers.js';

describe('F (torch.nn.functional)', () => {
  it('exposes PyTorch functional names in camelCase', () => {
    for (const name of [
      'linear', 'bilinear', 'conv1d', 'conv2d', 'conv3d', 'convTranspose1d', 'convTranspose2d', 'relu', 'relu6', 'hardtanh', 'leakyRelu', 'elu', 'selu',
      'celu', 'gelu', 'silu', 'mish', 'sigmoid', 'tanh', 'hardsigmoid', 'hardswish', 'softplus', 'threshold', 'logsigmoid', 'prelu', 'softmax',
      'logSoftmax', 'batchNorm', 'instanceNorm', 'layerNorm', 'groupNorm', 'embedding', 'embeddingBag', 'dropout', 'dropout2d', 'maxPool1d',
      'maxPool2d', 'maxPool3d', 'avgPool1d', 'avgPool2d', 'avgPool3d', 'adaptiveAvgPool1d', 'adaptiveAvgPool2d', 'adaptiveAvgPool3d',
      'adaptiveMaxPool2d', 'pad', 'interpolate', 'mseLoss', 'l1Loss', 'crossEntropy', 'nllLoss', 'binaryCrossEntropy',
      'binaryCrossEntropyWithLogits', 'smoothL1Loss', 'multiHeadAttentionForward', 'lstmCell', 'gruCell', 'rnnTanhCell', 'rnnReluCell',
    ]) expect(typeof (F as Record<string, unknown>)[name], name).toBe('function');
  });

  it('float activations with inplace', () => {
    const x = fromValues([-2, -0.5, 0.5, 8], [4]);
    expect(vals(F.relu6(x))).toEqual([0, 0, 0.5, 6]);
    expectAllClose(vals(F.leakyRelu(x, { negativeSlope: 0.5 })), [-1, -0.25, 0.5, 8], 0, 0);
    expect(vals(F.threshold(x, 0, -7))).toEqual([-7, -7, 0.5, 8]);
    const y = F.hardtanh(x, { minVal: -1, maxVal: 1, inplace: true });
    expect(y).toBe(x);
    expect(vals(x)).toEqual([-1, -0.5, 0.5, 1]);
  });

  it('route quantized input to the quantized kernels with PyTorch output qparams', () => {
    const x = quantizePerTensor(fromValues(lcgValues(8, 2).map((v) => v * 4), [2, 4]), 0.05, 64, quint8);
    const ints = Array.from(intRepr(x).values());
    expect(Array.from(intRepr(F.relu(x)).values())).toEqual(ints.map((q) => Math.max(q, 64)));
    const ht = F.hardtanh(x, { minVal: -1, maxVal: 1 });
    expect(Array.from(intRepr(ht).values())).toEqual(ints.map((q) => Math.min(Math.max(q, 64 - 20), 64 + 20)));
    const lr = F.leakyRelu(x, { negativeSlope: 0.25 });
    expect([qScale(lr), qZeroPoint(lr)]).toEqual([0.05, 64]);
    expectAllClose(lr.toArray(), x.toArray().map((v) => (v > 0 ? v : 0.25 * v)), 0, 0.025 + 1e-7);
    expect(() => F.elu(x)).toThrow(/quantized/);
    expect(() => F.hardswish(x)).toThrow(/quantized/);
    const t = F.tanh(x);
    expect([qScale(t), qZeroPoint(t)]).toEqual([2 / 256, 128]);
    const hsig = F.hardsigmoid(x);
    expect([qScale(hsig), qZeroPoint(hsig)]).toEqual([1 / 256, 0]);
    expect(F.gelu(x).dtype).toBe(quint8);
    expect(F.avgPool2d(x.view(1, 1, 2, 4), 2).dtype).toBe(quint8);
    // 1-d average pools run through the 2-d kernels, as in PyTorch
    const ap1 = F.avgPool1d(x, 2);
    expect(ap1.shape).toEqual([2, 2]);
    expectAllClose(Array.from(intRepr(ap1).values()), [0, 1, 2, 3].map((j) => Math.round((ints[2 * j]! + ints[2 * j + 1]!) / 2)), 0, 1);
    const ad1 = F.adaptiveAvgPool1d(x, 1);
    expect(ad1.shape).toEqual([2, 1]);
    expectAllClose(Array.from(intRepr(ad1).values()), [0, 1].map((r) => ints.slice(4 * r, 4 * r + 4).reduce((a, b) => a + b) / 4), 0, 0.5);
    expect(() => F.maxPool3d(x.view(1, 1, 2, 2, 2), 2)).toThrow(/quantized/);
    const q8 = quantizePerTensor(fromValues([-1, 0.5], [2]), 0.1, 0, qint8);
    expect(dequantize(F.relu(q8)).toArray()).toEqual([0, 0.5]);
    expect(() => F.softmax(x, 1)).toThrow(/quantized/);
  });

  it('dropout outside training returns any input, quantized included', () => {
    const q = quantizePerTensor(fromValues([1, 2], [2]), 0.1, 0, quint8);
    expect(F.dropout(q, { training: false })).toBe(q);
    expect(() => F.dropout(q)).toThrow(/quantized/);
  });

  it('bilinear checks its operands', () => {
    expect(() => F.bilinear(fromValues([1, 2], [1, 2]), fromValues([1, 2, 3], [1, 3]), fromValues(lcgValues(8), [2, 2, 2]))).toThrow(/bilinear\(\): expected input1/);
  });
});
