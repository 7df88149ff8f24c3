/**
 * The reduction step shared by every loss: 'none' keeps the per-element (or per-sample)
 * losses, 'sum' adds them, 'mean' divides the sum by a denominator (the element count, or
 * the total class weight for nll/crossEntropy). The backward spreads the output gradient
 * back through the same reduction.
 */
import type { DType } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import { type FloatArray, type Reduction, allocFloat, floatTensor } from './float_io.js';

/** Reduces per-item losses to the op's output. `shape` is the 'none' output shape. */
export function reduceLosses(per: ArrayLike<number>, shape: readonly number[], dtype: DType, reduction: Reduction, denominator = per.length): Tensor {
  if (reduction === 'none') {
    const out = allocFloat(per.length, dtype);
    out.set(per as ArrayLike<number>);
    return floatTensor(out, shape, dtype);
  }
  let s = 0;
  for (let i = 0; i < per.length; i++) s += per[i]!;
  const out = allocFloat(1, dtype);
  out[0] = reduction === 'sum' ? s : s / denominator;
  return floatTensor(out, [], dtype);
}

/**
 * The gradient each item's loss receives from the output gradient `g`: g[i] for 'none',
 * g for 'sum', g / denominator for 'mean'.
 */
export function itemGrads(g: Tensor, count: number, reduction: Reduction, denominator = count): Float64Array {
  const gv = g.values();
  if (reduction === 'none') return Float64Array.from(gv);
  const scale = reduction === 'sum' ? gv[0]! : gv[0]! / denominator;
  return new Float64Array(count).fill(scale);
}

/** dst[i] = scale[i] * d[i], the chain rule for elementwise loss derivatives. */
export function scaleInto(dst: FloatArray, scale: ArrayLike<number>, d: ArrayLike<number>): FloatArray {
  for (let i = 0; i < dst.length; i++) dst[i] = scale[i]! * d[i]!;
  return dst;
}
