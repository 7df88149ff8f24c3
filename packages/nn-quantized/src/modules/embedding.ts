/**
 * Quantized Embedding / EmbeddingBag (torch.ao.nn.quantized): a quint8 or quint4x2 table
 * quantized per row with float qparams (`float_qparams_weight_only_qconfig`), packed row-wise;
 * float indices in, float rows out.
 *
 * State dict (PyTorch's key): `_packed_params._packed_weight` = the quantized table
 * (PyTorch also writes `_packed_params.dtype`; the table's dtype carries it here).
 */
import {
  checkOptions, type DType, type EmbeddingPackedParams as PackedEmbedding, QTorchTypeError, QTorchValueError, type Tensor,
  _emptyPerChannelAffineQuantized, embeddingBagPrepack, fmtShape, float32, ones, quantizedEmbedding4bit, quantizedEmbeddingBag4bit,
  quantizedEmbeddingBagByte, quantizedEmbeddingByte, quint4x2, quint8, zeros,
} from '@qtorch/qtensor';
import {
  Embedding as FloatEmbedding, EmbeddingBag as FloatEmbeddingBag, type LoadContext, Module, type ModuleClass, type StateDict, moduleName, typeOf,
} from '@qtorch/nn';
import { reprHiding } from './repr.js';
import { reportUnexpected } from './state.js';
import { floatWeight, quantizeWeight, torchQscheme, weightObserver } from './utils.js';

const TABLE_DTYPES: readonly DType[] = [quint8, quint4x2];

function checkDtype(dtype: DType, cls: string): void {
  if (!TABLE_DTYPES.includes(dtype)) throw new QTorchTypeError(`${cls}(): Unsupported dtype on quantized embedding! Supports quint8 and quint4x2. Got dtype: ${dtype.torchName}`);
}

/** An all-zero table with unit scales (what PyTorch starts the modules with). */
const emptyTable = (rows: number, dim: number, dtype: DType): Tensor =>
  _emptyPerChannelAffineQuantized([rows, dim], { scales: ones([rows]), zeroPoints: zeros([rows], { dtype: float32 }), axis: 0, dtype });

/** Holds the packed table (`_packed_params`). */
export class EmbeddingPackedParams extends Module {
  /** Table dtype: quint8 or quint4x2. */
  dtype: DType;
  /** The packed table (PyTorch's attribute name). */
  _packed_weight!: PackedEmbedding;

  /**
   * @param numEmbeddings - Rows of the table.
   * @param embeddingDim - Size of each row.
   * @param dtype - quint8 (default) or quint4x2.
   * @throws QTorchTypeError for another dtype.
   */
  constructor(numEmbeddings: number, embeddingDim: number, dtype: DType = quint8) {
    super();
    checkDtype(dtype, 'EmbeddingPackedParams');
    this.dtype = dtype;
    this.setWeight(emptyTable(numEmbeddings, embeddingDim, dtype));
  }

  /** Packs a quantized table (quint8 / quint4x2, per-row float qparams). */
  setWeight(weight: Tensor): void {
    this._packed_weight = embeddingBagPrepack(weight);
    this.dtype = weight.dtype;
  }

  /** The quantized table. */
  _weight(): Tensor {
    return this._packed_weight.unpack();
  }

  forward(x: Tensor): Tensor {
    return x;
  }

  override _saveToStateDict(dest: StateDict, prefix: string): void {
    dest[`${prefix}_packed_weight`] = this._weight();
  }

  override _loadFromStateDict(sd: StateDict, prefix: string, ctx: LoadContext): void {
    const w = sd[`${prefix}_packed_weight`];
    if (w === undefined) ctx.missingKeys.push(`${prefix}_packed_weight`);
    else {
      try {
        this.setWeight(w);
      } catch (e) {
        ctx.errorMsgs.push(`While loading "${prefix}_packed_weight" (${fmtShape(w.shape)}): ${(e as Error).message}`);
      }
    }
    reportUnexpected(this, sd, prefix, ctx, ['_packed_weight', 'dtype']);
  }

  override toString(): string {
    return this._weight().toString();
  }
}

