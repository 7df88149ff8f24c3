import { describe, expect, it } from 'vitest';
import { BatchNorm1d, BatchNorm2d, Conv2d, Linear, Module, Parameter, ReLU, Sequential, type _BatchNorm } from '@qtorch/nn';
import * as F from '@qtorch/nn/functional';
import { type Tensor, float64, fromValues, gradcheck, manualSeed, noGrad, rand, randn } from '@qtorch/qtensor';
import { FakeQuantize, defaultQatQconfig, getDefaultQatQconfig } from '@qtorch/quantization';
import { loadGolden } from '../../../tools/testing/src/index.js';
import * as nni from '../src/index.js';
import * as nniqat from '../src/qat/index.js';
import { fakeQuantWeight, linearRef, maxAbsDiff } from '../../nn-qat/test/reference.js';

const qconfig = defaultQatQconfig;
const withQconfig = <M extends Module>(m: M): M => Object.assign(m, { qconfig });

function randomizeBn(bn: _BatchNorm): void {
  const c = bn.numFeatures;
  noGrad(() => {
    bn.running_mean!.copy_(randn([c]).mul(0.3));
    bn.running_var!.copy_(rand([c]).add(0.5));
    bn.weight!.copy_(rand([c]).add(0.5));
    bn.bias!.copy_(randn([c]));
  });
}

/** Float64 copies of the BN buffers and a disabled fake quantizer, so gradcheck sees the folding math alone. */
function forGradcheck<M extends { bn: _BatchNorm; weight_fake_quant: Module }>(m: M): M {
  (m.weight_fake_quant as FakeQuantize).disableFakeQuant().disableObserver();
  m.bn.running_mean = m.bn.running_mean!.to(float64);
  m.bn.running_var = m.bn.running_var!.to(float64);
  return m;
}

/** Runs `m` with its weight, bias and BN affine parameters replaced by the given tensors. */
function withParams(m: { weight: Parameter; bias: Parameter | null; bn: _BatchNorm; call(x: Tensor): Tensor }) {
  return (x: Tensor, w: Tensor, b: Tensor, gamma: Tensor, beta: Tensor): Tensor => {
    Object.assign(m, { weight: w, bias: b });
    Object.assign(m.bn, { weight: gamma, bias: beta });
    return m.call(x);
  };
}

describe('gradcheck of the BN-folding QAT modules (fake quant disabled)', () => {
  for (const frozen of [false, true]) {
    it(`ConvBn2d (${frozen ? 'frozen BN' : 'training BN'})`, () => {
      manualSeed(30);
      const m = forGradcheck(new nniqat.ConvBn2d(2, 3, 2, { bias: true, qconfig }));
      randomizeBn(m.bn);
      if (frozen) m.freezeBnStats();
      const inputs = [randn([2, 2, 3, 3]), randn([3, 2, 2, 2]), randn([3]), rand([3]).add(0.5), randn([3])].map((t) => t.requiresGrad_());
      expect(gradcheck(withParams(m), inputs, { atol: 1e-4, rtol: 1e-3 })).toBe(true);
    });

    it(`LinearBn1d (${frozen ? 'frozen BN' : 'training BN'})`, () => {
      manualSeed(31);
      const m = forGradcheck(new nniqat.LinearBn1d(3, 4, { qconfig }));
      randomizeBn(m.bn);
      if (frozen) m.freezeBnStats();
      const inputs = [randn([5, 3]), randn([4, 3]), randn([4]), rand([4]).add(0.5), randn([4])].map((t) => t.requiresGrad_());
      expect(gradcheck(withParams(m), inputs, { atol: 1e-4, rtol: 1e-3 })).toBe(true);
    });
  }
});

