/**
 * Multi-layer recurrent layers RNN, LSTM and GRU (torch.nn.modules.rnn): optional bias,
 * batchFirst, dropout between layers, bidirectional, LSTM projections. Parameters carry
 * PyTorch's names (`weight_ih_l0`, `bias_hh_l1_reverse`, `weight_hr_l0`), so state dicts load
 * both ways.
 */
import { type FloatRnnLayerKernel, QTorchShapeError, QTorchValueError, type Tensor, assertTensor, checkOptions, empty, fmtShape, linear, zeros } from '@qtorch/qtensor';
import * as F from '../functional/index.js';
import { uniform_ } from '../init/index.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { checkPositiveInt } from './linear.js';
import { pyBool, pyFloat } from './_repr.js';
import { nativeFloatLayerFor, runFloatLayer } from './rnn_native.js';

/** The recurrence a layer runs. */
export type RNNMode = 'LSTM' | 'GRU' | 'RNN_TANH' | 'RNN_RELU';

/** Options shared by RNN, LSTM and GRU. */
export interface RNNBaseOptions {
  /** Stacked layers (default 1). */
  numLayers?: number;
  /** Learn input and hidden biases (default true). */
  bias?: boolean;
  /** Input and output are (N, L, H) instead of (L, N, H) (default false). */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last, in training (default 0). */
  dropout?: number;
  /** Run a second, reversed-time pass per layer and concatenate (default false). */
  bidirectional?: boolean;
}

const GATES: Record<RNNMode, number> = { LSTM: 4, GRU: 3, RNN_TANH: 1, RNN_RELU: 1 };
const NATIVE_CELLS = { LSTM: 'lstm', GRU: 'gru', RNN_TANH: 'rnn_tanh', RNN_RELU: 'rnn_relu' } as const;

/** One layer-direction's parameters. */
interface LayerWeights {
  wIh: Tensor;
  wHh: Tensor;
  bIh: Tensor | null;
  bHh: Tensor | null;
  wHr: Tensor | null;
}

/** The parameters, checks and layer loop shared by RNN, LSTM and GRU. */
export abstract class RNNBase extends Module {
  /** `'RNN_TANH'`, `'RNN_RELU'`, `'LSTM'` or `'GRU'`. */
  readonly mode: RNNMode;
  /** Features of each input step. */
  readonly inputSize: number;
  /** Features of the hidden state. */
  readonly hiddenSize: number;
  /** Number of stacked layers. */
  readonly numLayers: number;
  /** Whether the layers have `bias_ih` / `bias_hh`. */
  readonly bias: boolean;
  /** Whether input and output are [N, L, H] instead of [L, N, H]. */
  readonly batchFirst: boolean;
  /** Dropout probability on the outputs of each layer but the last (training only). */
  readonly dropout: number;
  /** Whether each layer also runs backwards (outputs concatenate both directions). */
  readonly bidirectional: boolean;
  /** LSTM projection size (0: none). */
  readonly projSize: number;
  /** Parameter names per layer-direction, in PyTorch's `_flat_weights_names` order. */
  readonly _allWeightNames: string[][] = [];

