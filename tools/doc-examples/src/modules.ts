/**
 * The public entry points of the qtorch packages (package exports and subpaths), each with
 * a loader. Literal `import()` calls, so vitest resolves them to the packages' sources.
 */

/** A module namespace: its exports by name. */
export type Namespace = Record<string, unknown>;

/** Loaders of every public qtorch entry point, by import specifier. */
export const entryPoints: Record<string, () => Promise<Namespace>> = {
  '@qtorch/qtensor': () => import('@qtorch/qtensor'),
  '@qtorch/nn': () => import('@qtorch/nn'),
  '@qtorch/nn/functional': () => import('@qtorch/nn/functional'),
  '@qtorch/nn/init': () => import('@qtorch/nn/init'),
  '@qtorch/nn/optim': () => import('@qtorch/nn/optim'),
  '@qtorch/nn/data': () => import('@qtorch/nn/data'),
  '@qtorch/nn-quantized': () => import('@qtorch/nn-quantized'),
  '@qtorch/nn-quantized/dynamic': () => import('@qtorch/nn-quantized/dynamic'),
  '@qtorch/nn-quantized/functional': () => import('@qtorch/nn-quantized/functional'),
  '@qtorch/nn-qat': () => import('@qtorch/nn-qat'),
  '@qtorch/nn-qat/dynamic': () => import('@qtorch/nn-qat/dynamic'),
  '@qtorch/nn-intrinsic': () => import('@qtorch/nn-intrinsic'),
  '@qtorch/nn-intrinsic/qat': () => import('@qtorch/nn-intrinsic/qat'),
  '@qtorch/nn-intrinsic/quantized': () => import('@qtorch/nn-intrinsic/quantized'),
  '@qtorch/nn-intrinsic/quantized/dynamic': () => import('@qtorch/nn-intrinsic/quantized/dynamic'),
  '@qtorch/quantization': () => import('@qtorch/quantization'),
  '@qtorch/quantization/fx': () => import('@qtorch/quantization/fx'),
  '@qtorch/fx': () => import('@qtorch/fx'),
  '@qtorch/numeric-suite': () => import('@qtorch/numeric-suite'),
  '@qtorch/numeric-suite/fx': () => import('@qtorch/numeric-suite/fx'),
};

/** Loads every entry point (a failing import is an error: a package must load on its own). */
export async function loadEntryPoints(): Promise<Map<string, Namespace>> {
  const out = new Map<string, Namespace>();
  for (const [spec, load] of Object.entries(entryPoints)) out.set(spec, await load());
  return out;
}
