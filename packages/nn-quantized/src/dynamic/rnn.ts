/**
 * Dynamic quantized recurrent layers (torch.ao.nn.quantized.dynamic LSTM, GRU, RNNCell,
 * LSTMCell, GRUCell): float in, float out; each gate projection is a dynamic linear over
 * weights quantized once (qint8, or float16 on fbgemm), with the bias packed in.
 *
 * Numerics follow PyTorch 1.13's `QuantizedCellParamsDynamic` on CPU: a layer projects its whole
 * input sequence at once (`linear_ih` over [L, N, H_in]: one set of activation qparams for the
 * sequence), then per step `linear_hh(h)` (activations quantized per step) plus that step's
 * input gates. Activations are quantized with `reduce_range` (honoured by fbgemm only), in the
 * layers and in the cells alike (golden workflows/dynamic.json). The gate math and the layer
 * loop are nn's (`lstmGates`, `gruGates`, `rnnGates`, `recurrentLayers`); with a kernel addon
 * loaded, rnn_native.ts runs each layer-direction's time loop natively with the same numerics.
 *
 * State dict: per layer-direction `_all_weight_values.{k}.param.{weight_ih,weight_hh,bias_ih,bias_hh}`
 * (PyTorch pickles the packed cell object under `_all_weight_values.{k}.param`); cells:
 * `_packed_weight_ih.{weight,bias}`, `_packed_weight_hh.{weight,bias}`.
 */
import {
  checkOptions, type DType, LinearFp16PackedParams, LinearPackedParams as PackedLinear, QTorchShapeError, QTorchTypeError, QTorchValueError, type Tensor,
  float16, float32, fmtShape, fromValues, linearPrepack, linearPrepackFp16, qint8, quantizePerTensor, quantizedLinearDynamic,
  quantizedLinearDynamicFp16, randn, zeros,
} from '@qtorch/qtensor';
import {
  GRU as FloatGRU, GRUCell as FloatGRUCell, LSTM as FloatLSTM, LSTMCell as FloatLSTMCell, type LoadContext, Module, ModuleList,
  type ModuleClass, RNNCell as FloatRNNCell, type StateDict, moduleName, typeOf,
} from '@qtorch/nn';
import { gruGates, lstmGates, recurrentLayers, rnnGates } from '@qtorch/nn/functional';
import { checkFloatInput, isObserverLike, observe, pyBool, pyFloat, qconfigOf, quantizeWeight } from '../modules/utils.js';
import { reportUnexpected } from '../modules/state.js';
import { type RnnCellKind, nativeLayerKernel, nativeShapesOk, runNativeDirection } from './rnn_native.js';

type PackedWeight = PackedLinear | LinearFp16PackedParams;

/** Packs a (quantized or float16-bound float) weight and its float bias for `dtype`. */
function pack(w: Tensor, b: Tensor | null, dtype: DType): PackedWeight {
  return dtype === qint8 ? linearPrepack(w, b) : linearPrepackFp16(w, b);
}

/** `[weight, bias]` of a packed projection. */
function unpack(p: PackedWeight): [Tensor, Tensor | null] {
  if (p instanceof PackedLinear) return p.unpack();
  return [fromValues(p.weight, p.shape, float32), p.bias ? fromValues(p.bias, [p.bias.length], float32) : null];
}

/** PyTorch's `apply_dynamic`: `x W^T + b` with x quantized per call. */
function project(x: Tensor, p: PackedWeight, reduceRange: boolean): Tensor {
  return p instanceof PackedLinear ? quantizedLinearDynamic(x, p, { reduceRange }) : quantizedLinearDynamicFp16(x, p);
}

/** The dtype a packed projection was built for. */
const dtypeOf = (p: PackedWeight): DType => (p instanceof PackedLinear ? qint8 : float16);

/**
 * The packed weights of one layer-direction (PyTorch's `CellParamsBase` from
 * `make_quantized_cell_params_dynamic` / `_fp16`).
 */
