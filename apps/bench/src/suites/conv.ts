/** Quantized conv2d (`quantized::conv2d`) beside float conv2d, on the shapes of issue #13. */
import { conv2d, convPrepack, dequantize, quantizedConv2d, randn } from '@qtorch/qtensor';
import { OUT_SCALE, OUT_ZERO_POINT, qActivation, qWeight, seed } from '../fixtures.js';
import { type ConvSpec, convOps } from '../specs.js';
import { floatRow, quantizedRows } from './rows.js';
import type { Suite, SuiteContext } from './types.js';

type ConvShape = Omit<ConvSpec, 'suite' | 'case' | 'kind' | 'ops' | 'dtypes'> & { label: string };

const FULL: ConvShape[] = [
  { label: '(1,64,56,56) 3x3 64->64 p1', n: 1, c: 64, h: 56, w: 56, cout: 64, kernel: 3, stride: 1, padding: 1, groups: 1 },
  { label: '(1,3,224,224) 7x7/2 3->64 p3', n: 1, c: 3, h: 224, w: 224, cout: 64, kernel: 7, stride: 2, padding: 3, groups: 1 },
  { label: '(1,144,56,56) dw 3x3 p1', n: 1, c: 144, h: 56, w: 56, cout: 144, kernel: 3, stride: 1, padding: 1, groups: 144 },
  { label: '(1,256,28,28) 1x1 256->256', n: 1, c: 256, h: 28, w: 28, cout: 256, kernel: 1, stride: 1, padding: 0, groups: 1 },
];
const QUICK: ConvShape[] = [{ label: '(1,4,8,8) 3x3 4->4 p1', n: 1, c: 4, h: 8, w: 8, cout: 4, kernel: 3, stride: 1, padding: 1, groups: 1 }];

/** Conv specs for `shapes` in `suite`, timing the given dtypes. */
export function convSpecs(suite: string, shapes: readonly ConvShape[], dtypes: ConvSpec['dtypes']): ConvSpec[] {
  return shapes.map(({ label, ...g }) => ({ suite, kind: 'conv', case: label, ...g, ops: convOps(g), dtypes }));
}

/** Our rows of a conv spec: quantized conv2d per variant, and float conv2d. */
export function convRows(s: ConvSpec, ctx: SuiteContext) {
  seed();
  const x = qActivation([s.n, s.c, s.h, s.w]), w = qWeight([s.cout, s.c / s.groups, s.kernel, s.kernel]), b = randn([s.cout]);
  const geometry = { stride: s.stride, padding: s.padding, groups: s.groups };
  const xf = dequantize(x), wf = dequantize(w);
  return [
    ...quantizedRows(s, ctx, 'quantized::conv2d', (engine) => {
      const packed = convPrepack(w, b, geometry, engine);
      const xq = qActivation([s.n, s.c, s.h, s.w], engine); // the engine's own activation range
      return () => quantizedConv2d(xq, packed, OUT_SCALE, OUT_ZERO_POINT);
    }),
    ...floatRow(s, () => conv2d(xf, wf, { ...geometry, bias: b }), ctx),
  ];
}

export const convSuite: Suite<ConvSpec> = {
  name: 'conv',
  description: 'quantized::conv2d: 3x3 64->64 @56, 7x7/2 3->64 @224, depthwise 3x3 @56x144, 1x1 256->256 @28 vs float conv2d',
  specs: ({ quick }) => convSpecs('conv', quick ? QUICK : FULL, ['int8', 'fp32']),
  ours: convRows,
};
