/** The machine's int8 and fp32 peaks (assets/peak.cc), which every table's "% peak" is relative to. */
import { peakResults } from '../peak/peak.js';
import type { Suite } from './types.js';

export const peakSuite: Suite = {
  name: 'peak',
  description: 'int8 (vpdpbusd / vpmaddubsw / vpmaddwd) and fp32 FMA peaks, independent accumulator chains, per thread count',
  specs: () => [],
  ours: () => [],
  measured: peakResults,
};
