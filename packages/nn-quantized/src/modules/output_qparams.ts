/**
 * Output qparams of the quantized modules that keep their float module's class (activations,
 * normalizations): read from the observed float module's activation observer, and saved /
 * loaded as `scale` / `zero_point` next to the float module's own state.
 */
import type { LoadContext, Module, StateDict } from '@qtorch/nn';
import { type HasOutputQparams, loadOutputQparams, saveOutputQparams } from './state.js';
import { activationObserver, scalarQparams } from './utils.js';

/** Output `[scale, zeroPoint]` of an observed float module (`cls` names the quantized class in errors). */
export function outputQparams(mod: Module, cls: string): [number, number] {
  return scalarQparams(activationObserver(mod, cls));
}

/** A module class, abstract or not (mixin base). @internal */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AbstractModuleClass = abstract new (...args: any[]) => Module;

/** What a mixin adds to its base class's instances (TypeScript's mixin constructor form). @internal */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type MixinClass<T> = abstract new (...args: any[]) => T;

/**
 * Adds the `scale` / `zero_point` state-dict entries to a float module class; the subclass
 * declares and sets `scale` and `zeroPoint`. (The explicit return type keeps Module's private
 * members out of the emitted declarations.) @internal
 */
export function withOutputQparams<B extends AbstractModuleClass>(Base: B): B & MixinClass<HasOutputQparams> {
  abstract class WithOutputQparams extends Base implements HasOutputQparams {
    declare scale: number;
    declare zeroPoint: number;

    override _saveToStateDict(dest: StateDict, prefix: string, keepVars: boolean): void {
      super._saveToStateDict(dest, prefix, keepVars);
      saveOutputQparams(this, dest, prefix);
    }

    override _loadFromStateDict(sd: StateDict, prefix: string, ctx: LoadContext): void {
      super._loadFromStateDict(loadOutputQparams(this, sd, prefix, ctx), prefix, ctx);
    }
  }
  return WithOutputQparams;
}
