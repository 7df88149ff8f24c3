/** Single-step recurrent cells RNNCell, LSTMCell and GRUCell (torch.nn.modules.rnn). */
import { checkOptions, QTorchShapeError, QTorchValueError, type Tensor, empty, fmtShape, linear, zeros } from '@qtorch/qtensor';
import * as F from '../functional/index.js';
import { uniform_ } from '../init/index.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { checkPositiveInt } from './linear.js';
import { pyBool } from './_repr.js';
import { type FloatRnnCell, nativeFloatLayerFor, runFloatLayer } from './rnn_native.js';

/** Parameters `weight_ih`, `weight_hh`, `bias_ih`, `bias_hh`, checks and repr shared by the cells. */
export abstract class RNNCellBase extends Module {
  /** Features of the input. */
  readonly inputSize: number;
  /** Features of the hidden state. */
  readonly hiddenSize: number;
  /** Whether `bias_ih` and `bias_hh` exist. */
  readonly bias: boolean;
  /** Input-to-hidden weights [gates * hiddenSize, inputSize]. */
  weight_ih: Parameter;
  /** Hidden-to-hidden weights [gates * hiddenSize, hiddenSize]. */
  weight_hh: Parameter;
  /** Input-to-hidden bias [gates * hiddenSize] (null without bias). */
  bias_ih: Parameter | null;
  /** Hidden-to-hidden bias [gates * hiddenSize] (null without bias). */
  bias_hh: Parameter | null;

  protected constructor(inputSize: number, hiddenSize: number, bias: boolean, numChunks: number) {
    super();
    const cls = new.target.name;
    checkPositiveInt(inputSize, 'input_size', cls, true);
    checkPositiveInt(hiddenSize, 'hidden_size', cls);
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.bias = bias;
    this.weight_ih = new Parameter(empty([numChunks * hiddenSize, inputSize]));
    this.weight_hh = new Parameter(empty([numChunks * hiddenSize, hiddenSize]));
    this.bias_ih = bias ? new Parameter(empty([numChunks * hiddenSize])) : null;
    this.bias_hh = bias ? new Parameter(empty([numChunks * hiddenSize])) : null;
    this.resetParameters();
  }

  /** Re-draws every parameter from U(-1/sqrt(hiddenSize), 1/sqrt(hiddenSize)). */
  resetParameters(): void {
    const stdv = 1 / Math.sqrt(this.hiddenSize);
    for (const w of this.parameters()) uniform_(w, { a: -stdv, b: stdv });
  }

  /** Checks `input` ((N, H_in) or (H_in)) and returns it batched, with whether it was unbatched. */
  protected batchInput(input: Tensor): { x: Tensor; unbatched: boolean } {
    const cls = this.constructor.name;
    if (input.ndim !== 1 && input.ndim !== 2) throw new QTorchShapeError(`${cls}: Expected input to be 1D or 2D, got ${input.ndim}D instead (shape ${fmtShape(input.shape)})`);
    if (input.shape[input.ndim - 1] !== this.inputSize) {
      throw new QTorchShapeError(`${cls}: input has inconsistent input_size: got ${input.shape[input.ndim - 1]} expected ${this.inputSize}`);
    }
    return input.ndim === 1 ? { x: input.unsqueeze(0), unbatched: true } : { x: input, unbatched: false };
  }

  /** A hidden state batched like the input, or zeros. */
  protected batchHidden(h: Tensor | null | undefined, x: Tensor, unbatched: boolean): Tensor {
    if (!h) return zeros([x.shape[0]!, this.hiddenSize], { dtype: x.dtype });
    const hb = unbatched ? h.unsqueeze(0) : h;
    if (hb.ndim !== 2 || hb.shape[0] !== x.shape[0] || hb.shape[1] !== this.hiddenSize) {
      throw new QTorchShapeError(`${this.constructor.name}: Expected hidden of shape ${fmtShape(unbatched ? [this.hiddenSize] : [x.shape[0]!, this.hiddenSize])}, got ${fmtShape(h.shape)}`);
    }
    return hb;
  }

