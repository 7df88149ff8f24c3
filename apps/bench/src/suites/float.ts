/**
 * The float path: qtensor's fp32 matmul, linear and conv2d, on the native float32 GEMM (per
 * thread count) and on the TypeScript loops, beside the peers' fp32 ops. The (128, 1024, 1024)
 * product is issue #6's case: `matmul` against onnxruntime's MatMul and torch.mm, `linear`
 * (x W^T + b) against onnxruntime's Gemm and F.linear; both also with the constant operand
 * packed once (`packLinearWeight`, engine column 'prepacked'), as onnxruntime packs its
 * constant weights when it builds the session.
 */
import { linear, linearPacked, matmul, packLinearWeight, randn } from '@qtorch/qtensor';
import { seed } from '../fixtures.js';
import type { ConvSpec, LinearSpec, MatmulSpec } from '../specs.js';
import { convRows, convSpecs } from './conv.js';
import { floatRow, nativeFloatRows } from './rows.js';
import { withNative } from '../variants.js';
import type { Suite } from './types.js';

type FloatSpec = MatmulSpec | LinearSpec | ConvSpec;

export const floatSuite: Suite<FloatSpec> = {
  name: 'float',
  description: 'fp32 matmul 256x256x256 and (128,1024)x(1024,1024), linear (128,1024,1024), conv2d (1,64,56,56)x(64,64,3,3) pad 1',
  specs({ quick }) {
    const n = quick ? 16 : 256;
    const [m, k, n2] = quick ? [8, 32, 24] : [128, 1024, 1024];
    const [c, hw] = quick ? [4, 8] : [64, 56];
    const conv = { label: `conv2d (1,${c},${hw},${hw}) 3x3 ${c}->${c} p1`, n: 1, c, h: hw, w: hw, cout: c, kernel: 3, stride: 1, padding: 1, groups: 1 };
    return [
      { suite: 'float', kind: 'matmul', case: `matmul ${n}x${n}x${n}`, n, ops: 2 * n * n * n, dtypes: ['fp32'] },
      { suite: 'float', kind: 'matmul', case: `matmul (${m},${k})x(${k},${n2})`, m, k, n: n2, ops: 2 * m * k * n2, dtypes: ['fp32'] },
      { suite: 'float', kind: 'linear', case: `linear (${m},${k},${n2}) +bias`, m, k, n: n2, ops: 2 * m * k * n2, dtypes: ['fp32'] },
      ...convSpecs('float', [conv], ['fp32']),
    ];
  },
  ours(s, ctx) {
    if (s.kind === 'conv') return convRows(s, ctx);
    seed();
    if (s.kind === 'linear' || s.kind === 'linear_dynamic') {
      const x = randn([s.m, s.k]), w = randn([s.n, s.k]), b = randn([s.n]);
      // and with the weight packed once, as ONNX Runtime packs its constant weights
      const packed = withNative(true, () => packLinearWeight(w, b));
      return [...floatRow(s, () => linear(x, w, b), ctx), ...nativeFloatRows(s, 'prepacked', () => linearPacked(x, packed), ctx)];
    }
    const a = randn([s.m ?? s.n, s.k ?? s.n]), b = randn([s.k ?? s.n, s.n]);
    // a @ b is linear(a, b^T): b packed once the same way
    const packed = withNative(true, () => packLinearWeight(b.t()));
    return [...floatRow(s, () => matmul(a, b), ctx), ...nativeFloatRows(s, 'prepacked', () => linearPacked(a, packed), ctx)];
  },
};
