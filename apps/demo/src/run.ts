/**
 * One demo run: load and split the data, train (or load) the float models, quantize them with
 * every variant under every selected engine, measure accuracy / file size / latency, save and
 * reload each model, print the table and write the HTML report.
 */
import { join } from 'node:path';
import { type Engine, backends, manualSeed } from '@qtorch/qtensor';
import { type Module, deepcopy } from '@qtorch/nn';
import { fuseModules } from '@qtorch/quantization';
// Importing the kernel packages registers their native kernels (each falls back to the
// TypeScript reference kernels when its addon is missing).
import * as fbgemmKernels from '@qtorch/kernels-fbgemm';
import * as qnnpackKernels from '@qtorch/kernels-qnnpack';
import { type CheckpointKey, saveCheckpoint, tryLoadCheckpoint } from './checkpoint.js';
import { type DemoOptions, FULL_PRESET, type Preset, QUICK_PRESET } from './cli.js';
import { type DemoData, loadFashionMnist, loadMnistDigits, seededSplit } from './data.js';
import { measureModel, type Measured } from './evaluate.js';
import { CNN_FUSION_GROUPS, DEFAULT_CNN, DemoCnn, DemoMlp } from './models.js';
import type { ProgressSink } from './progress.js';
import { writeReport, type StaticModelPair } from './report.js';
import { type ResultRow, formatTable, latencyNote, unavailableNotes } from './table.js';
import { cpuMs, trainClassifier } from './train.js';
import { FLOAT_VARIANTS, QUANTIZED_VARIANTS, type Variant, type VariantContext, VariantUnavailable } from './variants/index.js';

/** What a run returns (the test asserts on it). */
export interface DemoResult {
  rows: ResultRow[];
  reportPath: string | null;
  ms: number;
}

/** Where a run writes its text: results to `log` (stdout), progress bars to `sink` (stderr). */
export interface DemoIo {
  log: (line: string) => void;
  sink: ProgressSink;
}

const LR = 0.05;

/** Runs `fn` with `engine` selected (the async analogue of withEngine). */
async function usingEngine<T>(engine: Engine, fn: () => Promise<T>): Promise<T> {
  const prev = backends.quantized.engine;
  backends.quantized.engine = engine;
  try {
    return await fn();
  } finally {
    backends.quantized.engine = prev;
  }
}

function kernelFacts(): string {
  return [fbgemmKernels.backendInfo(), qnnpackKernels.backendInfo()]
    .map((b) => `${b.engine}: ${b.native ? `native (${b.isa})` : `TypeScript reference (${b.reason})`}`)
    .join('; ');
}

/** Trains `model` on the training split, or loads the matching checkpoint. */
function trainedOrLoaded(model: Module, key: CheckpointKey, data: DemoData, options: DemoOptions, preset: Preset, io: DemoIo): string {
  const dir = join(options.outDir, 'checkpoints');
  if (!options.retrain && tryLoadCheckpoint(model, dir, key)) {
    model.eval();
    return `loaded checkpoint ${key.model} (${key.epochs} epoch(s), trained by this demo)`;
  }
  const r = trainClassifier(model, data.train, {
    label: `train ${key.model}`, epochs: key.epochs, batchSize: preset.batchSize, lr: LR, seed: options.seed, sink: io.sink,
  });
  const path = saveCheckpoint(model, dir, key);
  return `trained ${key.model}: ${r.steps} steps, final loss ${r.finalLoss.toFixed(4)}, ${(r.ms / 1000).toFixed(1)}s (cpu ${(r.cpuMs / 1000).toFixed(1)}s); checkpoint ${path}`;
}

function slug(s: string): string {
  return s.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
}

function rowOf(v: Variant, engine: Engine | null, m: Measured | { unavailable: string }, batchSize: number): ResultRow {
  const base = { variant: v.name, model: v.model, engine: engine ?? '-', batchSize };
  if ('unavailable' in m) return { ...base, accuracy: NaN, sizeBytes: NaN, batchMs: NaN, imageMs: NaN, unavailable: m.unavailable };
  return { ...base, accuracy: m.accuracy, sizeBytes: m.sizeBytes, batchMs: m.batchMs, imageMs: m.imageMs, reloadIdentical: m.reloadIdentical };
}

