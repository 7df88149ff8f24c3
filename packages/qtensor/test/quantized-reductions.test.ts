// max/min/mean/sort/topk on quantized tensors against PyTorch 1.13 (golden qtensor/reductions.json).
import { describe, expect, it } from 'vitest';
import { type Tensor, qArgmax, qArgmin, qMax, qMean, qMin, qSort, qTopk, quantizePerTensor, quint8, tensor } from '../src/index.js';
import { type GoldenCase, expectQTensorEqual, expectTensorClose, loadGolden, tensorFromGolden } from '../../../tools/testing/src/index.js';

function run(c: GoldenCase, x: Tensor): Tensor | [Tensor, Tensor] {
  const a = c.args;
  switch (c.op) {
    case 'torch.max': return a.dim === undefined ? qMax(x) : qMax(x, a.dim, a.keepdim);
    case 'torch.min': return a.dim === undefined ? qMin(x) : qMin(x, a.dim, a.keepdim);
    case 'torch.mean': return qMean(x, a.dim, { keepdim: a.keepdim });
    case 'torch.sort': return qSort(x, { dim: a.dim, descending: a.descending, stable: a.stable });
    case 'torch.topk': return qTopk(x, a.k, { dim: a.dim, largest: a.largest, sorted: a.sorted });
    default: throw new Error(`unexpected op ${c.op}`);
  }
}

describe('quantized reductions golden', () => {
  for (const c of loadGolden('qtensor/reductions.json').cases) {
    it(c.name, () => {
      const out = run(c, tensorFromGolden(c.inputs.x));
      if (c.expected.y) {
        // mean: float summation order may move a value by one step (README tolerance)
        expectQTensorEqual(out as Tensor, c.expected.y, { label: c.name, maxIntDiff: c.op === 'torch.mean' ? 1 : 0 });
      } else {
        const [values, indices] = out as [Tensor, Tensor];
        expectQTensorEqual(values, c.expected.values, { label: `${c.name} values` });
        expectTensorClose(indices, c.expected.indices, { exact: true, label: `${c.name} indices` });
      }
    });
  }
});

describe('quantized reductions, hand-computed', () => {
  const x = quantizePerTensor(tensor([[0.5, -0.2, 0.5], [0.1, 0.3, -0.2]]), 0.1, 10, quint8);
  it('argmax / argmin take the first occurrence', () => {
    expect(Array.from(qArgmax(x).values())).toEqual([0]);
    expect(Array.from(qArgmin(x, 1).values())).toEqual([1, 2]);
    expect(qArgmax(x, 0, true).shape).toEqual([1, 3]);
  });
  it('max by dim returns a named tuple', () => {
    const r = qMax(x, 1);
    expect(r.values.toArray().map((v) => Math.round(v * 10) / 10)).toEqual([0.5, 0.3]);
    expect(Array.from(r[1].values())).toEqual([0, 1]);
  });
  it('mean requantizes with the input qparams', () => {
    const m = qMean(x);
    expect(m.quantizer).toEqual(x.quantizer);
    expect(m.shape).toEqual([]);
    expect(m.toArray()[0]).toBeCloseTo(0.2, 6);
  });
  it('refuses float input with a hint', () => {
    expect(() => qMax(tensor([1, 2]))).toThrow(/expected a quantized tensor.*quantizePerTensor/);
  });
  it('works through the Tensor methods', () => {
    expect((x as unknown as { max(): Tensor }).max().toArray()[0]).toBeCloseTo(0.5, 6);
  });
});

describe('quantized dim reductions accept the float calling forms', () => {
  it('keepdim given as an options object is honoured (false and true)', () => {
    const q = quantizePerTensor(tensor([[1, 5, 3], [4, 2, 6]]), 1, 0, quint8);
    expect(q.max(1, { keepdim: false }).values.shape).toEqual([2]);
    expect(q.max(1, { keepdim: true }).values.shape).toEqual([2, 1]);
    expect(q.max({ dim: 0 } as never).indices.toArray()).toEqual([1, 0, 1]);
    expect(q.argmin(1, true).shape).toEqual([2, 1]);
    expect(q.max(1, { keepdim: false }).values.dequantize().toArray()).toEqual([5, 6]);
  });
});