export class CellParams {
  /**
   * @param packedIh - Packed input-to-hidden weight and bias.
   * @param packedHh - Packed hidden-to-hidden weight and bias.
   * @param reduceRange - Quantize activations to 0..127 (fbgemm).
   */
  constructor(
    /** Packed input-to-hidden weight `[gates * hidden, input]` and bias. */
    readonly packedIh: PackedWeight,
    /** Packed hidden-to-hidden weight `[gates * hidden, hidden]` and bias. */
    readonly packedHh: PackedWeight,
    /** Quantize activations to 0..127 (fbgemm; qnnpack ignores it). */
    readonly reduceRange: boolean,
  ) {}

  /** `x @ weight_ih^T + bias_ih`, with x quantized dynamically (float in, float out). */
  linearIh(x: Tensor): Tensor {
    return project(x, this.packedIh, this.reduceRange);
  }

  /** `h @ weight_hh^T + bias_hh`, with h quantized dynamically (float in, float out). */
  linearHh(h: Tensor): Tensor {
    return project(h, this.packedHh, this.reduceRange);
  }

  /** Weights and biases as plain tensors (`weight_ih`, `weight_hh`, `bias_ih`, `bias_hh`). */
  tensors(): Record<string, Tensor | null> {
    const [wi, bi] = unpack(this.packedIh), [wh, bh] = unpack(this.packedHh);
    return { weight_ih: wi, weight_hh: wh, bias_ih: bi, bias_hh: bh };
  }
}

/** Holds one layer-direction's `CellParams` (`_all_weight_values.{k}`, PyTorch's PackedParameter). */
export class PackedParameter extends Module {
  /** @param param - The layer-direction's packed weights. */
  constructor(public param: CellParams) {
    super();
  }

  forward(x: Tensor): Tensor {
    return x;
  }

  override _saveToStateDict(dest: StateDict, prefix: string): void {
    for (const [k, v] of Object.entries(this.param.tensors())) if (v) dest[`${prefix}param.${k}`] = v;
  }

  override _loadFromStateDict(sd: StateDict, prefix: string, ctx: LoadContext): void {
    const get = (k: string): Tensor | undefined => sd[`${prefix}param.${k}`];
    const wi = get('weight_ih'), wh = get('weight_hh');
    if (!wi || !wh) {
      if (!wi) ctx.missingKeys.push(`${prefix}param.weight_ih`);
      if (!wh) ctx.missingKeys.push(`${prefix}param.weight_hh`);
    } else {
      try {
        const dtype = wi.isQuantized ? qint8 : float16;
        this.param = new CellParams(pack(wi, get('bias_ih') ?? null, dtype), pack(wh, get('bias_hh') ?? null, dtype), this.param.reduceRange);
      } catch (e) {
        ctx.errorMsgs.push(`While loading "${prefix}param": ${(e as Error).message}`);
      }
    }
    reportUnexpected(this, sd, prefix, ctx, ['param.weight_ih', 'param.weight_hh', 'param.bias_ih', 'param.bias_hh']);
  }
}

/** The dtype of the weight observer a float module's qconfig builds (qint8 or float16). */
function weightDtype(mod: Module, cls: string): DType {
  const probe = qconfigOf(mod, cls).weight() as { dtype?: DType };
  if (probe.dtype !== qint8 && probe.dtype !== float16) throw new QTorchTypeError(`${cls}.fromFloat(): Unsupported dtype for dynamic RNN quantization: ${String(probe.dtype)}`);
  return probe.dtype;
}

/** Quantizes (qint8) or keeps (float16) a float weight and packs it with its bias. */
function quantizeAndPack(mod: Module, w: Tensor, b: Tensor | null, dtype: DType, cls: string): PackedWeight {
  const wf = w.detach().to(float32);
  if (dtype !== qint8) return pack(wf, b ? b.detach() : null, dtype);
  const obs = qconfigOf(mod, cls).weight();
  if (!isObserverLike(obs)) throw new QTorchTypeError(`${cls}.fromFloat(): qconfig.weight() did not build an observer`);
  observe(obs, wf);
  return pack(quantizeWeight(wf, obs), b ? b.detach() : null, dtype);
}

