/**
 * Bad quantization parameters: scale 0 / negative / NaN / Inf / not a number, zero points out of
 * the dtype's range or not integers, through every entry point that takes them (quantize ops,
 * tensor constructors from ints, fake quantization, quantized ops' output qparams, quantized
 * module constructors, observers' quant ranges). PyTorch accepts several of these silently and
 * computes garbage; qtorch raises `QTorchValueError` (`QTorchTypeError` for a non-number).
 */
import {
  QTorchShapeError, QTorchTypeError, QTorchValueError, _makePerTensorQuantizedTensor, emptyAffineQuantized, fakeQuantizePerChannelAffine,
  fakeQuantizePerTensorAffine, float32, float64, int32, int64, int8, qint8, quantizePerChannel, quantizePerTensor, quantizedAdd,
  quantizedMul, quint8, tensor, uint8,
} from '@qtorch/qtensor';
import * as nnq from '@qtorch/nn-quantized';
import * as QF from '@qtorch/nn-quantized/functional';
import * as Q from '@qtorch/quantization';
import { type BadInputCase, type ErrorClass, group } from '../case.js';

const g = group('qparams');

/** Scales no op may accept, and the error class each gets. */
const BAD_SCALES: ReadonlyArray<[string, unknown, ErrorClass]> = [
  ['0', 0, QTorchValueError], ['-0.1', -0.1, QTorchValueError], ['NaN', NaN, QTorchValueError], ['Infinity', Infinity, QTorchValueError],
  ['-Infinity', -Infinity, QTorchValueError], ["'0.1' (string)", '0.1', QTorchTypeError], ['null', null, QTorchTypeError],
];
/** Zero points out of quint8's range or not integers. */
const BAD_ZERO_POINTS_QUINT8: ReadonlyArray<[string, number]> = [['256', 256], ['-1', -1], ['1.5', 1.5], ['NaN', NaN], ['Infinity', Infinity]];

const x = (): ReturnType<typeof tensor> => tensor([[0.5, -1], [2, 3.25]]);
const qx = (): ReturnType<typeof tensor> => quantizePerTensor(x(), 0.05, 64, quint8);

function scaleCases(): BadInputCase[] {
  const out: BadInputCase[] = [];
  for (const [name, s, cls] of BAD_SCALES) {
    out.push(g.throws(`quantizePerTensor: scale ${name}`, () => quantizePerTensor(x(), s as number, 0, quint8), cls, 'quantize_per_tensor'));
    out.push(g.throws(`quantizedAdd: output scale ${name}`, () => quantizedAdd(qx(), qx(), s as number, 0), cls, 'quantized::add'));
    out.push(g.throws(`nnq.Quantize: scale ${name}`, () => new nnq.Quantize(s as number, 0, quint8), cls, 'Quantize'));
    out.push(g.throws(`nnq.Hardswish: scale ${name}`, () => new nnq.Hardswish(s as number, 0), cls, 'Hardswish'));
  }
  for (const [name, s] of [['0', 0], ['-1', -1], ['NaN', NaN]] as const) {
    out.push(g.throws(`quantizePerChannel: a scale of ${name}`, () => quantizePerChannel(x(), tensor([0.1, s], { dtype: float64 }), tensor([0, 0], { dtype: int64 }), 0, qint8),
      QTorchValueError, 'quantize_per_channel'));
    out.push(g.throws(`_makePerTensorQuantizedTensor: scale ${name}`, () => _makePerTensorQuantizedTensor(tensor([1, 2], { dtype: uint8 }), s, 0),
      QTorchValueError, '_make_per_tensor_quantized_tensor'));
    out.push(g.throws(`emptyAffineQuantized: scale ${name}`, () => emptyAffineQuantized([2], { scale: s, zeroPoint: 0, dtype: quint8 }),
      QTorchValueError, '_empty_affine_quantized'));
    out.push(g.throws(`fakeQuantizePerTensorAffine: scale ${name} (PyTorch: garbage)`, () => fakeQuantizePerTensorAffine(x(), s, 0, 0, 255),
      QTorchValueError, 'fake_quantize_per_tensor_affine'));
    out.push(g.throws(`fakeQuantizePerChannelAffine: a scale of ${name}`,
      () => fakeQuantizePerChannelAffine(x(), tensor([0.1, s]), tensor([0, 0], { dtype: int32 }), 0, 0, 255), QTorchValueError, 'fake_quantize_per_channel_affine'));
    out.push(g.throws(`quantizedMul: output scale ${name}`, () => quantizedMul(qx(), qx(), s, 0), QTorchValueError, 'quantized::mul'));
    out.push(g.throws(`nnq.LeakyReLU: scale ${name}`, () => new nnq.LeakyReLU(s, 0), QTorchValueError, 'LeakyReLU'));
    out.push(g.throws(`nnq.Softmax: { scale: ${name} }`, () => new nnq.Softmax({ scale: s }), QTorchValueError, 'Softmax'));
    out.push(g.throws(`FixedQParamsObserver: scale ${name}`, () => new Q.FixedQParamsObserver({ scale: s, zeroPoint: 0 }), QTorchValueError, 'FixedQParamsObserver'));
    out.push(g.throws(`quantized functional conv2d: output scale ${name}`,
      () => QF.conv2d(quantizePerTensor(tensor([[[[1, 2], [3, 4]]]]), 0.1, 0, quint8), quantizePerTensor(tensor([[[[1]]]]), 0.1, 0, qint8), null, { scale: s, zeroPoint: 0 }),
      QTorchValueError, 'conv2d'));
  }
  return out;
}

