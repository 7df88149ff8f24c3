/** The float models as trained: the baseline rows every variant is compared with. */
import type { Variant } from './types.js';

export const floatCnn: Variant = {
  name: 'float',
  model: 'cnn',
  build: async (ctx) => ctx.cnn,
  skeleton: async (ctx) => ctx.freshCnn(),
};

export const floatMlp: Variant = {
  name: 'float',
  model: 'mlp',
  build: async (ctx) => ctx.mlp,
  skeleton: async (ctx) => ctx.freshMlp(),
};