/** Options of the dynamic LSTM / GRU (PyTorch's defaults). */
export interface DynamicRNNOptions {
  /** Number of stacked layers (default 1). */
  numLayers?: number;
  /** Whether the layers have biases (default true). */
  bias?: boolean;
  /** Input and output are [N, L, H] instead of [L, N, H] (default false). */
  batchFirst?: boolean;
  /** Accepted for API parity; dynamic modules run in inference only (no dropout). */
  dropout?: number;
  /** Run each layer in both directions (default false). */
  bidirectional?: boolean;
  /** qint8 (default) or float16 weights. */
  dtype?: DType;
}

/** Constructor arguments of the dynamic LSTM / GRU. */
export type DynamicRNNArgs = [inputSize: number, hiddenSize: number, options?: DynamicRNNOptions];

/** Multi-layer dynamic quantized LSTM / GRU: the shared layer loop, checks, state and repr. */
export abstract class RNNBase extends Module {
  /** @internal The float module class `fromFloat` accepts (PyTorch's `_FLOAT_MODULE`). */
  static _FLOAT_MODULE: ModuleClass = FloatLSTM;
  /** @internal State-dict version (PyTorch's `_version`), saved in metadata. */
  static _version = 2;
  /** `'LSTM'` or `'GRU'`. */
  readonly mode: 'LSTM' | 'GRU';
  /** Features of each input step. */
  readonly inputSize: number;
  /** Features of the hidden state. */
  readonly hiddenSize: number;
  /** Number of stacked layers. */
  readonly numLayers: number;
  /** Whether the layers have biases. */
  readonly bias: boolean;
  /** Whether input and output are [N, L, H]. */
  readonly batchFirst: boolean;
  /** Dropout probability (kept for state; not applied in inference). */
  readonly dropout: number;
  /** Whether each layer also runs backwards. */
  readonly bidirectional: boolean;
  /** Weight dtype: qint8 or float16. */
  readonly dtype: DType;
  /** PyTorch's module version: 2 packs cells with reduce_range. */
  version = 2;
  /** One PackedParameter per layer and direction (PyTorch's `_all_weight_values`). */
  _all_weight_values: ModuleList;

  protected constructor(mode: 'LSTM' | 'GRU', inputSize: number, hiddenSize: number, o: DynamicRNNOptions = {}) {
    checkOptions(o, new.target.name);
    super();
    const cls = (new.target as unknown as { _qualName: string })._qualName;
    this.mode = mode;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.numLayers = o.numLayers ?? 1;
    this.bias = o.bias ?? true;
    this.batchFirst = o.batchFirst ?? false;
    this.dropout = o.dropout ?? 0;
    this.bidirectional = o.bidirectional ?? false;
    this.dtype = o.dtype ?? qint8;
    this.training = false;
    if (!(this.dropout >= 0 && this.dropout <= 1)) throw new QTorchValueError(`${cls}(): dropout should be a number in range [0, 1] representing the probability of an element being zeroed`);
    if (this.dtype !== qint8 && this.dtype !== float16) throw new QTorchTypeError(`${cls}(): Unsupported dtype for dynamic RNN quantization: ${this.dtype.torchName}`);
    const gate = (mode === 'LSTM' ? 4 : 3) * hiddenSize;
    const cells: PackedParameter[] = [];
    for (let layer = 0; layer < this.numLayers; layer++) {
      for (let dir = 0; dir < this.numDirections; dir++) {
        const inSize = layer === 0 ? inputSize : hiddenSize * this.numDirections;
        // placeholders, as PyTorch's constructor: random weights (scale 0.1) until fromFloat / load
        const init = (rows: number, cols: number): Tensor => {
          const w = randn([rows, cols]);
          return this.dtype === qint8 ? quantizePerTensor(w, 0.1, 0, qint8) : w;
        };
        cells.push(new PackedParameter(new CellParams(
          pack(init(gate, inSize), this.bias ? randn([gate]) : null, this.dtype),
          pack(init(gate, hiddenSize), this.bias ? randn([gate]) : null, this.dtype),
          true,
        )));
      }
    }
    this._all_weight_values = new ModuleList(cells);
  }

