/**
 * Reference kernels of the normalization, resampling and embedding ops, by op name and engine
 * (both engines share them); register_reference.ts registers them with the others.
 */
import type { Engine } from '../../registry.js';
import { embeddingBagKernel } from './embedding.js';
import { UPSAMPLE_KERNELS } from './interpolate.js';
import { batchNormKernel, groupNormKernel, layerNormKernel } from './norm.js';

/** op name -> factory of its reference kernel for an engine. */
export const EXT_REFERENCE_KERNELS: ReadonlyArray<[string, (engine: Engine) => (...args: never[]) => unknown]> = [
  ['quantized::batch_norm', () => batchNormKernel(false)],
  ['quantized::batch_norm_relu', () => batchNormKernel(true)],
  ['quantized::layer_norm', () => layerNormKernel],
  ['quantized::group_norm', () => groupNormKernel],
  ...Object.entries(UPSAMPLE_KERNELS).map(([op, k]): [string, () => typeof k] => [op, () => k]),
  ['quantized::embedding_bag_byte_rowwise_offsets', () => embeddingBagKernel(8)],
  ['quantized::embedding_bag_4bit_rowwise_offsets', () => embeddingBagKernel(4)],
  ['quantized::embedding_bag_2bit_rowwise_offsets', () => embeddingBagKernel(2)],
];
