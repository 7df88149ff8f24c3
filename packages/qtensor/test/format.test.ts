// Tensor printing. Every expected string is written out by hand, following the rules of
// PyTorch's torch/_tensor_str.py (format mode and width, 80-column wrapping, summarization,
// suffixes), i.e. what PyTorch 1.13 prints for the same tensor.
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Tensor, arange, float16, float64, getPrintOptions, int32, int64, qint8, quantizePerChannel, quantizePerTensor, quint8, recordOp,
  scalarTensor, setPrintOptions, tensor, tensorRepr, zeros,
} from '../src/index.js';

const long = (values: number[]): Tensor => tensor(values, { dtype: int64 });

describe('plain tensors', () => {
  it('floats at precision 4, requires_grad suffix', () => {
    expect(String(tensor([[0.1, 2.0]], { requiresGrad: true }))).toBe('tensor([[0.1000, 2.0000]], requires_grad=True)');
    expect(String(tensor([0.5, 100.25]))).toBe('tensor([  0.5000, 100.2500])');
  });
  it('integer-valued floats print as `1.`', () => {
    expect(String(tensor([1, 2, 3]))).toBe('tensor([1., 2., 3.])');
    expect(String(zeros([2]))).toBe('tensor([0., 0.])');
    expect(String(tensor([-0, 1]))).toBe('tensor([-0., 1.])');
  });
  it('integers; dtype suffix unless float32 / int64 / bool', () => {
    expect(String(long([1, 2, 3]))).toBe('tensor([1, 2, 3])');
    expect(String(long([5, -100]))).toBe('tensor([   5, -100])');
    expect(String(tensor([1, 2, 3], { dtype: int32 }))).toBe('tensor([1, 2, 3], dtype=torch.int32)');
    expect(String(tensor([1, 2], { dtype: float64 }))).toBe('tensor([1., 2.], dtype=torch.float64)');
    expect(String(tensor([0.5, 1.5], { dtype: float16 }))).toBe('tensor([0.5000, 1.5000], dtype=torch.float16)');
  });
  it('bools', () => {
    expect(String(tensor([true, false]))).toBe('tensor([ True, False])');
    expect(String(tensor([true, true]))).toBe('tensor([True, True])');
  });
  it('0-d tensors', () => {
    expect(String(scalarTensor(3))).toBe('tensor(3.)');
    expect(String(scalarTensor(0.5))).toBe('tensor(0.5000)');
    expect(String(scalarTensor(7, int64))).toBe('tensor(7)');
    expect(String(scalarTensor(2).requiresGrad_())).toBe('tensor(2., requires_grad=True)');
  });
  it('empty tensors show their size unless it is (0,), and any non-float32 dtype', () => {
    expect(String(zeros([0, 3]))).toBe('tensor([], size=(0, 3))');
    expect(String(zeros([0]))).toBe('tensor([])');
    expect(String(zeros([0], { dtype: int64 }))).toBe('tensor([], dtype=torch.int64)');
    expect(String(zeros([2, 0], { dtype: float64 }))).toBe('tensor([], size=(2, 0), dtype=torch.float64)');
  });
  it('nan and inf', () => {
    expect(String(tensor([NaN, 1.5]))).toBe('tensor([   nan, 1.5000])');
    expect(String(tensor([1, Infinity]))).toBe('tensor([1., inf])');
    expect(String(tensor([-Infinity, 0.5]))).toBe('tensor([  -inf, 0.5000])');
    expect(String(tensor([NaN, NaN]))).toBe('tensor([nan, nan])');
  });
  it('Python rounding (half to even on exact ties)', () => {
    expect(String(tensor([0.03125, 1]))).toBe('tensor([0.0312, 1.0000])');
  });
});

describe('scientific notation', () => {
  it('small values, wide ratios and huge values', () => {
    expect(String(tensor([1e-5, 1]))).toBe('tensor([1.0000e-05, 1.0000e+00])');
    expect(String(tensor([0.001, 2]))).toBe('tensor([1.0000e-03, 2.0000e+00])');
    expect(String(tensor([1, 10000]))).toBe('tensor([1.0000e+00, 1.0000e+04])');
    expect(String(tensor([1e9]))).toBe('tensor([1.0000e+09])');
  });
  it('stays off at the thresholds (ratio 1000, max 1e8)', () => {
    expect(String(tensor([1, 1000]))).toBe('tensor([   1., 1000.])');
    expect(String(tensor([1e8]))).toBe('tensor([100000000.])');
  });
});

