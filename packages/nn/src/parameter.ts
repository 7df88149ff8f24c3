/**
 * `Parameter`: a Tensor that a Module owns as a trainable weight (torch.nn.Parameter).
 * It shares storage with the tensor it wraps; `requiresGrad` defaults to true.
 */
import { Tensor, assertTensor } from '@qtorch/qtensor';

/**
 * A Tensor that a Module owns as a trainable weight (torch.nn.Parameter). It shares storage with
 * the tensor it wraps; `requiresGrad` defaults to true. Assigning one to a module property registers it.
 */
export class Parameter extends Tensor {
  /**
   * Wraps `data` (no copy) as a parameter.
   * @example const w = new Parameter(randn(3, 4));
   */
  constructor(data: Tensor, requiresGrad = true) {
    assertTensor(data, 'Parameter', 'data');
    super(data.storage, data.dtype, data.shape, data.strides, data.offset);
    this.quantizer = data.quantizer;
    this.requiresGrad = requiresGrad;
  }

  override toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}

/** True for `Parameter` instances. */
export function isParameter(x: unknown): x is Parameter {
  return x instanceof Parameter;
}
