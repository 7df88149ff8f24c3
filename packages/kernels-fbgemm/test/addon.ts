// This package as the shared native-kernel suite sees it.
import { listKernels } from '@qtorch/qtensor';
import type { AddonUnderTest } from '../../kernels-common/test-suite/suite.js';
import * as pkg from '../src/index.js';

export const addon: AddonUnderTest = {
  engine: pkg.ENGINE,
  packageName: '@qtorch/kernels-fbgemm',
  packageRoot: pkg.packageRoot,
  api: pkg,
  nativeLoad: pkg.nativeLoad,
  loadNative: pkg.loadNative,
  listNativeOps: () => listKernels().filter((k) => k.engine === pkg.ENGINE && k.source === 'native').map((k) => k.op),
};
