/**
 * Installing quantized implementations of Tensor methods that the float ops also define
 * (`max`, `mean`, `sort`, ...), independent of module load order: the prototype slot becomes
 * an accessor whose getter returns a dispatcher (quantized input -> our function) and whose
 * setter records whatever float implementation another file assigns (`P.max = ...`).
 */
import { QTorchTypeError } from '../errors.js';
import { Tensor } from '../tensor.js';

type Method = (this: Tensor, ...args: any[]) => unknown;

/** Routes `Tensor.prototype[name]` to `quantizedImpl` for quantized tensors. @internal */
export function installQuantizedMethod(name: string, quantizedImpl: (x: Tensor, ...args: any[]) => unknown): void {
  const proto = Tensor.prototype as unknown as Record<string, Method | undefined>;
  const existing = Object.getOwnPropertyDescriptor(proto, name);
  let floatImpl: Method | undefined = existing && 'value' in existing ? existing.value : existing?.get?.call(proto);
  const dispatcher: Method = function (this: Tensor, ...args: any[]) {
    if (this.isQuantized) return quantizedImpl(this, ...args);
    if (!floatImpl) throw new QTorchTypeError(`${name}(): no implementation for ${this.dtype.torchName} tensors is loaded`);
    return floatImpl.apply(this, args);
  };
  Object.defineProperty(proto, name, {
    configurable: true,
    get: () => dispatcher,
    set: (f: Method) => { floatImpl = f; },
  });
}

/** PyTorch's `(values, indices)` named tuple: destructurable and with named fields. */
export type ValuesIndices = [Tensor, Tensor] & { values: Tensor; indices: Tensor };

/** Builds a `ValuesIndices`. @internal */
export function valuesIndices(values: Tensor, indices: Tensor): ValuesIndices {
  return Object.assign([values, indices] as [Tensor, Tensor], { values, indices });
}
