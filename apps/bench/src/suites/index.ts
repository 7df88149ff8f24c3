import { floatSuite } from './float.js';
import { quantizeSuite } from './quantize.js';
import type { Suite } from './types.js';

/** Every suite, in the order `pnpm bench` runs them. */
export const SUITES: readonly Suite[] = [floatSuite, quantizeSuite];