  /**
   * One step on an addon's native float layer (one call: x W_ih^T + b_ih, then the hidden
   * projection and the gates natively) when it can serve it (float32, no gradient recorded): the
   * new state ([h] or [h, c]), the same floats as the functional cell; null otherwise.
   */
  protected nativeStep(cell: FloatRnnCell, x: Tensor, state: Tensor[]): Tensor[] | null {
    const kernel = nativeFloatLayerFor([x, ...state, ...this.parameters()]);
    if (!kernel) return null;
    const igates = linear(x, this.weight_ih, this.bias_ih).unsqueeze(0);
    return runFloatLayer(kernel, cell, igates, state, this.hiddenSize, { wHh: this.weight_hh, bHh: this.bias_hh }, false).state;
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (!this.bias) s += `, bias=${pyBool(this.bias)}`;
    const nl = (this as { nonlinearity?: string }).nonlinearity;
    if (nl !== undefined && nl !== 'tanh') s += `, nonlinearity=${nl}`;
    return s;
  }
}

/** h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu). */
export class RNNCell extends RNNCellBase {
  /** `'tanh'` (default) or `'relu'`. */
  readonly nonlinearity: 'tanh' | 'relu';
  /**
   * @param inputSize - Features of the input.
   * @param hiddenSize - Features of the hidden state.
   * @param options - `bias` (default true) and `nonlinearity` (default `'tanh'`).
   */
  constructor(inputSize: number, hiddenSize: number, options: { bias?: boolean; nonlinearity?: 'tanh' | 'relu' } = {}) {
    checkOptions(options, new.target.name);
    const nonlinearity = options.nonlinearity ?? 'tanh';
    if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') throw new QTorchValueError(`RNNCell(): Unknown nonlinearity: ${String(nonlinearity)}`);
    super(inputSize, hiddenSize, options.bias ?? true, 1);
    this.nonlinearity = nonlinearity;
  }

  /** One step; `hx` defaults to zeros. */
  forward(input: Tensor, hx: Tensor | null = null): Tensor {
    const { x, unbatched } = this.batchInput(input);
    const h = this.batchHidden(hx, x, unbatched);
    const cell = this.nonlinearity === 'tanh' ? F.rnnTanhCell : F.rnnReluCell;
    const out = this.nativeStep(`rnn_${this.nonlinearity}`, x, [h])?.[0] ?? cell(x, h, this.weight_ih, this.weight_hh, this.bias_ih, this.bias_hh);
    return unbatched ? out.squeeze(0) : out;
  }
}

/** One LSTM step: returns `[h', c']`. */
export class LSTMCell extends RNNCellBase {
  /**
   * @param inputSize - Features of the input.
   * @param hiddenSize - Features of the hidden state (4 gates).
   * @param options - `bias` (default true).
   */
  constructor(inputSize: number, hiddenSize: number, options: { bias?: boolean } = {}) {
    checkOptions(options, new.target.name);
    super(inputSize, hiddenSize, options.bias ?? true, 4);
  }

  /** One step; `hx` = `[h, c]`, defaulting to zeros. */
  forward(input: Tensor, hx: [Tensor, Tensor] | null = null): [Tensor, Tensor] {
    const { x, unbatched } = this.batchInput(input);
    const h = this.batchHidden(hx?.[0], x, unbatched), c = this.batchHidden(hx?.[1], x, unbatched);
    const [h2, c2] = (this.nativeStep('lstm', x, [h, c]) ?? F.lstmCell(x, [h, c], this.weight_ih, this.weight_hh, this.bias_ih, this.bias_hh)) as [Tensor, Tensor];
    return unbatched ? [h2.squeeze(0), c2.squeeze(0)] : [h2, c2];
  }
}

/** One GRU step. */
export class GRUCell extends RNNCellBase {
  /**
   * @param inputSize - Features of the input.
   * @param hiddenSize - Features of the hidden state (3 gates).
   * @param options - `bias` (default true).
   */
  constructor(inputSize: number, hiddenSize: number, options: { bias?: boolean } = {}) {
    checkOptions(options, new.target.name);
    super(inputSize, hiddenSize, options.bias ?? true, 3);
  }

  /** One step; `hx` defaults to zeros. */
  forward(input: Tensor, hx: Tensor | null = null): Tensor {
    const { x, unbatched } = this.batchInput(input);
    const h = this.batchHidden(hx, x, unbatched);
    const out = this.nativeStep('gru', x, [h])?.[0] ?? F.gruCell(x, h, this.weight_ih, this.weight_hh, this.bias_ih, this.bias_hh);
    return unbatched ? out.squeeze(0) : out;
  }
}
