/** Static quantized linear (`quantized::linear`, quint8 in and out) beside float `linear`. */
import { dequantize, linear, linearPrepack, quantizedLinear, randn } from '@qtorch/qtensor';
import { OUT_SCALE, OUT_ZERO_POINT, qActivation, qWeight, seed } from '../fixtures.js';
import type { LinearSpec } from '../specs.js';
import { floatRow, quantizedRows } from './rows.js';
import type { Suite } from './types.js';

const FULL: ReadonlyArray<[number, number, number]> = [[1, 1024, 1024], [32, 1024, 1024], [128, 1024, 1024], [128, 4096, 1024], [1, 768, 3072]];
const QUICK: ReadonlyArray<[number, number, number]> = [[4, 32, 16]];

/** Linear specs of `kind` for (M, K, N) shapes. */
export function linearSpecs(suite: string, kind: LinearSpec['kind'], shapes: ReadonlyArray<readonly [number, number, number]>): LinearSpec[] {
  return shapes.map(([m, k, n]) => ({ suite, kind, case: `(${m},${k},${n})`, m, k, n, ops: 2 * m * k * n, dtypes: ['int8', 'fp32'] }));
}

export const linearSuite: Suite<LinearSpec> = {
  name: 'linear',
  description: 'quantized::linear (M,K,N) = (1|32|128,1024,1024), (128,4096,1024), (1,768,3072) vs float linear',
  specs: ({ quick }) => linearSpecs('linear', 'linear', quick ? QUICK : FULL),
  ours(s, ctx) {
    seed();
    const x = qActivation([s.m, s.k]), w = qWeight([s.n, s.k]), b = randn([s.n]);
    const xf = dequantize(x), wf = dequantize(w);
    return [
      ...quantizedRows(s, ctx, 'quantized::linear', (engine) => {
        const packed = linearPrepack(w, b, engine);
        const xq = qActivation([s.m, s.k], engine); // the engine's own activation range
        return () => quantizedLinear(xq, packed, OUT_SCALE, OUT_ZERO_POINT);
      }),
      ...floatRow(s, () => linear(xf, wf, b)),
    ];
  },
};
