/**
 * The output stage of quantized linear / conv: int32 accumulator (+ bias) -> output int, per
 * engine. The engines agree on everything except the bias:
 * - fbgemm (what PyTorch's `@onednn` fixtures show, and fbgemm's `ReQuantizeOutput` with a float
 *   bias): `zp + rint(f32(f32(f32(acc) + f32(b / f32(sx*sw))) * f32(f32(sx*sw) / so)))`.
 * - qnnpack: the bias is quantized to int32 first, `rint(b * f32(1 / f32(sx*sw)))`, and added to
 *   the accumulator; then `zp + rint(f32(f32(acc) * f32(f32(sx*sw) / so)))`.
 * Both round half to even; they differ on exact ties (golden `ties_pt_bias*`).
 */
import type { Engine } from '../../registry.js';
import { inverseScale, quantizeValue } from '../numerics.js';
import type { PackedWeight } from './packed_params.js';
import { clampInt, f32, reluFloor, requantMultiplier, rint } from './requantize.js';

/** Maps `(accumulator, output channel)` to the output integer. */
export type OutputStage = (acc: number, channel: number) => number;

const INT32_MIN = -2147483648, INT32_MAX = 2147483647;

/** Options of `makeOutputStage`. */
export interface OutputStageArgs {
  /** Engine whose rounding the stage reproduces. */
  engine: Engine;
  /** Scale of the quantized input. */
  inputScale: number;
  /** The packed weight (its per-channel scales and zero points). */
  weight: PackedWeight;
  /** Float bias per output channel, or null. */
  bias: Float32Array | null;
  /** Output scale. */
  outScale: number;
  /** Output zero point. */
  outZeroPoint: number;
  /** Smallest output integer. */
  qmin: number;
  /** Largest output integer. */
  qmax: number;
  /** Fuse a ReLU: clamp below at the zero point. */
  relu: boolean;
}

/** Precomputes per-channel multipliers and bias terms and returns the per-element stage. */
export function makeOutputStage(a: OutputStageArgs): OutputStage {
  const nCh = a.weight.scales.length;
  const mult = new Float64Array(nCh);
  const biasTerm = new Float64Array(nCh);
  const sx32 = f32(a.inputScale);
  for (let c = 0; c < nCh; c++) {
    const sw = a.weight.scales[c]!;
    mult[c] = requantMultiplier(a.inputScale, sw, a.outScale);
    if (!a.bias) continue;
    if (a.engine === 'qnnpack') {
      // quantize_per_tensor(bias, sx * sw (double), 0, qint32)
      biasTerm[c] = quantizeValue(a.bias[c]!, inverseScale(a.inputScale * sw), 0, INT32_MIN, INT32_MAX);
    } else {
      biasTerm[c] = f32(a.bias[c]! / f32(sx32 * f32(sw)));
    }
  }
  const lo = reluFloor(a.relu, a.outZeroPoint, a.qmin), hi = a.qmax, zp = a.outZeroPoint;
  if (a.engine === 'qnnpack') {
    return (acc, c) => clampInt(zp + rint(f32(f32((acc + biasTerm[c]!) | 0) * mult[c]!)), lo, hi);
  }
  return (acc, c) => clampInt(zp + rint(f32(f32(f32(acc) + biasTerm[c]!) * mult[c]!)), lo, hi);
}

/**
 * Float output of dynamic linear: `f32(f32(acc) * f32(sx * sw)) + b` (then ReLU). Both engines
 * dequantize the accumulator this way (fbgemm `ReQuantizeForFloat`, qnnpack's dynamic path).
 */
export function makeFloatOutputStage(inputScale: number, weight: PackedWeight, bias: Float32Array | null, relu: boolean): OutputStage {
  const nCh = weight.scales.length;
  const s = new Float64Array(nCh);
  for (let c = 0; c < nCh; c++) s[c] = f32(f32(inputScale) * f32(weight.scales[c]!));
  return (acc, c) => {
    const y = f32(f32(f32(acc) * s[c]!) + (bias ? bias[c]! : 0));
    return relu && y < 0 ? 0 : y;
  };
}
