/**
 * Training and evaluation loops shared by the float models and quantization-aware training:
 * mini-batch SGD with momentum and a cosine learning-rate decay over the run, a progress bar
 * with the running loss, and batched inference for accuracy.
 */
import { Generator as RandomGenerator, type Tensor, crossEntropy, noGrad } from '@qtorch/qtensor';
import type { Module } from '@qtorch/nn';
import { DataLoader, TensorDataset } from '@qtorch/nn/data';
import { CosineAnnealingLR, SGD } from '@qtorch/nn/optim';
import type { Split } from './data.js';
import { ProgressBar, type ProgressSink } from './progress.js';

/** Settings of one training run. */
export interface TrainOptions {
  /** Progress bar label (`train cnn`). */
  label: string;
  epochs: number;
  batchSize: number;
  lr: number;
  /** Seed of the per-epoch shuffling. */
  seed: number;
  /** SGD momentum (default 0.9). */
  momentum?: number;
  /** L2 penalty (default 0). */
  weightDecay?: number;
  /** Called after every optimizer step (QAT freezes observers and BN statistics from here). */
  onStep?: (step: number, totalSteps: number) => void;
  sink?: ProgressSink;
}

/** What a training run reports. */
export interface TrainResult {
  /** Exponential moving average of the batch loss at the end. */
  finalLoss: number;
  steps: number;
  /** Wall time. */
  ms: number;
  /** CPU time of this process (user + system), which other load on the machine does not inflate. */
  cpuMs: number;
}

/** CPU time of this process so far, in milliseconds. */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Logits of a classifier for a batch (the model's output, float). */
export function logits(model: Module, x: Tensor): Tensor {
  return model.call(x) as Tensor;
}

/** Trains `model` in place on `split` with SGD; returns the smoothed final loss. */
export function trainClassifier(model: Module, split: Split, options: TrainOptions): TrainResult {
  const loader = new DataLoader(new TensorDataset(split.images, split.labels), {
    batchSize: options.batchSize, shuffle: true, generator: new RandomGenerator(options.seed),
  });
  const totalSteps = loader.length * options.epochs;
  const opt = new SGD(model.parameters(), { lr: options.lr, momentum: options.momentum ?? 0.9, weightDecay: options.weightDecay ?? 0 });
  // Stepped per batch, so the rate decays smoothly to 0 over the whole run.
  const sched = new CosineAnnealingLR(opt, totalSteps);
  const bar = new ProgressBar(options.label, totalSteps, options.sink);
  let smoothed = Number.NaN, step = 0;
  const t0 = performance.now(), c0 = cpuMs();
  model.train();
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (const [x, y] of loader) {
      opt.zeroGrad();
      const loss = crossEntropy(logits(model, x!), y!);
      loss.backward();
      opt.step();
      sched.step();
      step++;
      const l = loss.item();
      smoothed = Number.isNaN(smoothed) ? l : 0.9 * smoothed + 0.1 * l;
      options.onStep?.(step, totalSteps);
      bar.tick({ loss: smoothed });
    }
  }
  bar.finish();
  model.eval();
  return { finalLoss: smoothed, steps: step, ms: performance.now() - t0, cpuMs: cpuMs() - c0 };
}

/** Consecutive batches of a split (no shuffling), as `[images, labels]` views. */
export function* batches(split: Split, batchSize: number): Generator<[Tensor, Tensor]> {
  const n = split.labels.shape[0]!;
  for (let start = 0; start < n; start += batchSize) {
    const len = Math.min(batchSize, n - start);
    yield [split.images.narrow(0, start, len), split.labels.narrow(0, start, len)];
  }
}

/** Runs `model` (eval mode, no autograd) over a split; optional progress (calibration). */
export function runOver(model: Module, split: Split, batchSize: number, options: { label?: string; sink?: ProgressSink } = {}): Tensor[] {
  const n = split.labels.shape[0]!;
  const bar = options.label ? new ProgressBar(options.label, Math.ceil(n / batchSize), options.sink) : null;
  const outputs: Tensor[] = [];
  noGrad(() => {
    for (const [x] of batches(split, batchSize)) {
      outputs.push(logits(model, x));
      bar?.tick();
    }
  });
  bar?.finish();
  return outputs;
}

/** Fraction of `split` the model classifies correctly. */
export function accuracy(model: Module, split: Split, batchSize: number): number {
  model.eval();
  const labels = split.labels.toArray();
  let correct = 0, i = 0;
  for (const out of runOver(model, split, batchSize)) {
    for (const p of out.argmax(1).toArray()) if (p === labels[i++]) correct++;
  }
  return correct / labels.length;
}
