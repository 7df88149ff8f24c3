/**
 * Loads the native kernel addons. Importing an addon registers its kernels with qtensor's
 * registry; an addon that is missing or whose binary does not load leaves the reference
 * kernels in charge, and the bench says so instead of failing.
 */

/** What an addon reports about itself (its `backendInfo()`). */
interface AddonModule {
  backendInfo(): { engine: string; native: boolean; isa: string | null; reason: string | null };
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
      const info = (await importAddon(pkg)).backendInfo();
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
