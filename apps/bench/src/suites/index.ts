import { floatSuite } from './float.js';
import type { Suite } from './types.js';

/** Every suite, in the order `pnpm bench` runs them. */
export const SUITES: readonly Suite[] = [floatSuite];
