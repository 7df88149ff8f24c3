/**
 * In-place fills (torch.nn.init uniform_, normal_, constant_, ones_, zeros_, eye_,
 * truncNormal_). They write under `noGrad`, so they work on Parameters, and return the tensor.
 */
import { type Generator, QTorchShapeError, QTorchValueError, type Tensor, defaultGenerator, float64, fmtShape, fromValues, noGrad } from '@qtorch/qtensor';

/** Options of the random fills. */
export interface RandomFillOptions {
  /** Random source (default: qtensor's seeded global generator). */
  generator?: Generator;
}

/** Writes `values` (logical row-major order) into `t` in place. @internal */
export function writeInto(t: Tensor, values: Float64Array): Tensor {
  noGrad(() => t.copy_(fromValues(values, t.shape, float64)));
  return t;
}

/** Fills with a function of the element index. @internal */
export function fillWith(t: Tensor, f: (i: number) => number): Tensor {
  return writeInto(t, Float64Array.from({ length: t.numel() }, (_, i) => f(i)));
}

/** Fills with U(a, b) (defaults 0, 1). */
export function uniform_(t: Tensor, options: RandomFillOptions & { a?: number; b?: number } = {}): Tensor {
  const { a = 0, b = 1, generator = defaultGenerator } = options;
  return fillWith(t, () => a + (b - a) * generator.random());
}

/** Fills with N(mean, std^2) (defaults 0, 1). */
export function normal_(t: Tensor, options: RandomFillOptions & { mean?: number; std?: number } = {}): Tensor {
  const { mean = 0, std = 1, generator = defaultGenerator } = options;
  return fillWith(t, () => mean + std * generator.normal());
}

/**
 * Fills with N(mean, std^2) redrawn until inside [a, b] (defaults 0, 1, -2, 2). PyTorch uses
 * an inverse-CDF method; the distribution is the same.
 */
export function truncNormal_(t: Tensor, options: RandomFillOptions & { mean?: number; std?: number; a?: number; b?: number } = {}): Tensor {
  const { mean = 0, std = 1, a = -2, b = 2, generator = defaultGenerator } = options;
  if (!(a < b)) throw new QTorchValueError(`truncNormal_(): expected a < b, got a=${a}, b=${b}`);
  return fillWith(t, () => {
    for (;;) {
      const v = mean + std * generator.normal();
      if (v >= a && v <= b) return v;
    }
  });
}

/** Fills with `value`. */
export function constant_(t: Tensor, value: number): Tensor {
  return fillWith(t, () => value);
}

/** Fills with 1. */
export const ones_ = (t: Tensor): Tensor => constant_(t, 1);

/** Fills with 0. */
export const zeros_ = (t: Tensor): Tensor => constant_(t, 0);

/** Fills a 2-D tensor with the identity matrix. */
export function eye_(t: Tensor): Tensor {
  if (t.ndim !== 2) throw new QTorchShapeError(`eye_(): Only tensors with 2 dimensions are supported, got shape ${fmtShape(t.shape)}`);
  const cols = t.shape[1]!;
  return fillWith(t, (i) => (Math.floor(i / cols) === i % cols ? 1 : 0));
}
