import { describe, expect, it } from 'vitest';
import { Linear, Module, ReLU, Sequential } from '@qtorch/nn';
import { QTorchTypeError, manualSeed, quantizePerTensor, quint8, randn, tensor } from '@qtorch/qtensor';
import {
  Logger, OutputLogger, Shadow, ShadowLogger, compareModelStub, getLoggerDict, prepareModelWithStubs, summarizeResults,
} from '../src/index.js';
import { FakeQuantLinear, FloatOps, QuantOps, naiveLinear, vals } from './helpers.js';

describe('loggers', () => {
  it('OutputLogger records and passes through', () => {
    const l = new OutputLogger();
    const x = tensor([1, 2]);
    expect(l.call(x)).toBe(x);
    l.call(x);
    expect(l.stats.tensor_val).toEqual([x, x]);
    expect(l.dtype).toBe(quint8);
  });

  it('ShadowLogger records quantized and float outputs, keeping row 0 of batched outputs (as PyTorch)', () => {
    const l = new ShadowLogger();
    l.call(tensor([[1, 2], [3, 4]]), tensor([[5, 6], [7, 8]]));
    expect(l.stats.quantized![0]!.shape).toEqual([2]);
    expect(vals(l.stats.quantized![0]!)).toEqual([1, 2]);
    expect(vals(l.stats.float![0]!)).toEqual([5, 6]);
    l.call(tensor([[9, 10]]), [tensor([11]), tensor([12])]);
    expect(l.stats.quantized![1]!.shape).toEqual([1, 2]);
    expect(vals(l.stats.float![1]!)).toEqual([11]);
  });

  it('the base Logger records nothing', () => {
    const l = new Logger();
    expect(l.call(tensor([1]))).toBeUndefined();
    expect(l.stats).toEqual({});
  });
});

describe('getLoggerDict', () => {
  it('keys each logger by its owner module path, first logger per module only', () => {
    class Block extends Module {
      inner = new Sequential(new ReLU());
      forward(x: unknown) { return x; }
    }
    const root = new Block();
    const a = new OutputLogger(), b = new OutputLogger(), c = new OutputLogger();
    (root.inner as Module).registerModule('activation_post_process', a);
    (root.inner.at(0) as Module).registerModule('logger', b);
    (root.inner.at(0) as Module).registerModule('second', c);
    const d = getLoggerDict(root);
    expect(Object.keys(d)).toEqual(['inner.stats', 'inner.0.stats']);
    expect(d['inner.stats']).toBe(a.stats);
    expect(d['inner.0.stats']).toBe(b.stats);
    expect(Object.keys(getLoggerDict(root, { prefix: 'net' }))).toEqual(['net.inner.stats', 'net.inner.0.stats']);
  });
});

function models() {
  manualSeed(3);
  const fc1 = new Linear(4, 3), fc2 = new Linear(3, 2);
  const float = new Sequential(fc1, new ReLU(), fc2);
  const q = new Sequential(new FakeQuantLinear(fc1), new ReLU(), new FakeQuantLinear(fc2));
  return { fc1, fc2, float, q };
}