  /** 2 for bidirectional layers, else 1. */
  get numDirections(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** The packed params of layer-direction `k`. */
  protected cell(k: number): CellParams {
    return (this._all_weight_values.at(k) as PackedParameter).param;
  }

  /** One step from the precomputed input projection `igates`: the new state ([h] or [h, c]). */
  protected abstract step(igates: Tensor, state: Tensor[], p: CellParams): Tensor[];

  /** Checks the input and the hidden states; returns the input as (L, N, H_in) and the states. */
  protected prepare(input: Tensor, hx: Tensor[] | null, nStates: number): { x: Tensor; states: Tensor[] } {
    const cls = moduleName(this);
    checkFloatInput(this, input);
    if (input.ndim !== 3) throw new QTorchShapeError(`${cls}: input must have 3 dimensions, got ${input.ndim} (shape ${fmtShape(input.shape)})`);
    if (input.shape[2] !== this.inputSize) throw new QTorchShapeError(`${cls}: input.size(-1) must be equal to input_size. Expected ${this.inputSize}, got ${input.shape[2]}`);
    const x = this.batchFirst ? input.transpose(0, 1) : input;
    const expected = [this.numLayers * this.numDirections, x.shape[1]!, this.hiddenSize];
    if (!hx) return { x, states: new Array(nStates).fill(0).map(() => zeros(expected)) };
    hx.forEach((h, k) => {
      if (h.ndim !== 3 || h.shape.some((s, i) => s !== expected[i])) {
        throw new QTorchShapeError(`${cls}: Expected hidden${nStates > 1 ? `[${k}]` : ''} size (${expected.join(', ')}), got ${fmtShape(h.shape)}`);
      }
    });
    return { x, states: hx };
  }

  /** Every layer and direction over (L, N, H_in); the output (L, N, D * H) and final states. */
  protected runLayers(x: Tensor, states0: Tensor[]): { output: Tensor; states: Tensor[] } {
    const params = Array.from({ length: this.numLayers * this.numDirections }, (_, k) => this.cell(k));
    // a native layer kernel (from an addon) runs each layer-direction's time loop in one call
    const kernel = nativeShapesOk(x, states0) ? nativeLayerKernel(params) : null;
    const cell: RnnCellKind = this.mode === 'LSTM' ? 'lstm' : 'gru';
    // nn's layer loop: per layer-direction the kernel, else the whole sequence projected at once,
    // as PyTorch's CPU FullLayer does (one set of activation qparams for all steps), then the
    // hidden projections per step
    const { output, states } = recurrentLayers(x, states0, {
      numLayers: this.numLayers,
      numDirections: this.numDirections,
      outputSize: this.hiddenSize,
      direction: (k) => {
        const p = params[k]!;
        return {
          project: (input) => p.linearIh(input),
          step: (igates, state) => this.step(igates, state, p),
          run: kernel ? (input, state, reverse) => runNativeDirection(kernel, cell, p, input, this.hiddenSize, state[0]!, state[1] ?? null, reverse) : undefined,
        };
      },
    });
    return { output: this.batchFirst ? output.transpose(0, 1).contiguous() : output, states };
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (!this.bias) s += `, bias=${pyBool(this.bias)}`;
    if (this.batchFirst) s += `, batch_first=${pyBool(this.batchFirst)}`;
    if (this.dropout !== 0) s += `, dropout=${pyFloat(this.dropout)}`;
    if (this.bidirectional) s += `, bidirectional=${pyBool(this.bidirectional)}`;
    return s;
  }

  override toString(): string {
    return `${moduleName(this)}(${this.extraRepr()})`;
  }

  /** `[weight, bias]` tensors of every layer-direction, by PyTorch's float parameter names. */
  weightsByName(): Record<string, Tensor | null> {
    const out: Record<string, Tensor | null> = {};
    for (let layer = 0; layer < this.numLayers; layer++) {
      for (let dir = 0; dir < this.numDirections; dir++) {
        const t = this.cell(layer * this.numDirections + dir).tensors();
        const suffix = `_l${layer}${dir === 1 ? '_reverse' : ''}`;
        for (const [k, v] of Object.entries(t)) out[k + suffix] = v;
      }
    }
    return out;
  }

  /**
   * Quantizes a float LSTM / GRU carrying a qconfig (weight observer qint8, or float16): one
   * observer per weight matrix, biases packed with their weights.
   */
  static fromFloat(mod: Module): RNNBase {
    const self = this as unknown as { _qualName: string; _FLOAT_MODULE: ModuleClass } & (new (i: number, h: number, o: DynamicRNNOptions) => RNNBase);
    const cls = self._qualName;
    if (typeOf(mod) !== self._FLOAT_MODULE) throw new QTorchTypeError(`${cls}.fromFloat(): only works for ${self._FLOAT_MODULE.name}, but got: ${moduleName(mod)}`);
    const f = mod as unknown as FloatLSTM & Record<string, Tensor | null>;
    if (!f.bias) throw new QTorchValueError(`${cls}.fromFloat(): the float module must have biases`);
    if (f.projSize > 0) throw new QTorchValueError(`${cls}.fromFloat(): LSTM projections (proj_size) have no dynamic quantized kernel`);
    const dtype = weightDtype(mod, cls);
    const q = new self(f.inputSize, f.hiddenSize, {
      numLayers: f.numLayers, bias: f.bias, batchFirst: f.batchFirst, dropout: f.dropout, bidirectional: f.bidirectional, dtype,
    });
    const cells: PackedParameter[] = [];
    for (let layer = 0; layer < q.numLayers; layer++) {
      for (let dir = 0; dir < q.numDirections; dir++) {
        const sfx = `_l${layer}${dir === 1 ? '_reverse' : ''}`;
        const packed = (ihhh: string): PackedWeight => quantizeAndPack(mod, f[`weight_${ihhh}${sfx}`]!, f[`bias_${ihhh}${sfx}`] ?? null, dtype, cls);
        cells.push(new PackedParameter(new CellParams(packed('ih'), packed('hh'), q.version >= 2)));
      }
    }
    q._all_weight_values = new ModuleList(cells);
    return q;
  }
}

/**
 * Dynamic quantized LSTM: `call(input, [h0, c0]?)` -> `[output, [hN, cN]]`.
 * @example const [out, [h, c]] = lstm.call(x);
 */
export class LSTM extends RNNBase {
  /** @internal PyTorch's class name, used in messages and saved graphs. */
  static _qualName = 'DynamicQuantizedLSTM';
  /** @internal The float module class `fromFloat` accepts (PyTorch's `_FLOAT_MODULE`). */
  static override _FLOAT_MODULE: ModuleClass = FloatLSTM;

