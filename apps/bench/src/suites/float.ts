/** The float path: matmul and conv2d on the TypeScript kernels (the native float path joins with the kernels). */
import { conv2d, matmul, randn } from '@qtorch/qtensor';
import type { Suite } from './types.js';

export const floatSuite: Suite = {
  name: 'float',
  description: 'fp32 matmul 256x256x256 and conv2d (1,64,56,56)x(64,64,3,3) pad 1',
  groups({ quick }) {
    const n = quick ? 16 : 256;
    const a = randn([n, n]), b = randn([n, n]);
    const [c, hw] = quick ? [4, 8] : [64, 56];
    const x = randn([1, c, hw, hw]), w = randn([c, c, 3, 3]);
    return [
      [{ suite: 'float', case: `matmul ${n}x${n}x${n}`, impl: 'qtorch-reference', engine: '-', dtype: 'fp32', threads: 1, ops: 2 * n * n * n, run: () => void matmul(a, b) }],
      [{ suite: 'float', case: `conv2d (1,${c},${hw},${hw}) 3x3 ${c}->${c}`, impl: 'qtorch-reference', engine: '-', dtype: 'fp32', threads: 1, ops: 2 * c * c * 9 * hw * hw, run: () => void conv2d(x, w, { padding: 1 }) }],
    ];
  },
};