/** Options of the quantized Embedding (PyTorch's keyword arguments; the float-only ones are accepted and unused). */
export interface QuantizedEmbeddingOptions {
  /** Row whose lookups are zero (PyTorch stores it; the quantized lookup does not special-case it). */
  paddingIdx?: number | null;
  /** Accepted for parity; quantized tables are not renormalized. */
  maxNorm?: number | null;
  /** Accepted for parity (default 2). */
  normType?: number;
  /** Accepted for parity (inference only). */
  scaleGradByFreq?: boolean;
  /** Accepted for parity (inference only). */
  sparse?: boolean;
  /** A quantized `[numEmbeddings, embeddingDim]` table to start from. */
  _weight?: Tensor | null;
  /** quint8 (default) or quint4x2. */
  dtype?: DType;
}

/**
 * Row lookup in a quantized table: integer indices of any shape in, float `[..., embeddingDim]` out.
 * @example const qe = Embedding.fromFloat(floatEmbeddingWithQconfig); qe.call(indices);
 */
export class Embedding extends Module {
  /** @internal PyTorch's class name, used in messages and saved graphs. */
  static _qualName = 'QuantizedEmbedding';
  /** @internal The float module class `fromFloat` accepts (PyTorch's `_FLOAT_MODULE`). */
  static _FLOAT_MODULE: ModuleClass = FloatEmbedding;

  /** Rows of the table. */
  numEmbeddings: number;
  /** Size of each row. */
  embeddingDim: number;
  /** Table dtype: quint8 or quint4x2. */
  dtype: DType;
  /** The packed table (PyTorch's attribute name). */
  _packed_params: EmbeddingPackedParams;

  /**
   * @param numEmbeddings - Rows of the table.
   * @param embeddingDim - Size of each row.
   * @param options - `dtype` (quint8 default, or quint4x2) and torch.nn.Embedding's options.
   */
  constructor(numEmbeddings: number, embeddingDim: number, options: QuantizedEmbeddingOptions = {}) {
    checkOptions(options, new.target.name);
    super();
    const cls = new.target._qualName;
    const dtype = options.dtype ?? quint8;
    checkDtype(dtype, cls);
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.dtype = dtype;
    const w = options._weight ?? emptyTable(numEmbeddings, embeddingDim, dtype);
    if (w.ndim !== 2 || w.shape[0] !== numEmbeddings || w.shape[1] !== embeddingDim) {
      throw new QTorchValueError(`${cls}(): Shape of weight does not match num_embeddings and embedding_dim: expected [${numEmbeddings}, ${embeddingDim}], got ${fmtShape(w.shape)}`);
    }
    this._packed_params = new EmbeddingPackedParams(numEmbeddings, embeddingDim, dtype);
    this._packed_params.setWeight(w);
  }

  forward(indices: Tensor): Tensor {
    const p = this._packed_params._packed_weight;
    return p.bitRate === 4 ? quantizedEmbedding4bit(p, indices) : quantizedEmbeddingByte(p, indices);
  }

  /** Replaces the quantized table. */
  setWeight(w: Tensor): void {
    this._packed_params.setWeight(w);
    this.dtype = w.dtype;
  }

  /** The quantized table. */
  weight(): Tensor {
    return this._packed_params._weight();
  }

  override extraRepr(): string {
    return `num_embeddings=${this.numEmbeddings}, embedding_dim=${this.embeddingDim}, dtype=${this._packed_params.dtype.torchName}, qscheme=${torchQscheme(this.weight())}`;
  }

  override toString(): string {
    return reprHiding(this, '_packed_params');
  }

  override _loadFromStateDict(sd: StateDict, prefix: string, ctx: LoadContext): void {
    super._loadFromStateDict(sd, prefix, ctx);
    this.dtype = this._packed_params.dtype;
  }

  /** Quantizes the float module's table with its weight observer (which must use float qparams). */
  protected static quantizedTable(mod: Module, floatCls: ModuleClass, cls: string): Tensor {
    const qat = (mod as unknown as { weight_fake_quant?: unknown }).weight_fake_quant !== undefined;
    if (!qat && typeOf(mod) !== floatCls) throw new QTorchTypeError(`${cls}.fromFloat(): only works for ${floatCls.name}, but got: ${moduleName(mod)}`);
    const w = floatWeight((mod as unknown as FloatEmbedding).weight, cls);
    const obs = weightObserver(mod, w, mod, cls);
    if (obs.qscheme !== 'per_channel_affine_float_qparams') {
      throw new QTorchValueError(`${cls}.fromFloat(): Embedding quantization is only supported with float_qparams_weight_only_qconfig (per_channel_affine_float_qparams weights), got ${String(obs.qscheme)}`);
    }
    checkDtype(obs.dtype, cls);
    return quantizeWeight(w, obs);
  }

