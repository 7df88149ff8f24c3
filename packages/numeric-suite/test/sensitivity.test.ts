/** layerSensitivity / suggestSkipList logic on toy models with known per-layer errors. */
import { describe, expect, it } from 'vitest';
import { Identity, Module } from '@qtorch/nn';
import { QTorchTypeError, QTorchValueError, type Tensor, tensor } from '@qtorch/qtensor';
import { type QuantizeFn, layerSensitivity, suggestSkipList } from '../src/index.js';

class Toy extends Module {
  a = new Identity();
  b = new Identity();
  c = new Identity();
  d = new Identity();
  forward(x: Tensor): Tensor { return x; }
}

/** A "quantized" model: a fixed function of the input and of the skip set. */
class Fn extends Module {
  constructor(private readonly fn: (x: Tensor) => Tensor) { super(); }
  forward(x: Tensor): Tensor { return this.fn(x); }
}

// Each quantized layer adds an orthogonal error vector to the output.
const ERR: Record<string, number[]> = { a: [0.3, 0, 0, 0], b: [0, 0.2, 0, 0], c: [0, 0, 0.01, 0], d: [0, 0, 0, 0] };
const additive: QuantizeFn = (_m, skip) => new Fn((x) => {
  const v = x.toArray();
  for (const [layer, e] of Object.entries(ERR)) if (!skip.has(layer)) e.forEach((ei, i) => { v[i] += ei; });
  return tensor(v);
});
const x = tensor([1, 1, 1, 1]); // norm 2; outputs are float32, hence 4-digit SQNR checks
const sqnr = (noise2: number) => 20 * Math.log10(2 / Math.sqrt(noise2));
const layers = ['a', 'b', 'c'];

describe('layerSensitivity (hand-computed SQNRs)', () => {
  it('float-one: score with one layer in float, impact over the fully quantized baseline', () => {
    const r = layerSensitivity(new Toy(), additive, [x], { layers });
    expect(r.baseline).toBeCloseTo(sqnr(0.09 + 0.04 + 0.0001), 4);
    expect(r.ranking.map((e) => e.layer)).toEqual(['a', 'b', 'c']);
    expect(r.ranking[0]!.score).toBeCloseTo(sqnr(0.04 + 0.0001), 4);
    expect(r.ranking[0]!.impact).toBeCloseTo(sqnr(0.0401) - sqnr(0.1301), 4);
    expect(r.ranking[2]!.impact).toBeCloseTo(sqnr(0.13) - sqnr(0.1301), 4);
    expect(r.evaluations).toBe(4);
  });

  it('quantize-one: score with one layer quantized, impact below the least harmful layer', () => {
    const r = layerSensitivity(new Toy(), additive, [x, x], { layers, mode: 'quantize-one' });
    expect(r.ranking.map((e) => e.layer)).toEqual(['a', 'b', 'c']);
    expect(r.ranking[0]!.score).toBeCloseTo(sqnr(0.09), 4);
    expect(r.ranking[0]!.impact).toBeCloseTo(sqnr(0.0001) - sqnr(0.09), 4);
    expect(r.ranking[2]!.impact).toBe(0);
  });

  it('a lower-is-better metric (MSE) ranks the same way', () => {
    const mse = (ref: Tensor[], out: Tensor[]) => {
      const a = ref[0]!.toArray(), b = out[0]!.toArray();
      return a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0) / a.length;
    };
    const r = layerSensitivity(new Toy(), additive, [x], { layers, metric: mse, higherIsBetter: false });
    expect(r.ranking.map((e) => e.layer)).toEqual(['a', 'b', 'c']);
    expect(r.ranking[0]!.impact).toBeCloseTo(0.09 / 4, 6);
    expect(r.reference).toBe(0);
  });

  it('the quantizeFn gets a copy of the float model and a name -> null map', () => {
    const model = new Toy();
    const seen: Array<[Module, Map<string, null>]> = [];
    layerSensitivity(model, (m, skip) => { seen.push([m, skip]); return m; }, [x], { layers: ['a', 'b'] });
    expect(seen.every(([m]) => m !== model && m instanceof Toy)).toBe(true);
    expect(seen.map(([, s]) => [...s.entries()])).toEqual([[], [['a', null]], [['b', null]]]);
  });

  it('names bad arguments', () => {
    expect(() => layerSensitivity(new Toy(), additive, [], { layers })).toThrow(QTorchValueError);
    expect(() => layerSensitivity(new Toy(), additive, [x], { layers: ['zz'] })).toThrow(/layerSensitivity\(\): 'zz' is not a submodule/);
    expect(() => layerSensitivity(new Toy(), additive, [x], { layers, mode: 'both' as never })).toThrow(/mode must be/);
    expect(() => layerSensitivity(new Toy(), () => new Fn(() => 3 as never), [x], { layers })).toThrow(QTorchTypeError);
    expect(() => layerSensitivity(new Toy(), additive, [x])).toThrow(/no quantizable layers/);
  });
});

describe('suggestSkipList', () => {
  it('the smallest set meeting the budget (additive errors)', () => {
    const at30 = suggestSkipList(new Toy(), 30, additive, [x], { layers });
    expect([...at30.keys()]).toEqual(['a', 'b']);
    expect(at30.score).toBeCloseTo(sqnr(0.0001), 4);
    expect(at30.minimal).toBe(true);
    const at18 = suggestSkipList(new Toy(), 18, additive, [x], { layers });
    expect(at18.layers()).toEqual(['a']);
  });

  // A metric with interactions: greedy (a, then a+b, then a+b+c) is not minimal; {c, d} is.
  const TABLE: Record<string, number> = { '': 0, a: 5, b: 4, c: 3, d: 1, 'a,b': 6, 'c,d': 50, 'a,b,c': 60 };
  const encoded: QuantizeFn = (_m, skip) => new Fn(() => tensor(['a', 'b', 'c', 'd'].map((l) => (skip.has(l) ? 1 : 0))));
  const lookup = (_ref: Tensor[], out: Tensor[]) => {
    const key = ['a', 'b', 'c', 'd'].filter((_, i) => out[0]!.toArray()[i] === 1).join(',');
    return TABLE[key] ?? 2;
  };
  const opts = { layers: ['a', 'b', 'c', 'd'], metric: lookup };

  it('searches smaller sets exhaustively when greedy overshoots', () => {
    const skip = suggestSkipList(new Toy(), 40, encoded, [x], opts);
    expect(skip.layers().sort()).toEqual(['c', 'd']);
    expect(skip.score).toBe(50);
    expect(skip.minimal).toBe(true);
  });

  it('returns the pruned greedy set, not proved minimal, when maxEvaluations is too small', () => {
    const skip = suggestSkipList(new Toy(), 40, encoded, [x], { ...opts, maxEvaluations: 8 });
    expect(skip.layers().sort()).toEqual(['a', 'b', 'c']);
    expect(skip.minimal).toBe(false);
    expect(skip.budgetMet).toBe(true);
  });

  it('rejects a budget that is not a number', () => {
    expect(() => suggestSkipList(new Toy(), NaN, additive, [x], { layers })).toThrow(/suggestSkipList\(\): budget/);
  });
});
