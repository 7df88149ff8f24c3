/**
 * Native prepacked weights, created once per packed-params object and cached beside it (a
 * WeakMap keyed by the object: nothing is added to it, so `unpack()` and state-dict
 * serialization are unchanged, and the native buffer is collected with the params). Each addon
 * has its own cache: the packed layout belongs to its engine's binary; it does not depend on
 * the ISA level, so `setIsa` needs no repacking. `dispose()` on the params frees the native
 * copy at once (qtensor's dispose hook), not at the next garbage collection.
 */
import type { NativeBinding, PackedWeights } from '../binding.js';
import type { ConvPackedLike, LinearPackedLike, PackedWeightLike, QtensorApi } from '../qtensor_api.js';

const rowZeroPoints = (w: PackedWeightLike): Int32Array => Int32Array.from(w.zeroPoints);

/** Lazily packs linear and conv weights for one addon. */
export class NativeWeightCache {
  private readonly cache = new WeakMap<object, PackedWeights>();

  constructor(private readonly binding: NativeBinding, qt?: Pick<QtensorApi, 'onPackedParamsDispose'>) {
    qt?.onPackedParamsDispose?.((params) => {
      this.cache.get(params)?.dispose();
      this.cache.delete(params);
    });
  }

  /** Linear weights `[N, K]`. */
  linear(p: LinearPackedLike): PackedWeights {
    return this.get(p, () => new this.binding.PackedWeights(p.weight.q, p.outFeatures, p.inFeatures, rowZeroPoints(p.weight)));
  }

  /** Conv weights `[Cout, Cin / groups, *kernel]` (groups and taps from the geometry). */
  conv(p: ConvPackedLike): PackedWeights {
    return this.get(p, () => {
      const [cout, cinG, ...kernel] = p.weight.shape;
      const spatial = kernel.reduce((a, b) => a * b, 1);
      return new this.binding.PackedWeights(p.weight.q, cout!, cinG! * spatial, rowZeroPoints(p.weight), p.geometry.groups, spatial);
    });
  }

  private get(key: object, make: () => PackedWeights): PackedWeights {
    let w = this.cache.get(key);
    if (!w) {
      w = make();
      this.cache.set(key, w);
    }
    return w;
  }
}
