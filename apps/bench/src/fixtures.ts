/** Random operands for the quantized cases (values only matter for numerics, not for speed). */
import { type Tensor, manualSeed, qint8, quantizePerTensor, quint8, randn } from '@qtorch/qtensor';

/** Output qparams of the static ops (any valid pair; speed does not depend on them). */
export const OUT_SCALE = 0.5;
export const OUT_ZERO_POINT = 128;

/** Seeds qtensor's generator so every run times the same operands. */
export const seed = (): void => void manualSeed(0);

/** quint8 activations: N(0, 1) at scale 0.05, zero point 128. */
export const qActivation = (shape: readonly number[]): Tensor => quantizePerTensor(randn([...shape]), 0.05, 128, quint8);

/** Symmetric per-tensor qint8 weights: N(0, 1) at scale 0.03. */
export const qWeight = (shape: readonly number[]): Tensor => quantizePerTensor(randn([...shape]), 0.03, 0, qint8);
