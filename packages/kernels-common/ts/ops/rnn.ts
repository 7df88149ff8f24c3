/**
 * `qtorch::rnn_dynamic_layer`: the time loop of one layer-direction of a dynamic quantized
 * LSTM / GRU / Elman RNN (PyTorch's CPU `FullLayer` / `ReverseLayer` over
 * `QuantizedCellParamsDynamic`), given the input projection of the whole sequence. One native
 * call runs every step: the hidden state's range, its qparams (a C++ statement-by-statement copy
 * of qtensor's `chooseQuantizationParams`, held to it by the tests), quantization, the hidden
 * projection and the gates, writing h straight into the output sequence (c in place). Nothing
 * is allocated per step and no step returns to JavaScript.
 */
import type { NativeBinding } from '../binding.js';
import type { LinearPackedLike } from '../qtensor_api.js';
import { type OpContext, allocOutput, dynamicQparams } from './common.js';
import type { NativeWeightCache } from './weights.js';

/** Recurrent cell kinds, in the native code's numbering. */
export const RNN_CELLS = { lstm: 0, gru: 1, rnn_tanh: 2, rnn_relu: 3 } as const;
/** A recurrent cell kind: `'lstm'` (gates i, f, g, o), `'gru'` (r, z, n), `'rnn_tanh'` or `'rnn_relu'` (Elman). */
export type RnnCellKind = keyof typeof RNN_CELLS;

/** What every layer call holds besides its weights and input projection: shape, initial state, direction. */
export interface RnnLayerStates {
  /** The cell: its gate count and math. */
  cell: RnnCellKind;
  /** Time steps (L). */
  steps: number;
  /** Batch rows (N). */
  batch: number;
  /** Hidden features (H). */
  hidden: number;
  /** Initial h: [batch, hidden]. */
  h0: Float32Array;
  /** Initial c of an LSTM ([batch, hidden]), else null. */
  c0: Float32Array | null;
  /** Run from the last step to the first (the reverse direction). */
  reverse: boolean;
}

/**
 * Arguments of `qtorch::rnn_dynamic_layer` (nn-quantized's dynamic RNNs pass these). The input
 * projection comes precomputed (`igates`) or is computed natively from `input` (the kernel's
 * `projectsInput`): the same floats, without allocating every step's gates.
 */
export interface RnnDynamicLayerArgs extends RnnLayerStates {
  /** x W_ih^T + b_ih of every step: [steps, batch, gates * hidden], row-major; or `input`. */
  igates?: Float32Array;
  /** The layer input [steps, batch, inputSize] and W_ih (with b_ih), as `quantized::linear_dynamic` takes them. */
  input?: { x: Float32Array; packedIh: LinearPackedLike };
  /** W_hh (gates * hidden x hidden, qint8) with b_hh. */
  packedHh: LinearPackedLike;
  /** Quantize h to 0..127 (honoured by fbgemm only, as the dynamic linear op). */
  reduceRange: boolean;
}

/** The hidden state of every step [steps, batch, hidden] (in time order) and the final h (and c). */
export interface RnnDynamicLayerResult {
  /** Every step's h: [steps, batch, hidden], in time order. */
  output: Float32Array;
  /** The final h: [batch, hidden]. */
  h: Float32Array;
  /** The final c of an LSTM ([batch, hidden]), else null. */
  c: Float32Array | null;
}

/**
 * A fresh output of a layer call's steps * batch * hidden floats. It is allocated before the
 * binding checks the arguments, so its size is checked here, naming `op`.
 */
function layerOutput(op: string, a: RnnLayerStates): Float32Array {
  const dims = [a?.steps, a?.batch, a?.hidden];
  if (!dims.every((d) => Number.isSafeInteger(d) && d! >= 0) || !Number.isSafeInteger(dims[0]! * dims[1]! * dims[2]!)) {
    throw new RangeError(`${op}: expected steps, batch and hidden as non-negative integers, got ${dims.map(String).join(', ')}`);
  }
  return allocOutput(Float32Array, dims[0]! * dims[1]! * dims[2]!);
}

/** The h that step `i` (in run order) starts from: h0, then the previous step's output (a view). */
function hBefore(a: RnnLayerStates, output: Float32Array, i: number): Float32Array {
  if (i === 0) return a.h0;
  const hn = a.batch * a.hidden, t = a.reverse ? a.steps - i : i - 1;
  return output.subarray(t * hn, (t + 1) * hn);
}

/** The native `qtorch::rnn_dynamic_layer` of one addon; it takes `input` as well as `igates`. */
export function nativeRnnDynamicLayer(ctx: OpContext, weights: NativeWeightCache) {
  const layer = (a: RnnDynamicLayerArgs): RnnDynamicLayerResult => {
    const output = layerOutput('qtorch::rnn_dynamic_layer', a);
    const { steps, batch, hidden } = a;
    const packed = weights.linear(a.packedHh);
    const scales = a.packedHh.weight.scales, bias = a.packedHh.bias;
    const reduceRange = a.reduceRange && ctx.engine === 'fbgemm';
    const c = a.c0 ? Float32Array.from(a.c0) : null;
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
    const hAt = (i: number) => hBefore(a, output, i);
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

/**
 * Arguments of `kernels::rnn_float_layer` (qtensor's `FloatRnnLayerArgs`): one layer-direction
 * of a float LSTM / GRU / Elman RNN at inference, from its input projection.
 */
export interface RnnFloatLayerArgs extends RnnLayerStates {
  /** x W_ih^T + b_ih of every step: [steps, batch, gates * hidden], row-major. */
  igates: Float32Array;
  /** W_hh: [gates * hidden, hidden], row-major. */
  whh: Float32Array;
  /** b_hh ([gates * hidden]) or null. */
  bhh: Float32Array | null;
}

/**
 * The float layer on `binding.rnnLayerFloat`: every step's h (time order) and the final h
 * (and c), the same floats as qtensor's linear (on this ISA's GEMM) and nn's gate math give.
 */
export function rnnFloatLayer(run: NonNullable<NativeBinding['rnnLayerFloat']>, a: RnnFloatLayerArgs): RnnDynamicLayerResult {
  const output = layerOutput('kernels::rnn_float_layer', a);
  const c = a.c0 ? Float32Array.from(a.c0) : null;
  run(RNN_CELLS[a.cell], a.igates, a.steps, a.batch, a.hidden, a.whh, a.bhh, a.reverse, a.h0, c, output);
  return { output, h: Float32Array.from(hBefore(a, output, a.steps)), c };
}
