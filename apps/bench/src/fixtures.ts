/** Random operands for the quantized cases (values only matter for numerics, not for speed). */
import { type Engine, type Tensor, manualSeed, qint8, quantizePerTensor, quint8, randn } from '@qtorch/qtensor';

/** Output qparams of the static ops (any valid pair; speed does not depend on them). */
export const OUT_SCALE = 0.5;
export const OUT_ZERO_POINT = 128;

/** Seeds qtensor's generator so every run times the same operands. */
export const seed = (): void => void manualSeed(0);

/**
 * quint8 activations as `engine`'s default qconfig makes them: fbgemm observes activations with
 * reduce_range (quant range 0..127), so N(0, 1) at scale 0.1, zero point 64; the others use the
 * full range, N(0, 1) at scale 0.05, zero point 128. Without an engine: the full range.
 */
export function qActivation(shape: readonly number[], engine?: Engine): Tensor {
  const [scale, zeroPoint] = engine === 'fbgemm' ? [0.1, 64] : [0.05, 128];
  return quantizePerTensor(randn([...shape]), scale, zeroPoint, quint8);
}

/** Symmetric per-tensor qint8 weights: N(0, 1) at scale 0.03. */
export const qWeight = (shape: readonly number[]): Tensor => quantizePerTensor(randn([...shape]), 0.03, 0, qint8);
