// Bad arguments to the quantized ops throw clear errors naming the op.
import { describe, expect, it } from 'vitest';
import {
  QTorchShapeError, QTorchTypeError, QTorchValueError, Tensor, conv2dPrepack, float32, linearPrepack, makeQTensor, qint32, qint8,
  quantizedAdd, quantizedAvgPool2d, quantizedConcat, quantizedConv2d, quantizedLinear, quantizedLinearDynamic,
  quantizedMaxPool2d, quantizedRelu, quantizedSoftmax, quint8,
} from '../src/index.js';

const qx = (shape: number[], dtype = quint8): Tensor => makeQTensor(shape, dtype, 0.1, dtype === quint8 ? 128 : 0);
function qw(shape: number[]): Tensor {
  const w = new Tensor(new Int8Array(shape.reduce((a, b) => a * b, 1)).fill(1), qint8, shape);
  w.quantizer = { qscheme: 'per_tensor_affine', scale: 0.05, zeroPoint: 0 };
  return w;
}
const fx = (shape: number[]): Tensor => new Tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), float32, shape);

describe('quantized op argument errors', () => {
  it('a float tensor into a quantized op', () => {
    expect(() => quantizedLinear(fx([2, 3]), linearPrepack(qw([4, 3])), 0.1, 0)).toThrow(/quantized::linear\(\): expected a quantized tensor, got torch.float32/);
    expect(() => quantizedRelu(fx([3]))).toThrow(QTorchTypeError);
    expect(() => quantizedAdd(qx([3]), fx([3]), 0.1, 0)).toThrow(QTorchTypeError);
    expect(() => linearPrepack(fx([4, 3]))).toThrow(/expected a qint8 quantized weight/);
  });

  it('a quantized tensor into dynamic linear', () => {
    expect(() => quantizedLinearDynamic(qx([2, 3]), linearPrepack(qw([4, 3])))).toThrow(/expected a float32 input/);
  });

  it('mismatched features / channels', () => {
    expect(() => quantizedLinear(qx([2, 5]), linearPrepack(qw([4, 3])), 0.1, 0)).toThrow(QTorchShapeError);
    expect(() => quantizedConv2d(qx([1, 3, 5, 5]), conv2dPrepack(qw([4, 2, 3, 3]), null), 0.1, 0)).toThrow(/expected 2 input channels/);
    expect(() => linearPrepack(qw([4, 3]), fx([3]))).toThrow(/bias of shape \[4\]/);
    expect(() => quantizedAdd(qx([2, 3]), qx([4, 3]), 0.1, 0)).toThrow(QTorchShapeError);
    expect(() => quantizedAdd(qx([3]), qx([3], qint8), 0.1, 0)).toThrow(/same dtype/);
    expect(() => quantizedConcat([qx([2, 3]), qx([2, 4])], 0, 0.1, 0)).toThrow(/sizes must match/);
  });

  it('groups not dividing channels, zero-size or oversized kernels', () => {
    expect(() => conv2dPrepack(qw([5, 1, 3, 3]), null, 1, 0, 1, 2)).toThrow(/divisible by groups/);
    expect(() => conv2dPrepack(qw([4, 1, 0, 3]), null)).toThrow(/kernel sizes must be positive/);
    expect(() => conv2dPrepack(qw([4, 1, 3, 3]), null, 0)).toThrow(/stride must be integers >= 1/);
    expect(() => quantizedConv2d(qx([1, 1, 2, 2]), conv2dPrepack(qw([4, 1, 3, 3]), null), 0.1, 0)).toThrow(/too small/);
    expect(() => quantizedMaxPool2d(qx([1, 1, 4, 4]), 0)).toThrow(QTorchValueError);
    expect(() => quantizedMaxPool2d(qx([1, 1, 4, 4]), 2, { padding: 2 })).toThrow(/pad should be at most half/);
    expect(() => quantizedAvgPool2d(qx([1, 1, 4, 4]), 3, { divisorOverride: 0 })).toThrow(/divisor must be a positive integer/);
  });

  it('out-of-range output zero points and bad scales', () => {
    const p = linearPrepack(qw([4, 3]));
    expect(() => quantizedLinear(qx([2, 3]), p, 0.1, 256)).toThrow(/zero_point must be an integer in \[0, 255\]/);
    expect(() => quantizedLinear(qx([2, 3], qint8), p, 0.1, 128)).toThrow(/\[-128, 127\]/);
    expect(() => quantizedLinear(qx([2, 3]), p, 0, 0)).toThrow(/scale must be a positive finite number/);
    expect(() => quantizedSoftmax(qx([2, 3]), 1, -1, 0)).toThrow(QTorchValueError);
    expect(() => quantizedAdd(qx([3]), qx([3]), 0.1, -1)).toThrow(QTorchValueError);
  });

  it('per-channel weights on the wrong axis; unsupported activation dtype', () => {
    const w = new Tensor(new Int8Array(6), qint8, [2, 3]);
    w.quantizer = { qscheme: 'per_channel_affine', scales: Float64Array.of(0.1, 0.1, 0.1), zeroPoints: new Float64Array(3), axis: 1 };
    expect(() => linearPrepack(w)).toThrow(/axis 0/);
    const q32 = makeQTensor([2, 3], qint32, 0.1, 0);
    expect(() => quantizedRelu(q32)).toThrow(/quint8 or qint8/);
  });
});
