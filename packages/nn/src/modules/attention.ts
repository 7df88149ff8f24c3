/** MultiheadAttention (torch.nn.MultiheadAttention) with PyTorch's parameter names. */
import { checkOptions, QTorchValueError, type Tensor, empty } from '@qtorch/qtensor';
import * as F from '../functional/index.js';
import { constant_, xavierNormal_, xavierUniform_ } from '../init/index.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { NonDynamicallyQuantizableLinear, checkPositiveInt } from './linear.js';

/** Constructor options of MultiheadAttention. */
export interface MultiheadAttentionOptions {
  /** Dropout on the attention weights in training (default 0). */
  dropout?: number;
  /** Biases on the input and output projections (default true). */
  bias?: boolean;
  /** Learned rows appended to keys and values (default false). */
  addBiasKv?: boolean;
  /** A zero row appended to keys and values (default false). */
  addZeroAttn?: boolean;
  /** Key feature size (default embedDim). */
  kdim?: number | null;
  /** Value feature size (default embedDim). */
  vdim?: number | null;
  /** Inputs and output are (N, L, E) instead of (L, N, E) (default false). */
  batchFirst?: boolean;
}

/** Per-call options of `MultiheadAttention.forward`. */
export type MultiheadAttentionCallOptions = Pick<F.MultiHeadAttentionOptions, 'keyPaddingMask' | 'needWeights' | 'attnMask' | 'averageAttnWeights'>;

/**
 * Attention with `numHeads` heads over `embedDim` features. Parameters: `in_proj_weight` /
 * `in_proj_bias` (or `q_proj_weight`, `k_proj_weight`, `v_proj_weight` when kdim/vdim differ),
 * `bias_k` / `bias_v`, and `out_proj` (a NonDynamicallyQuantizableLinear).
 * @example const [out, weights] = new MultiheadAttention(8, 2).call(q, k, v, { needWeights: true });
 */
export class MultiheadAttention extends Module {
  /** Query and output embedding size E. */
  readonly embedDim: number;
  /** Key embedding size (default E). */
  readonly kdim: number;
  /** Value embedding size (default E). */
  readonly vdim: number;
  /** Whether q, k and v share E, so one packed `in_proj_weight` [3E, E] is used. */
  readonly _qkvSameEmbedDim: boolean;
  /** Number of parallel heads; each attends over `headDim = E / numHeads` features. */
  readonly numHeads: number;
  /** Dropout probability on the attention weights (training only). */
  readonly dropout: number;
  /** Whether inputs and outputs are [N, L, E] instead of [L, N, E]. */
  readonly batchFirst: boolean;
  /** Features per head: `embedDim / numHeads`. */
  readonly headDim: number;
  /** Whether a row of zeros is appended to keys and values. */
  readonly addZeroAttn: boolean;
  /** Packed q/k/v projection [3E, E] when `_qkvSameEmbedDim`, else null. */
  in_proj_weight: Parameter | null = null;
  /** Query projection [E, E] when kdim or vdim differs from E, else null. */
  q_proj_weight: Parameter | null = null;
  /** Key projection [E, kdim] when kdim or vdim differs from E, else null. */
  k_proj_weight: Parameter | null = null;
  /** Value projection [E, vdim] when kdim or vdim differs from E, else null. */
  v_proj_weight: Parameter | null = null;
  /** Packed q/k/v projection bias [3E] (null with `bias: false`). */
  in_proj_bias: Parameter | null = null;
  /** The output projection E -> E (a Linear that dynamic quantization leaves alone, as in PyTorch). */
  out_proj: NonDynamicallyQuantizableLinear;
  /** Learned [1, 1, E] row appended to the keys (`addBiasKv`), else null. */
  bias_k: Parameter | null = null;
  /** Learned [1, 1, E] row appended to the values (`addBiasKv`), else null. */
  bias_v: Parameter | null = null;

