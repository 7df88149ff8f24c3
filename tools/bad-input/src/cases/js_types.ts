/**
 * Wrong argument types from plain JavaScript callers: a positional value where qtorch's API
 * takes the trailing options object (PyTorch's keyword arguments) was silently ignored before
 * (`new LeakyReLU(0.2)` gave slope 0.01, `F.pad(x, p, 'reflect')` padded with zeros), module
 * constructors and forwards given non-tensors, and module classes constructed with options in
 * the wrong form. Every case must throw `QTorchTypeError` naming the class or function.
 */
import { QTorchError, QTorchTypeError, QTorchValueError, float64, quantizePerTensor, qint8, quint8, randn, tensor, zeros } from '@qtorch/qtensor';
import * as nn from '@qtorch/nn';
import { DataLoader, TensorDataset } from '@qtorch/nn/data';
import * as F from '@qtorch/nn/functional';
import * as nnq from '@qtorch/nn-quantized';
import * as nnqd from '@qtorch/nn-quantized/dynamic';
import * as QF from '@qtorch/nn-quantized/functional';
import * as nnqat from '@qtorch/nn-qat';
import * as Q from '@qtorch/quantization';
import { type BadInputCase, group } from '../case.js';

const g = group('plain-JS argument types');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyCtor = new (...args: any[]) => unknown;

/** Classes whose constructor takes only an options object (PyTorch keyword arguments). */
const OPTIONS_ONLY: Record<string, AnyCtor> = {
  'nn.ReLU': nn.ReLU, 'nn.ReLU6': nn.ReLU6, 'nn.Hardtanh': nn.Hardtanh, 'nn.LeakyReLU': nn.LeakyReLU, 'nn.ELU': nn.ELU, 'nn.GELU': nn.GELU,
  'nn.Softplus': nn.Softplus, 'nn.Softmax': nn.Softmax, 'nn.LogSoftmax': nn.LogSoftmax, 'nn.PReLU': nn.PReLU, 'nn.Hardswish': nn.Hardswish,
  'nn.Hardsigmoid': nn.Hardsigmoid, 'nn.SiLU': nn.SiLU, 'nn.Mish': nn.Mish, 'nn.SELU': nn.SELU, 'nn.Dropout': nn.Dropout,
  'nn.Dropout2d': nn.Dropout2d, 'nn.Flatten': nn.Flatten, 'nn.Upsample': nn.Upsample,
  'nnq.ReLU6': nnq.ReLU6, 'nnq.Softmax': nnq.Softmax, 'nnq.Dropout': nnq.Dropout,
  'MinMaxObserver': Q.MinMaxObserver, 'MovingAverageMinMaxObserver': Q.MovingAverageMinMaxObserver, 'HistogramObserver': Q.HistogramObserver,
  'PerChannelMinMaxObserver': Q.PerChannelMinMaxObserver, 'MovingAveragePerChannelMinMaxObserver': Q.MovingAveragePerChannelMinMaxObserver,
  'PlaceholderObserver': Q.PlaceholderObserver, 'PercentileObserver': Q.PercentileObserver, 'EntropyObserver': Q.EntropyObserver,
  'RecordingObserver': Q.RecordingObserver, 'NoopObserver': Q.NoopObserver, 'FakeQuantize': Q.FakeQuantize,
  'FusedMovingAvgObsFakeQuantize': Q.FusedMovingAvgObsFakeQuantize, 'LearnableFakeQuantize': Q.LearnableFakeQuantize,
  'FixedQParamsObserver': Q.FixedQParamsObserver,
};

/** What a PyTorch user types positionally where qtorch wants `{ name: value }`. */
const POSITIONAL: ReadonlyArray<[string, unknown]> = [
  ['0.2', 0.2], ['true', true], ["'tanh'", 'tanh'], ['null', null], ['qint8 (a dtype)', qint8], ['[1, 2]', [1, 2]],
];

