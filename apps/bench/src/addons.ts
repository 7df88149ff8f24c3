/**
 * Loads the native kernel addons. Importing an addon registers its kernels with qtensor's
 * registry; an addon that is missing or whose binary does not load leaves the reference
 * kernels in charge, and the bench says so instead of failing.
 */

/** What an addon reports about itself (its `backendInfo()`). */
interface AddonModule {
  backendInfo(): { engine: string; native: boolean; isa: string | null; reason: string | null };
  /** This addon's intra-op pool (each addon binary has its own; absent in addons without one). */
  setNumThreads?(threads: number): number;
  numThreads?(): number;
}

/**
 * Thread control of the loaded native kernels, or null (no addon loaded, or one without a pool).
 * Each addon is its own shared object with its own pool, so it sets (and reports) them all:
 * controlling only the first one left the other addon's rows on every core.
 */
let threadControl: { set(threads: number): number; get(): number } | null = null;
const pools: Array<{ set(threads: number): number; get(): number }> = [];

/** Whether our native kernels can run on more than one thread. */
export const nativeThreadsAvailable = (): boolean => threadControl !== null;

/** Runs `fn` with the native kernels' pool at `threads` threads (as is without thread control). */
export async function withNativeThreads<T>(threads: number, fn: () => Promise<T>): Promise<T> {
  if (!threadControl) return fn();
  const prev = threadControl.set(threads);
  try {
    return await fn();
  } finally {
    threadControl.set(prev);
  }
}

export interface AddonStatus {
  pkg: string;
  /** The binary loaded and its kernels are registered. */
  native: boolean;
  /** One line for the report. */
  line: string;
}

export const ADDON_PACKAGES = ['@qtorch/kernels-fbgemm', '@qtorch/kernels-qnnpack'] as const;

/** Imports one addon package by name (a variable specifier: the bench builds without the addons' types). */
async function importAddon(pkg: string): Promise<AddonModule> {
  return (await import(pkg)) as AddonModule;
}

/** Imports every addon; never throws. */
export async function loadAddons(): Promise<AddonStatus[]> {
  const out: AddonStatus[] = [];
  for (const pkg of ADDON_PACKAGES) {
    try {
      const mod = await importAddon(pkg);
      const info = mod.backendInfo();
      if (info.native && mod.setNumThreads && mod.numThreads) {
        pools.push({ set: mod.setNumThreads, get: mod.numThreads });
        threadControl ??= { set: (n) => pools.map((p) => p.set(n))[0]!, get: () => pools[0]!.get() };
      }
      out.push({
        pkg,
        native: info.native,
        line: info.native ? `${pkg}: native kernels loaded (ISA ${info.isa ?? '?'})` : `${pkg}: binary not loaded (${info.reason ?? 'unknown reason'}); reference kernels only`,
      });
    } catch (err) {
      out.push({ pkg, native: false, line: `${pkg}: not available (${firstLine(err)}); reference kernels only` });
    }
  }
  return out;
}

export function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}
