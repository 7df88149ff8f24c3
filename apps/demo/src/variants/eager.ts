/**
 * Post-training static quantization in eager mode, as in PyTorch's tutorial: fuse
 * Conv-BN-ReLU and Linear-ReLU, set the engine's default qconfig, `prepare` (observers),
 * calibrate, `convert`. The model marks its quantized region with QuantStub / DeQuantStub
 * and its residual add with a FloatFunctional.
 */
import type { Engine } from '@qtorch/qtensor';
import { deepcopy } from '@qtorch/nn';
import { convert, fuseModules, getDefaultQconfig, prepare } from '@qtorch/quantization';
import { setQconfig } from './qconfig.js';
import { CNN_FUSION_GROUPS, type DemoCnn } from '../models.js';
import { calibrate, calibrateSkeleton } from './calibrate.js';
import type { Variant, VariantContext } from './types.js';

/** Fused, observed copy of `float` for `engine`. */
function prepared(float: DemoCnn, engine: Engine): DemoCnn {
  const m = fuseModules(deepcopy(float).eval(), CNN_FUSION_GROUPS, { inplace: true });
  setQconfig(m, getDefaultQconfig(engine));
  return prepare(m, { inplace: true });
}

function quantized(float: DemoCnn, engine: Engine, observe: (m: DemoCnn) => void): DemoCnn {
  const m = prepared(float, engine);
  observe(m);
  return convert(m, { inplace: true });
}

export const eagerStaticVariant: Variant = {
  name: 'eager static',
  model: 'cnn',
  build: async (ctx: VariantContext, engine) => quantized(ctx.cnn, engine, (m) => calibrate(m, ctx, `calibrate eager/${engine}`)),
  skeleton: async (ctx: VariantContext, engine) => quantized(ctx.freshCnn(), engine, (m) => calibrateSkeleton(m, ctx.data.calib)),
};
