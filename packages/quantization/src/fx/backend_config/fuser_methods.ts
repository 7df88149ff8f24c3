/**
 * Fuser methods in PyTorch's pattern order (torch.ao.quantization.fuser_method_mappings):
 * a fusion pattern `[nn.ReLU, nn.Conv2d]` hands its modules over as `(relu, conv)`; these
 * adapters call the eager fusers, which take them in execution order.
 */
import type { Module, ModuleClass } from '@qtorch/nn';
import { QTorchValueError } from '@qtorch/qtensor';
import { getFuserMethod } from '../../eager/fuse.js';
import type { FuserMethod } from './backend_config.js';

/** `(isQat, x, y) => new cls(y, x)`: a two-op pattern into a fused Sequential. */
export function reverseSequentialWrapper2(cls: new (a: any, b: any) => Module): FuserMethod {
  return (_isQat, x: Module, y: Module) => new cls(y, x);
}

/** `(isQat, x, y) => f(isQat, y, x)`. */
export function reverse2(f: FuserMethod): FuserMethod {
  return (isQat, x: Module, y: Module) => f(isQat, y, x);
}

/** `(isQat, x, [y, z]) => f(isQat, z, y, x)`: a nested three-op pattern. */
export function reverse3(f: FuserMethod): FuserMethod {
  return (isQat, x: Module, w: [Module, Module]) => f(isQat, w[1], w[0], x);
}

/** The eager fuser for modules of these classes, in execution order. */
export function eagerFuser(types: ModuleClass[]): FuserMethod {
  const f = getFuserMethod(types);
  if (!f) throw new QTorchValueError(`no fuser method for (${types.map((t) => t.name).join(', ')})`);
  return f;
}