  /** Same arguments as torch.ao.nn.quantized.dynamic.LSTM: `(inputSize, hiddenSize, options)`. */
  constructor(...args: DynamicRNNArgs) {
    super('LSTM', ...args);
  }

  protected step(igates: Tensor, [h, c]: Tensor[], p: CellParams): Tensor[] {
    return lstmGates(igates, p.linearHh(h!), c!);
  }

  forward(input: Tensor, hx: [Tensor, Tensor] | null = null): [Tensor, [Tensor, Tensor]] {
    const { x, states } = this.prepare(input, hx, 2);
    const { output, states: [h, c] } = this.runLayers(x, states);
    return [output, [h!, c!]];
  }
}

/**
 * Dynamic quantized GRU: `call(input, h0?)` -> `[output, hN]`.
 * @example const [out, h] = gru.call(x);
 */
export class GRU extends RNNBase {
  /** @internal PyTorch's class name, used in messages and saved graphs. */
  static _qualName = 'DynamicQuantizedGRU';
  /** @internal The float module class `fromFloat` accepts (PyTorch's `_FLOAT_MODULE`). */
  static override _FLOAT_MODULE: ModuleClass = FloatGRU;

  /** Same arguments as torch.ao.nn.quantized.dynamic.GRU: `(inputSize, hiddenSize, options)`. */
  constructor(...args: DynamicRNNArgs) {
    super('GRU', ...args);
  }

