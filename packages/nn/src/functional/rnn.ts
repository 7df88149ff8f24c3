/**
 * Recurrent cell math (torch's `lstm_cell`, `gru_cell`, `rnn_tanh_cell`, `rnn_relu_cell`) with
 * autograd. The `*Gates` forms take precomputed input and hidden projections, so a layer can
 * project a whole sequence at once, and quantized dynamic layers can reuse the gate math with
 * their own linear kernels.
 */
import { type Tensor, add, linear, mul, relu, sigmoid, sub, tanh } from '@qtorch/qtensor';

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
