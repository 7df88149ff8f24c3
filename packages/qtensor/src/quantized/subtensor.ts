/**
 * The quantizer of a select / slice of a quantized tensor: PyTorch's
 * `create_subtensor_quantizer`. Per-tensor quantizers pass through. A per-channel quantizer
 * sliced along its axis keeps the sliced channels' qparams; one channel left (or a select on
 * the axis) becomes per-tensor with that channel's qparams. PyTorch 1.13 decrements the axis
 * on *every* select that leaves more than one channel, even a select after the axis (golden
 * `index_slice_per_channel` records it); we reproduce that for compatibility.
 */
import { type Quantizer, isPerChannel } from '../quantizer.js';

/** Quantizer of `x[..., start:end:step, ...]` along `dim` (`isSelect`: `x.select(dim, start)`). @internal */
export function subtensorQuantizer(
  q: Quantizer | null, dim: number, start: number, end: number, step: number, isSelect: boolean,
): Quantizer | null {
  if (!q || !isPerChannel(q)) return q;
  let { scales, zeroPoints } = q;
  if (dim === q.axis) {
    const keep: number[] = [];
    if (isSelect) keep.push(start);
    else for (let c = start; c < end; c += step) keep.push(c);
    scales = Float64Array.from(keep, (c) => q.scales[c]!);
    zeroPoints = Float64Array.from(keep, (c) => q.zeroPoints[c]!);
  }
  if (scales.length === 1) {
    return { qscheme: 'per_tensor_affine', scale: scales[0]!, zeroPoint: zeroPoints[0]! };
  }
  return { ...q, scales, zeroPoints, axis: isSelect ? q.axis - 1 : q.axis };
}
