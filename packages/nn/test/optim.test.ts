import { float32, fromValues, scalarTensor, zeros } from '@qtorch/qtensor';
import { type GoldenPlainTensor, expectTensorClose, loadGolden, tensorFromGolden } from '@qtorch/testing';
import { describe, expect, it } from 'vitest';
import { Parameter } from '../src/index.js';
import { Adam, AdamW, CosineAnnealingLR, type Optimizer, SGD, StepLR, clipGradNorm_, clipGradValue_, lrScheduler } from '../src/optim/index.js';
import { expectAllClose, vals } from './helpers.js';

const file = loadGolden('nn/optim.json');
const caseOf = (name: string) => file.cases.find((c) => c.name === name)!;

/** camelCase options from the fixture's PyTorch keyword arguments. */
function optionsOf(args: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(args).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), v]));
}

describe('optimizers follow PyTorch 1.13 step by step', () => {
  const makers: Record<string, (p: Parameter[], o: Record<string, unknown>) => Optimizer<object>> = {
    'torch.optim.SGD': (p, o) => new SGD(p, o as never),
    'torch.optim.Adam': (p, o) => new Adam(p, o),
    'torch.optim.AdamW': (p, o) => new AdamW(p, o),
  };
  for (const c of file.cases.filter((k) => k.op.startsWith('torch.optim.'))) {
    it(c.name, () => {
      const p = new Parameter(tensorFromGolden(c.inputs.param as GoldenPlainTensor));
      const opt = makers[c.op]!([p], optionsOf(c.args));
      (c.inputs.grads as GoldenPlainTensor[]).forEach((g, step) => {
        p.grad = tensorFromGolden(g);
        opt.step();
        expectTensorClose(p, (c.expected.params as GoldenPlainTensor[])[step]!, { rtol: 1e-5, atol: 1e-7, label: `${c.name} step ${step + 1}` });
      });
    });
  }
});

describe('SGD by hand', () => {
  it('momentum buffer starts as the gradient; Nesterov looks ahead', () => {
    const p = new Parameter(fromValues([1], [1]));
    const opt = new SGD([p], { lr: 0.5, momentum: 0.9, nesterov: true });
    p.grad = fromValues([2], [1]);
    opt.step(); // buf = 2, d = 2 + 0.9 * 2 = 3.8, p = 1 - 1.9
    expectAllClose(vals(p), [1 - 0.5 * 3.8], 1e-6);
    p.grad = fromValues([1], [1]);
    opt.step(); // buf = 0.9 * 2 + 1 = 2.8, d = 1 + 0.9 * 2.8 = 3.52
    expectAllClose(vals(p), [1 - 1.9 - 0.5 * 3.52], 1e-6);
    expect(vals(opt.state.get(p)!.momentum_buffer as Parameter)).toEqual([Math.fround(2.8)]);
  });

  it('validates hyperparameters and supports param groups, zeroGrad and state dicts', () => {
    const a = new Parameter(zeros([2])), b = new Parameter(zeros([1]));
    expect(() => new SGD([a], { lr: -1 })).toThrow(/Invalid learning rate/);
    expect(() => new SGD([a], { lr: 0.1, nesterov: true })).toThrow(/Nesterov momentum requires a momentum and zero dampening/);
    expect(() => new SGD([], { lr: 0.1 })).toThrow(/empty parameter list/);
    const opt = new SGD([{ params: [a] }, { params: [b], lr: 1 }], { lr: 0.1, momentum: 0.5 });
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.1, 1]);
    a.grad = fromValues([1, 1], [2]);
    b.grad = fromValues([1], [1]);
    opt.step();
    expectAllClose([...vals(a), ...vals(b)], [-0.1, -0.1, -1], 1e-6);
    const sd = opt.stateDict();
    expect(sd.param_groups.map((g) => g.params)).toEqual([[0], [1]]);
    expect(Object.keys(sd.state)).toEqual(['0', '1']);
    opt.zeroGrad();
    expect(vals(a.grad!)).toEqual([0, 0]);
    opt.zeroGrad({ setToNone: true });
    expect(a.grad).toBeNull();
    const fresh = new SGD([{ params: [a] }, { params: [b] }], { lr: 0.3, momentum: 0.5 });
    fresh.loadStateDict(sd);
    expect(fresh.paramGroups[1]!.lr).toBe(1);
    expect(fresh.state.get(b)!.momentum_buffer).toBe(opt.state.get(b)!.momentum_buffer);
    expect(() => new SGD([{ params: [a] }, { params: [a] }], { lr: 1 })).toThrow(/more than one parameter group/);
  });
});

