/**
 * `ShapeProp` (torch.fx.passes.shape_prop): runs the graph on example inputs and records, in
 * each node's `meta.tensorMeta`, the shape, dtype, strides and quantization parameters of
 * the value it produced (an array of metas for arrays of tensors).
 */
import { type DType, Tensor, isPerChannel } from '@qtorch/qtensor';
import { Interpreter } from './interpreter.js';
import type { Node } from './node.js';

/** Quantization parameters of a quantized tensor. */
export type QParamsMeta =
  | { qscheme: string; scale: number; zeroPoint: number }
  | { qscheme: string; scales: number[]; zeroPoints: number[]; axis: number };

/** What ShapeProp records about a tensor (torch.fx's TensorMetadata). */
export interface TensorMeta {
  /** Sizes of each dimension. */
  shape: number[];
  /** Element type. */
  dtype: DType;
  /** Strides, in elements. */
  stride: number[];
  /** Whether the value requires grad. */
  requiresGrad: boolean;
  /** Whether the value is a quantized tensor. */
  isQuantized: boolean;
  /** Present for quantized tensors. */
  qparams?: QParamsMeta;
}

/** The metadata of one tensor. */
export function tensorMeta(t: Tensor): TensorMeta {
  const meta: TensorMeta = {
    shape: [...t.shape], dtype: t.dtype, stride: [...t.strides], requiresGrad: t.requiresGrad, isQuantized: t.isQuantized,
  };
  const q = t.quantizer;
  if (q) {
    meta.qparams = isPerChannel(q)
      ? { qscheme: q.qscheme, scales: Array.from(q.scales), zeroPoints: Array.from(q.zeroPoints), axis: q.axis }
      : { qscheme: q.qscheme, scale: q.scale, zeroPoint: q.zeroPoint };
  }
  return meta;
}

function metaOf(v: unknown): TensorMeta | unknown[] | undefined {
  if (v instanceof Tensor) return tensorMeta(v);
  if (Array.isArray(v) && v.some((x) => x instanceof Tensor)) return v.map((x) => (x instanceof Tensor ? tensorMeta(x) : undefined));
  return undefined;
}

/**
 * @example
 * ```ts
 * new ShapeProp(gm).propagate(randn([1, 3, 8, 8]));
 * gm.graph.nodes.map((n) => n.meta.tensorMeta?.shape);
 * ```
 */
export class ShapeProp extends Interpreter {
  override runNode(n: Node): unknown {
    const result = super.runNode(n);
    const meta = metaOf(result);
    if (meta !== undefined) n.meta.tensorMeta = meta;
    else delete n.meta.tensorMeta;
    return result;
  }

  /** Runs the graph on `args`, annotating every node; returns the graph's output. */
  propagate(...args: unknown[]): unknown {
    return this.run(...args);
  }
}
