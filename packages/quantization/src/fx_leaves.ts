/**
 * Observers, fake quantizers and the quant / dequant stubs are leaves of FX symbolic tracing:
 * a traced model records `call_module` for them instead of tracing into their statistics
 * (which would branch on traced values). QuantWrapper is a container and is traced through.
 * Registered through qtensor's hook (this file does not import @qtorch/fx). The module files
 * are imported directly (the index file imports this one).
 */
import { Module } from '@qtorch/nn';
import { type LeafModuleClass, registerLeafModuleClasses } from '@qtorch/qtensor';
import * as stubs from './eager/stubs.js';
import * as fqBase from './fake_quantize/base.js';
import * as fakeQuantize from './fake_quantize/fake_quantize.js';
import * as fqFused from './fake_quantize/fused.js';
import * as fqLearnable from './fake_quantize/learnable.js';
import * as obsBase from './observer/base.js';
import * as calibration from './observer/calibration.js';
import * as histogram from './observer/histogram.js';
import * as minmax from './observer/minmax.js';
import * as perChannel from './observer/per_channel.js';
import * as reuseInput from './observer/reuse_input.js';
import * as simple from './observer/simple.js';
import * as uniform from './observer/uniform.js';

/**
 * The module classes this package registers as FX tracing leaves (exported so that bundlers
 * keep the registration).
 */
export const fxLeafModules: readonly LeafModuleClass[] = registerLeafModuleClasses(
  [obsBase, uniform, minmax, perChannel, histogram, simple, reuseInput, calibration, fqBase, fakeQuantize, fqFused, fqLearnable, stubs],
  Module, [stubs.QuantWrapper],
);