  protected step(igates: Tensor, [h]: Tensor[], p: CellParams): Tensor[] {
    return [gruGates(igates, p.linearHh(h!), h!)];
  }

  forward(input: Tensor, hx: Tensor | null = null): [Tensor, Tensor] {
    const { x, states } = this.prepare(input, hx ? [hx] : null, 1);
    const { output, states: [h] } = this.runLayers(x, states);
    return [output, h!];
  }
}

/** Options of the dynamic cells. */
export interface DynamicRNNCellOptions {
  /** Whether the cell has biases (default true). */
  bias?: boolean;
  /** qint8 (default) or float16 weights. */
  dtype?: DType;
}

/** Constructor arguments of the dynamic LSTM / GRU cells. */
export type DynamicRNNCellArgs = [inputSize: number, hiddenSize: number, options?: DynamicRNNCellOptions];

/** The dynamic cells' packed weights, checks, state and repr (PyTorch's RNNCellBase). */
export abstract class RNNCellBase extends Module {
  /** @internal The float module class `fromFloat` accepts (PyTorch's `_FLOAT_MODULE`). */
  static _FLOAT_MODULE: ModuleClass = FloatRNNCell;
  /** Features of the input. */
  readonly inputSize: number;
  /** Features of the hidden state. */
  readonly hiddenSize: number;
  /** Whether the cell has biases. */
  readonly bias: boolean;
  /** Weight dtype: qint8 or float16. */
  weightDtype: DType;
  /** Packed `weight_ih` with `bias_ih`. */
  _packed_weight_ih: PackedWeight;
  /** Packed `weight_hh` with `bias_hh`. */
  _packed_weight_hh: PackedWeight;

  protected constructor(numChunks: number, inputSize: number, hiddenSize: number, o: DynamicRNNCellOptions = {}) {
    checkOptions(o, new.target.name);
    super();
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.bias = o.bias ?? true;
    this.weightDtype = o.dtype ?? qint8;
    const cls = (new.target as unknown as { _qualName: string })._qualName;
    if (this.weightDtype !== qint8 && this.weightDtype !== float16) throw new QTorchTypeError(`${cls}(): Unsupported dtype for dynamic RNN quantization: ${this.weightDtype.torchName}`);
    const init = (cols: number): Tensor => {
      const w = randn([numChunks * hiddenSize, cols]);
      return this.weightDtype === qint8 ? quantizePerTensor(w, 1, 0, qint8) : w;
    };
    const b = (): Tensor | null => (this.bias ? randn([numChunks * hiddenSize]) : null);
    this._packed_weight_ih = pack(init(inputSize), b(), this.weightDtype);
    this._packed_weight_hh = pack(init(hiddenSize), b(), this.weightDtype);
  }

  /** The step params (reduce_range on, as PyTorch 1.13's dynamic cell ops: golden `*cell*@onednn`). */
  protected params(): CellParams {
    return new CellParams(this._packed_weight_ih, this._packed_weight_hh, true);
  }

  /**
   * One step on the native layer kernel when an addon registered it (qint8 weights, float32
   * tensors): the new states ([h] or [h, c]); null when the reference path must run.
   */
  protected nativeStep(cell: RnnCellKind, input: Tensor, states: Tensor[]): Tensor[] | null {
    const p = this.params();
    const kernel = nativeShapesOk(input, states) ? nativeLayerKernel([p]) : null;
    if (!kernel) return null;
    const [h, c] = states.map((s) => s.contiguous());
    return runNativeDirection(kernel, cell, p, input.unsqueeze(0), this.hiddenSize, h!, c ?? null, false).state;
  }