  protected constructor(mode: RNNMode, inputSize: number, hiddenSize: number, options: RNNBaseOptions & { projSize?: number }) {
    super();
    const cls = new.target.name;
    checkPositiveInt(inputSize, 'input_size', cls, true);
    checkPositiveInt(hiddenSize, 'hidden_size', cls);
    this.mode = mode;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.numLayers = options.numLayers ?? 1;
    this.bias = options.bias ?? true;
    this.batchFirst = options.batchFirst ?? false;
    this.dropout = options.dropout ?? 0;
    this.bidirectional = options.bidirectional ?? false;
    this.projSize = options.projSize ?? 0;
    checkPositiveInt(this.numLayers, 'num_layers', cls);
    if (!(this.dropout >= 0 && this.dropout <= 1)) {
      throw new QTorchValueError(`${cls}(): dropout should be a number in range [0, 1] representing the probability of an element being zeroed, got ${this.dropout}`);
    }
    if (!Number.isInteger(this.projSize) || this.projSize < 0) throw new QTorchValueError(`${cls}(): proj_size should be a positive integer or zero to disable projections`);
    if (this.projSize >= hiddenSize) throw new QTorchValueError(`${cls}(): proj_size has to be smaller than hidden_size`);
    if (this.projSize > 0 && mode !== 'LSTM') throw new QTorchValueError(`${cls}(): proj_size argument is only supported for LSTM, not RNN or GRU`);

    const gateSize = GATES[mode] * hiddenSize;
    const realHidden = this.projSize > 0 ? this.projSize : hiddenSize;
    const self = this as unknown as Record<string, Parameter>;
    for (let layer = 0; layer < this.numLayers; layer++) {
      for (let dir = 0; dir < this.numDirections; dir++) {
        const layerInput = layer === 0 ? inputSize : realHidden * this.numDirections;
        const suffix = `_l${layer}${dir === 1 ? '_reverse' : ''}`;
        const shapes: Array<[string, number[]]> = [[`weight_ih${suffix}`, [gateSize, layerInput]], [`weight_hh${suffix}`, [gateSize, realHidden]]];
        if (this.bias) shapes.push([`bias_ih${suffix}`, [gateSize]], [`bias_hh${suffix}`, [gateSize]]);
        if (this.projSize > 0) shapes.push([`weight_hr${suffix}`, [this.projSize, hiddenSize]]);
        for (const [name, shape] of shapes) self[name] = new Parameter(empty(shape));
        this._allWeightNames.push(shapes.map(([n]) => n));
      }
    }
    this.resetParameters();
  }