describe('layout', () => {
  it('wraps vectors at 80 columns', () => {
    expect(String(arange(-7.5, 7.25, 0.5))).toBe(
      'tensor([-7.5000, -7.0000, -6.5000, -6.0000, -5.5000, -5.0000, -4.5000, -4.0000,\n' +
      '        -3.5000, -3.0000, -2.5000, -2.0000, -1.5000, -1.0000, -0.5000,  0.0000,\n' +
      '         0.5000,  1.0000,  1.5000,  2.0000,  2.5000,  3.0000,  3.5000,  4.0000,\n' +
      '         4.5000,  5.0000,  5.5000,  6.0000,  6.5000,  7.0000])',
    );
  });
  it('moves a suffix that does not fit onto its own line', () => {
    expect(String(arange(-7.5, -3.75, 0.5, { dtype: float64 }))).toBe(
      'tensor([-7.5000, -7.0000, -6.5000, -6.0000, -5.5000, -5.0000, -4.5000, -4.0000],\n' +
      '       dtype=torch.float64)',
    );
  });
  it('nests matrices and separates 3-d blocks with a blank line', () => {
    expect(String(long([1, 2, 3, 4]).reshape(2, 2))).toBe('tensor([[1, 2],\n        [3, 4]])');
    expect(String(arange(8, undefined, 1, { dtype: int64 }).reshape(2, 2, 2))).toBe(
      'tensor([[[0, 1],\n' +
      '         [2, 3]],\n' +
      '\n' +
      '        [[4, 5],\n' +
      '         [6, 7]]])',
    );
  });
  it('prints non-contiguous views in logical order', () => {
    expect(String(long([1, 2, 3, 4]).reshape(2, 2).t())).toBe('tensor([[1, 3],\n        [2, 4]])');
  });
});

describe('summarization above 1000 elements', () => {
  it('vectors', () => {
    expect(String(arange(1001))).toBe('tensor([   0.,    1.,    2.,  ...,  998.,  999., 1000.])');
    expect(String(arange(10000, undefined, 1, { dtype: int64 }))).toBe('tensor([   0,    1,    2,  ..., 9997, 9998, 9999])');
  });
  it('rows only', () => {
    expect(String(arange(2000, undefined, 1, { dtype: int64 }).reshape(1000, 2))).toBe(
      'tensor([[   0,    1],\n' +
      '        [   2,    3],\n' +
      '        [   4,    5],\n' +
      '        ...,\n' +
      '        [1994, 1995],\n' +
      '        [1996, 1997],\n' +
      '        [1998, 1999]])',
    );
  });
  it('rows and columns (width measured on the printed values only)', () => {
    expect(String(arange(3000, undefined, 1, { dtype: int64 }).reshape(30, 100))).toBe(
      'tensor([[   0,    1,    2,  ...,   97,   98,   99],\n' +
      '        [ 100,  101,  102,  ...,  197,  198,  199],\n' +
      '        [ 200,  201,  202,  ...,  297,  298,  299],\n' +
      '        ...,\n' +
      '        [2700, 2701, 2702,  ..., 2797, 2798, 2799],\n' +
      '        [2800, 2801, 2802,  ..., 2897, 2898, 2899],\n' +
      '        [2900, 2901, 2902,  ..., 2997, 2998, 2999]])',
    );
  });
});

describe('grad_fn', () => {
  const x = (): Tensor => tensor([[1, 2], [3, 4]], { requiresGrad: true });
  it('reductions', () => {
    expect(String(x().sum())).toBe('tensor(10., grad_fn=<SumBackward0>)');
    expect(String(x().mean())).toBe('tensor(2.5000, grad_fn=<MeanBackward0>)');
    expect(String(x().amax(1))).toBe('tensor([2., 4.], grad_fn=<AmaxBackward0>)');
  });
  it('node names get Backward0 unless they already end in BackwardN', () => {
    const a = x();
    expect(String(recordOp('Add', tensor([1]), [a], () => [null]))).toBe('tensor([1.], grad_fn=<AddBackward0>)');
    expect(String(recordOp('CloneBackward1', tensor([1]), [a], () => [null]))).toBe('tensor([1.], grad_fn=<CloneBackward1>)');
  });
});

