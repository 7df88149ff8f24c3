/** The variants in table order: float baselines first, then one row per engine for each quantized variant. */
import { dynamicVariant } from './dynamic.js';
import { eagerStaticVariant } from './eager.js';
import { floatCnn, floatMlp } from './float.js';
import { fxStaticVariant } from './fx.js';
import { qatVariant } from './qat.js';
import type { Variant } from './types.js';

export * from './types.js';

/** Float models (engine-independent). */
export const FLOAT_VARIANTS: readonly Variant[] = [floatCnn, floatMlp];

/** Quantized variants, each run under every selected engine. */
export const QUANTIZED_VARIANTS: readonly Variant[] = [dynamicVariant, eagerStaticVariant, fxStaticVariant, qatVariant];
