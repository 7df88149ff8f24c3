/** End to end: a small CNN and an LSTM learn synthetic tasks with SGD and Adam; the loss must fall. */
import { Generator, type Tensor, fromValues, int64, manualSeed } from '@qtorch/qtensor';
import { describe, expect, it } from 'vitest';
import { DataLoader, TensorDataset } from '../src/data/index.js';
import * as F from '../src/functional/index.js';
import * as nn from '../src/index.js';
import { Adam, CosineAnnealingLR, type Optimizer, SGD, StepLR, clipGradNorm_ } from '../src/optim/index.js';

/** 4x4 single-channel images; class 1 when the left half is brighter than the right. */
function imageData(n: number, gen: Generator): [Tensor, Tensor] {
  const xs: number[] = [], ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = gen.random() < 0.5 ? 0 : 1;
    for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) xs.push(gen.normal() * 0.5 + ((c < 2) === (label === 1) ? 1 : 0));
    ys.push(label);
  }
  return [fromValues(xs, [n, 1, 4, 4]), fromValues(ys, [n], int64)];
}

/** Sequences of length 6 with 2 features; the target is the running sum's last value of feature 0 minus feature 1. */
function sequenceData(n: number, gen: Generator): [Tensor, Tensor] {
  const xs: number[] = [], ys: number[] = [];
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = 0; t < 6; t++) {
      const a = gen.random() - 0.5, b = gen.random() - 0.5;
      xs.push(a, b);
      s += a - b;
    }
    ys.push(s);
  }
  return [fromValues(xs, [n, 6, 2]), fromValues(ys, [n, 1])];
}

class SmallCNN extends nn.Module {
  conv = new nn.Conv2d(1, 4, 3, { padding: 1 });
  bn = new nn.BatchNorm2d(4);
  relu = new nn.ReLU();
  pool = new nn.MaxPool2d(2);
  flatten = new nn.Flatten();
  fc = new nn.Linear(16, 2);
  forward(x: Tensor): Tensor {
    return this.fc.call(this.flatten.call(this.pool.call(this.relu.call(this.bn.call(this.conv.call(x))))));
  }
}

class SeqRegressor extends nn.Module {
  lstm = new nn.LSTM(2, 8, { batchFirst: true });
  head = new nn.Linear(8, 1);
  forward(x: Tensor): Tensor {
    const [, [h]] = this.lstm.call(x);
    return this.head.call(h.select(0, 0));
  }
}

function train(model: nn.Module, opt: Optimizer<object>, loader: DataLoader, loss: (out: Tensor, y: Tensor) => Tensor, epochs: number, after?: () => void): number[] {
  const history: number[] = [];
  for (let e = 0; e < epochs; e++) {
    let total = 0, count = 0;
    for (const [x, y] of loader) {
      opt.zeroGrad();
      const l = loss((model.call as (x: Tensor) => Tensor)(x!), y!);
      l.backward();
      clipGradNorm_(model.parameters(), 5);
      opt.step();
      total += l.item() * x!.shape[0]!;
      count += x!.shape[0]!;
    }
    after?.();
    history.push(total / count);
  }
  return history;
}

describe('training', () => {
  for (const [name, makeOpt] of [
    ['SGD with momentum + StepLR', (m: nn.Module) => new SGD(m.parameters(), { lr: 0.1, momentum: 0.9 })],
    ['Adam + CosineAnnealingLR', (m: nn.Module) => new Adam(m.parameters(), { lr: 0.02 })],
  ] as const) {
    it(`a small CNN learns with ${name}`, () => {
      manualSeed(0);
      const gen = new Generator(1);
      const [x, y] = imageData(64, gen);
      const model = new SmallCNN();
      const opt = makeOpt(model);
      const sched = opt instanceof SGD ? new StepLR(opt, 4, { gamma: 0.5 }) : new CosineAnnealingLR(opt, 6);
      const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 16, shuffle: true, generator: gen });
      const hist = train(model, opt, loader, (o, t) => F.crossEntropy(o, t), 6, () => sched.step());
      expect(hist[hist.length - 1]!).toBeLessThan(0.5 * hist[0]!);
      // eval mode (running BN statistics) classifies held-out data well
      model.eval();
      const [xt, yt] = imageData(64, gen);
      const pred = model.call(xt).argmax(1);
      const acc = pred.toArray().filter((p, i) => p === yt.toArray()[i]).length / 64;
      expect(acc).toBeGreaterThan(0.85);
    });
  }

  for (const [name, makeOpt] of [
    ['SGD', (m: nn.Module) => new SGD(m.parameters(), { lr: 0.05, momentum: 0.9 })],
    ['Adam', (m: nn.Module) => new Adam(m.parameters(), { lr: 0.03 })],
  ] as const) {
    it(`an LSTM learns a running sum with ${name}`, () => {
      manualSeed(2);
      const gen = new Generator(3);
      const [x, y] = sequenceData(64, gen);
      const model = new SeqRegressor();
      const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 8, shuffle: true, generator: gen });
      const hist = train(model, makeOpt(model), loader, (o, t) => F.mseLoss(o, t), 12);
      expect(hist[hist.length - 1]!).toBeLessThan(0.3 * hist[0]!);
    });
  }
});