describe('freezeBn', () => {
  it('construction, freezeBnStats / updateBnStats and train() as in PyTorch', () => {
    const m = new nniqat.ConvBnReLU2d(3, 4, 3, { qconfig });
    expect([m.freezeBn, m.bn.training]).toEqual([false, true]);
    // QAT fused classes are fused modules (PyTorch: subclasses of _FusedModule)
    for (const fused of [m, new nniqat.LinearBn1d(2, 2, { qconfig }), new nniqat.ConvReLU1d(1, 1, 1, { qconfig })]) expect(nni.isFusedModule(fused)).toBe(true);
    expect(m.bias).toBeNull();
    const frozen = new nniqat.ConvBn2d(3, 4, 3, { qconfig, freezeBn: true });
    expect([frozen.freezeBn, frozen.bn.training]).toEqual([true, false]);
    // train() on a frozen module leaves BN (and the fake quant) alone; eval() too
    frozen.train();
    expect([frozen.training, frozen.bn.training]).toEqual([true, false]);
    frozen.updateBnStats();
    expect([frozen.freezeBn, frozen.bn.training]).toEqual([false, true]);
    frozen.eval();
    expect(frozen.bn.training).toBe(false);
    frozen.train();
    expect(frozen.bn.training).toBe(true);
  });

  it('model.apply(freezeBnStats / updateBnStats) reaches the ConvBn modules only', () => {
    const model = new Sequential(new nniqat.ConvBnReLU2d(3, 4, 3, { qconfig }), new nniqat.ConvBn2d(4, 4, 1, { qconfig }), new BatchNorm2d(4));
    model.apply(nniqat.freezeBnStats);
    const [a, b, plain] = model.children() as [nniqat.ConvBnReLU2d, nniqat.ConvBn2d, BatchNorm2d];
    expect([a.bn.training, b.bn.training, plain.training]).toEqual([false, false, true]);
    model.train();
    expect([a.bn.training, b.bn.training]).toEqual([false, false]);
    model.apply(nniqat.updateBnStats);
    expect([a.freezeBn, b.bn.training]).toEqual([false, true]);
  });

  it('a frozen model keeps its running statistics while training', () => {
    manualSeed(32);
    const m = new nniqat.ConvBn2d(3, 4, 3, { qconfig }).freezeBnStats();
    const before = Array.from(m.bn.running_mean!.values());
    m.call(randn([2, 3, 5, 5])).sum().backward();
    expect(Array.from(m.bn.running_mean!.values())).toEqual(before);
    expect(m.weight.grad).not.toBeNull();
  });
});

