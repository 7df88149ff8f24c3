/** QAT LinearReLU (torch.ao.nn.intrinsic.qat.LinearReLU): a QAT Linear followed by relu. */
import type { Tensor } from '@qtorch/qtensor';
import { type Module, type ModuleClass, ReLU } from '@qtorch/nn';
import * as F from '@qtorch/nn/functional';
import * as nnqat from '@qtorch/nn-qat';
import * as nni from '../fused.js';

/**
 * `relu(x fq(W)^T + b)`; built by `fromFloat` from nni.LinearReLU.
 * @example const m = LinearReLU.fromFloat(fusedLinearRelu);
 */
export class LinearReLU extends nnqat.Linear {
  static override readonly _FLOAT_MODULE: ModuleClass = nni.LinearReLU;
  /** @internal Marks fused module classes (see `isFusedModule`). */
  static readonly _isFusedModule = true;

  override forward(input: Tensor): Tensor {
    return F.relu(super.forward(input));
  }

  /** nni.LinearReLU(float Linear, ReLU) with this weight and bias. */
  override toFloat(): Module {
    return new nni.LinearReLU(this.toFloatLinear(), new ReLU());
  }
}
