/**
 * Loading the fbgemm addon: node-gyp-build from the package root (build/Release, then
 * prebuilds/<platform>-<arch>/). Never throws: a failure gives `{ binding: null, reason }`.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadNativeFrom, type LoadResult } from '../../kernels-common/ts/index.js';

const require = createRequire(import.meta.url);

/** The package root: dist/ and src/ are both one level down. */
export const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Loads the addon from `root`; `QTORCH_DISABLE_NATIVE=1` in `env` turns it off. */
export function loadNative(root: string = packageRoot, env: NodeJS.ProcessEnv = process.env): LoadResult {
  return loadNativeFrom(root, require, env);
}
