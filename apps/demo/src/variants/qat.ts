/**
 * Quantization-aware training: fuse for QAT (BatchNorm kept and folded during training),
 * the engine's default QAT qconfig, `prepareQat` (fake quantization of weights and
 * activations), a short fine-tune on part of the training split, then `convert`. As in
 * PyTorch's recipe, BatchNorm statistics and observers are frozen for the last part of the run.
 */
import type { Engine } from '@qtorch/qtensor';
import { deepcopy } from '@qtorch/nn';
import { freezeBnStats } from '@qtorch/nn-intrinsic/qat';
import { convert, disableObserver, fuseModulesQat, getDefaultQatQconfig, prepareQat } from '@qtorch/quantization';
import { CNN_FUSION_GROUPS, type DemoCnn } from '../models.js';
import { trainClassifier } from '../train.js';
import { calibrateSkeleton } from './calibrate.js';
import { setQconfig } from './qconfig.js';
import type { Variant, VariantContext } from './types.js';

/** Fraction of the fine-tune after which BN statistics and observers are frozen. */
const FREEZE_AT = 0.6;

function qatPrepared(float: DemoCnn, engine: Engine): DemoCnn {
  const m = fuseModulesQat(deepcopy(float).train(), CNN_FUSION_GROUPS, { inplace: true });
  setQconfig(m, getDefaultQatQconfig(engine));
  return prepareQat(m, { inplace: true });
}

function fineTune(m: DemoCnn, ctx: VariantContext, engine: Engine): void {
  const s = ctx.settings;
  const n = Math.min(s.qatSamples, ctx.data.train.labels.shape[0]!);
  const subset = { images: ctx.data.train.images.narrow(0, 0, n), labels: ctx.data.train.labels.narrow(0, 0, n) };
  let frozen = false;
  trainClassifier(m, subset, {
    label: `qat fine-tune/${engine}`, epochs: s.qatEpochs, batchSize: s.qatBatch, lr: s.qatLr, seed: s.seed + 1, sink: ctx.sink,
    onStep: (step, total) => {
      if (frozen || step < FREEZE_AT * total) return;
      frozen = true;
      m.apply(freezeBnStats);
      m.apply(disableObserver);
    },
  });
}

export const qatVariant: Variant = {
  name: 'qat',
  model: 'cnn',
  build: async (ctx, engine) => {
    const m = qatPrepared(ctx.cnn, engine);
    fineTune(m, ctx, engine);
    return convert(m.eval(), { inplace: true });
  },
  skeleton: async (ctx, engine) => {
    const m = qatPrepared(ctx.freshCnn(), engine);
    calibrateSkeleton(m, ctx.data.calib);
    return convert(m.eval(), { inplace: true });
  },
};
