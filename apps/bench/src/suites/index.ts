import { convSuite } from './conv.js';
import { dynamicSuite } from './dynamic.js';
import { floatSuite } from './float.js';
import { linearSuite } from './linear.js';
import { modelsSuite } from './models.js';
import { peakSuite } from './peak.js';
import { quantizeSuite } from './quantize.js';
import type { Suite } from './types.js';

/** Every suite, in the order `pnpm bench` runs and prints them. */
export const SUITES: readonly Suite[] = [peakSuite, linearSuite, convSuite, dynamicSuite, quantizeSuite, floatSuite, modelsSuite] as Suite[];