/** Constructors with required positional arguments, given a PyTorch-style positional default. */
const POSITIONAL_DEFAULTS: ReadonlyArray<[string, () => unknown]> = [
  ['new nn.Linear(3, 4, false) (bias)', () => new (nn.Linear as AnyCtor)(3, 4, false)],
  ['new nn.Conv2d(3, 8, 3, 2) (stride)', () => new (nn.Conv2d as AnyCtor)(3, 8, 3, 2)],
  ['new nn.ConvTranspose2d(3, 8, 3, 2) (stride)', () => new (nn.ConvTranspose2d as AnyCtor)(3, 8, 3, 2)],
  ['new nn.BatchNorm2d(4, 1e-5) (eps)', () => new (nn.BatchNorm2d as AnyCtor)(4, 1e-5)],
  ['new nn.LayerNorm([4], 1e-5) (eps)', () => new (nn.LayerNorm as AnyCtor)([4], 1e-5)],
  ['new nn.GroupNorm(2, 4, 1e-5) (eps)', () => new (nn.GroupNorm as AnyCtor)(2, 4, 1e-5)],
  ['new nn.Embedding(10, 3, 0) (padding_idx)', () => new (nn.Embedding as AnyCtor)(10, 3, 0)],
  ['new nn.LSTM(4, 8, 2) (num_layers)', () => new (nn.LSTM as AnyCtor)(4, 8, 2)],
  ['new nn.GRU(4, 8, 2) (num_layers)', () => new (nn.GRU as AnyCtor)(4, 8, 2)],
  ['new nn.MultiheadAttention(8, 2, 0.1) (dropout)', () => new (nn.MultiheadAttention as AnyCtor)(8, 2, 0.1)],
  ['new nn.MaxPool2d(2, 2) (stride)', () => new (nn.MaxPool2d as AnyCtor)(2, 2)],
  ['new nn.AvgPool1d(2, 2) (stride)', () => new (nn.AvgPool1d as AnyCtor)(2, 2)],
  ['new nnq.Linear(4, 3, false) (bias)', () => new (nnq.Linear as AnyCtor)(4, 3, false)],
  ['new nnq.Conv2d(2, 3, 3, 1) (stride)', () => new (nnq.Conv2d as AnyCtor)(2, 3, 3, 1)],
  ['new nnq.LeakyReLU(0.1, 0, 0.2) (negative_slope)', () => new (nnq.LeakyReLU as AnyCtor)(0.1, 0, 0.2)],
  ['new nnqd.Linear(4, 3, true) (bias)', () => new (nnqd.Linear as AnyCtor)(4, 3, true)],
  ['new nnqd.LSTM(4, 8, 2) (num_layers)', () => new (nnqd.LSTM as AnyCtor)(4, 8, 2)],
  ['new nnqat.Linear(4, 3, true) (bias)', () => new (nnqat.Linear as AnyCtor)(4, 3, true)],
  ['new DataLoader(dataset, 4) (batch_size)', () => new (DataLoader as AnyCtor)(new TensorDataset(zeros([8, 2])), 4)],
];

