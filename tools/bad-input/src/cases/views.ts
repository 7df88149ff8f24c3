/**
 * Non-contiguous and overlapping views as inputs. Reading ops must give exactly what they give
 * for a contiguous copy of the same values (the reference here is a naive gather written in
 * this file); in-place ops whose destination has elements sharing memory must refuse, as
 * PyTorch does ("more than one element of the written-to tensor refers to a single memory
 * location"); views out of their storage's bounds must be refused.
 */
import assert from 'node:assert/strict';
import {
  QTorchValueError, type Tensor, add_, asStrided, dequantize, expand, quantizePerTensor, quantizedAdd, quint8, relu_, tensor,
} from '@qtorch/qtensor';
import * as nnq from '@qtorch/nn-quantized';
import * as F from '@qtorch/nn/functional';
import { type BadInputCase, group } from '../case.js';

const g = group('views');

/** `x`'s logical values (ints for a quantized tensor) gathered by hand from storage, shape, strides, offset. */
function naiveGather(x: Tensor): number[] {
  const out: number[] = [];
  const idx = new Array<number>(x.ndim).fill(0);
  const n = x.shape.reduce((a, b) => a * b, 1);
  for (let k = 0; k < n; k++) {
    let off = x.offset;
    for (let d = 0; d < x.ndim; d++) off += idx[d]! * x.strides[d]!;
    out.push(x.data[off]!);
    for (let d = x.ndim - 1; d >= 0; d--) {
      if (++idx[d]! < x.shape[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}

/** A contiguous float tensor holding a float view's values, built from the naive gather. */
const contiguousCopy = (x: Tensor): Tensor => tensor(naiveGather(x)).reshape([...x.shape]);

const base = (): Tensor => tensor(Array.from({ length: 24 }, (_, i) => ((i * 7) % 11) / 4 - 1.2)).reshape([2, 3, 4]);
const line = (): Tensor => tensor(Array.from({ length: 10 }, (_, i) => i / 3 - 1));
const column = (): Tensor => tensor([[0.5], [-0.75]]);

/** Non-contiguous views: a name, the tensor they view, and the view (applied to float or quantized sources alike). */
const VIEWS: ReadonlyArray<[string, () => Tensor, (t: Tensor) => Tensor]> = [
  ['transposed', base, (t) => t.transpose(0, 2)],
  ['permuted', base, (t) => t.permute(2, 0, 1)],
  ['sliced with step 2', line, (t) => t.index([{ start: 1, end: 10, step: 2 }])],
  ['selected column', base, (t) => t.select(2, 1)],
  ['expanded (stride 0)', column, (t) => expand(t, [2, 5])],
  ['overlapping as_strided windows', line, (t) => asStrided(t, [4, 4], [2, 1])],
];

const Q = (t: Tensor): Tensor => quantizePerTensor(t, 0.05, 60, quint8);

function readCases(): BadInputCase[] {
  const out: BadInputCase[] = [];
  for (const [name, source, view] of VIEWS) {
    out.push(g.returns(`quantizePerTensor of a ${name} view == of its contiguous copy`, () => {
      const v = view(source());
      return [Q(v).intRepr().toArray(), Q(contiguousCopy(v)).intRepr().toArray()];
    }, ([a, b]) => assert.deepEqual(a, b)));
    out.push(g.returns(`F.relu of a ${name} view == max(x, 0) of the naive gather`, () => {
      const v = view(source());
      return [F.relu(v).toArray(), naiveGather(v).map((e) => Math.max(e, 0))];
    }, ([a, b]) => assert.deepEqual(a, b)));
    out.push(g.returns(`dequantize of a ${name} view of a quantized tensor == (q - zp) * scale of the naive gather`, () => {
      const qv = view(Q(source()));
      return [dequantize(qv).toArray(), naiveGather(qv).map((i) => Math.fround((i - 60) * Math.fround(0.05)))];
    }, ([a, b]) => assert.deepEqual(a, b)));
  }
  out.push(g.returns('quantizedAdd of transposed operands == of contiguous ones', () => {
    const a = Q(base()).transpose(0, 2), b = Q(base()).permute(2, 1, 0);
    const ca = Q(contiguousCopy(base().transpose(0, 2))), cb = Q(contiguousCopy(base().permute(2, 1, 0)));
    return [quantizedAdd(a, b, 0.1, 30).intRepr().toArray(), quantizedAdd(ca, cb, 0.1, 30).intRepr().toArray()];
  }, ([a, b]) => assert.deepEqual(a, b)));
  out.push(g.returns('nnq.Linear on a transposed quantized input == on its contiguous copy', () => {
    const lin = new nnq.Linear(2, 3);
    lin.setWeightBias(quantizePerTensor(tensor([[1, -1], [0.5, 2], [-2, 0.25]]), 0.05, 0, lin.weight().dtype), tensor([0.1, 0, -0.1]));
    lin.scale = 0.05;
    lin.zeroPoint = 100;
    const x = tensor([[0.5, -1, 2, 0.25], [1, 0, -0.5, 1.5]]);
    return [lin.call(quantizePerTensor(x, 0.02, 90, quint8).t()).intRepr().toArray(), lin.call(quantizePerTensor(contiguousCopy(x.t()), 0.02, 90, quint8)).intRepr().toArray()];
  }, ([a, b]) => assert.deepEqual(a, b)));
  out.push(g.returns('nnq.Conv2d on a channels-last (permuted) input == on its contiguous copy', () => {
    const conv = new nnq.Conv2d(2, 2, 2);
    conv.setWeightBias(quantizePerTensor(tensor(Array.from({ length: 16 }, (_, i) => (i % 5) / 4 - 0.5)).reshape([2, 2, 2, 2]), 0.05, 0, conv.weight().dtype), null);
    conv.scale = 0.05;
    conv.zeroPoint = 100;
    const nhwc = tensor(Array.from({ length: 18 }, (_, i) => ((i * 5) % 7) / 3 - 1)).reshape([1, 3, 3, 2]);
    const nchw = nhwc.permute(0, 3, 1, 2);
    return [conv.call(quantizePerTensor(nchw, 0.02, 90, quint8)).intRepr().toArray(), conv.call(quantizePerTensor(contiguousCopy(nchw), 0.02, 90, quint8)).intRepr().toArray()];
  }, ([a, b]) => assert.deepEqual(a, b)));
  return out;
}

function writeCases(): BadInputCase[] {
  return [
    g.returns('relu_ on overlapping as_strided windows (strides != 0) -> PyTorch\'s result [1, 0, 3, 0, 5]', () => {
      const x = tensor([1, -2, 3, -4, 5]);
      relu_(asStrided(x, [3, 3], [1, 1]));
      return x.toArray();
    }, (v) => assert.deepEqual(v, [1, 0, 3, 0, 5])),
    g.throws('relu_ on an expanded tensor (stride 0: elements share memory)', () => relu_(expand(tensor([[1, -2, 3]]), [2, 3])), QTorchValueError, 'relu_'),
    g.throws('F.leakyRelu inplace on an expanded tensor', () => F.leakyRelu(expand(tensor([[1, -2, 3]]), [2, 3]), { inplace: true }), QTorchValueError, 'leakyRelu_'),
    g.throws('add_ on an expanded tensor (stride 0)', () => add_(expand(tensor([[1, 2, 3]]), [2, 3]), 1), QTorchValueError, 'add_'),
    g.throws('as_strided past the end of the storage', () => asStrided(tensor([1, 2, 3, 4]), [3, 3], [1, 1]), QTorchValueError, 'asStrided'),
    g.throws('as_strided with a negative stride', () => asStrided(tensor([1, 2, 3, 4]), [2], [-1]), QTorchValueError, 'asStrided'),
    g.throws('as_strided with a negative offset', () => asStrided(tensor([1, 2, 3, 4]), [2], [1], -1), QTorchValueError, 'asStrided'),
    g.returns('add_ on a transposed (non-contiguous, non-overlapping) view writes through the view', () => {
      const t = tensor([[1, 2, 3], [4, 5, 6]]);
      add_(t.t(), tensor([[10, 20], [30, 40], [50, 60]]));
      return t.toArray();
    }, (v) => assert.deepEqual(v, [11, 32, 53, 24, 45, 66])),
  ];
}

/** Every view case. */
export function viewCases(): BadInputCase[] {
  return [...readCases(), ...writeCases()];
}
