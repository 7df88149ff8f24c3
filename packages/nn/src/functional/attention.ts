/**
 * Multi-head attention math (torch.nn.functional.multi_head_attention_forward, PyTorch 1.13):
 * input projections, optional bias_k/bias_v and zero-attention rows, key-padding and
 * attention masks, scaled dot-product attention, output projection.
 */
import {
  QTorchShapeError, QTorchTypeError, type Tensor, add, bmm, bool, cat, div, dropout, fmtShape, linear, logicalOr, pad,
  softmax, where, zeros,
} from '@qtorch/qtensor';
import { assertTensor, checkOptions } from '@qtorch/qtensor';

/** The weights of an attention layer (as MultiheadAttention holds them). */
export interface MultiHeadAttentionParams {
  /** Number of attention heads; the embedding size must be divisible by it. */
  numHeads: number;
  /** Packed [3E, E] projection (when q, k and v share the embedding size). */
  inProjWeight?: Tensor | null;
  /** Packed [3E] projection bias. */
  inProjBias?: Tensor | null;
  /** Separate projections (used when `inProjWeight` is null). */
  qProjWeight?: Tensor | null;
  /** Key projection [E, kdim] (with `qProjWeight` and `vProjWeight`). */
  kProjWeight?: Tensor | null;
  /** Value projection [E, vdim]. */
  vProjWeight?: Tensor | null;
  /** [1, 1, E] rows appended to the keys / values. */
  biasK?: Tensor | null;
  /** [1, 1, E] row appended to the values (with `biasK`). */
  biasV?: Tensor | null;
  /** Append a row of zeros to keys and values after projection. */
  addZeroAttn?: boolean;
  /** Output projection [E, E]. */
  outProjWeight: Tensor;
  /** Output projection bias [E]. */
  outProjBias?: Tensor | null;
}

/** Per-call options of attention. */
export interface MultiHeadAttentionOptions {
  /** [N, S] (or [S] unbatched): true / -inf marks keys to ignore, a float mask is added. */
  keyPaddingMask?: Tensor | null;
  /** Return the attention weights (default true). */
  needWeights?: boolean;
  /** [L, S] or [N * heads, L, S]: true marks disallowed positions, a float mask is added. */
  attnMask?: Tensor | null;
  /** Average the weights over heads (default true); else [N, heads, L, S]. */
  averageAttnWeights?: boolean;
  /** Dropout on the attention weights (default 0). */
  dropoutP?: number;
  /** Apply dropout (default true). */
  training?: boolean;
}

/** Appends one column (the new key) to a mask, false / 0 (PyTorch's `pad(mask, (0, 1))`). */
const padMask = (m: Tensor | null): Tensor | null => (m ? pad(m, [0, 1]) : null);

/** A boolean mask as an additive float mask (-inf where true). */
function additive(mask: Tensor, like: Tensor): Tensor {
  return mask.dtype === bool ? where(mask, -Infinity, zeros(mask.shape, { dtype: like.dtype })) : mask;
}

/**
 * Attention over (L, N, E) queries and (S, N, E_k) / (S, N, E_v) keys and values (or unbatched
 * (L, E) ...). Returns `[output (L, N, E), weights (N, L, S) | (N, heads, L, S) | null]`.
 */
