/** `FxModule`: a bare module that only holds attributes (torch's plain `nn.Module()`). */
import { Module } from '@qtorch/nn';
import { QTorchTypeError } from '@qtorch/qtensor';

/**
 * Holds the attributes a GraphModule copies under a dotted path (`layer1` of `layer1.0.conv`
 * when `layer1` itself is not called), and is the root when a plain function is traced.
 * Prints as `Module()`, like torch's.
 */
export class FxModule extends Module {
  /** @internal PyTorch's class name, used in messages and saved graphs. */
  static _qualName = 'Module';

  forward(): never {
    throw new QTorchTypeError('Module.forward(): this module only holds attributes of a traced program and has no forward');
  }
}
