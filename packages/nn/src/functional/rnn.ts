/**
 * Recurrent cell math (torch's `lstm_cell`, `gru_cell`, `rnn_tanh_cell`, `rnn_relu_cell`) with
 * autograd. The `*Gates` forms take precomputed input and hidden projections, so a layer can
 * project a whole sequence at once, and quantized dynamic layers can reuse the gate math with
 * their own linear kernels; `recurrentLayers` is the layer / time loop both run the gates in.
 */
import { Tensor, add, cat, float32, linear, mul, relu, sigmoid, stack, sub, tanh, zeros } from '@qtorch/qtensor';

/** An LSTM step from gate pre-activations `igates` = x W_ih^T + b_ih, `hgates` = h W_hh^T + b_hh (each [N, 4H], order i, f, g, o). */
export function lstmGates(igates: Tensor, hgates: Tensor, cx: Tensor): [Tensor, Tensor] {
  const [i, f, g, o] = add(igates, hgates).chunk(4, -1) as [Tensor, Tensor, Tensor, Tensor];
  const cy = add(mul(sigmoid(f), cx), mul(sigmoid(i), tanh(g)));
  const hy = mul(sigmoid(o), tanh(cy));
  return [hy, cy];
}

/** A GRU step from `igates` / `hgates` (each [N, 3H], order r, z, n): h' = (1 - z) n + z h. */
export function gruGates(igates: Tensor, hgates: Tensor, hx: Tensor): Tensor {
  const [ir, iz, inn] = igates.chunk(3, -1) as [Tensor, Tensor, Tensor];
  const [hr, hz, hn] = hgates.chunk(3, -1) as [Tensor, Tensor, Tensor];
  const r = sigmoid(add(ir, hr));
  const z = sigmoid(add(iz, hz));
  const n = tanh(add(inn, mul(r, hn)));
  return add(n, mul(z, sub(hx, n)));
}

/** An Elman RNN step: nonlinearity(igates + hgates). */
export function rnnGates(igates: Tensor, hgates: Tensor, nonlinearity: 'tanh' | 'relu'): Tensor {
  const pre = add(igates, hgates);
  return nonlinearity === 'tanh' ? tanh(pre) : relu(pre);
}

/** One LSTM step (torch.lstm_cell): returns [h', c']. */
export function lstmCell(input: Tensor, hx: [Tensor, Tensor], wIh: Tensor, wHh: Tensor, bIh: Tensor | null = null, bHh: Tensor | null = null): [Tensor, Tensor] {
  return lstmGates(linear(input, wIh, bIh), linear(hx[0], wHh, bHh), hx[1]);
}

/** One GRU step (torch.gru_cell). */
export function gruCell(input: Tensor, hx: Tensor, wIh: Tensor, wHh: Tensor, bIh: Tensor | null = null, bHh: Tensor | null = null): Tensor {
  return gruGates(linear(input, wIh, bIh), linear(hx, wHh, bHh), hx);
}

/** One tanh RNN step (torch.rnn_tanh_cell). */
export function rnnTanhCell(input: Tensor, hx: Tensor, wIh: Tensor, wHh: Tensor, bIh: Tensor | null = null, bHh: Tensor | null = null): Tensor {
  return rnnGates(linear(input, wIh, bIh), linear(hx, wHh, bHh), 'tanh');
}

/** One ReLU RNN step (torch.rnn_relu_cell). */
export function rnnReluCell(input: Tensor, hx: Tensor, wIh: Tensor, wHh: Tensor, bIh: Tensor | null = null, bHh: Tensor | null = null): Tensor {
  return rnnGates(linear(input, wIh, bIh), linear(hx, wHh, bHh), 'relu');
}

/** One layer-direction of a recurrence, as `recurrentLayers` runs it. @internal */
export interface RecurrentDirection {
  /** The input projection `x W_ih^T + b_ih` of the whole sequence (L, N, H_in) at once. */
  project(input: Tensor): Tensor;
  /** One time step from that step's input projection: the new state (`[h]` or `[h, c]`, h first). */
  step(igates: Tensor, state: Tensor[]): Tensor[];
  /**
   * The whole layer-direction at once, when a native kernel serves it (inference): from the
   * layer input (L, N, H_in) and the initial state, the output (L, N, H) in time order and the
   * final state, the same values as `project` and a `step` per time step give.
   */
  run?(input: Tensor, state: Tensor[], reverse: boolean): { output: Tensor; state: Tensor[] };
}

