/**
 * The native path of the dynamic LSTM / GRU and cells. A kernel addon (kernels-fbgemm /
 * kernels-qnnpack) registers `qtorch::rnn_dynamic_layer` (its contract is
 * kernels-common ts/ops/rnn.ts, restated structurally here: this package does not depend on
 * the addons): the whole time loop of one layer-direction over its input projection, with
 * per-step hidden-state quantization exactly as `quantizedLinearDynamic` does it and the gate
 * math of nn's `lstmGates` / `gruGates` / `rnnGates`. Without it (no addon, native kernels
 * disabled, float16 weights, empty shapes) the modules run the reference path.
 */
import { LinearPackedParams, Tensor, cat, findKernel, float32, stack } from '@qtorch/qtensor';

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

/** A float32 tensor over `v` (no copy). */
const fromF32 = (v: Float32Array, shape: number[]): Tensor => Tensor.fromTypedArray(v, shape, float32);

/** Whether the native kernel can take these tensors (float32, no empty dimension). */
export function nativeShapesOk(x: Tensor, states: readonly Tensor[]): boolean {
  return x.dtype === float32 && x.numel() > 0 && states.every((s) => s.dtype === float32 && s.numel() > 0);
}

/**
 * One run of the kernel: `input` (steps, N, H_in) projected by `p.linearIh`, then the
 * recurrence from `h0` (and `c0`), both (N, H). Returns the output (steps, N, H) and the final
 * states ([h] or [h, c]).
 */
export function runNativeDirection(kernel: LayerKernel, cell: RnnCellKind, p: NativeCellParams, input: Tensor, hidden: number,
  h0: Tensor, c0: Tensor | null, reverse: boolean): { output: Tensor; states: Tensor[] } {
  const [steps, batch] = input.shape as [number, number];
  // a kernel that projects the input itself spares the array of every step's gates
  const projection = kernel.projectsInput
    ? { input: { x: f32Values(input), packedIh: p.packedIh as LinearPackedParams } }
    : { igates: f32Values(p.linearIh(input)) };
  const r = kernel({
    cell, ...projection, steps, batch, hidden, packedHh: p.packedHh as LinearPackedParams, reduceRange: p.reduceRange,
    h0: f32Values(h0), c0: c0 ? f32Values(c0) : null, reverse,
  });
  const states = [r.h, ...(r.c ? [r.c] : [])].map((v) => fromF32(v, [batch, hidden]));
  return { output: fromF32(r.output, [steps, batch, hidden]), states };
}

/**
 * The stacked, optionally bidirectional recurrence on the native kernel, with nn's
 * `recurrentLayers` layout: `x` (L, N, H_in), `states0` each (layers * directions, N, H);
 * returns the output (L, N, directions * H) and the final states in `states0`'s layout.
 */
export function nativeRecurrentLayers(kernel: LayerKernel, cell: RnnCellKind, x: Tensor, states0: readonly Tensor[],
  geometry: { numLayers: number; numDirections: number; hidden: number }, params: (k: number) => NativeCellParams): { output: Tensor; states: Tensor[] } {
  const finals: Tensor[][] = states0.map(() => []);
  let layerInput = x;
  for (let layer = 0; layer < geometry.numLayers; layer++) {
    const outputs: Tensor[] = [];
    for (let dir = 0; dir < geometry.numDirections; dir++) {
      const k = layer * geometry.numDirections + dir;
      const [h0, c0] = states0.map((s) => s.select(0, k).contiguous());
      const r = runNativeDirection(kernel, cell, params(k), layerInput, geometry.hidden, h0!, c0 ?? null, dir === 1);
      outputs.push(r.output);
      r.states.forEach((s, j) => finals[j]!.push(s));
    }
    layerInput = outputs.length === 1 ? outputs[0]! : cat(outputs, 2);
  }
  return { output: layerInput, states: finals.map((f) => stack(f, 0)) };
}
