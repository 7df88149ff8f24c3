/**
 * `qtorch::rnn_dynamic_layer`: the time loop of one layer-direction of a dynamic quantized
 * LSTM / GRU / Elman RNN (PyTorch's CPU `FullLayer` / `ReverseLayer` over
 * `QuantizedCellParamsDynamic`), given the input projection of the whole sequence. One native
 * call runs every step: the hidden state's range, its qparams (a C++ statement-by-statement copy
 * of qtensor's `chooseQuantizationParams`, held to it by the tests), quantization, the hidden
 * projection and the gates, writing h straight into the output sequence (c in place). Nothing
 * is allocated per step and no step returns to JavaScript.
 */
import type { LinearPackedLike } from '../qtensor_api.js';
import { type OpContext, allocOutput, dynamicQparams } from './common.js';
import type { NativeWeightCache } from './weights.js';

/** Recurrent cell kinds, in the native code's numbering. */
export const RNN_CELLS = { lstm: 0, gru: 1, rnn_tanh: 2, rnn_relu: 3 } as const;
export type RnnCellKind = keyof typeof RNN_CELLS;

/**
 * Arguments of `qtorch::rnn_dynamic_layer` (nn-quantized's dynamic RNNs pass these). The input
 * projection comes precomputed (`igates`) or is computed natively from `input` (the kernel's
 * `projectsInput`): the same floats, without allocating every step's gates.
 */
export interface RnnDynamicLayerArgs {
  cell: RnnCellKind;
  /** x W_ih^T + b_ih of every step: [steps, batch, gates * hidden], row-major; or `input`. */
  igates?: Float32Array;
  /** The layer input [steps, batch, inputSize] and W_ih (with b_ih), as `quantized::linear_dynamic` takes them. */
  input?: { x: Float32Array; packedIh: LinearPackedLike };
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

/** The native `qtorch::rnn_dynamic_layer` of one addon; it takes `input` as well as `igates`. */
export function nativeRnnDynamicLayer(ctx: OpContext, weights: NativeWeightCache) {
  const layer = (a: RnnDynamicLayerArgs): RnnDynamicLayerResult => {
    const { steps, batch, hidden } = a;
    const hn = batch * hidden;
    const packed = weights.linear(a.packedHh);
    const scales = a.packedHh.weight.scales, bias = a.packedHh.bias;
    const reduceRange = a.reduceRange && ctx.engine === 'fbgemm';
    const c = a.c0 ? Float32Array.from(a.c0) : null;
    const output = allocOutput(Float32Array, steps * hn);
    const rest = [steps, batch, hidden, packed, scales, bias, reduceRange, a.reverse, a.h0, c, output] as const;
    let ran: number;
    if (a.input) {
      const { x, packedIh } = a.input;
      const qp = dynamicQparams(ctx, x, reduceRange);
      ran = ctx.binding.rnnLayerDynamicProjected(RNN_CELLS[a.cell], x, qp.scale, qp.zeroPoint, weights.linear(packedIh),
        packedIh.weight.scales, packedIh.bias, ...rest);
    } else {
      if (!a.igates) throw new TypeError('qtorch::rnn_dynamic_layer: expected igates (Float32Array) or input ({ x, packedIh }), got neither');
      ran = ctx.binding.rnnLayerDynamic(RNN_CELLS[a.cell], a.igates, ...rest);
    }
    // the h that step i (in run order) starts from: h0, then the previous step's output
    const timeOf = (i: number) => (a.reverse ? steps - 1 - i : i);
    const hAt = (i: number) => (i === 0 ? a.h0 : output.subarray(timeOf(i - 1) * hn, (timeOf(i - 1) + 1) * hn));
    if (ran < steps) {
      // the h of step `ran` has no finite range: qtensor's qparams choice reports it
      const [lo, hi] = ctx.binding.minMax(hAt(ran));
      ctx.qt.chooseQuantizationParams(lo, hi, 0, 255, { reduceRange });
      throw new Error(`qtorch::rnn_dynamic_layer: the native layer stopped at step ${ran} of ${steps} on a range qtensor accepts ([${lo}, ${hi}])`);
    }
    return { output, h: Float32Array.from(hAt(steps)), c };
  };
  return Object.assign(layer, { projectsInput: true as const });
}
