/**
 * Float Linear layers with their weight packed once for inference (qtensor's
 * `packLinearWeight` / `linearPacked`), as PyTorch's `torch.utils.mkldnn.to_mkldnn` converts a
 * model's layers and ONNX Runtime packs constant weights when it builds a session.
 */
import { type PackedLinearWeight, QTorchTypeError, type Tensor, linearPacked, packLinearWeight } from '@qtorch/qtensor';
import { type LoadContext, Module, type StateDict } from '../module.js';
import { pyBool } from './_repr.js';
import { Linear } from './linear.js';

/**
 * An inference-only Linear whose weight is packed for the native float GEMM: the same outputs as
 * the Linear it was made from (see {@link packLinearLayers}), without repacking the weight on
 * every call. `weight` and `bias` are buffers (float32), so the state dict is a Linear's;
 * loading one repacks. After changing `weight` / `bias` in place, call {@link PackedLinear.repack}.
 */
export class PackedLinear extends Module {
  /** Size of each input sample (last dim). */
  readonly inFeatures: number;
  /** Size of each output sample. */
  readonly outFeatures: number;
  /** The packed weight (and bias) the forward reads. */
  packed: PackedLinearWeight;
  /** The weight [outFeatures, inFeatures] (a float32 buffer; the packed copy's source). */
  declare weight: Tensor;
  /** The bias [outFeatures] (a float32 buffer), or null. */
  declare bias: Tensor | null;

  /** @param linear - The layer to pack (its current weight and bias, copied). */
  constructor(linear: Linear) {
    if (!(linear instanceof Linear)) throw new QTorchTypeError(`PackedLinear(): expected a Linear, got ${String(linear)}`);
    super();
    this.inFeatures = linear.inFeatures;
    this.outFeatures = linear.outFeatures;
    this.packed = packLinearWeight(linear.weight.detach(), linear.bias?.detach() ?? null);
    this.registerBuffer('weight', this.packed.weight);
    this.registerBuffer('bias', this.packed.bias);
  }

  /** Packs `weight` and `bias` again (after they were changed in place). */
  repack(): void {
    this.packed = packLinearWeight(this.weight, this.bias);
    this.weight = this.packed.weight;
    this.bias = this.packed.bias;
  }

  forward(input: Tensor): Tensor {
    return linearPacked(input, this.packed);
  }

  override _loadFromStateDict(stateDict: StateDict, prefix: string, ctx: LoadContext): void {
    super._loadFromStateDict(stateDict, prefix, ctx);
    this.repack();
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}

/**
 * Replaces every float `Linear` under `model` (not `model` itself, as PyTorch's module swaps
 * never replace the root; subclasses such as quantized or QAT layers are left alone) with a
 * {@link PackedLinear}, in place, and returns `model`. For inference: the packed layers take
 * no gradient to their weights and do not see later writes to the original parameters.
 */
export function packLinearLayers<M extends Module>(model: M): M {
  if (!(model instanceof Module)) throw new QTorchTypeError(`packLinearLayers(): expected a Module, got ${String(model)}`);
  for (const [name, child] of model.namedChildren()) {
    if (child.constructor === Linear) model.registerModule(name, new PackedLinear(child as Linear));
    else packLinearLayers(child);
  }
  return model;
}
