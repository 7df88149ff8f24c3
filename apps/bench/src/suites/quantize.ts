/**
 * quantizePerTensor / dequantize of 16M elements, as GB/s beside a plain typed-array copy of
 * the same float data (the memory-bandwidth ceiling these ops are bound by).
 */
import { quint8, randn, quantizePerTensor, dequantize } from '@qtorch/qtensor';
import type { Suite } from './types.js';

export const quantizeSuite: Suite = {
  name: 'quantize',
  description: 'quantize_per_tensor / dequantize of 16M elements vs a typed-array copy (GB/s)',
  groups({ quick }) {
    const n = quick ? 1 << 12 : 1 << 24;
    const x = randn([n]);
    const q = quantizePerTensor(x, 0.05, 128, quint8);
    const src = x.data as Float32Array;
    const dst = new Float32Array(n);
    const base = { suite: 'quantize', engine: '-', threads: 1, ops: 0 } as const;
    return [[
      { ...base, case: `copy f32 ${n}`, impl: 'qtorch-reference', dtype: 'fp32', bytes: 8 * n, run: () => dst.set(src) },
      { ...base, case: `quantize_per_tensor ${n}`, impl: 'qtorch-reference', dtype: 'int8', bytes: 5 * n, run: () => void quantizePerTensor(x, 0.05, 128, quint8) },
      { ...base, case: `dequantize ${n}`, impl: 'qtorch-reference', dtype: 'int8', bytes: 5 * n, run: () => void dequantize(q) },
    ]];
  },
};
