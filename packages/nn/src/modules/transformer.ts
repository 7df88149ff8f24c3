/** TransformerEncoderLayer (torch.nn.TransformerEncoderLayer): self-attention and a feed-forward block. */
import { checkOptions, QTorchValueError, type Tensor, add } from '@qtorch/qtensor';
import * as F from '../functional/index.js';
import { Module } from '../module.js';
import { MultiheadAttention } from './attention.js';
import { Dropout } from './dropout.js';
import { Linear } from './linear.js';
import { LayerNorm } from './normalization.js';

/** Options of TransformerEncoderLayer. */
export interface TransformerEncoderLayerOptions {
  /** Hidden size of the feed-forward block (default 2048). */
  dimFeedforward?: number;
  /** Dropout probability (default 0.1). */
  dropout?: number;
  /** 'relu' (default), 'gelu', or a function / module applied in the feed-forward block. */
  activation?: 'relu' | 'gelu' | ((x: Tensor) => Tensor) | Module;
  /** LayerNorm epsilon (default 1e-5). */
  layerNormEps?: number;
  /** (N, S, E) instead of (S, N, E) (default false). */
  batchFirst?: boolean;
  /** LayerNorm before attention / feed-forward instead of after (default false). */
  normFirst?: boolean;
}

/**
 * One encoder layer: x + dropout(attention(x)) then x + dropout(ff(x)), each followed by (or,
 * with normFirst, preceded by) a LayerNorm. Children use PyTorch's names (`self_attn`,
 * `linear1`, `dropout`, `linear2`, `norm1`, `norm2`, `dropout1`, `dropout2`).
 */
export class TransformerEncoderLayer extends Module {
  /** Self-attention block. */
  self_attn: MultiheadAttention;
  /** First feed-forward layer dModel -> dimFeedforward. */
  linear1: Linear;
  /** Dropout after the feed-forward activation. */
  dropout: Dropout;
  /** Second feed-forward layer dimFeedforward -> dModel. */
  linear2: Linear;
  /** Whether LayerNorm runs before each block (pre-norm) instead of after. */
  normFirst: boolean;
  /** LayerNorm around the attention block. */
  norm1: LayerNorm;
  /** LayerNorm around the feed-forward block. */
  norm2: LayerNorm;
  /** Dropout on the attention block's output. */
  dropout1: Dropout;
  /** Dropout on the feed-forward block's output. */
  dropout2: Dropout;
  /** The feed-forward activation (a Module is registered as a child, as in PyTorch). */
  activation: ((x: Tensor) => Tensor) | Module;

  /**
   * @param dModel - The embedding size.
   * @param nhead - Number of attention heads; must divide `dModel`.
   * @param options - torch.nn.TransformerEncoderLayer's options (`dimFeedforward`, `dropout`, `activation`, `layerNormEps`, `batchFirst`, `normFirst`).
   */
  constructor(dModel: number, nhead: number, options: TransformerEncoderLayerOptions = {}) {
    checkOptions(options, new.target.name);
    super();
    const p = options.dropout ?? 0.1, dff = options.dimFeedforward ?? 2048, eps = options.layerNormEps ?? 1e-5;
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: p, batchFirst: options.batchFirst ?? false });
    this.linear1 = new Linear(dModel, dff);
    this.dropout = new Dropout({ p });
    this.linear2 = new Linear(dff, dModel);
    this.normFirst = options.normFirst ?? false;
    this.norm1 = new LayerNorm(dModel, { eps });
    this.norm2 = new LayerNorm(dModel, { eps });
    this.dropout1 = new Dropout({ p });
    this.dropout2 = new Dropout({ p });
    const act = options.activation ?? 'relu';
    if (act === 'relu') this.activation = (x) => F.relu(x);
    else if (act === 'gelu') this.activation = (x) => F.gelu(x);
    else if (typeof act === 'string') throw new QTorchValueError(`TransformerEncoderLayer(): activation should be relu/gelu, not ${String(act)}`);
    else this.activation = act;
  }

  /** `src` (S, N, E) (or (N, S, E) with batchFirst); masks as in MultiheadAttention. */
  forward(src: Tensor, options: { srcMask?: Tensor | null; srcKeyPaddingMask?: Tensor | null } = {}): Tensor {
    const mask = { attnMask: options.srcMask ?? null, keyPaddingMask: options.srcKeyPaddingMask ?? null };
    let x = src;
    if (this.normFirst) {
      x = add(x, this.saBlock(this.norm1.call(x), mask));
      x = add(x, this.ffBlock(this.norm2.call(x)));
    } else {
      x = this.norm1.call(add(x, this.saBlock(x, mask)));
      x = this.norm2.call(add(x, this.ffBlock(x)));
    }
    return x;
  }

  private saBlock(x: Tensor, mask: { attnMask: Tensor | null; keyPaddingMask: Tensor | null }): Tensor {
    const [out] = this.self_attn.call(x, x, x, { ...mask, needWeights: false });
    return this.dropout1.call(out);
  }

  private ffBlock(x: Tensor): Tensor {
    const act = this.activation instanceof Module ? this.activation.call(this.linear1.call(x)) as Tensor : this.activation(this.linear1.call(x));
    return this.dropout2.call(this.linear2.call(this.dropout.call(act)));
  }
}