describe('state dicts and reprs as PyTorch', () => {
  it('ConvBnReLU2d has the keys of the golden QAT run (conv.*, minus the output observer)', () => {
    const golden = loadGolden('workflows/qat.json').cases[0]!.expected.steps[0].state_dict_after as Record<string, unknown>;
    const want = Object.keys(golden).filter((k) => k.startsWith('conv.') && !k.startsWith('conv.activation_post_process')).map((k) => k.slice(5));
    const m = new nniqat.ConvBnReLU2d(3, 4, 3, { bias: true, qconfig: getDefaultQatQconfig('qnnpack') });
    const keys = Object.keys(m.stateDict());
    const fqKeys = Object.keys(m.weight_fake_quant.stateDict()).map((k) => `weight_fake_quant.${k}`);
    expect(keys).toEqual(['weight', 'bias', 'bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var', 'bn.num_batches_tracked', ...fqKeys]);
    for (const k of want) expect(keys).toContain(k);
  });

  it('LinearBn1d and ConvReLU2d keys: parameters, then bn.*, then weight_fake_quant.*', () => {
    const lb = new nniqat.LinearBn1d(3, 2, { qconfig });
    const fq = (m: { weight_fake_quant: Module }): string[] => Object.keys(m.weight_fake_quant.stateDict()).map((k) => `weight_fake_quant.${k}`);
    expect(Object.keys(lb.stateDict())).toEqual(['weight', 'bias', 'bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var', 'bn.num_batches_tracked', ...fq(lb)]);
    const cr = new nniqat.ConvReLU2d(3, 2, 1, { qconfig });
    expect(Object.keys(cr.stateDict())).toEqual(['weight', 'bias', ...fq(cr)]);
  });

  it('reprs: the conv line, then bn and weight_fake_quant', () => {
    const lines = new nniqat.ConvBnReLU2d(3, 4, 3, { qconfig }).toString().split('\n');
    expect(lines.slice(0, 3)).toEqual([
      'ConvBnReLU2d(',
      '  3, 4, kernel_size=(3, 3), stride=(1, 1), bias=False',
      '  (bn): BatchNorm2d(4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)',
    ]);
    expect(lines[3]).toMatch(/^ {2}\(weight_fake_quant\): FakeQuantize\(/);
    expect(new nniqat.LinearBn1d(2, 3, { qconfig }).toString().split('\n')[1]).toBe('  in_features=2, out_features=3, bias=True');
  });

  it('state dict round trip reproduces the forward', () => {
    manualSeed(33);
    const a = new nniqat.ConvBnReLU2d(3, 4, 3, { qconfig });
    randomizeBn(a.bn);
    a.call(randn([2, 3, 5, 5]));
    const b = new nniqat.ConvBnReLU2d(3, 4, 3, { qconfig });
    b.loadStateDict(a.stateDict());
    a.eval();
    b.eval();
    const x = randn([2, 3, 5, 5]);
    expect(Array.from(b.call(x).values())).toEqual(Array.from(a.call(x).values()));
  });
});

describe('fromFloat / toFloat of the fused QAT modules', () => {
  it('ConvBnReLU2d.fromFloat shares conv and BN state and requires qconfig and type', () => {
    const conv = new Conv2d(3, 4, 3, { stride: 2 }), bn = new BatchNorm2d(4, { eps: 1e-3, momentum: 0.2 });
    const fused = withQconfig(new nni.ConvBnReLU2d(conv, bn, new ReLU()));
    const m = nniqat.ConvBnReLU2d.fromFloat(fused);
    expect(m.weight).toBe(conv.weight);
    expect(m.bias).toBe(conv.bias);
    expect(m.bn.weight).toBe(bn.weight);
    expect(m.bn.running_var).toBe(bn.running_var);
    expect(m.bn.num_batches_tracked).toBe(bn.num_batches_tracked);
    expect([m.bn.eps, m.bn.momentum, m.stride]).toEqual([1e-3, 0.2, [2, 2]]);
    expect(() => nniqat.ConvBnReLU2d.fromFloat(new nni.ConvBnReLU2d(new Conv2d(1, 1, 1), new BatchNorm2d(1), new ReLU()))).toThrow(/qconfig/);
    expect(() => nniqat.ConvBn2d.fromFloat(fused)).toThrow(/only works for ConvBn2d, got ConvBnReLU2d/);
  });

  it('ConvReLU2d: relu(conv(x, fq(W)) + b); fromFloat(nni.ConvReLU2d), toFloat -> nni.ConvReLU2d', () => {
    manualSeed(34);
    const conv = new Conv2d(3, 4, 3, { padding: 1 });
    const m = nniqat.ConvReLU2d.fromFloat(withQconfig(new nni.ConvReLU2d(conv, new ReLU())));
    expect(m).toBeInstanceOf(nniqat.ConvReLU2d);
    expect(nni.isFusedModule(m)).toBe(true);
    const x = randn([2, 3, 5, 5]);
    const y = m.call(x);
    const ref = new Conv2d(3, 4, 3, { padding: 1 });
    ref.weight = new Parameter(fromValues(fakeQuantWeight(conv.weight, false).values, conv.weight.shape));
    ref.bias = conv.bias;
    expect(maxAbsDiff(y.values(), F.relu(ref.call(x)).values())).toBeLessThan(1e-5);
    const back = m.toFloat() as nni.ConvReLU2d;
    expect(back).toBeInstanceOf(nni.ConvReLU2d);
    expect(back.at(0).constructor).toBe(Conv2d);
    expect(back.at(1)).toBeInstanceOf(ReLU);
  });

  it('LinearReLU: relu(x fq(W)^T + b), fromFloat(nni.LinearReLU), toFloat -> nni.LinearReLU', () => {
    manualSeed(35);
    const fc = new Linear(5, 3);
    const m = nniqat.LinearReLU.fromFloat(withQconfig(new nni.LinearReLU(fc, new ReLU())));
    const x = randn([4, 5]);
    const ref = linearRef(x, fakeQuantWeight(fc.weight, false).values, fc.bias!.values(), 3).map((v) => Math.max(v, 0));
    expect(maxAbsDiff(m.call(x).values(), ref)).toBeLessThan(1e-5);
    const back = m.toFloat() as nni.LinearReLU;
    expect(back).toBeInstanceOf(nni.LinearReLU);
    expect(back.at(0).constructor).toBe(Linear);
    expect(() => nniqat.LinearReLU.fromFloat(withQconfig(new Linear(5, 3)))).toThrow(/only works for LinearReLU/);
  });

  it('LinearBn1d: BN-folded forward vs reference; toFloat folds BN', () => {
    manualSeed(36);
    const fc = new Linear(6, 4), bn = new BatchNorm1d(4);
    randomizeBn(bn);
    const m = nniqat.LinearBn1d.fromFloat(withQconfig(new nni.LinearBn1d(fc, bn)));
    m.freezeBnStats();
    const x = randn([5, 6]);
    const g = bn.weight!.values(), be = bn.bias!.values(), rm = bn.running_mean!.values(), rv = bn.running_var!.values();
    const s = Array.from(rv, (v, c) => Math.fround(g[c]! / Math.fround(Math.sqrt(Math.fround(v + Math.fround(1e-5))))));
    // fq(W s) per tensor, then y = (x fq^T / s + b - mean) / sqrt(var + eps) * gamma + beta
    const ws = Float64Array.from(fc.weight.values(), (w, i) => Math.fround(w * s[Math.floor(i / 6)]!));
    const wq = fakeQuantWeight(fromValues(ws, [4, 6]), false).values;
    const lin = linearRef(x, wq, null, 4);
    const b = fc.bias!.values();
    const ref = lin.map((v, i) => {
      const c = i % 4;
      return ((v / s[c]! + b[c]! - rm[c]!) / Math.sqrt(rv[c]! + 1e-5)) * g[c]! + be[c]!;
    });
    expect(maxAbsDiff(m.call(x).values(), ref)).toBeLessThan(2e-5);
    const float = m.toFloat();
    expect(float.constructor).toBe(Linear);
    (m.weight_fake_quant as FakeQuantize).disableFakeQuant();
    expect(maxAbsDiff(float.call(x).values(), m.call(x).values())).toBeLessThan(1e-5);
  });
});

describe('QAT training', () => {
  it('a ConvBnReLU2d + Linear model trains (loss falls) through fake quant', () => {
    manualSeed(37);
    const qc = getDefaultQatQconfig('qnnpack');
    const convbn = new nniqat.ConvBnReLU2d(2, 4, 3, { bias: true, qconfig: qc });
    const fc = new (class extends Module {
      inner = nniqat.LinearReLU.fromFloat(Object.assign(new nni.LinearReLU(new Linear(4 * 4 * 4, 8), new ReLU()), { qconfig: qc }));
      forward(x: Tensor): Tensor { return this.inner.call(x); }
    })();
    const head = new Linear(8, 1);
    const x = randn([16, 2, 6, 6]);
    const target = x.mean([1, 2, 3]).reshape([16, 1]).mul(3);
    const params = [...convbn.parameters(), ...fc.parameters(), ...head.parameters()];
    const lossAt = (): Tensor => head.call(fc.call(convbn.call(x).flatten(1))).sub(target).square().mean();
    const first = lossAt().item();
    for (let step = 0; step < 40; step++) {
      for (const p of params) p.grad = null;
      lossAt().backward();
      noGrad(() => { for (const p of params) if (p.grad) p.sub_(p.grad.mul(0.05)); });
    }
    expect(lossAt().item()).toBeLessThan(first * 0.5);
  });
});
