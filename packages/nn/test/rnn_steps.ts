/**
 * A recurrent layer-direction step by step on nn's gate math: what the native layer kernels
 * (`kernels::rnn_float_layer`, `qtorch::rnn_dynamic_layer`) compute, for the stand-ins that nn's
 * and nn-quantized's tests register in their place. `project(h)` is the step's hidden projection.
 */
import { type FloatRnnLayerArgs, Tensor } from '@qtorch/qtensor';
import { gruGates, lstmGates, rnnGates } from '../src/functional/index.js';

const GATES = { lstm: 4, gru: 3, rnn_tanh: 1, rnn_relu: 1 } as const;

/** What a layer kernel takes besides its weights (the float kernel's arguments; the dynamic one's match). */
export type LayerSteps = Omit<FloatRnnLayerArgs, 'whh' | 'bhh'>;

/** Every step's h (time order) and the final h (and c), as the kernels return them. */
export function layerSteps(a: LayerSteps, project: (h: Tensor) => Tensor): { output: Float32Array; h: Float32Array; c: Float32Array | null } {
  const { steps, batch: n, hidden: hs } = a, gh = GATES[a.cell] * hs;
  let h = Tensor.fromTypedArray(Float32Array.from(a.h0), [n, hs]);
  let c = a.c0 ? Tensor.fromTypedArray(Float32Array.from(a.c0), [n, hs]) : null;
  const output = new Float32Array(steps * n * hs);
  for (let i = 0; i < steps; i++) {
    const t = a.reverse ? steps - 1 - i : i;
    const ig = Tensor.fromTypedArray(a.igates.slice(t * n * gh, (t + 1) * n * gh), [n, gh]);
    const hg = project(h);
    if (a.cell === 'lstm') [h, c] = lstmGates(ig, hg, c!);
    else h = a.cell === 'gru' ? gruGates(ig, hg, h) : rnnGates(ig, hg, a.cell === 'rnn_tanh' ? 'tanh' : 'relu');
    output.set(h.values(), t * n * hs);
  }
  return { output, h: Float32Array.from(h.values()), c: c ? Float32Array.from(c.values()) : null };
}
