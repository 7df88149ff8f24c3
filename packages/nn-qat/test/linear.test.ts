import { describe, expect, it } from 'vitest';
import { Conv2d as FloatConv2d, Linear as FloatLinear } from '@qtorch/nn';
import { type Tensor, QTorchTypeError, QTorchValueError, manualSeed, noGrad, randn } from '@qtorch/qtensor';
import { FakeQuantize, defaultQatQconfig, getDefaultQatQconfig } from '@qtorch/quantization';
import { loadGolden } from '../../../tools/testing/src/index.js';
import { Linear } from '../src/index.js';
import { fakeQuantWeight, linearRef, maxAbsDiff, steMask } from './reference.js';

const perChannelQconfig = getDefaultQatQconfig('fbgemm', 0);

function withQconfig<M extends object>(m: M, qconfig: unknown): M {
  return Object.assign(m, { qconfig });
}

describe('qat Linear forward', () => {
  for (const [label, qconfig, perChannel] of [['per-tensor', defaultQatQconfig, false], ['per-channel', perChannelQconfig, true]] as const) {
    it(`equals x fq(W)^T + b with fq computed independently (${label})`, () => {
      manualSeed(1);
      const fc = new Linear(6, 5, { qconfig });
      const x = randn([4, 6]);
      const y = fc.call(x);
      const { values: wq } = fakeQuantWeight(fc.weight, perChannel);
      const ref = linearRef(x, wq, fc.bias!.values(), 5);
      expect(y.shape).toEqual([4, 5]);
      expect(maxAbsDiff(y.values(), ref)).toBeLessThan(1e-5);
      // the fake quant actually changed the weights (so the comparison is not float vs float)
      expect(maxAbsDiff(wq, fc.weight.values())).toBeGreaterThan(1e-4);
    });
  }

  it('passes gradients through the fake quantizer (straight-through estimator)', () => {
    manualSeed(2);
    const fc = new Linear(5, 3, { qconfig: defaultQatQconfig });
    const x = randn([4, 5], { requiresGrad: true });
    const g = randn([4, 3]);
    fc.call(x).mul(g).sum().backward();
    const { values: wq, scales } = fakeQuantWeight(fc.weight, false);
    const w = fc.weight.values(), xv = x.values(), gv = g.values();
    const wantW = new Float64Array(15), wantX = new Float64Array(20), wantB = new Float64Array(3);
    for (let n = 0; n < 4; n++) {
      for (let o = 0; o < 3; o++) {
        wantB[o]! += gv[n * 3 + o]!;
        for (let k = 0; k < 5; k++) {
          const pass = steMask(w[o * 5 + k]!, scales[0]!, 0, -128, 127) ? 1 : 0;
          wantW[o * 5 + k]! += pass * gv[n * 3 + o]! * xv[n * 5 + k]!;
          wantX[n * 5 + k]! += gv[n * 3 + o]! * wq[o * 5 + k]!;
        }
      }
    }
    expect(maxAbsDiff(fc.weight.grad!.values(), wantW)).toBeLessThan(1e-5);
    expect(maxAbsDiff(x.grad!.values(), wantX)).toBeLessThan(1e-5);
    expect(maxAbsDiff(fc.bias!.grad!.values(), wantB)).toBeLessThan(1e-5);
    // the largest positive weight rounds to 128 > 127: the estimator blocks its gradient
    const iMax = w.indexOf(Math.max(...w));
    if (Math.max(...w) >= -Math.min(...w)) expect(fc.weight.grad!.values()[iMax]).toBe(0);
  });

  it('trains: SGD on a regression target lowers the loss', () => {
    manualSeed(3);
    const fc = new Linear(8, 2, { qconfig: getDefaultQatQconfig('qnnpack') });
    const x = randn([32, 8]);
    const target = randn([32, 2]);
    const lossAt = (): Tensor => fc.call(x).sub(target).square().mean();
    const first = lossAt().item();
    for (let step = 0; step < 30; step++) {
      fc.zeroGrad();
      lossAt().backward();
      noGrad(() => {
        for (const p of fc.parameters()) p.sub_(p.grad!.mul(0.1));
      });
    }
    expect(lossAt().item()).toBeLessThan(first * 0.7);
  });
});

