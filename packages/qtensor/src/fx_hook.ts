/**
 * The hook @qtorch/fx's symbolic tracer installs while it traces a model.
 *
 * JavaScript has no operator overloading and module namespaces cannot be patched, so a
 * function that models call (`F.relu`, `torch.cat`) takes part in tracing by being wrapped
 * with `traceable(name, fn)`: while a hook is set and any argument (also inside arrays and
 * options objects) is a traced value, the wrapper hands the call to the hook (which records
 * a graph node) instead of running `fn`. Outside tracing the wrapper costs one null check.
 *
 * Every wrapped function is also entered under its qualified name in a name -> function
 * table: the fixed op vocabulary a saved graph may refer to.
 *
 * The state lives on `globalThis` under a registered symbol so that two copies of this
 * package (an ESM and a CJS build in one process) share one hook and one table.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFn = (...args: any[]) => any;

/** Called instead of a traceable function when one of its arguments is a traced value. */
export type TraceHook = (name: string, fn: AnyFn, args: unknown[]) => unknown;

/** Traced values answer `true` when read at this key (how `containsTraced` recognizes them). */
export const tracedMarker: unique symbol = Symbol.for('qtorch.fx.traced') as never;

interface HookState {
  hook: TraceHook | null;
  /** qualified name -> traceable wrapper */
  functions: Map<string, AnyFn>;
  /** wrapper or wrapped function -> qualified name */
  names: Map<AnyFn, string>;
  /** Module classes defined by qtorch packages: leaves of symbolic tracing. */
  leafClasses: WeakSet<object>;
}

const STATE_KEY = Symbol.for('qtorch.fx.hookState');
const globalState = globalThis as unknown as Record<symbol, HookState | undefined>;
const state: HookState = (globalState[STATE_KEY] ??= {
  hook: null,
  functions: new Map(),
  names: new Map(),
  leafClasses: new WeakSet(),
});

/** Installs (or with `null` removes) the trace hook; returns the previous one so callers can restore it. */
export function setTraceHook(hook: TraceHook | null): TraceHook | null {
  const previous = state.hook;
  state.hook = hook;
  return previous;
}

/** The installed trace hook, or null outside tracing. */
export function getTraceHook(): TraceHook | null {
  return state.hook;
}

/** True when `x` is a traced value (an @qtorch/fx proxy). */
export function isTraced(x: unknown): boolean {
  if ((typeof x !== 'object' && typeof x !== 'function') || x === null) return false;
  return (x as { [tracedMarker]?: unknown })[tracedMarker] === true;
}

/** Limits the walk through nested arguments (options objects hold arrays, not deep trees). */
const MAX_DEPTH = 6;

/**
 * True when `x` is a traced value or holds one in an array or plain object (depth-limited).
 * Class instances such as tensors are not searched.
 */
export function containsTraced(x: unknown, depth = 0): boolean {
  if (isTraced(x)) return true;
  if (depth >= MAX_DEPTH || typeof x !== 'object' || x === null) return false;
  if (Array.isArray(x)) return x.some((v) => containsTraced(v, depth + 1));
  const proto = Object.getPrototypeOf(x);
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(x).some((v) => containsTraced(v, depth + 1));
}

/**
 * Wraps `fn` so symbolic tracing records calls to it as `call_function` nodes with target
 * `name` (e.g. `'F.relu'`, `'torch.cat'`), and enters it in the op vocabulary. The wrapper
 * has `fn`'s type (overloads included).
 *
 * @example
 * ```ts
 * export const relu = traceable('F.relu', reluImpl);
 * ```
 */
export function traceable<F extends AnyFn>(name: string, fn: F): F {
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    const hook = state.hook;
    if (hook !== null && args.some((a) => containsTraced(a))) return hook(name, fn, args);
    return fn.apply(this, args);
  };
  Object.defineProperty(wrapped, 'name', { value: fn.name || name });
  // a later registration under the same name wins (a second copy of a package re-registers)
  state.functions.set(name, wrapped);
  state.names.set(wrapped, name);
  if (!state.names.has(fn)) state.names.set(fn, name);
  return wrapped as unknown as F;
}

/** The traceable function registered under `name`, or undefined. */
export function traceableFunction(name: string): AnyFn | undefined {
  return state.functions.get(name);
}

/** The qualified name `fn` (a traceable wrapper or the function it wraps) is registered under. */
export function traceableName(fn: AnyFn): string | undefined {
  return state.names.get(fn);
}

/** All registered qualified names (the op vocabulary), sorted. */
export function traceableNames(): string[] {
  return [...state.functions.keys()].sort();
}

/**
 * Marks a Module class as a library module: symbolic tracing records calls to its
 * instances as `call_module` nodes instead of tracing through `forward`. Only the exact
 * class counts (a user subclass is traced through unless registered itself).
 */
export function registerLeafModuleClass(cls: abstract new (...args: never[]) => unknown): void {
  state.leafClasses.add(cls);
}

/** True when `cls` was registered with `registerLeafModuleClass`. */
export function isLeafModuleClass(cls: unknown): boolean {
  return typeof cls === 'function' && state.leafClasses.has(cls);
}

/** A class (abstract or not), as `registerLeafModuleClass` takes it. */
export type LeafModuleClass = abstract new (...args: never[]) => unknown;

/**
 * Registers every class among the exports of `namespaces` (`import * as ns` objects) that
 * extends `base` (a package's Module class), except `exclude`, with `registerLeafModuleClass`;
 * returns them. How a package makes its public module classes tracing leaves without
 * depending on @qtorch/fx.
 *
 * @example export const fxLeafModules = registerLeafModuleClasses([modules], Module);
 */
export function registerLeafModuleClasses(namespaces: readonly object[], base: LeafModuleClass, exclude: readonly unknown[] = []): LeafModuleClass[] {
  const skip = new Set(exclude);
  const found = new Set<LeafModuleClass>();
  for (const ns of namespaces) {
    for (const v of Object.values(ns)) {
      if (typeof v === 'function' && v.prototype instanceof base && !skip.has(v)) found.add(v as LeafModuleClass);
    }
  }
  for (const cls of found) registerLeafModuleClass(cls);
  return [...found];
}
