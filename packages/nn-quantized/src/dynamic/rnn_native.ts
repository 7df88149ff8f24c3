/**
 * The native path of the dynamic LSTM / GRU and cells. A kernel addon (kernels-fbgemm /
 * kernels-qnnpack) registers `qtorch::rnn_dynamic_layer` (its contract is
 * kernels-common ts/ops/rnn.ts, restated structurally here: this package does not depend on
 * the addons): the whole time loop of one layer-direction over its input projection, with
 * per-step hidden-state quantization exactly as `quantizedLinearDynamic` does it and the gate
 * math of nn's `lstmGates` / `gruGates` / `rnnGates`. Without it (no addon, native kernels
 * disabled, float16 weights, empty shapes) the modules run the reference path.
 */
import { LinearPackedParams, type Tensor, findKernel, float32 } from '@qtorch/qtensor';
import { nativeLayerResult } from '@qtorch/nn/functional';

/** Recurrent cell kinds of the layer kernel. */
export type RnnCellKind = 'lstm' | 'gru' | 'rnn_tanh' | 'rnn_relu';

/** Arguments of `qtorch::rnn_dynamic_layer`. */
interface LayerArgs {
  cell: RnnCellKind;
  /** x W_ih^T + b_ih of every step: [steps, batch, gates * hidden] (or `input`, for a kernel that projects it). */
  igates?: Float32Array;
  /** The layer input [steps, batch, H_in] and W_ih: the kernel computes `igates` as `quantizedLinearDynamic` would. */
  input?: { x: Float32Array; packedIh: LinearPackedParams };
  steps: number;
  batch: number;
  hidden: number;
  packedHh: LinearPackedParams;
  reduceRange: boolean;
  h0: Float32Array;
  c0: Float32Array | null;
  reverse: boolean;
}

/** Every step's h [steps, batch, hidden] and the final h (and c). */
interface LayerResult {
  output: Float32Array;
  h: Float32Array;
  c: Float32Array | null;
}

/** The kernel; `projectsInput`: it takes `input` (the addons' do since they can). */
type LayerKernel = ((a: LayerArgs) => LayerResult) & { projectsInput?: boolean };

const LAYER_OP = 'qtorch::rnn_dynamic_layer';

/** One layer-direction's packed projections (CellParams in rnn.ts). */
export interface NativeCellParams {
  readonly packedIh: unknown;
  readonly packedHh: unknown;
  readonly reduceRange: boolean;
  linearIh(x: Tensor): Tensor;
}

/** The registered native layer kernel for these params' engine, or null (reference path). */
export function nativeLayerKernel(params: readonly NativeCellParams[]): LayerKernel | null {
  const first = params[0]?.packedHh;
  if (!(first instanceof LinearPackedParams)) return null;
  if (!params.every((p) => p.packedIh instanceof LinearPackedParams && p.packedHh instanceof LinearPackedParams && p.packedHh.engine === first.engine)) return null;
  const k = findKernel(LAYER_OP, first.engine);
  return k?.source === 'native' ? (k.impl as LayerKernel) : null;
}

/** Float32 values of a tensor (no copy when contiguous). */
const f32Values = (t: Tensor): Float32Array => t.rawValues() as Float32Array;

/** Whether the native kernel can take these tensors (float32, no empty dimension). */
export function nativeShapesOk(x: Tensor, states: readonly Tensor[]): boolean {
  return x.dtype === float32 && x.numel() > 0 && states.every((s) => s.dtype === float32 && s.numel() > 0);
}

/**
 * One run of the kernel: `input` (steps, N, H_in) projected by `p.linearIh`, then the
 * recurrence from `h0` (and `c0`), both (N, H). Returns the output (steps, N, H) and the final
 * state ([h] or [h, c]): a layer-direction's `run` in nn's `recurrentLayers`.
 */
export function runNativeDirection(kernel: LayerKernel, cell: RnnCellKind, p: NativeCellParams, input: Tensor, hidden: number,
  h0: Tensor, c0: Tensor | null, reverse: boolean): { output: Tensor; state: Tensor[] } {
  const [steps, batch] = input.shape as [number, number];
  // a kernel that projects the input itself spares the array of every step's gates
  const projection = kernel.projectsInput
    ? { input: { x: f32Values(input), packedIh: p.packedIh as LinearPackedParams } }
    : { igates: f32Values(p.linearIh(input)) };
  const r = kernel({
    cell, ...projection, steps, batch, hidden, packedHh: p.packedHh as LinearPackedParams, reduceRange: p.reduceRange,
    h0: f32Values(h0), c0: c0 ? f32Values(c0) : null, reverse,
  });
  return nativeLayerResult(r, steps, batch, hidden);
}
