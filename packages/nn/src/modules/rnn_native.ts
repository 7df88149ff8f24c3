/**
 * nn's recurrent layers and cells on an addon's native float layer-direction
 * (`kernels::rnn_float_layer`, qtensor's `nativeFloatRnnLayer`): the whole time loop in one
 * call, the same floats as the step-by-step path (but for products under 4096 multiply-adds,
 * which qtensor's `linear` sums in its own float64 loop). Inference only: the kernel keeps no
 * activations for backward, so it serves only calls that record no gradient.
 */
import { type FloatRnnLayerArgs, type FloatRnnLayerKernel, type Tensor, float32, isGradEnabled, nativeFloatRnnLayer } from '@qtorch/qtensor';
import { nativeLayerResult } from '../functional/rnn.js';

/** The kernel's cell kinds. */
export type FloatRnnCell = FloatRnnLayerArgs['cell'];

/** The native kernel when it can serve a call over `tensors` (all float32, no gradient to record), else null. */
export function nativeFloatLayerFor(tensors: readonly Tensor[]): FloatRnnLayerKernel | null {
  if (!tensors.every((t) => t.dtype === float32)) return null;
  if (isGradEnabled() && tensors.some((t) => t.requiresGrad)) return null;
  return nativeFloatRnnLayer();
}

/** Float32 values of a tensor, row-major (no copy when contiguous). */
const f32Values = (t: Tensor): Float32Array => t.rawValues() as Float32Array;

/**
 * One layer-direction on the kernel from its input projection `igates` (L, N, G * H) and state
 * ([h] or [h, c], each (N, H)): the output (L, N, H) in time order and the final state.
 */
export function runFloatLayer(kernel: FloatRnnLayerKernel, cell: FloatRnnCell, igates: Tensor, state: readonly Tensor[], hidden: number,
  w: { wHh: Tensor; bHh: Tensor | null }, reverse: boolean): { output: Tensor; state: Tensor[] } {
  const [steps, batch] = igates.shape as [number, number];
  const r = kernel({
    cell, igates: f32Values(igates), steps, batch, hidden, whh: f32Values(w.wHh), bhh: w.bHh ? f32Values(w.bHh) : null,
    h0: f32Values(state[0]!), c0: state[1] ? f32Values(state[1]) : null, reverse,
  });
  return nativeLayerResult(r, steps, batch, hidden);
}
