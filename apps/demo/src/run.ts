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
import { type DemoData, type RawImages, loadFashionMnist, loadMnistDigits, seededSplit } from './data.js';
import { type MeasureOptions, measureModel } from './evaluate.js';
import { CNN_FUSION_GROUPS, DEFAULT_CNN, DemoCnn, DemoMlp } from './models.js';
import type { ProgressSink } from './progress.js';
import { writeReport, type StaticModelPair } from './report.js';
import { type MissingResult, type ResultRow, formatTable, latencyNote, missingNotes } from './table.js';
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

/** Learning rate of the float models (QAT fine-tunes at a tenth of it). */
const LR = 0.05;

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;

/** Batch size of evaluation and calibration (not timed, so as large as memory comfortably allows). */
const EVAL_BATCH = 100;


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
  return `trained ${key.model}: ${r.steps} steps, final loss ${r.finalLoss.toFixed(4)}, ${seconds(r.ms)} (cpu ${seconds(r.cpuMs)}); checkpoint ${path}`;
}

function slug(s: string): string {
  return s.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
}

/** The trained float models, and what was done to get them. */
interface FloatModels {
  cnn: DemoCnn;
  mlp: DemoMlp;
  lines: string[];
}

function floatModels(raw: RawImages, data: DemoData, options: DemoOptions, preset: Preset, io: DemoIo): FloatModels {
  manualSeed(options.seed);
  const cnn = new DemoCnn(DEFAULT_CNN);
  const mlp = new DemoMlp();
  const keyBase = { dataset: raw.name, seed: options.seed, split: `${preset.split.train}-${preset.split.calib}-${preset.split.test}` };
  const lines = [
    trainedOrLoaded(cnn, { ...keyBase, model: 'cnn', epochs: options.epochs, config: JSON.stringify({ ...DEFAULT_CNN, lr: LR, batch: preset.batchSize }) }, data, options, preset, io),
    trainedOrLoaded(mlp, { ...keyBase, model: 'mlp', epochs: preset.mlpEpochs, config: JSON.stringify({ hidden: mlp.hidden, lr: LR, batch: preset.batchSize }) }, data, options, preset, io),
  ];
  return { cnn, mlp, lines };
}

/** What running one variant needs. */
interface VariantRun {
  ctx: VariantContext;
  measure: MeasureOptions;
  io: DemoIo;
}

/**
 * Builds and measures `v` under `engine` (null: a float model). A variant that throws gets
 * a row saying why, so one broken variant does not hide the others' results.
 */
async function runVariant(v: Variant, engine: Engine | null, run: VariantRun): Promise<{ row: ResultRow; model?: Module }> {
  const name = engine ? `${v.name}/${engine}` : `${v.name} ${v.model}`;
  const base = { variant: v.name, model: v.model, engine: engine ?? '-', batchSize: run.measure.latencyBatch };
  const t0 = performance.now(), c0 = cpuMs();
  try {
    const model = await v.build(run.ctx, engine ?? backends.quantized.engine);
    const file = `${v.model}-${slug(v.name)}${engine ? `-${engine}` : ''}.safetensors`;
    const m = await measureModel(model, () => v.skeleton(run.ctx, engine ?? backends.quantized.engine), run.ctx.data, file, run.measure);
    run.io.log(`${name}: accuracy ${(m.accuracy * 100).toFixed(2)}%, ${m.sizeBytes} bytes, reloaded from ${file}: `
      + `outputs ${m.reloadIdentical ? 'identical' : 'DIFFER'} (${seconds(performance.now() - t0)}, cpu ${seconds(cpuMs() - c0)})`);
    const row = { ...base, accuracy: m.accuracy, sizeBytes: m.sizeBytes, batchMs: m.batchMs, imageMs: m.imageMs, reloadIdentical: m.reloadIdentical };
    return { row, model };
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    const missing: MissingResult = { status: e instanceof VariantUnavailable ? 'not available' : 'failed', reason: err.message };
    run.io.log(`${name}: ${missing.status} (${err.message})`);
    if (missing.status === 'failed') run.io.sink.write(`${err.stack ?? err.message}\n`);
    return { row: { ...base, accuracy: NaN, sizeBytes: NaN, batchMs: NaN, imageMs: NaN, missing } };
  }
}

/** Runs the whole demo with `options`. */
export async function runDemo(options: DemoOptions, io: DemoIo): Promise<DemoResult> {
  const t0 = performance.now(), c0 = cpuMs();
  const preset = options.quick ? QUICK_PRESET : FULL_PRESET;
  const raw = options.fashion ? loadFashionMnist() : loadMnistDigits();
  const data = seededSplit(raw, preset.split, options.seed);
  const facts = [
    `data: ${raw.name}, ${raw.labels.length} images; seeded split (seed ${options.seed}): train ${preset.split.train}, calibration ${preset.split.calib}, test ${preset.split.test}`,
    `kernels: ${kernelFacts()}`,
  ];
  facts.forEach((f) => io.log(f));
  const { cnn, mlp, lines } = floatModels(raw, data, options, preset, io);
  lines.forEach((l) => io.log(l));
  facts.push(...lines);
  if (options.trainOnly) return { rows: [], reportPath: null, ms: performance.now() - t0 };

  const run: VariantRun = {
    ctx: {
      data, cnn, mlp,
      freshCnn: () => new DemoCnn(DEFAULT_CNN),
      freshMlp: () => new DemoMlp(mlp.hidden),
      settings: { evalBatch: EVAL_BATCH, qatSamples: preset.qatSamples, qatEpochs: 1, qatBatch: preset.batchSize, qatLr: LR / 10, seed: options.seed },
      sink: io.sink,
    },
    measure: { outDir: join(options.outDir, 'models'), evalBatch: EVAL_BATCH, latencyBatch: preset.latencyBatch, latencyBudgetMs: preset.latencyBudgetMs },
    io,
  };
  const rows: ResultRow[] = [];
  let staticModel: StaticModelPair | undefined;
  for (const v of FLOAT_VARIANTS) rows.push((await runVariant(v, null, run)).row);
  for (const v of QUANTIZED_VARIANTS) {
    for (const engine of options.engines) {
      const { row, model } = await usingEngine(engine, () => runVariant(v, engine, run));
      rows.push(row);
      // The report examines the first eager static model against the float CNN fused the same way.
      if (v.name === 'eager static' && model && !staticModel) {
        const input = data.calib.images.narrow(0, 0, Math.min(32, preset.split.calib));
        staticModel = { label: `eager static model, ${engine}`, float: fuseModules(deepcopy(cnn).eval(), CNN_FUSION_GROUPS), quantized: model, input };
      }
    }
  }

  io.log('');
  io.log(formatTable(rows));
  io.log(latencyNote(rows));
  missingNotes(rows).forEach((n) => io.log(n));
  const ms = performance.now() - t0;
  facts.push(`total time ${seconds(ms)} (cpu ${seconds(cpuMs() - c0)})`);
  const reportPath = await writeReport(join(options.outDir, 'report.html'), { rows, facts, staticModel });
  io.log(`report: ${reportPath}`);
  io.log(`done in ${seconds(ms)} (cpu ${seconds(cpuMs() - c0)})`);
  return { rows, reportPath, ms };
}