describe('quantized tensors', () => {
  it('per tensor: dequantized values, then size, dtype, scheme, scale, zero point', () => {
    expect(String(quantizePerTensor(tensor([-1, 0, 1, 2]), 0.1, 10, quint8))).toBe(
      'tensor([-1.,  0.,  1.,  2.], size=(4,), dtype=torch.quint8,\n' +
      '       quantization_scheme=torch.per_tensor_affine, scale=0.1, zero_point=10)',
    );
    expect(String(quantizePerTensor(tensor([0.5, -0.25]), 0.25, 0, qint8))).toBe(
      'tensor([ 0.5000, -0.2500], size=(2,), dtype=torch.qint8,\n' +
      '       quantization_scheme=torch.per_tensor_affine, scale=0.25, zero_point=0)',
    );
  });
  it('per channel: scale and zero_point tensors, axis', () => {
    expect(String(quantizePerChannel(tensor([[-1, 0], [1, 2]]), [0.1, 0.01], [10, 0], 0, quint8))).toBe(
      'tensor([[-1.,  0.],\n' +
      '        [ 1.,  2.]], size=(2, 2), dtype=torch.quint8,\n' +
      '       quantization_scheme=torch.per_channel_affine,\n' +
      '       scale=tensor([0.1000, 0.0100], dtype=torch.float64),\n' +
      '       zero_point=tensor([10,  0]), axis=0)',
    );
  });
});

describe('setPrintOptions', () => {
  afterEach(() => setPrintOptions({ profile: 'default' }));
  it('precision', () => {
    setPrintOptions({ precision: 2 });
    expect(String(tensor([1.12345]))).toBe('tensor([1.12])');
  });
  it('threshold and edgeitems', () => {
    setPrintOptions({ threshold: 5 });
    expect(String(arange(10, undefined, 1, { dtype: int64 }))).toBe('tensor([0, 1, 2,  ..., 7, 8, 9])');
    setPrintOptions({ threshold: 3, edgeitems: 1 });
    expect(String(arange(5, undefined, 1, { dtype: int64 }))).toBe('tensor([0,  ..., 4])');
  });
  it('linewidth', () => {
    setPrintOptions({ linewidth: 20 });
    expect(String(arange(6))).toBe('tensor([0., 1., 2.,\n        3., 4., 5.])');
  });
  it('sciMode forces the mode but keeps the measured width; not passing it resets it', () => {
    setPrintOptions({ sciMode: true });
    expect(String(tensor([1, 2]))).toBe('tensor([1.0000e+00, 2.0000e+00])');
    setPrintOptions({ sciMode: false });
    expect(String(tensor([1e-5, 1]))).toBe('tensor([    0.0000,     1.0000])');
    setPrintOptions({ precision: 4 });
    expect(String(tensor([1, 2]))).toBe('tensor([1., 2.])');
  });
  it('profiles and validation', () => {
    setPrintOptions({ profile: 'short' });
    expect(String(tensor([1.12345]))).toBe('tensor([1.12])');
    expect(getPrintOptions().edgeitems).toBe(2);
    setPrintOptions({ profile: 'full' });
    expect(getPrintOptions().threshold).toBe(Infinity);
    expect(String(arange(1001))).not.toContain('...');
    expect(() => setPrintOptions({ precision: -1 })).toThrow(/precision must be a non-negative integer/);
  });
});

describe('Node integration', () => {
  it('util.inspect, template literals and tensorRepr agree', () => {
    const t = long([1, 2, 3]);
    expect(inspect(t)).toBe('tensor([1, 2, 3])');
    expect(inspect({ a: t })).toBe('{ a: tensor([1, 2, 3]) }');
    expect(`${t}`).toBe('tensor([1, 2, 3])');
    expect(tensorRepr(t)).toBe('tensor([1, 2, 3])');
  });
});