/** One layer-direction over `input` (L > 0): `cell.run`, else `project`, then a `step` per time step. */
function runDirection(cell: RecurrentDirection, input: Tensor, state0: Tensor[], reverse: boolean): { output: Tensor; state: Tensor[] } {
  if (cell.run) return cell.run(input, state0, reverse);
  const igatesAll = cell.project(input);
  const L = igatesAll.shape[0]!;
  const outs: Tensor[] = new Array(L);
  let state = state0;
  for (let i = 0; i < L; i++) {
    const t = reverse ? L - 1 - i : i;
    state = cell.step(igatesAll.select(0, t), state);
    outs[t] = state[0]!;
  }
  return { output: stack(outs, 0), state };
}

/**
 * A native layer kernel's float32 result (every step's h in time order, the final h and, for an
 * LSTM, c) as a layer-direction's `run` returns it: the output (L, N, H) and the final state. @internal
 */
export function nativeLayerResult(r: { output: Float32Array; h: Float32Array; c: Float32Array | null }, steps: number, batch: number,
  hidden: number): { output: Tensor; state: Tensor[] } {
  const asTensor = (v: Float32Array, shape: number[]): Tensor => Tensor.fromTypedArray(v, shape, float32);
  return { output: asTensor(r.output, [steps, batch, hidden]), state: [r.h, ...(r.c ? [r.c] : [])].map((v) => asTensor(v, [batch, hidden])) };
}

/** What `recurrentLayers` runs: the stack's geometry and its layer-directions. @internal */
export interface RecurrentLayersSpec {
  numLayers: number;
  numDirections: number;
  /** Feature size of one direction's output (shapes the output of an empty sequence). */
  outputSize: number;
  /** Layer-direction `k` = layer * numDirections + direction. */
  direction(k: number): RecurrentDirection;
  /** Applied to the output of every layer but the last (dropout in training). */
  betweenLayers?: (output: Tensor) => Tensor;
}

/**
 * The stacked, optionally bidirectional recurrence of nn's RNN / LSTM / GRU and the dynamic
 * quantized LSTM / GRU (PyTorch's CPU `FullLayer` / `FullBidirectionalLayer`): per layer and
 * direction, the input projection of the whole sequence, then one `step` per time step (or one
 * native `run` of both; the second direction runs backwards in time). `x` is (L, N, H_in); `states0` holds each state as
 * (layers * directions, N, size). Returns the last layer's output (L, N, directions *
 * outputSize) and the final states in `states0`'s layout. @internal
 */
export function recurrentLayers(x: Tensor, states0: readonly Tensor[], spec: RecurrentLayersSpec): { output: Tensor; states: Tensor[] } {
  const L = x.shape[0]!;
  const finals: Tensor[][] = states0.map(() => []);
  let layerInput = x;
  for (let layer = 0; layer < spec.numLayers; layer++) {
    const dirOutputs: Tensor[] = [];
    for (let dir = 0; dir < spec.numDirections; dir++) {
      const k = layer * spec.numDirections + dir;
      const cell = spec.direction(k);
      const state0 = states0.map((s) => s.select(0, k));
      if (L === 0) {
        state0.forEach((s, j) => finals[j]!.push(s));
        dirOutputs.push(zeros([0, x.shape[1]!, spec.outputSize], { dtype: x.dtype }));
        continue;
      }
      const { output, state } = runDirection(cell, layerInput, state0, dir === 1);
      state.forEach((s, j) => finals[j]!.push(s));
      dirOutputs.push(output);
    }
    layerInput = dirOutputs.length === 1 ? dirOutputs[0]! : cat(dirOutputs, 2);
    if (spec.betweenLayers && layer < spec.numLayers - 1) layerInput = spec.betweenLayers(layerInput);
  }
  return { output: layerInput, states: finals.map((f) => stack(f, 0)) };
}
