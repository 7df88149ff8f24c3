/**
 * Dynamic quantization of the MLP: Linear weights quantized to qint8 ahead of time,
 * activations quantized per call from their observed range (`quantizeDynamic`).
 */
import { qint8 } from '@qtorch/qtensor';
import { Linear, type Module } from '@qtorch/nn';
import { quantizeDynamic } from '@qtorch/quantization';
import type { Variant } from './types.js';

const quantizeMlp = (m: Module): Module => quantizeDynamic(m, new Set([Linear]), { dtype: qint8 });

export const dynamicVariant: Variant = {
  name: 'dynamic',
  model: 'mlp',
  build: async (ctx) => quantizeMlp(ctx.mlp),
  skeleton: async (ctx) => quantizeMlp(ctx.freshMlp()),
};