describe('qat Linear construction and conversion', () => {
  it('requires a qconfig', () => {
    expect(() => new Linear(2, 2)).toThrow(QTorchValueError);
    expect(() => new Linear(2, 2)).toThrow(/qconfig must be provided for QAT module/);
  });

  it('builds weight_fake_quant from qconfig.weight()', () => {
    const fc = new Linear(3, 2, { qconfig: defaultQatQconfig });
    expect(fc.weight_fake_quant).toBeInstanceOf(FakeQuantize);
    expect(fc.qconfig).toBe(defaultQatQconfig);
  });

  it('fromFloat shares the parameters and needs the qconfig and the exact float class', () => {
    const float = withQconfig(new FloatLinear(4, 3), defaultQatQconfig);
    const qat = Linear.fromFloat(float);
    expect(qat).toBeInstanceOf(Linear);
    expect(qat.weight).toBe(float.weight);
    expect(qat.bias).toBe(float.bias);
    expect(qat.inFeatures).toBe(4);
    expect(() => Linear.fromFloat(new FloatLinear(4, 3))).toThrow(/must have a valid qconfig/);
    expect(() => Linear.fromFloat(withQconfig(new FloatConv2d(1, 1, 1), defaultQatQconfig))).toThrow(QTorchTypeError);
    // a QAT Linear is not a float Linear for fromFloat (PyTorch compares exact types)
    expect(() => Linear.fromFloat(qat)).toThrow(/only works for Linear/);
    const noBias = Linear.fromFloat(withQconfig(new FloatLinear(4, 3, { bias: false }), defaultQatQconfig));
    expect(noBias.bias).toBeNull();
  });

  it('toFloat gives a float Linear with the same weights, equal to the QAT module without fake quant', () => {
    manualSeed(4);
    const qat = new Linear(4, 3, { qconfig: defaultQatQconfig });
    const float = qat.toFloat() as FloatLinear;
    expect(float.constructor).toBe(FloatLinear);
    expect(Array.from(float.weight.values())).toEqual(Array.from(qat.weight.values()));
    expect(Array.from(float.bias!.values())).toEqual(Array.from(qat.bias!.values()));
    (qat.weight_fake_quant as FakeQuantize).disableFakeQuant();
    const x = randn([2, 4]);
    expect(Array.from(float.call(x).values())).toEqual(Array.from(qat.call(x).values()));
    expect(qat.eval().toFloat().training).toBe(false);
  });

  it('has PyTorch state-dict keys (weight, bias, weight_fake_quant.*) and repr', () => {
    // PyTorch's keys for the QAT fc of the golden QAT run, minus the output observer prepare adds
    const golden = loadGolden('workflows/qat.json').cases[0]!.expected.steps[0].state_dict_after as Record<string, unknown>;
    const want = Object.keys(golden).filter((k) => k.startsWith('fc.') && !k.startsWith('fc.activation_post_process')).map((k) => k.slice(3));
    const fc = new Linear(64, 5, { qconfig: getDefaultQatQconfig('qnnpack') });
    const keys = Object.keys(fc.stateDict());
    // this module's own entries, then the fake quantizer's under its PyTorch child name
    const fqKeys = Object.keys(fc.weight_fake_quant.stateDict()).map((k) => `weight_fake_quant.${k}`);
    expect(keys).toEqual(['weight', 'bias', ...fqKeys]);
    for (const k of want) expect(keys).toContain(k);
    const lines = fc.toString().split('\n');
    expect(lines.slice(0, 2)).toEqual(['Linear(', '  in_features=64, out_features=5, bias=True']);
    expect(lines[2]).toMatch(/^ {2}\(weight_fake_quant\): FusedMovingAvgObsFakeQuantize\(/);
    expect(lines.at(-1)).toBe(')');
  });

  it('round-trips its state dict (fake-quant scale included)', () => {
    manualSeed(5);
    const a = new Linear(4, 3, { qconfig: defaultQatQconfig });
    a.call(randn([2, 4]));
    const b = new Linear(4, 3, { qconfig: defaultQatQconfig });
    b.loadStateDict(a.stateDict());
    const x = randn([2, 4]);
    (a.weight_fake_quant as FakeQuantize).disableObserver();
    (b.weight_fake_quant as FakeQuantize).disableObserver();
    expect(Array.from(b.call(x).values())).toEqual(Array.from(a.call(x).values()));
    expect(b.stateDict()['weight_fake_quant.scale']!.item()).toBe(a.stateDict()['weight_fake_quant.scale']!.item());
  });
});
