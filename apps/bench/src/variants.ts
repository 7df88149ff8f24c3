/**
 * Our implementations of a quantized op: per engine, the native kernel (when an addon
 * registered one) and the TypeScript reference. Suites call qtensor's public ops inside
 * `withVariant`, so whatever an addon registers shows up here without touching the bench.
 */
import { ENGINES, type Engine, kernelSource, setNativeEnabled, withEngine } from '@qtorch/qtensor';
import type { Impl } from './harness.js';

export interface Variant {
  impl: Extract<Impl, 'qtorch-native' | 'qtorch-reference'>;
  engine: Engine;
}

/** Whether native kernels are switched on while `fn` runs (restored after). */
export function withNative<T>(enabled: boolean, fn: () => T): T {
  const prev = setNativeEnabled(enabled);
  try {
    return fn();
  } finally {
    setNativeEnabled(prev);
  }
}

/** Runs `fn` as `v`: its engine selected, native kernels on or off. */
export function withVariant<T>(v: Variant, fn: () => T): T {
  return withNative(v.impl === 'qtorch-native', () => withEngine(v.engine, fn));
}

/** The kernel source that serves `op` on `engine` with native kernels enabled (`native`) or disabled. */
export function sourceOf(op: string, engine: Engine, native: boolean): 'native' | 'reference' | null {
  return withNative(native, () => kernelSource(op, engine));
}

/**
 * The variants of `op`: per engine, native (only if a native kernel is registered, as
 * `kernelSource` says) and reference (if registered). Engines with no kernel for `op` are left out.
 */
export function variantsOf(op: string, engines: readonly Engine[] = ENGINES): Variant[] {
  const out: Variant[] = [];
  for (const engine of engines) {
    if (sourceOf(op, engine, true) === 'native') out.push({ impl: 'qtorch-native', engine });
    if (sourceOf(op, engine, false) === 'reference') out.push({ impl: 'qtorch-reference', engine });
  }
  return out;
}