describe('Shadow, prepareModelWithStubs, compareModelStub', () => {
  it('shadows the quantized children whose float type is in the swap list', () => {
    const { float, q } = models();
    prepareModelWithStubs(float, q, [Linear], ShadowLogger);
    expect(q.at(0)).toBeInstanceOf(Shadow);
    expect(q.at(1)).toBeInstanceOf(ReLU);
    expect(q.at(2)).toBeInstanceOf(Shadow);
    expect((q.at(0) as Shadow).shadow_module).toBe(float.at(0));
  });

  it('does not shadow a child whose module tree has the same classes (left in float)', () => {
    const { float } = models();
    const same = new Sequential(new Linear(4, 3), new ReLU(), new Linear(3, 2));
    prepareModelWithStubs(float, same, new Set([Linear]), ShadowLogger);
    expect(same.at(0)).toBeInstanceOf(Linear);
  });

  it('logs float outputs computed on the dequantized quantized inputs (naive float64 reference)', () => {
    const { fc1, fc2, float, q } = models();
    const x = randn([3, 4]);
    const stats = compareModelStub(float, q, [Linear], [x]);
    expect(Object.keys(stats)).toEqual(['0.stats', '2.stats']);
    const w1 = vals(fc1.weight), b1 = vals(fc1.bias!), w2 = vals(fc2.weight), b2 = vals(fc2.bias!);
    // layer 0: the float shadow sees x itself; PyTorch logs row 0 of the batch
    const ref0 = naiveLinear(vals(x), 3, w1, b1, 4, 3).slice(0, 3);
    vals(stats['0.stats']!.float![0]!).forEach((v, i) => expect(v).toBeCloseTo(ref0[i]!, 5));
    // layer 2: the float shadow sees relu(dequantized output of the quantized layer 0)
    const q0 = quantizePerTensor(tensor(naiveLinear(vals(x), 3, w1, b1, 4, 3)).reshape([3, 3]), 0.05, 128, quint8);
    const h = vals(q0).map((v) => Math.max(0, v));
    const ref2 = naiveLinear(h, 3, w2, b2, 3, 2).slice(0, 2);
    vals(stats['2.stats']!.float![0]!).forEach((v, i) => expect(v).toBeCloseTo(ref2[i]!, 5));
    // the quantized record is the quantized layer's own (quantized) output, row 0
    expect(stats['2.stats']!.quantized![0]!.isQuantized).toBe(true);
    const qref = quantizePerTensor(tensor(ref2), 0.05, 128, quint8);
    expect(Array.from(stats['2.stats']!.quantized![0]!.values())).toEqual(Array.from(qref.values()));
  });

  it('the shadowed model still returns the quantized output', () => {
    const { float, q } = models();
    const x = randn([2, 4]);
    const before = q.call(x) as ReturnType<typeof quantizePerTensor>;
    prepareModelWithStubs(float, q, [Linear], ShadowLogger);
    const after = q.call(x) as typeof before;
    expect(Array.from(after.values())).toEqual(Array.from(before.values()));
  });

  it('Shadow forwards the functional ops, float side on dequantized inputs', () => {
    const s = new Shadow(new QuantOps(), new FloatOps(), ShadowLogger);
    const a = quantizePerTensor(tensor([0.5, -1.2]), 0.1, 100, quint8);
    const b = quantizePerTensor(tensor([0.25, 2.0]), 0.1, 100, quint8);
    const out = s.add(a, b);
    expect(out.isQuantized).toBe(true);
    // the float shadow adds the dequantized inputs
    const da = vals(a), db = vals(b);
    vals(s.logger.stats.float![0]!).forEach((v, i) => expect(v).toBeCloseTo(da[i]! + db[i]!, 6));
    s.mulScalar(a, 2);
    vals(s.logger.stats.float![1]!).forEach((v, i) => expect(v).toBeCloseTo(da[i]! * 2, 6));
    s.addRelu(a, b);
    s.mul(a, b);
    s.addScalar(a, 1);
    s.cat([a, b]);
    expect(s.logger.stats.float).toHaveLength(6);
    expect(s.logger.stats.quantized!.every((t) => t.isQuantized)).toBe(true);
  });

  it('Shadow.add on a module without add() names the problem', () => {
    const s = new Shadow(new ReLU(), new ReLU(), ShadowLogger);
    expect(() => s.add(tensor([1]), tensor([1]))).toThrow(QTorchTypeError);
    expect(() => s.add(tensor([1]), tensor([1]))).toThrow(/Shadow.add\(\).*ReLU.*FloatFunctional/);
  });
});

describe('compareModelStub results feed the report', () => {
  it('summarizeResults takes the logger dict as activations', () => {
    const { float, q } = models();
    const stats = compareModelStub(float, q, [Linear], [randn([3, 4])]);
    const rows = summarizeResults({ activations: stats, model: q });
    expect(rows.map((r) => [r.layer, r.opType])).toEqual([['0', 'FakeQuantLinear'], ['2', 'FakeQuantLinear']]);
    expect(() => summarizeResults({ activations: { 'x.stats': { tensor_val: [] } as never } })).toThrow(/activations\['x.stats'\].float should be/);
  });
});