  /** From a float Embedding with a float-qparams weight qconfig (or a QAT Embedding). */
  static fromFloat(mod: Module): Embedding {
    const table = this.quantizedTable(mod, this._FLOAT_MODULE, this._qualName);
    const f = mod as unknown as FloatEmbedding;
    return new Embedding(f.numEmbeddings, f.embeddingDim, { _weight: table, dtype: table.dtype });
  }
}

/** Options of the quantized EmbeddingBag. */
export interface QuantizedEmbeddingBagOptions extends Omit<QuantizedEmbeddingOptions, 'paddingIdx'> {
  /** Only 'sum' (PyTorch 1.13's quantized lookups always sum). */
  mode?: 'sum';
  /** Whether `offsets` ends with the input's length (default false). */
  includeLastOffset?: boolean;
}

/**
 * Sums bags of rows of a quantized table: 1-d indices with `offsets`, or 2-d indices (one bag
 * per row). Only `mode: 'sum'`: PyTorch 1.13's kernels ignore the mode and always sum, so a
 * mean / max bag is refused here instead of silently summed.
 */
export class EmbeddingBag extends Embedding {
  /** @internal PyTorch's class name, used in messages and saved graphs. */
  static override _qualName = 'QuantizedEmbeddingBag';
  /** @internal The float module class `fromFloat` accepts (PyTorch's `_FLOAT_MODULE`). */
  static override _FLOAT_MODULE: ModuleClass = FloatEmbeddingBag;

  /** Only `'sum'` is supported by the quantized lookup, as in PyTorch. */
  mode: 'sum';
  /** Whether the table is pruned (lookups go through a compressed index mapping). */
  prunedWeights = false;
  /** Whether `offsets` ends with the input's length. */
  includeLastOffset: boolean;

  /**
   * @param numEmbeddings - Rows of the table.
   * @param embeddingDim - Size of each row.
   * @param options - `mode` (only `'sum'`), `includeLastOffset`, `dtype` (quint8 or quint4x2).
   */
  constructor(numEmbeddings: number, embeddingDim: number, options: QuantizedEmbeddingBagOptions = {}) {
    checkOptions(options, new.target.name);
    super(numEmbeddings, embeddingDim, options);
    if ((options.mode ?? 'sum') !== 'sum') throw new QTorchValueError(`QuantizedEmbeddingBag(): only mode='sum' is supported by the quantized kernels, got '${String(options.mode)}'`);
    this.mode = 'sum';
    this.includeLastOffset = options.includeLastOffset ?? false;
  }

  override forward(indices: Tensor, offsets: Tensor | null = null, perSampleWeights: Tensor | null = null, compressedIndicesMapping: Tensor | null = null): Tensor {
    const p = this._packed_params._packed_weight;
    const opts = { offsets, perSampleWeights, compressedIndicesMapping, prunedWeights: this.prunedWeights, includeLastOffset: this.includeLastOffset };
    return p.bitRate === 4 ? quantizedEmbeddingBag4bit(p, indices, opts) : quantizedEmbeddingBagByte(p, indices, opts);
  }

  /** From a float EmbeddingBag (mode 'sum') with a float-qparams weight qconfig. */
  static override fromFloat(mod: Module): EmbeddingBag {
    const f = mod as unknown as FloatEmbeddingBag;
    if (f.mode !== 'sum') throw new QTorchValueError(`QuantizedEmbeddingBag.fromFloat(): only mode='sum' can be quantized (PyTorch 1.13 would silently sum a '${f.mode}' bag), got '${f.mode}'`);
    const table = this.quantizedTable(mod, this._FLOAT_MODULE, this._qualName);
    return new EmbeddingBag(f.numEmbeddings, f.embeddingDim, { _weight: table, dtype: table.dtype, includeLastOffset: f.includeLastOffset });
  }
}
