/**
 * `FakeQuantizeBase`: the two switches every fake quantizer has (`fake_quant_enabled`,
 * `observer_enabled` uint8 buffers) and the module-tree helpers for `model.apply(...)`.
 */
import { type DType, type Tensor, fromValues, uint8 } from '@qtorch/qtensor';
import { ObserverBase } from '../observer/base.js';
import type { ModuleBase } from '../observer/module_base.js';

/** Base of fake quantizers: observer + fake quantize, each switchable. */
export abstract class FakeQuantizeBase extends ObserverBase {
  /**
   * @param opts - `dtype`: the quantized dtype simulated.
   * @param flagDtype - dtype of the `fake_quant_enabled` / `observer_enabled` buffers (uint8, or int64 for the fused module).
   */
  constructor(opts: { dtype: DType }, flagDtype: DType = uint8) {
    super(opts);
    this.setBuffer('fake_quant_enabled', fromValues([1], [1], flagDtype));
    this.setBuffer('observer_enabled', fromValues([1], [1], flagDtype));
  }

  /** Buffer `fake_quant_enabled` ([1]: 1 = on). */
  get fakeQuantEnabled(): Tensor {
    return this.buffer('fake_quant_enabled');
  }

  /** Buffer `observer_enabled` ([1]: 1 = on). */
  get observerEnabled(): Tensor {
    return this.buffer('observer_enabled');
  }

  /** Turns fake quantization on (or off with `false`). */
  enableFakeQuant(enabled = true): this {
    this.fakeQuantEnabled.data[0] = enabled ? 1 : 0;
    return this;
  }

  /** Turns fake quantization off. */
  disableFakeQuant(): this {
    return this.enableFakeQuant(false);
  }

  /** Turns observation on (or off with `false`). */
  enableObserver(enabled = true): this {
    this.observerEnabled.data[0] = enabled ? 1 : 0;
    return this;
  }

  /** Turns observation off. */
  disableObserver(): this {
    return this.enableObserver(false);
  }

  /** Whether the fake-quant switch is on. */
  protected get fakeQuantOn(): boolean {
    return this.fakeQuantEnabled.data[0] === 1;
  }

  /** Whether the observer switch is on. */
  protected get observerOn(): boolean {
    return this.observerEnabled.data[0] === 1;
  }
}

function isFakeQuantize(m: unknown): m is FakeQuantizeBase {
  return m instanceof FakeQuantizeBase;
}

/** For `model.apply(enableFakeQuant)`: turns fake quantization on in fake-quant modules. */
export function enableFakeQuant(mod: ModuleBase): void {
  if (isFakeQuantize(mod)) mod.enableFakeQuant();
}

/** For `model.apply(disableFakeQuant)`: turns fake quantization off in fake-quant modules. */
export function disableFakeQuant(mod: ModuleBase): void {
  if (isFakeQuantize(mod)) mod.disableFakeQuant();
}

/** For `model.apply(enableObserver)`: turns observation on in fake-quant modules. */
export function enableObserver(mod: ModuleBase): void {
  if (isFakeQuantize(mod)) mod.enableObserver();
}

/** For `model.apply(disableObserver)`: turns observation off in fake-quant modules. */
export function disableObserver(mod: ModuleBase): void {
  if (isFakeQuantize(mod)) mod.disableObserver();
}
