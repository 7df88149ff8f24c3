/** Quantized Dropout (torch.ao.nn.quantized.Dropout): the identity on quantized tensors (inference only). */
import type { Tensor } from '@qtorch/qtensor';
import { Dropout as FloatDropout, type Module } from '@qtorch/nn';

/**
 * Returns its input: a converted model runs in inference mode, where dropout does nothing.
 * @example const d = Dropout.fromFloat(new nn.Dropout({ p: 0.2 }));
 */
export class Dropout extends FloatDropout {
  /** @internal PyTorch's class name, used in messages and saved graphs. */
  static _qualName = 'QuantizedDropout';

  override forward(input: Tensor): Tensor {
    return input;
  }

  /** Keeps the float module's `p` and `inplace`. */
  static fromFloat(mod: Module): Dropout {
    const f = mod as unknown as FloatDropout;
    return new Dropout({ p: f.p, inplace: f.inplace });
  }

  /** From a reference Dropout (qparams ignored: dropout is the identity in inference). */
  static fromReference(mod: Module, _scale?: number, _zeroPoint?: number): Dropout {
    return Dropout.fromFloat(mod);
  }
}
