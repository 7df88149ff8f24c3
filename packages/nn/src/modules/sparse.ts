/** Embedding and EmbeddingBag (torch.nn.modules.sparse): lookup tables initialised N(0, 1). */
import { assertTensor, checkOptions, QTorchShapeError, QTorchValueError, type Tensor, empty, fmtShape, noGrad } from '@qtorch/qtensor';
import * as F from '../functional/index.js';
import { normal_ } from '../init/index.js';
import { writeInto } from '../init/fill.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { checkPositiveInt } from './linear.js';
import { pyBool, pyFloat } from './_repr.js';

/** Options shared by Embedding and EmbeddingBag. */
export interface EmbeddingCommonOptions {
  /** Row that gets no gradient and starts as zeros (may be negative, counted from the end). */
  paddingIdx?: number | null;
  /** Looked-up rows with a larger `normType`-norm are rescaled in place to this norm. */
  maxNorm?: number | null;
  /** The p of the max-norm (default 2). */
  normType?: number;
  /** Scale gradients by inverse word frequency in the batch (not supported: throws when used). */
  scaleGradByFreq?: boolean;
  /** Accepted for API parity; gradients are always dense. */
  sparse?: boolean;
  /** Use this [numEmbeddings, embeddingDim] tensor as the weight instead of a random one. */
  _weight?: Tensor | null;
}

/** Normalizes a padding index into [0, numEmbeddings). */
function resolvePaddingIdx(paddingIdx: number | null | undefined, numEmbeddings: number, cls: string): number | null {
  if (paddingIdx === null || paddingIdx === undefined) return null;
  if (!Number.isInteger(paddingIdx) || paddingIdx >= numEmbeddings || paddingIdx < -numEmbeddings) {
    throw new QTorchValueError(`${cls}(): Padding_idx must be within num_embeddings (got ${paddingIdx} for ${numEmbeddings} embeddings)`);
  }
  return paddingIdx < 0 ? numEmbeddings + paddingIdx : paddingIdx;
}

/** Lookup-table state, init, max-norm handling and repr shared by Embedding and EmbeddingBag. @internal */
export abstract class _EmbeddingBase extends Module {
  numEmbeddings: number;
  embeddingDim: number;
  paddingIdx: number | null;
  maxNorm: number | null;
  normType: number;
  scaleGradByFreq: boolean;
  sparse: boolean;
  weight: Parameter;

  protected constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingCommonOptions) {
    super();
    const cls = new.target.name;
    checkPositiveInt(numEmbeddings, 'num_embeddings', cls, true);
    checkPositiveInt(embeddingDim, 'embedding_dim', cls, true);
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.paddingIdx = resolvePaddingIdx(options.paddingIdx, numEmbeddings, cls);
    this.maxNorm = options.maxNorm ?? null;
    this.normType = options.normType ?? 2;
    this.scaleGradByFreq = options.scaleGradByFreq ?? false;
    this.sparse = options.sparse ?? false;
    const given = options._weight ?? null;
    if (given && (given.ndim !== 2 || given.shape[0] !== numEmbeddings || given.shape[1] !== embeddingDim)) {
      throw new QTorchShapeError(`${cls}(): Shape of weight does not match num_embeddings and embedding_dim: expected [${numEmbeddings}, ${embeddingDim}], got ${fmtShape(given.shape)}`);
    }
    this.weight = new Parameter(given ?? empty([numEmbeddings, embeddingDim]));
    if (!given) this.resetParameters();
  }

  /** Re-draws the weight from N(0, 1) and zeroes the padding row. */
  resetParameters(): void {
    normal_(this.weight);
    this.fillPaddingIdxWithZero();
  }

  protected fillPaddingIdxWithZero(): void {
    if (this.paddingIdx === null) return;
    const dim = this.embeddingDim, row = this.paddingIdx;
    const v = Float64Array.from(this.weight.values());
    v.fill(0, row * dim, (row + 1) * dim);
    writeInto(this.weight, v);
  }

  /** Checks unsupported flags and applies max-norm renormalization to the rows `indices` touches. */
  protected prepareLookup(indices: Tensor): void {
    if (this.scaleGradByFreq) {
      throw new QTorchValueError(`${this.constructor.name}: scaleGradByFreq is not supported by qtorch's embedding kernels`);
    }
    if (this.maxNorm !== null) embeddingRenorm_(this.weight, indices, this.maxNorm, this.normType);
  }

  /** The parts of the repr that Embedding and EmbeddingBag share after the sizes. */
  protected normRepr(): string {
    let s = '';
    if (this.maxNorm !== null) s += `, max_norm=${pyFloat(this.maxNorm)}`;
    if (this.normType !== 2) s += `, norm_type=${pyFloat(this.normType)}`;
    if (this.scaleGradByFreq) s += `, scale_grad_by_freq=${pyBool(this.scaleGradByFreq)}`;
    return s;
  }
}

