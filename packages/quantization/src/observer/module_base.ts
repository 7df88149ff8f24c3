/**
 * The Module class observers and fake quantizers extend. @qtorch/nn's `Module` is being written
 * concurrently; until it is exported this file provides the small subset observers need
 * (buffers, child modules, train/eval, apply). Swap the body for
 * `export { Module as ModuleBase } from '@qtorch/nn';` once nn lands: observers only use the
 * members declared here.
 */
import type { Tensor } from '@qtorch/qtensor';

/** Minimal module: named buffers, named children, training flag, `apply`, `call`. */
export class ModuleBase {
  /** Train / eval mode (PyTorch's `training`). */
  training = true;
  private readonly _buffers = new Map<string, Tensor | null>();
  private readonly _modules = new Map<string, ModuleBase>();

  /** Registers (or replaces) a buffer under its state-dict name. */
  registerBuffer(name: string, value: Tensor | null): void {
    this._buffers.set(name, value);
  }

  /** Registers (or replaces) a child module. */
  registerModule(name: string, module: ModuleBase): void {
    this._modules.set(name, module);
  }

  /** Direct children. */
  children(): ModuleBase[] {
    return [...this._modules.values()];
  }

  /** Buffers of this module and its children, with dotted names. */
  namedBuffers(prefix = ''): Array<[string, Tensor]> {
    const out: Array<[string, Tensor]> = [];
    for (const [n, b] of this._buffers) if (b) out.push([prefix + n, b]);
    for (const [n, m] of this._modules) out.push(...m.namedBuffers(`${prefix}${n}.`));
    return out;
  }

  /** Applies `fn` to every submodule (children first) and to this module. */
  apply(fn: (m: ModuleBase) => void): this {
    for (const m of this._modules.values()) m.apply(fn);
    fn(this);
    return this;
  }

  /** Sets train mode recursively. */
  train(mode = true): this {
    this.training = mode;
    for (const m of this._modules.values()) m.train(mode);
    return this;
  }

  /** Sets eval mode recursively. */
  eval(): this {
    return this.train(false);
  }

  /** The computation; subclasses override. */
  forward(..._args: unknown[]): unknown {
    throw new Error(`${this.constructor.name}.forward(): not implemented`);
  }

  /** PyTorch's `repr`. */
  toString(): string {
    return `${this.constructor.name}()`;
  }

  /** Calls the module (runs `forward`). */
  call(...args: unknown[]): unknown {
    return this.forward(...args);
  }
}