  /** Checks input (N, H_in) and a hidden state (N, H) (zeros when null). */
  protected checked(input: Tensor, hx: Tensor | null, what: string): Tensor {
    const cls = moduleName(this);
    checkFloatInput(this, input);
    if (input.ndim !== 2 || input.shape[1] !== this.inputSize) {
      throw new QTorchShapeError(`${cls}: input has inconsistent input_size: got ${input.shape[input.ndim - 1]} expected ${this.inputSize} (input ${fmtShape(input.shape)}, expected [N, ${this.inputSize}])`);
    }
    if (!hx) return zeros([input.shape[0]!, this.hiddenSize]);
    if (hx.ndim !== 2 || hx.shape[0] !== input.shape[0] || hx.shape[1] !== this.hiddenSize) {
      throw new QTorchShapeError(`${cls}: Expected hidden${what} size (${input.shape[0]}, ${this.hiddenSize}), got ${fmtShape(hx.shape)}`);
    }
    return hx;
  }

  /** The quantized weights and float biases (`weight_ih`, `weight_hh`, `bias_ih`, `bias_hh`). */
  weights(): Record<string, Tensor | null> {
    return this.params().tensors();
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}, dtype=${this.weightDtype.torchName}`;
    if (!this.bias) s += ', bias=False';
    const nl = (this as { nonlinearity?: string }).nonlinearity;
    if (nl !== undefined && nl !== 'tanh') s += `, nonlinearity=${nl}`;
    return s;
  }

  override _saveToStateDict(dest: StateDict, prefix: string): void {
    for (const [name, p] of [['_packed_weight_ih', this._packed_weight_ih], ['_packed_weight_hh', this._packed_weight_hh]] as const) {
      const [w, b] = unpack(p);
      dest[`${prefix}${name}.weight`] = w;
      if (b) dest[`${prefix}${name}.bias`] = b;
    }
  }

  override _loadFromStateDict(sd: StateDict, prefix: string, ctx: LoadContext): void {
    const load = (name: string): PackedWeight | undefined => {
      const w = sd[`${prefix}${name}.weight`];
      if (!w) {
        ctx.missingKeys.push(`${prefix}${name}.weight`);
        return undefined;
      }
      try {
        return pack(w, sd[`${prefix}${name}.bias`] ?? null, w.isQuantized ? qint8 : float16);
      } catch (e) {
        ctx.errorMsgs.push(`While loading "${prefix}${name}": ${(e as Error).message}`);
        return undefined;
      }
    };
    const ih = load('_packed_weight_ih'), hh = load('_packed_weight_hh');
    if (ih && hh) [this._packed_weight_ih, this._packed_weight_hh, this.weightDtype] = [ih, hh, dtypeOf(ih)];
    reportUnexpected(this, sd, prefix, ctx, ['_packed_weight_ih.weight', '_packed_weight_ih.bias', '_packed_weight_hh.weight', '_packed_weight_hh.bias']);
  }

  /** Builds the dynamic cell from a float cell carrying a qconfig. */
  static fromFloat(mod: Module): RNNCellBase {
    const self = this as unknown as { _qualName: string; _FLOAT_MODULE: ModuleClass } & (new (i: number, h: number, o: DynamicRNNCellOptions & { nonlinearity?: 'tanh' | 'relu' }) => RNNCellBase);
    const cls = self._qualName;
    if (typeOf(mod) !== self._FLOAT_MODULE) throw new QTorchTypeError(`${cls}.fromFloat(): only works for ${self._FLOAT_MODULE.name}, but got: ${moduleName(mod)}`);
    const f = mod as unknown as FloatRNNCell & { nonlinearity?: 'tanh' | 'relu' };
    const dtype = weightDtype(mod, cls);
    const q = new self(f.inputSize, f.hiddenSize, { bias: f.bias, dtype, nonlinearity: f.nonlinearity });
    q._packed_weight_ih = quantizeAndPack(mod, f.weight_ih, f.bias_ih, dtype, cls);
    q._packed_weight_hh = quantizeAndPack(mod, f.weight_hh, f.bias_hh, dtype, cls);
    return q;
  }
}

/** Dynamic quantized Elman cell: `h' = tanh|relu(x W_ih^T + b_ih + h W_hh^T + b_hh)`. */
export class RNNCell extends RNNCellBase {
  /** @internal PyTorch's class name, used in messages and saved graphs. */
  static _qualName = 'DynamicQuantizedRNNCell';
  /** @internal The float module class `fromFloat` accepts (PyTorch's `_FLOAT_MODULE`). */
  static override _FLOAT_MODULE: ModuleClass = FloatRNNCell;
  /** `'tanh'` (default) or `'relu'`. */
  readonly nonlinearity: 'tanh' | 'relu';

