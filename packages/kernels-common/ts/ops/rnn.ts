/**
 * `qtorch::rnn_dynamic_layer`: the time loop of one layer-direction of a dynamic quantized
 * LSTM / GRU / Elman RNN (PyTorch's CPU `FullLayer` / `ReverseLayer` over
 * `QuantizedCellParamsDynamic`), given the input projection of the whole sequence. Per step the
 * hidden state's range comes from a native scan and its qparams from qtensor's
 * `chooseQuantizationParams` (exactly as the dynamic linear op picks them), then one native call
 * quantizes h, runs the hidden projection and the gates, and writes h straight into the output
 * sequence (c in place): nothing is allocated per step.
 */
import type { LinearPackedLike } from '../qtensor_api.js';
import { type OpContext, allocOutput } from './common.js';
import type { NativeWeightCache } from './weights.js';

/** Recurrent cell kinds, in the native code's numbering. */
export const RNN_CELLS = { lstm: 0, gru: 1, rnn_tanh: 2, rnn_relu: 3 } as const;
export type RnnCellKind = keyof typeof RNN_CELLS;

/** Arguments of `qtorch::rnn_dynamic_layer` (nn-quantized's dynamic RNNs pass these). */
export interface RnnDynamicLayerArgs {
  cell: RnnCellKind;
  /** x W_ih^T + b_ih of every step: [steps, batch, gates * hidden], row-major. */
  igates: Float32Array;
  steps: number;
  batch: number;
  hidden: number;
  /** W_hh (gates * hidden x hidden, qint8) with b_hh. */
  packedHh: LinearPackedLike;
  /** Quantize h to 0..127 (honoured by fbgemm only, as the dynamic linear op). */
  reduceRange: boolean;
  /** Initial h (and c for LSTM): [batch, hidden]. */
  h0: Float32Array;
  c0: Float32Array | null;
  /** Run from the last step to the first (the reverse direction). */
  reverse: boolean;
}

/** The hidden state of every step [steps, batch, hidden] (in time order) and the final h (and c). */
export interface RnnDynamicLayerResult {
  output: Float32Array;
  h: Float32Array;
  c: Float32Array | null;
}

/** The native `qtorch::rnn_dynamic_layer` of one addon. */
export function nativeRnnDynamicLayer(ctx: OpContext, weights: NativeWeightCache) {
  return (a: RnnDynamicLayerArgs): RnnDynamicLayerResult => {
    const { steps, batch, hidden } = a;
    const hn = batch * hidden, gn = a.igates.length / Math.max(steps, 1);
    const packed = weights.linear(a.packedHh);
    const scales = a.packedHh.weight.scales, bias = a.packedHh.bias;
    const reduceRange = a.reduceRange && ctx.engine === 'fbgemm';
    const c = a.c0 ? Float32Array.from(a.c0) : null;
    const output = allocOutput(Float32Array, steps * hn);
    let h = a.h0;
    for (let i = 0; i < steps; i++) {
      const t = a.reverse ? steps - 1 - i : i;
      const [lo, hi] = ctx.binding.minMax(h);
      const qp = ctx.qt.chooseQuantizationParams(lo, hi, 0, 255, { reduceRange });
      const hOut = output.subarray(t * hn, (t + 1) * hn);
      ctx.binding.rnnStepDynamic(RNN_CELLS[a.cell], a.igates.subarray(t * gn, (t + 1) * gn), h, c, hOut, batch, hidden, packed,
        qp.scale, qp.zeroPoint, scales, bias);
      h = hOut;
    }
    return { output, h: steps > 0 ? Float32Array.from(h) : Float32Array.from(a.h0), c: c ?? null };
  };
}