/**
 * PyTorch's `embedding_renorm_`: every row referenced by `indices` whose p-norm exceeds
 * `maxNorm` is scaled in place to `maxNorm / (norm + 1e-7)` times itself.
 */
function embeddingRenorm_(weight: Tensor, indices: Tensor, maxNorm: number, p: number): void {
  const dim = weight.shape[1]!;
  const v = Float64Array.from(weight.values());
  let changed = false;
  for (const row of new Set(Array.from(indices.values()))) {
    let norm = 0;
    for (let j = 0; j < dim; j++) norm += Math.abs(v[row * dim + j]!) ** p;
    norm = norm ** (1 / p);
    if (norm > maxNorm) {
      const scale = maxNorm / (norm + 1e-7);
      for (let j = 0; j < dim; j++) v[row * dim + j]! *= scale;
      changed = true;
    }
  }
  if (changed) noGrad(() => writeInto(weight, v));
}

/** Options of `Embedding.fromPretrained`. */
export interface FromPretrainedOptions extends Omit<EmbeddingCommonOptions, '_weight'> {
  /** Keep the weight fixed (requiresGrad false; default true). */
  freeze?: boolean;
}

/**
 * Looks up rows of `weight` [numEmbeddings, embeddingDim] for integer indices of any shape.
 * @example new Embedding(10, 3).call(tensor([[1, 2], [4, 5]], { dtype: int64 }))
 */
export class Embedding extends _EmbeddingBase {
  /**
   * @param numEmbeddings - Number of rows of the table.
   * @param embeddingDim - Size of each row.
   * @param options - `paddingIdx`, `maxNorm`, `normType`, `scaleGradByFreq`, `sparse`.
   */
  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingCommonOptions = {}) {
    checkOptions(options, new.target.name);
    super(numEmbeddings, embeddingDim, options);
  }

  /** An Embedding whose weight is `embeddings` (shared, not copied), frozen unless `freeze: false`. */
  static fromPretrained(embeddings: Tensor, options: FromPretrainedOptions = {}): Embedding {
    if (embeddings.ndim !== 2) throw new QTorchShapeError(`Embedding.fromPretrained(): Embeddings parameter is expected to be 2-dimensional, got ${fmtShape(embeddings.shape)}`);
    const { freeze = true, ...rest } = options;
    const emb = new Embedding(embeddings.shape[0]!, embeddings.shape[1]!, { ...rest, _weight: embeddings });
    emb.weight.requiresGrad = !freeze;
    return emb;
  }

  forward(input: Tensor): Tensor {
    assertTensor(input, `${this.constructor.name}.forward`);
    this.prepareLookup(input);
    return F.embedding(input, this.weight, { paddingIdx: this.paddingIdx });
  }

  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    s += this.normRepr();
    if (this.sparse) s += ', sparse=True';
    return s;
  }
}

/** Options of EmbeddingBag. */
export interface EmbeddingBagModuleOptions extends EmbeddingCommonOptions {
  /** How a bag's rows combine (default 'mean'). */
  mode?: 'sum' | 'mean' | 'max';
  /** The last offset marks the end of the last bag (default false). */
  includeLastOffset?: boolean;
}

/** Sums, averages or max-pools bags of embedding rows without materialising them (one row per bag). */
export class EmbeddingBag extends _EmbeddingBase {
  /** How each bag's rows are combined. */
  mode: 'sum' | 'mean' | 'max';
  /** Whether `offsets` has a final entry equal to the input's length (the CSR convention). */
  includeLastOffset: boolean;

  /**
   * @param numEmbeddings - Number of rows of the table.
   * @param embeddingDim - Size of each row.
   * @param options - `mode` (default `'mean'`), `includeLastOffset`, `paddingIdx`, `maxNorm`, ...
   */
  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingBagModuleOptions = {}) {
    checkOptions(options, new.target.name);
    super(numEmbeddings, embeddingDim, options);
    this.mode = options.mode ?? 'mean';
    this.includeLastOffset = options.includeLastOffset ?? false;
  }

  /**
   * `input` is 2-D (B fixed-length bags) or 1-D with `offsets` (bag starts). Optional arguments
   * are positional, as in PyTorch's `forward`, so hooks see them in `inputs`.
   */
  forward(input: Tensor, offsets: Tensor | null = null, perSampleWeights: Tensor | null = null): Tensor {
    this.prepareLookup(input);
    return F.embeddingBag(input, this.weight, {
      offsets, perSampleWeights, mode: this.mode,
      includeLastOffset: this.includeLastOffset, paddingIdx: this.paddingIdx,
    });
  }

  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}${this.normRepr()}, mode=${this.mode}`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    return s;
  }
}
