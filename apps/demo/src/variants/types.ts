/** What every quantization variant of the demo implements, and what it is given. */
import type { Engine } from '@qtorch/qtensor';
import type { Module } from '@qtorch/nn';
import type { DemoData } from '../data.js';
import type { DemoCnn, DemoMlp } from '../models.js';
import type { ProgressSink } from '../progress.js';

/** Knobs of calibration and quantization-aware training. */
export interface VariantSettings {
  /** Batch size of calibration and evaluation. */
  evalBatch: number;
  /** Images of the training split used to fine-tune with QAT. */
  qatSamples: number;
  qatEpochs: number;
  qatBatch: number;
  qatLr: number;
  seed: number;
}

/** The trained float models and the data, shared by all variants (variants never modify them). */
export interface VariantContext {
  data: DemoData;
  cnn: DemoCnn;
  mlp: DemoMlp;
  /** A fresh, untrained model of the same structure (what a reloading program would construct). */
  freshCnn(): DemoCnn;
  freshMlp(): DemoMlp;
  settings: VariantSettings;
  sink: ProgressSink;
}

/** One way of quantizing a model, run once per engine. */
export interface Variant {
  /** Table name: `dynamic`, `eager static`, `fx static`, `qat`. */
  readonly name: string;
  /** The float model it starts from. */
  readonly model: 'cnn' | 'mlp';
  /** Quantizes a copy of the trained float model for `engine` (the engine is already selected). */
  build(ctx: VariantContext, engine: Engine): Promise<Module>;
  /**
   * The quantized structure built from a fresh float model, with weights and qparams of its
   * own: `loadStateDict` of a saved model must make it compute exactly like the original
   * (PyTorch's recipe for loading a quantized state dict).
   */
  skeleton(ctx: VariantContext, engine: Engine): Promise<Module>;
}

/** Thrown by a variant whose API is not in this build (the table says "not available"). */
export class VariantUnavailable extends Error {
  override name = 'VariantUnavailable';
}