function zeroPointCases(): BadInputCase[] {
  const out: BadInputCase[] = [];
  for (const [name, zp] of BAD_ZERO_POINTS_QUINT8) {
    out.push(g.throws(`quantizePerTensor(quint8): zero point ${name}`, () => quantizePerTensor(x(), 0.1, zp, quint8), QTorchValueError, 'quantize_per_tensor'));
    out.push(g.throws(`quantizedAdd(quint8): output zero point ${name}`, () => quantizedAdd(qx(), qx(), 0.1, zp), QTorchValueError, 'quantized::add'));
    out.push(g.throws(`nnq.Quantize(quint8): zero point ${name}`, () => new nnq.Quantize(0.1, zp, quint8), QTorchValueError, 'Quantize'));
  }
  for (const [name, zp] of [['128', 128], ['-129', -129]] as const) {
    out.push(g.throws(`quantizePerTensor(qint8): zero point ${name}`, () => quantizePerTensor(x(), 0.1, zp, qint8), QTorchValueError, 'quantize_per_tensor'));
    out.push(g.throws(`quantizePerChannel(qint8): a zero point of ${name}`,
      () => quantizePerChannel(x(), tensor([0.1, 0.1], { dtype: float64 }), tensor([0, zp], { dtype: int64 }), 0, qint8), QTorchValueError, 'quantize_per_channel'));
    out.push(g.throws(`_makePerTensorQuantizedTensor(int8): zero point ${name}`, () => _makePerTensorQuantizedTensor(tensor([1, 2], { dtype: int8 }), 0.1, zp),
      QTorchValueError, '_make_per_tensor_quantized_tensor'));
  }
  out.push(g.throws('fakeQuantizePerTensorAffine: zero point outside [quant_min, quant_max]', () => fakeQuantizePerTensorAffine(x(), 0.1, 300, 0, 255),
    QTorchValueError, 'fake_quantize_per_tensor_affine'));
  out.push(g.throws('fakeQuantizePerTensorAffine: quant_min > quant_max', () => fakeQuantizePerTensorAffine(x(), 0.1, 0, 255, 0),
    QTorchValueError, 'fake_quantize_per_tensor_affine'));
  out.push(g.throws('nnq.Hardswish(0.05) with the zero point left out', () => new (nnq.Hardswish as unknown as new (s: number) => unknown)(0.05),
    QTorchValueError, 'Hardswish'));
  out.push(g.throws('nnq.Sigmoid: zero point 0.5', () => new nnq.Sigmoid(0.1, 0.5), QTorchValueError, 'Sigmoid'));
  out.push(g.throws('FixedQParamsObserver: zero point 1.5', () => new Q.FixedQParamsObserver({ scale: 0.1, zeroPoint: 1.5 }), QTorchValueError, 'FixedQParamsObserver'));
  return out;
}

function dtypeAndRangeCases(): BadInputCase[] {
  return [
    g.throws('quantizePerTensor: dtype float32', () => quantizePerTensor(x(), 0.1, 0, float32), QTorchTypeError, 'quantize_per_tensor'),
    g.throws("quantizePerTensor: dtype 'quint8' (a string)", () => quantizePerTensor(x(), 0.1, 0, 'quint8' as never), QTorchTypeError, 'quantize_per_tensor'),
    g.throws('nnq.Quantize: dtype float32', () => new nnq.Quantize(0.1, 0, float32), QTorchTypeError, 'Quantize'),
    g.throws('nnq.Quantize: dtype left out', () => new (nnq.Quantize as unknown as new (s: number, z: number) => unknown)(0.1, 0), QTorchTypeError, 'Quantize'),
    g.throws('quantizePerChannel: 3 scales for 2 channels', () => quantizePerChannel(x(), tensor([0.1, 0.1, 0.1], { dtype: float64 }), tensor([0, 0, 0], { dtype: int64 }), 0, qint8),
      QTorchShapeError, 'quantize_per_channel'),
    g.throws('quantizePerChannel: axis 2 of a 2-d tensor', () => quantizePerChannel(x(), tensor([0.1, 0.1], { dtype: float64 }), tensor([0, 0], { dtype: int64 }), 2, qint8),
      QTorchValueError, 'quantize_per_channel'),
    g.throws('quantizePerChannel: axis 0.5', () => quantizePerChannel(x(), tensor([0.1, 0.1], { dtype: float64 }), tensor([0, 0], { dtype: int64 }), 0.5, qint8),
      QTorchValueError, 'quantize_per_channel'),
    g.throws('MinMaxObserver: quantMin > quantMax', () => new Q.MinMaxObserver({ quantMin: 10, quantMax: 5 }), QTorchValueError, 'qmin_qmax'),
    g.throws('MinMaxObserver: a quant range without 0', () => new Q.MinMaxObserver({ quantMin: 1, quantMax: 5 }), QTorchValueError, 'qmin_qmax'),
    g.throws('MinMaxObserver: a quant range of 300 levels for quint8', () => new Q.MinMaxObserver({ quantMin: 0, quantMax: 299 }), QTorchValueError, 'calculate_qmin_qmax'),
    g.throws('MinMaxObserver: dtype float32', () => new Q.MinMaxObserver({ dtype: float32 }), QTorchValueError, 'MinMaxObserver'),
    g.throws("MinMaxObserver: qscheme 'per_tensor_foo'", () => new Q.MinMaxObserver({ qscheme: 'per_tensor_foo' as never }), QTorchValueError, 'MinMaxObserver'),
    g.throws('FakeQuantize: quantMin > quantMax', () => new Q.FakeQuantize({ quantMin: 200, quantMax: 100 }), QTorchValueError, 'FakeQuantize'),
  ];
}

/** Every qparams case. */
export function qparamsCases(): BadInputCase[] {
  return [...scaleCases(), ...zeroPointCases(), ...dtypeAndRangeCases()];
}