describe('Adam by hand', () => {
  it('first step moves each weight by about lr in the gradient sign', () => {
    const p = new Parameter(fromValues([1, -1, 0.5], [3]));
    const opt = new Adam([p], { lr: 0.1 });
    p.grad = fromValues([3, -0.01, 0], [3]);
    opt.step();
    // m_hat = g, v_hat = g^2: step = lr * g / (|g| + eps)
    expectAllClose(vals(p), [0.9, -0.9, 0.5], 1e-5, 1e-6);
    expect((opt.state.get(p)!.step as Parameter).item()).toBe(1);
  });

  it('AdamW decays weights independently of the gradient', () => {
    const p = new Parameter(fromValues([2], [1]));
    const opt = new AdamW([p], { lr: 0.1, weightDecay: 0.5 });
    p.grad = fromValues([0], [1]);
    opt.step();
    expectAllClose(vals(p), [2 * (1 - 0.1 * 0.5)], 1e-6);
  });
});

describe('learning-rate schedulers match PyTorch', () => {
  for (const [name, make] of [
    ['steplr', (o: SGD) => new StepLR(o, 3, { gamma: 0.5 })],
    ['cosine', (o: SGD) => new lrScheduler.CosineAnnealingLR(o, 5, { etaMin: 0.01 })],
  ] as const) {
    it(name, () => {
      const opt = new SGD([new Parameter(zeros([1]))], { lr: 0.1 });
      const sched = make(opt);
      const lrs: number[] = [];
      for (let i = 0; i < 12; i++) {
        opt.step();
        sched.step();
        lrs.push(sched.getLastLr()[0]!);
      }
      expectAllClose(lrs, caseOf(name).expected.lrs as number[], 1e-12, 1e-15);
    });
  }

  it('StepLR is gamma^(epoch // stepSize) times the base rate; resuming needs initial_lr', () => {
    const opt = new SGD([new Parameter(zeros([1]))], { lr: 1 });
    const s = new StepLR(opt, 2);
    const seen = [opt.paramGroups[0]!.lr];
    for (let i = 0; i < 5; i++) { s.step(); seen.push(opt.paramGroups[0]!.lr); }
    expectAllClose(seen as number[], [1, 1, 0.1, 0.1, 0.01, 0.01], 1e-12, 1e-15);
    const fresh = new SGD([new Parameter(zeros([1]))], { lr: 1 });
    expect(() => new CosineAnnealingLR(fresh, 3, { lastEpoch: 4 })).toThrow(/initial_lr/);
  });
});

describe('gradient clipping', () => {
  for (const c of file.cases.filter((k) => k.op === 'torch.nn.utils.clip_grad_norm_')) {
    it(`${c.name} matches PyTorch`, () => {
      const ps = (c.inputs.grads as GoldenPlainTensor[]).map((g) => {
        const p = new Parameter(zeros(g.shape));
        p.grad = tensorFromGolden(g);
        return p;
      });
      const normType = c.args.norm_type === 'inf' ? Infinity : (c.args.norm_type as number | undefined);
      const total = clipGradNorm_(ps, c.args.max_norm as number, { normType });
      expect(total.item()).toBeCloseTo(c.expected.total_norm as number, 5);
      ps.forEach((p, i) => expectTensorClose(p.grad!, (c.expected.grads as GoldenPlainTensor[])[i]!, { rtol: 1e-5, atol: 1e-7 }));
    });
  }

  it('clipGradValue_ clamps, and non-finite norms can be an error', () => {
    const p = new Parameter(zeros([3]));
    p.grad = fromValues([-3, 0.2, 5], [3]);
    clipGradValue_([p], 1);
    expectAllClose(vals(p.grad), [-1, 0.2, 1], 1e-7);
    p.grad = fromValues([Infinity, 0, 0], [3], float32);
    expect(() => clipGradNorm_(p, 1, { errorIfNonfinite: true })).toThrow(/non-finite/);
    expect(clipGradNorm_([], 1).item()).toBe(scalarTensor(0).item());
  });
});