  /**
   * @param embedDim - The embedding size E.
   * @param numHeads - Number of heads; must divide E.
   * @param options - torch.nn.MultiheadAttention's options (`dropout`, `bias`, `addBiasKv`, `addZeroAttn`, `kdim`, `vdim`, `batchFirst`).
   * @throws QTorchValueError when `numHeads` does not divide `embedDim` or an option is invalid.
   */
  constructor(embedDim: number, numHeads: number, options: MultiheadAttentionOptions = {}) {
    checkOptions(options, new.target.name);
    super();
    checkPositiveInt(embedDim, 'embed_dim', 'MultiheadAttention');
    checkPositiveInt(numHeads, 'num_heads', 'MultiheadAttention');
    this.embedDim = embedDim;
    this.kdim = options.kdim ?? embedDim;
    this.vdim = options.vdim ?? embedDim;
    this._qkvSameEmbedDim = this.kdim === embedDim && this.vdim === embedDim;
    this.numHeads = numHeads;
    this.dropout = options.dropout ?? 0;
    this.batchFirst = options.batchFirst ?? false;
    this.headDim = Math.floor(embedDim / numHeads);
    if (this.headDim * numHeads !== embedDim) throw new QTorchValueError(`MultiheadAttention(): embed_dim must be divisible by num_heads (embed_dim=${embedDim}, num_heads=${numHeads})`);
    this.addZeroAttn = options.addZeroAttn ?? false;
    const bias = options.bias ?? true;
    if (this._qkvSameEmbedDim) {
      this.in_proj_weight = new Parameter(empty([3 * embedDim, embedDim]));
    } else {
      this.q_proj_weight = new Parameter(empty([embedDim, embedDim]));
      this.k_proj_weight = new Parameter(empty([embedDim, this.kdim]));
      this.v_proj_weight = new Parameter(empty([embedDim, this.vdim]));
    }
    if (bias) this.in_proj_bias = new Parameter(empty([3 * embedDim]));
    this.out_proj = new NonDynamicallyQuantizableLinear(embedDim, embedDim, { bias });
    if (options.addBiasKv) {
      this.bias_k = new Parameter(empty([1, 1, embedDim]));
      this.bias_v = new Parameter(empty([1, 1, embedDim]));
    }
    this.resetParameters();
  }

  /** PyTorch's `_reset_parameters`: xavier-uniform projections, zero biases, xavier-normal bias_k / bias_v. */
  resetParameters(): void {
    for (const w of [this.in_proj_weight, this.q_proj_weight, this.k_proj_weight, this.v_proj_weight]) if (w) xavierUniform_(w);
    if (this.in_proj_bias) {
      constant_(this.in_proj_bias, 0);
      if (this.out_proj.bias) constant_(this.out_proj.bias, 0);
    }
    if (this.bias_k) xavierNormal_(this.bias_k);
    if (this.bias_v) xavierNormal_(this.bias_v);
  }

  /**
   * Attends `query` (L, N, E) to `key` (S, N, kdim) / `value` (S, N, vdim) ((N, L, E) ... with
   * batchFirst; unbatched (L, E) ... too). Returns `[output, weights or null]`; weights are
   * averaged over heads unless `averageAttnWeights: false`.
   */
  forward(query: Tensor, key: Tensor, value: Tensor, options: MultiheadAttentionCallOptions = {}): [Tensor, Tensor | null] {
    const swap = this.batchFirst && query.ndim === 3;
    const [q, k, v] = swap ? [query, key, value].map((t) => t.transpose(0, 1)) as [Tensor, Tensor, Tensor] : [query, key, value];
    const [out, weights] = F.multiHeadAttentionForward(q, k, v, {
      numHeads: this.numHeads, inProjWeight: this.in_proj_weight, inProjBias: this.in_proj_bias,
      qProjWeight: this.q_proj_weight, kProjWeight: this.k_proj_weight, vProjWeight: this.v_proj_weight,
      biasK: this.bias_k, biasV: this.bias_v, addZeroAttn: this.addZeroAttn,
      outProjWeight: this.out_proj.weight, outProjBias: this.out_proj.bias,
    }, { ...options, dropoutP: this.dropout, training: this.training });
    return [swap ? out.transpose(0, 1) : out, weights];
  }
}
