/** Quantized LinearReLU (torch.ao.nn.intrinsic.quantized.LinearReLU). */
import { type LinearPackedParams, type Tensor, assertQuantized, quantizedLinearRelu } from '@qtorch/qtensor';
import { type Module, type ModuleClass, moduleName } from '@qtorch/nn';
import * as nnq from '@qtorch/nn-quantized';
import * as nni from '../fused.js';

/**
 * A quantized Linear with the ReLU applied in the requantization (`quantized::linear_relu`).
 * `fromFloat` takes an observed nni.LinearReLU or a QAT LinearReLU.
 * @example const q = LinearReLU.fromFloat(observedLinearRelu);
 */
export class LinearReLU extends nnq.Linear {
  /** @internal PyTorch's class name, used in messages and saved graphs. */
  static override _qualName = 'QuantizedLinearReLU';
  static override _FLOAT_MODULE: readonly ModuleClass[] = [nni.LinearReLU];

  override forward(x: Tensor): Tensor {
    assertQuantized(x, `${moduleName(this)}.forward`);
    return quantizedLinearRelu(x, this._packed_params._packed_params as LinearPackedParams, this.scale, this.zeroPoint);
  }

  static override fromFloat(mod: Module): LinearReLU {
    return super.fromFloat(mod) as LinearReLU;
  }

  /** From a reference nni.LinearReLU (its Linear first) and the output qparams. */
  static override fromReference(ref: nnq.ReferenceLinearLike | Module, outputScale: number, outputZeroPoint: number): LinearReLU {
    const linear = ref instanceof nni.LinearReLU ? ref.at(0) : ref;
    return super.fromReference(linear as unknown as nnq.ReferenceLinearLike, outputScale, outputZeroPoint) as LinearReLU;
  }
}