/** Runs the whole demo with `options`. */
export async function runDemo(options: DemoOptions, io: DemoIo): Promise<DemoResult> {
  const t0 = performance.now(), c0 = cpuMs();
  const preset = options.quick ? QUICK_PRESET : FULL_PRESET;
  const { log } = io;
  const raw = options.fashion ? loadFashionMnist() : loadMnistDigits();
  const data = seededSplit(raw, preset.split, options.seed);
  const splitName = `${preset.split.train}-${preset.split.calib}-${preset.split.test}`;
  const facts = [
    `data: ${raw.name}, ${raw.labels.length} images; seeded split (seed ${options.seed}): train ${preset.split.train}, calibration ${preset.split.calib}, test ${preset.split.test}`,
    `kernels: ${kernelFacts()}`,
  ];
  facts.forEach((f) => log(f));

  manualSeed(options.seed);
  const cnn = new DemoCnn(DEFAULT_CNN);
  const mlp = new DemoMlp();
  const keyBase = { dataset: raw.name, seed: options.seed, split: splitName };
  const trainLines = [
    trainedOrLoaded(cnn, { ...keyBase, model: 'cnn', epochs: options.epochs, config: JSON.stringify({ ...DEFAULT_CNN, lr: LR, batch: preset.batchSize }) }, data, options, preset, io),
    trainedOrLoaded(mlp, { ...keyBase, model: 'mlp', epochs: preset.mlpEpochs, config: JSON.stringify({ hidden: mlp.hidden, lr: LR, batch: preset.batchSize }) }, data, options, preset, io),
  ];
  trainLines.forEach((l) => log(l));
  facts.push(...trainLines);
  if (options.trainOnly) return { rows: [], reportPath: null, ms: performance.now() - t0 };

  const ctx: VariantContext = {
    data, cnn, mlp,
    freshCnn: () => new DemoCnn(DEFAULT_CNN),
    freshMlp: () => new DemoMlp(mlp.hidden),
    settings: { evalBatch: 100, qatSamples: preset.qatSamples, qatEpochs: 1, qatBatch: preset.batchSize, qatLr: LR / 10, seed: options.seed },
    sink: io.sink,
  };
  const measureOpts = { outDir: join(options.outDir, 'models'), latencyBatch: preset.latencyBatch, latencyBudgetMs: preset.latencyBudgetMs, evalBatch: 100 };
  const rows: ResultRow[] = [];
  let staticModel: StaticModelPair | undefined;

  const runVariant = async (v: Variant, engine: Engine | null): Promise<void> => {
    const name = engine ? `${v.name}/${engine}` : `${v.name} ${v.model}`;
    let measured: Measured | { unavailable: string };
    const v0 = performance.now(), c1 = cpuMs();
    try {
      const model = await v.build(ctx, engine ?? backends.quantized.engine);
      const file = `${v.model}-${slug(v.name)}${engine ? `-${engine}` : ''}.safetensors`;
      measured = await measureModel(model, () => v.skeleton(ctx, engine ?? backends.quantized.engine), data, file, measureOpts);
      if (v.name === 'eager static' && !staticModel) {
        staticModel = { label: `eager static model, ${engine}`, float: fuseModules(deepcopy(cnn).eval(), CNN_FUSION_GROUPS), quantized: model, input: data.calib.images.narrow(0, 0, Math.min(32, preset.split.calib)) };
      }
      log(`${name}: accuracy ${(measured.accuracy * 100).toFixed(2)}%, ${measured.sizeBytes} bytes, `
        + `reloaded from ${file}: outputs ${measured.reloadIdentical ? 'identical' : 'DIFFER'} (${((performance.now() - v0) / 1000).toFixed(1)}s, cpu ${((cpuMs() - c1) / 1000).toFixed(1)}s)`);
    } catch (e) {
      if (!(e instanceof VariantUnavailable)) throw e;
      measured = { unavailable: e.message };
      log(`${name}: not available (${e.message})`);
    }
    rows.push(rowOf(v, engine, measured, preset.latencyBatch));
  };

  for (const v of FLOAT_VARIANTS) await runVariant(v, null);
  for (const v of QUANTIZED_VARIANTS) {
    for (const engine of options.engines) await usingEngine(engine, () => runVariant(v, engine));
  }

  const table = formatTable(rows);
  log('');
  log(table);
  log(latencyNote(rows));
  unavailableNotes(rows).forEach((n) => log(n));
  const ms = performance.now() - t0;
  facts.push(`total time ${(ms / 1000).toFixed(1)}s`);
  const reportPath = await writeReport(join(options.outDir, 'report.html'), { rows, facts, staticModel });
  log(`report: ${reportPath}`);
  log(`done in ${(ms / 1000).toFixed(1)}s (cpu ${((cpuMs() - c0) / 1000).toFixed(1)}s)`);
  return { rows, reportPath, ms };
}