  /**
   * @param inputSize - Features of the input.
   * @param hiddenSize - Features of the hidden state.
   * @param options - `bias`, `dtype` (qint8 or float16) and `nonlinearity`.
   */
  constructor(inputSize: number, hiddenSize: number, options: DynamicRNNCellOptions & { nonlinearity?: 'tanh' | 'relu' } = {}) {
    super(1, inputSize, hiddenSize, options);
    this.nonlinearity = options.nonlinearity ?? 'tanh';
    if (this.nonlinearity !== 'tanh' && this.nonlinearity !== 'relu') throw new QTorchValueError(`DynamicQuantizedRNNCell(): Unknown nonlinearity: ${String(this.nonlinearity)}`);
  }

  forward(input: Tensor, hx: Tensor | null = null): Tensor {
    const h = this.checked(input, hx, '');
    const native = this.nativeStep(this.nonlinearity === 'tanh' ? 'rnn_tanh' : 'rnn_relu', input, [h]);
    if (native) return native[0]!;
    const p = this.params();
    return rnnGates(p.linearIh(input), p.linearHh(h), this.nonlinearity);
  }
}

/** Dynamic quantized LSTM cell: `call(input, [h, c]?)` -> `[h', c']`. */
export class LSTMCell extends RNNCellBase {
  /** @internal PyTorch's class name, used in messages and saved graphs. */
  static _qualName = 'DynamicQuantizedLSTMCell';
  /** @internal The float module class `fromFloat` accepts (PyTorch's `_FLOAT_MODULE`). */
  static override _FLOAT_MODULE: ModuleClass = FloatLSTMCell;

  /** Same arguments as torch.ao.nn.quantized.dynamic.LSTMCell: `(inputSize, hiddenSize, options)`. */
  constructor(...args: DynamicRNNCellArgs) {
    super(4, ...args);
  }

  forward(input: Tensor, hx: [Tensor, Tensor] | null = null): [Tensor, Tensor] {
    const h = this.checked(input, hx ? hx[0] : null, '[0]');
    const c = this.checked(input, hx ? hx[1] : null, '[1]');
    const native = this.nativeStep('lstm', input, [h, c]);
    if (native) return [native[0]!, native[1]!];
    const p = this.params();
    return lstmGates(p.linearIh(input), p.linearHh(h), c);
  }
}

/** Dynamic quantized GRU cell: `call(input, h?)` -> `h'`. */
export class GRUCell extends RNNCellBase {
  /** @internal PyTorch's class name, used in messages and saved graphs. */
  static _qualName = 'DynamicQuantizedGRUCell';
  /** @internal The float module class `fromFloat` accepts (PyTorch's `_FLOAT_MODULE`). */
  static override _FLOAT_MODULE: ModuleClass = FloatGRUCell;

  /** Same arguments as torch.ao.nn.quantized.dynamic.GRUCell: `(inputSize, hiddenSize, options)`. */
  constructor(...args: DynamicRNNCellArgs) {
    super(3, ...args);
  }

  forward(input: Tensor, hx: Tensor | null = null): Tensor {
    const h = this.checked(input, hx, '');
    const native = this.nativeStep('gru', input, [h]);
    if (native) return native[0]!;
    const p = this.params();
    return gruGates(p.linearIh(input), p.linearHh(h), h);
  }
}
