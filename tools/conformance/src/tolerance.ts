/** Golden tolerances per op (golden README, "Tolerances", area E). */
import type { GoldenCase } from '../../testing/src/index.js';

/** How a case's output is compared. */
export type Tolerance =
  | { kind: 'quantized'; maxIntDiff: number }
  | { kind: 'float'; atol: number; rtol: number; relativeToMax?: boolean };

// the kernel evaluates float transcendentals or reductions: ±1 in int_repr
const PLUS_MINUS_ONE = [
  'sigmoid', 'tanh', 'elu', 'celu', 'gelu', 'hardswish', 'hardsigmoid', 'softmax',
  'batch_norm', 'layer_norm', 'group_norm', 'instance_norm',
];

/** The tolerance of one case. */
export function toleranceFor(c: GoldenCase): Tolerance {
  const op = c.op;
  if (op.includes('linear_dynamic') || op.includes('linear_relu_dynamic')) {
    // abs <= 1e-5 * max|y| + 1e-6
    return { kind: 'float', atol: 1e-5, rtol: 0, relativeToMax: true };
  }
  if (op.includes('embedding_bag') && op.includes('rowwise_offsets')) return { kind: 'float', atol: 1e-6, rtol: 1e-6 };
  if (op.includes('embedding_bag_byte_unpack')) return { kind: 'float', atol: 1e-6, rtol: 1e-6 };
  // packed tables (uint8, compared exactly as numbers) and embedding lookups (float)
  if (op.includes('::embedding')) return { kind: 'float', atol: 1e-6, rtol: 1e-6 };
  if (op === 'torch.nn.functional.interpolate' && c.args.mode === 'bilinear') return { kind: 'quantized', maxIntDiff: 1 };
  if (PLUS_MINUS_ONE.some((k) => op.endsWith(k) || op.includes(`::${k}`) || op.includes(`.${k}`))) return { kind: 'quantized', maxIntDiff: 1 };
  return { kind: 'quantized', maxIntDiff: 0 };
}