export function multiHeadAttentionForward(
  query: Tensor, key: Tensor, value: Tensor, params: MultiHeadAttentionParams, options: MultiHeadAttentionOptions = {},
): [Tensor, Tensor | null] {
  checkOptions(options, 'multiHeadAttentionForward');
  for (const [arg, t] of [['query', query], ['key', key], ['value', value]] as const) assertTensor(t, 'multiHeadAttentionForward', arg);
  const op = 'multiHeadAttentionForward';
  const { needWeights = true, averageAttnWeights = true, dropoutP = 0, training = true } = options;
  const batched = query.ndim === 3;
  if (!batched && query.ndim !== 2) throw new QTorchShapeError(`${op}(): query should be unbatched 2D or batched 3D tensor but received ${query.ndim}-D query tensor`);
  let q = batched ? query : query.unsqueeze(1);
  let k = batched ? key : key.unsqueeze(1);
  let v = batched ? value : value.unsqueeze(1);
  let kpm = options.keyPaddingMask ? (batched ? options.keyPaddingMask : options.keyPaddingMask.unsqueeze(0)) : null;
  const [tgtLen, bsz, E] = q.shape as [number, number, number];
  const H = params.numHeads, hd = Math.floor(E / H);
  if (hd * H !== E) throw new QTorchShapeError(`${op}(): embed_dim ${E} not divisible by num_heads ${H}`);
  if (k.shape[0] !== v.shape[0] || k.shape[1] !== v.shape[1]) throw new QTorchShapeError(`${op}(): key shape ${fmtShape(key.shape)} does not match value shape ${fmtShape(value.shape)}`);

  // input projections
  if (params.inProjWeight) {
    const w = params.inProjWeight.chunk(3, 0), b = params.inProjBias ? params.inProjBias.chunk(3, 0) : [null, null, null];
    q = linear(q, w[0]!, b[0]); k = linear(k, w[1]!, b[1]); v = linear(v, w[2]!, b[2]);
  } else {
    const b = params.inProjBias ? params.inProjBias.chunk(3, 0) : [null, null, null];
    q = linear(q, params.qProjWeight!, b[0]); k = linear(k, params.kProjWeight!, b[1]); v = linear(v, params.vProjWeight!, b[2]);
  }

  let attnMask = options.attnMask ?? null;
  if (attnMask) {
    if (!attnMask.dtype.isFloatingPoint && attnMask.dtype !== bool) throw new QTorchTypeError(`${op}(): Only float and bool types are supported for attn_mask, not ${attnMask.dtype.torchName}`);
    if (attnMask.ndim === 2) {
      if (attnMask.shape[0] !== tgtLen || attnMask.shape[1] !== k.shape[0]) {
        throw new QTorchShapeError(`${op}(): The shape of the 2D attn_mask is ${fmtShape(attnMask.shape)}, but should be ${fmtShape([tgtLen, k.shape[0]!])}.`);
      }
      attnMask = attnMask.unsqueeze(0);
    } else if (attnMask.ndim !== 3 || attnMask.shape[0] !== bsz * H || attnMask.shape[1] !== tgtLen || attnMask.shape[2] !== k.shape[0]) {
      throw new QTorchShapeError(`${op}(): The shape of the attn_mask is ${fmtShape(attnMask.shape)}, but should be ${fmtShape([bsz * H, tgtLen, k.shape[0]!])}.`);
    }
  }

  if (params.biasK && params.biasV) {
    k = cat([k, params.biasK.expand(1, bsz, E)], 0);
    v = cat([v, params.biasV.expand(1, bsz, E)], 0);
    attnMask = padMask(attnMask);
    kpm = padMask(kpm);
  }

  // (L, N, E) -> (N * H, L, hd)
  const heads = (t: Tensor): Tensor => t.contiguous().view(t.shape[0]!, bsz * H, hd).transpose(0, 1);
  q = heads(q); k = heads(k); v = heads(v);
  if (params.addZeroAttn) {
    const z = zeros([bsz * H, 1, hd], { dtype: k.dtype });
    k = cat([k, z], 1); v = cat([v, z], 1);
    attnMask = padMask(attnMask);
    kpm = padMask(kpm);
  }
  const srcLen = k.shape[1]!;

  if (kpm) {
    if (kpm.shape[0] !== bsz || kpm.shape[1] !== srcLen) {
      throw new QTorchShapeError(`${op}(): expecting key_padding_mask shape of ${fmtShape([bsz, srcLen])}, but got ${fmtShape(kpm.shape)}`);
    }
    const expanded = kpm.view(bsz, 1, 1, srcLen).expand(-1, H, -1, -1).reshape(bsz * H, 1, srcLen);
    if (!attnMask) attnMask = expanded;
    else if (attnMask.dtype === bool && expanded.dtype === bool) attnMask = logicalOr(attnMask, expanded);
    else attnMask = add(additive(attnMask, q), additive(expanded, q));
  }
  const maskF = attnMask ? additive(attnMask, q) : null;

  // scaled dot-product attention
  const scores = bmm(div(q, Math.sqrt(hd)), k.transpose(-2, -1));
  let attn = softmax(maskF ? add(maskF, scores) : scores, -1);
  if (dropoutP > 0 && training) attn = dropout(attn, { p: dropoutP, training: true });
  let out = bmm(attn, v).transpose(0, 1).contiguous().view(tgtLen * bsz, E);
  out = linear(out, params.outProjWeight, params.outProjBias ?? null).view(tgtLen, bsz, params.outProjWeight.shape[0]!);

  let weights: Tensor | null = null;
  if (needWeights) {
    weights = attn.view(bsz, H, tgtLen, srcLen);
    if (averageAttnWeights) weights = div(weights.sum(1), H);
    if (!batched) weights = weights.squeeze(0);
  }
  return [batched ? out : out.squeeze(1), weights];
}