function constructorCases(): BadInputCase[] {
  const out: BadInputCase[] = [];
  for (const [name, Cls] of Object.entries(OPTIONS_ONLY)) {
    const cls = name.split('.').pop()!;
    for (const [label, v] of POSITIONAL) {
      out.push(g.throws(`new ${name}(${label})`, () => new Cls(v), QTorchTypeError, cls));
    }
  }
  for (const [name, fn] of POSITIONAL_DEFAULTS) {
    const cls = /new (?:\w+\.)?(\w+)\(/.exec(name)![1]!;
    out.push(g.throws(name, fn, QTorchTypeError, cls));
  }
  out.push(
    g.throws('new nn.ModuleList(0.2)', () => new nn.ModuleList(0.2 as never), QTorchTypeError, 'ModuleList'),
    g.throws('new nn.ModuleDict(0.2)', () => new nn.ModuleDict(0.2 as never), QTorchTypeError, 'ModuleDict'),
    g.throws('new nn.Parameter([1, 2])', () => new nn.Parameter([1, 2] as never), QTorchTypeError, 'Parameter'),
    g.throws("new nn.Linear('3', 4)", () => new nn.Linear('3' as never, 4), QTorchValueError, 'Linear'),
    g.throws('new nn.Conv2d(3, 8, 0) then forward (PyTorch: constructs, forward fails)', () => new nn.Conv2d(3, 8, 0).call(randn([1, 3, 4, 4])), QTorchError, 'conv2d'),
    g.throws('new nn.Dropout({ p: 1.5 })', () => new nn.Dropout({ p: 1.5 }), QTorchValueError, 'Dropout'),
    g.throws('new QConfig(0.2, 0.2)', () => new Q.QConfig(0.2 as never, 0.2 as never), QTorchTypeError, 'QConfig'),
    g.throws('new QConfig({ activation, weight }) (options object instead of two factories)',
      () => new Q.QConfig({ activation: Q.MinMaxObserver, weight: Q.MinMaxObserver } as never, undefined as never), QTorchTypeError, 'QConfig'),
    g.throws('new QConfig(observer instance, ...)', () => new Q.QConfig(new Q.MinMaxObserver() as never, Q.MinMaxObserver as never), QTorchValueError, 'observer instance'),
  );
  return out;
}

function functionalCases(): BadInputCase[] {
  const x = (): ReturnType<typeof randn> => randn([1, 2, 4, 4]);
  const qx = (): ReturnType<typeof randn> => quantizePerTensor(x(), 0.05, 128, quint8);
  const fn = <A extends unknown[]>(f: (...a: A) => unknown) => f as unknown as (...a: unknown[]) => unknown;
  return [
    g.throws('F.leakyRelu(x, 0.2) (negative_slope)', () => fn(F.leakyRelu)(x(), 0.2), QTorchTypeError, 'leakyRelu'),
    g.throws('F.relu(x, true) (inplace)', () => fn(F.relu)(x(), true), QTorchTypeError, 'relu'),
    g.throws('F.hardtanh(x, -2, 2) (min_val)', () => fn(F.hardtanh)(x(), -2, 2), QTorchTypeError, 'hardtanh'),
    g.throws('F.elu_(x, 1.5) (alpha)', () => fn(F.elu_)(x(), 1.5), QTorchTypeError, 'elu_'),
    g.throws('F.dropout(x, 0.5) (p)', () => fn(F.dropout)(x(), 0.5), QTorchTypeError, 'dropout'),
    g.throws('F.maxPool2d(x, 2, 2) (stride)', () => fn(F.maxPool2d)(x(), 2, 2), QTorchTypeError, 'maxPool2d'),
    g.throws('F.avgPool2d(x, 2, 1) (stride)', () => fn(F.avgPool2d)(x(), 2, 1), QTorchTypeError, 'avgPool2d'),
    g.throws("F.pad(x, [1, 1], 'reflect') (mode)", () => fn(F.pad)(x(), [1, 1], 'reflect'), QTorchTypeError, 'pad'),
    g.throws('F.conv2d(x, w, b) (bias)', () => fn(F.conv2d)(x(), randn([3, 2, 3, 3]), randn([3])), QTorchTypeError, 'conv2d'),
    g.throws('F.softmax(x, 1, float64) (dtype)', () => fn(F.softmax)(x(), 1, float64), QTorchTypeError, 'softmax'),
    g.throws('F.interpolate(x, 2) (scale_factor)', () => fn(F.interpolate)(x(), 2), QTorchTypeError, 'interpolate'),
    g.throws('F.layerNorm(x, [4], w) (weight)', () => fn(F.layerNorm)(x(), [4], randn([4])), QTorchTypeError, 'layerNorm'),
    g.throws('QF.leakyRelu(qx, 0.2) (negative_slope)', () => fn(QF.leakyRelu)(qx(), 0.2), QTorchTypeError, 'leakyRelu'),
    g.throws('QF.conv2d(qx, qw, null, 1) (stride)', () => fn(QF.conv2d)(qx(), quantizePerTensor(randn([3, 2, 3, 3]), 0.05, 0, qint8), null, 1),
      QTorchTypeError, 'conv2d'),
    g.throws('QF.maxPool2d(qx, 2, 2) (stride)', () => fn(QF.maxPool2d)(qx(), 2, 2), QTorchTypeError, 'max_pool2d'),
    g.throws("tensor([1, 2], 'float64')", () => fn(tensor)([1, 2], 'float64'), QTorchTypeError, 'tensor'),
    g.throws('zeros([2], float64) (dtype)', () => fn(zeros)([2], float64), QTorchTypeError, 'zeros'),
    g.throws('randn([2], true) (requires_grad)', () => fn(randn)([2], true), QTorchTypeError, 'randn'),
    g.throws("quantizePerTensor(x, '0.1', 0, quint8)", () => fn(quantizePerTensor)(x(), '0.1', 0, quint8), QTorchTypeError, 'quantize_per_tensor'),
    g.throws("quantizePerTensor(x, 0.1, '0', quint8)", () => fn(quantizePerTensor)(x(), 0.1, '0', quint8), QTorchTypeError, 'quantize_per_tensor'),
  ];
}

function forwardCases(): BadInputCase[] {
  const modules: ReadonlyArray<[string, () => { call(...a: unknown[]): unknown }]> = [
    ['nn.Linear', () => new nn.Linear(3, 4)], ['nn.Conv2d', () => new nn.Conv2d(2, 3, 3)], ['nn.ReLU', () => new nn.ReLU()],
    ['nn.Sequential(ReLU)', () => new nn.Sequential(new nn.ReLU())], ['nn.BatchNorm2d', () => new nn.BatchNorm2d(2)],
    ['nn.LayerNorm', () => new nn.LayerNorm([4])], ['nn.Embedding', () => new nn.Embedding(10, 3)], ['nn.LSTM', () => new nn.LSTM(3, 4)],
    ['nn.MaxPool2d', () => new nn.MaxPool2d(2)], ['nn.Softmax', () => new nn.Softmax({ dim: 1 })], ['nn.Flatten', () => new nn.Flatten()],
    ['nnq.Linear', () => new nnq.Linear(3, 4)], ['nnq.Conv2d', () => new nnq.Conv2d(2, 3, 3)], ['nnq.ReLU6', () => new nnq.ReLU6()],
    ['nnq.Quantize', () => new nnq.Quantize(0.1, 0, quint8)], ['nnq.DeQuantize', () => new nnq.DeQuantize()],
    ['nnqd.Linear', () => new nnqd.Linear(3, 4)], ['MinMaxObserver', () => new Q.MinMaxObserver()],
    ['HistogramObserver', () => new Q.HistogramObserver()], ['FakeQuantize', () => new Q.FakeQuantize()],
  ];
  const out: BadInputCase[] = [];
  for (const [name, make] of modules) {
    for (const [label, v] of [['null', null], ['undefined', undefined], ['[1, 2, 3]', [1, 2, 3]], ['5', 5]] as const) {
      out.push(g.throws(`${name}.call(${label})`, () => make().call(v), QTorchTypeError, /\w+\(\)/));
    }
  }
  return out;
}

/** Every plain-JS argument-type case. */
export function jsTypeCases(): BadInputCase[] {
  return [...constructorCases(), ...functionalCases(), ...forwardCases()];
}