  /** 2 for bidirectional layers, else 1. */
  get numDirections(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** The parameters per layer-direction, in PyTorch's order (`all_weights`). */
  get allWeights(): Parameter[][] {
    const self = this as unknown as Record<string, Parameter>;
    return this._allWeightNames.map((names) => names.map((n) => self[n]!));
  }

  /** Re-draws every parameter from U(-1/sqrt(hiddenSize), 1/sqrt(hiddenSize)). */
  resetParameters(): void {
    const stdv = this.hiddenSize > 0 ? 1 / Math.sqrt(this.hiddenSize) : 0;
    for (const w of this.parameters()) uniform_(w, { a: -stdv, b: stdv });
  }

  private layerWeights(idx: number): LayerWeights {
    const self = this as unknown as Record<string, Parameter>;
    const names = this._allWeightNames[idx]!;
    const find = (prefix: string): Parameter | null => {
      const n = names.find((k) => k.startsWith(prefix));
      return n ? self[n]! : null;
    };
    return { wIh: find('weight_ih')!, wHh: find('weight_hh')!, bIh: find('bias_ih'), bHh: find('bias_hh'), wHr: find('weight_hr') };
  }

  /** One step: the new state ([h] or [h, c]) from the projected input and the old state. */
  private step(igates: Tensor, state: Tensor[], w: LayerWeights): Tensor[] {
    const hgates = linear(state[0]!, w.wHh, w.bHh);
    switch (this.mode) {
      case 'LSTM': {
        const [h, c] = F.lstmGates(igates, hgates, state[1]!);
        return [w.wHr ? linear(h, w.wHr) : h, c];
      }
      case 'GRU':
        return [F.gruGates(igates, hgates, state[0]!)];
      default:
        return [F.rnnGates(igates, hgates, this.mode === 'RNN_TANH' ? 'tanh' : 'relu')];
    }
  }

  /** Checks the input and returns it as (L, N, H_in) with whether it was unbatched. */
  protected prepareInput(input: Tensor): { x: Tensor; unbatched: boolean } {
    const cls = this.constructor.name;
    if (input.ndim !== 2 && input.ndim !== 3) throw new QTorchShapeError(`${cls}: Expected input to be 2D or 3D, got ${input.ndim}D tensor instead (shape ${fmtShape(input.shape)})`);
    if (input.shape[input.ndim - 1] !== this.inputSize) {
      throw new QTorchShapeError(`${cls}: input.size(-1) must be equal to input_size. Expected ${this.inputSize}, got ${input.shape[input.ndim - 1]}`);
    }
    const unbatched = input.ndim === 2;
    let x = unbatched ? input.unsqueeze(1) : input;
    if (this.batchFirst && !unbatched) x = x.transpose(0, 1);
    return { x, unbatched };
  }

  /** The initial states (zeros when not given), batched as (layers * directions, N, size). */
  protected prepareStates(given: Tensor[] | null, sizes: number[], batch: number, unbatched: boolean, like: Tensor): Tensor[] {
    const D = this.numLayers * this.numDirections;
    if (!given) return sizes.map((s) => zeros([D, batch, s], { dtype: like.dtype }));
    const cls = this.constructor.name;
    return given.map((h, k) => {
      if (h.ndim !== (unbatched ? 2 : 3)) {
        throw new QTorchShapeError(`${cls}: For ${unbatched ? 'unbatched 2-D' : 'batched 3-D'} input, hx should also be ${unbatched ? '2-D' : '3-D'} but got ${h.ndim}-D tensor`);
      }
      const hb = unbatched ? h.unsqueeze(1) : h;
      const expected = [D, batch, sizes[k]!];
      if (hb.shape.some((s, i) => s !== expected[i])) {
        throw new QTorchShapeError(`${cls}: Expected hidden${given.length > 1 ? `[${k}]` : ''} size (${(unbatched ? [D, sizes[k]!] : expected).join(', ')}), got ${fmtShape(h.shape)}`);
      }
      return hb;
    });
  }

  /**
   * Runs every layer and direction over the (L, N, H_in) input from the initial states;
   * returns the last layer's output (L, N, D * H_out) and the final states, each (layers * D, N, size).
   */
  protected runLayers(x: Tensor, states0: Tensor[]): { output: Tensor; states: Tensor[] } {
    const kernel = this.nativeLayerKernel(x, states0);
    return F.recurrentLayers(x, states0, {
      numLayers: this.numLayers,
      numDirections: this.numDirections,
      outputSize: this.projSize > 0 ? this.projSize : this.hiddenSize,
      direction: (k) => {
        const w = this.layerWeights(k);
        const project = (input: Tensor): Tensor => linear(input, w.wIh, w.bIh);
        return {
          project,
          step: (igates, state) => this.step(igates, state, w),
          run: kernel ? (input, state, reverse) => runFloatLayer(kernel, NATIVE_CELLS[this.mode], project(input), state, this.hiddenSize, w, reverse) : undefined,
        };
      },
      betweenLayers: this.dropout > 0 && this.training ? (y) => F.dropout(y, { p: this.dropout, training: true }) : undefined,
    });
  }

  /** The native time loop (an addon's), when it can serve this call: not for an LSTM with a projection. */
  private nativeLayerKernel(x: Tensor, states0: Tensor[]): FloatRnnLayerKernel | null {
    return this.projSize > 0 ? null : nativeFloatLayerFor([x, ...states0, ...this.parameters()]);
  }

  /** Undoes `prepareInput`'s layout changes on the output and the states. */
  protected finishOutput(output: Tensor, states: Tensor[], unbatched: boolean): { output: Tensor; states: Tensor[] } {
    if (unbatched) return { output: output.squeeze(1), states: states.map((s) => s.squeeze(1)) };
    return { output: this.batchFirst ? output.transpose(0, 1) : output, states };
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.projSize !== 0) s += `, proj_size=${this.projSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (!this.bias) s += `, bias=${pyBool(this.bias)}`;
    if (this.batchFirst) s += `, batch_first=${pyBool(this.batchFirst)}`;
    if (this.dropout !== 0) s += `, dropout=${pyFloat(this.dropout)}`;
    if (this.bidirectional) s += `, bidirectional=${pyBool(this.bidirectional)}`;
    return s;
  }
}

/** Runs RNN / GRU, which carry one state tensor. @internal */
export abstract class _SingleStateRNN extends RNNBase {
  /**
   * `input` (L, N, H_in), (N, L, H_in) with batchFirst, or unbatched (L, H_in); `hx`
   * (layers * directions, N, H) or zeros. Returns `[output, h_n]`.
   */
  forward(input: Tensor, hx: Tensor | null = null): [Tensor, Tensor] {
    assertTensor(input, `${this.constructor.name}.forward`);
    const { x, unbatched } = this.prepareInput(input);
    const h0 = this.prepareStates(hx ? [hx] : null, [this.hiddenSize], x.shape[1]!, unbatched, x);
    const { output, states } = this.runLayers(x, h0);
    const out = this.finishOutput(output, states, unbatched);
    return [out.output, out.states[0]!];
  }
}

/**
 * Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu).
 * @example const [out, hN] = new RNN(10, 20, { numLayers: 2 }).call(randn([5, 3, 10]));
 */
export class RNN extends _SingleStateRNN {
  /** `'tanh'` (default) or `'relu'`. */
  readonly nonlinearity: 'tanh' | 'relu';
  /**
   * @param inputSize - Features of each input step.
   * @param hiddenSize - Features of the hidden state.
   * @param options - torch.nn.RNN's options (`numLayers`, `bias`, `batchFirst`, `dropout`, `bidirectional`, `nonlinearity`).
   */
  constructor(inputSize: number, hiddenSize: number, options: RNNBaseOptions & { nonlinearity?: 'tanh' | 'relu' } = {}) {
    checkOptions(options, new.target.name);
    const nonlinearity = options.nonlinearity ?? 'tanh';
    if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') throw new QTorchValueError(`RNN(): Unknown nonlinearity '${String(nonlinearity)}'. Select from 'tanh' or 'relu'.`);
    super(nonlinearity === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', inputSize, hiddenSize, options);
    this.nonlinearity = nonlinearity;
  }
}

/**
 * Gated recurrent unit (gate order r, z, n as in PyTorch).
 * @example const [out, hN] = new GRU(10, 20).call(randn([5, 3, 10]));
 */
export class GRU extends _SingleStateRNN {
  /**
   * @param inputSize - Features of each input step.
   * @param hiddenSize - Features of the hidden state.
   * @param options - torch.nn.GRU's options (`numLayers`, `bias`, `batchFirst`, `dropout`, `bidirectional`).
   */
  constructor(inputSize: number, hiddenSize: number, options: RNNBaseOptions = {}) {
    checkOptions(options, new.target.name);
    super('GRU', inputSize, hiddenSize, options);
  }
}

/**
 * Long short-term memory (gate order i, f, g, o), optionally with a projection of h to `projSize`.
 * @example const [out, [hN, cN]] = new LSTM(10, 20, { numLayers: 2 }).call(x, [h0, c0]);
 */
export class LSTM extends RNNBase {
  /**
   * @param inputSize - Features of each input step.
   * @param hiddenSize - Features of the hidden state.
   * @param options - torch.nn.LSTM's options (`numLayers`, `bias`, `batchFirst`, `dropout`, `bidirectional`, `projSize`).
   */
  constructor(inputSize: number, hiddenSize: number, options: RNNBaseOptions & { projSize?: number } = {}) {
    checkOptions(options, new.target.name);
    super('LSTM', inputSize, hiddenSize, options);
  }

  /** Returns `[output, [h_n, c_n]]`; `hx` = `[h_0, c_0]` or zeros. */
  forward(input: Tensor, hx: [Tensor, Tensor] | null = null): [Tensor, [Tensor, Tensor]] {
    assertTensor(input, `${this.constructor.name}.forward`);
    const { x, unbatched } = this.prepareInput(input);
    const sizes = [this.projSize > 0 ? this.projSize : this.hiddenSize, this.hiddenSize];
    const s0 = this.prepareStates(hx ? [hx[0], hx[1]] : null, sizes, x.shape[1]!, unbatched, x);
    const { output, states } = this.runLayers(x, s0);
    const out = this.finishOutput(output, states, unbatched);
    return [out.output, [out.states[0]!, out.states[1]!]];
  }
}
