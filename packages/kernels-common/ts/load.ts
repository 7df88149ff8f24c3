/** Loading an addon's binary with fallback: never throws, says why it failed. */
import type { NativeBinding } from './binding.js';

/** Result of trying to load the addon: the binding, or null and why. */
export interface LoadResult {
  /** The loaded binding, or null. */
  binding: NativeBinding | null;
  /** Why the addon did not load (null when it did). */
  reason: string | null;
}

/** Loads `root`'s addon with node-gyp-build (build/Release, then prebuilds/<platform>-<arch>/). */
export function loadNativeFrom(root: string, requireFn: (id: string) => unknown, env: NodeJS.ProcessEnv = process.env): LoadResult {
  if (env.QTORCH_DISABLE_NATIVE === '1') return { binding: null, reason: 'QTORCH_DISABLE_NATIVE=1' };
  try {
    const load = requireFn('node-gyp-build') as (dir: string) => NativeBinding;
    return { binding: load(root), reason: null };
  } catch (err) {
    return { binding: null, reason: err instanceof Error ? err.message : String(err) };
  }
}
