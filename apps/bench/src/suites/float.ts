/** The float path: matmul and conv2d on qtensor's float ops (the fp32 baseline of the int8 suites). */
import { matmul, randn } from '@qtorch/qtensor';
import { seed } from '../fixtures.js';
import type { ConvSpec, MatmulSpec } from '../specs.js';
import { convRows, convSpecs } from './conv.js';
import { floatRow } from './rows.js';
import type { Suite } from './types.js';

export const floatSuite: Suite<MatmulSpec | ConvSpec> = {
  name: 'float',
  description: 'fp32 matmul 256x256x256 and conv2d (1,64,56,56)x(64,64,3,3) pad 1',
  specs({ quick }) {
    const n = quick ? 16 : 256;
    const [c, hw] = quick ? [4, 8] : [64, 56];
    const conv = { label: `conv2d (1,${c},${hw},${hw}) 3x3 ${c}->${c} p1`, n: 1, c, h: hw, w: hw, cout: c, kernel: 3, stride: 1, padding: 1, groups: 1 };
    return [
      { suite: 'float', kind: 'matmul', case: `matmul ${n}x${n}x${n}`, n, ops: 2 * n * n * n, dtypes: ['fp32'] },
      ...convSpecs('float', [conv], ['fp32']),
    ];
  },
  ours(s, ctx) {
    if (s.kind === 'conv') return convRows(s, ctx);
    seed();
    const a = randn([s.n, s.n]), b = randn([s.n, s.n]);
    return floatRow(s, () => matmul(a, b));
  },
};
