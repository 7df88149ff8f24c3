/** Gradient clipping (torch.nn.utils.clip_grad_norm_ / clip_grad_value_). */
import { QTorchValueError, Tensor, scalarTensor } from '@qtorch/qtensor';
import { writeValues } from './optimizer.js';

const gradsOf = (parameters: Iterable<Tensor> | Tensor): Tensor[] =>
  (parameters instanceof Tensor ? [parameters] : [...parameters]).map((p) => p.grad).filter((g): g is Tensor => g !== null);

/** Maps every value of a gradient in place. */
function mapInPlace(g: Tensor, f: (v: number) => number): void {
  writeValues(g, Float64Array.from(g.values(), f));
}

/**
 * Scales all gradients together so their combined `normType`-norm (default 2; Infinity for
 * the max norm) is at most `maxNorm`. Returns the total norm before clipping (a 0-d tensor).
 */
export function clipGradNorm_(
  parameters: Iterable<Tensor> | Tensor, maxNorm: number, options: { normType?: number; errorIfNonfinite?: boolean } = {},
): Tensor {
  const { normType = 2, errorIfNonfinite = false } = options;
  const grads = gradsOf(parameters);
  if (grads.length === 0) return scalarTensor(0);
  let total: number;
  if (normType === Infinity) {
    total = Math.max(...grads.map((g) => Array.from(g.values()).reduce((m, v) => Math.max(m, Math.abs(v)), 0)));
  } else {
    // the norm of the per-tensor norms, as PyTorch stacks them
    const norms = grads.map((g) => Array.from(g.values()).reduce((s, v) => s + Math.abs(v) ** normType, 0) ** (1 / normType));
    total = norms.reduce((s, n) => s + n ** normType, 0) ** (1 / normType);
  }
  if (errorIfNonfinite && !Number.isFinite(total)) {
    throw new QTorchValueError(`clipGradNorm_(): The total norm of order ${normType} for gradients from \`parameters\` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set errorIfNonfinite: false`);
  }
  const coef = Math.min(maxNorm / (total + 1e-6), 1);
  for (const g of grads) mapInPlace(g, (v) => v * coef);
  return scalarTensor(total);
}

/** Clamps every gradient value to [-clipValue, clipValue] in place. */
export function clipGradValue_(parameters: Iterable<Tensor> | Tensor, clipValue: number): void {
  for (const g of gradsOf(parameters)) mapInPlace(g, (v) => Math.min(Math.max(v, -clipValue), clipValue));
}
