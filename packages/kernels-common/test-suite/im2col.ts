/**
 * The native float32 im2col (`im2colF32`, `kernels::im2col_f32`) of qtensor's convolutions: the
 * exact floats of an independent per-element loop on 1-d, 2-d and 3-d geometries (stride,
 * padding wider than the kernel, dilation, outputs of one column), for 1 and 2 threads; argument
 * checks; qtensor's conv forward and weight gradient through it equal to the TypeScript im2col.
 * Not published.
 */
import { describe, expect, it } from 'vitest';
import * as Q from '@qtorch/qtensor';
import { randomInts } from './reference.js';
import { type AddonUnderTest, restoringThreads } from './suite.js';

type V3 = [number, number, number];
interface Geometry { cg: number; big: V3; kernel: V3; stride: V3; pad: V3; dilation: V3 }

const outSize = (g: Geometry, d: number): number => Math.floor((g.big[d]! + 2 * g.pad[d]! - g.dilation[d]! * (g.kernel[d]! - 1) - 1) / g.stride[d]!) + 1;
const smallOf = (g: Geometry): V3 => [outSize(g, 0), outSize(g, 1), outSize(g, 2)];
const ints = (g: Geometry): Int32Array => Int32Array.from([...g.big, ...smallOf(g), ...g.kernel, ...g.stride, ...g.pad, ...g.dilation]);

/** cols[row (c, kd, kh, kw)][col (od, oh, ow)] = src[c][id][ih][iw], 0 outside: one element at a time. */
function expectedCols(src: Float32Array, off: number, g: Geometry): Float32Array {
  const [D, H, W] = g.big, [oD, oH, oW] = smallOf(g), [kD, kH, kW] = g.kernel;
  const out = new Float32Array(g.cg * kD * kH * kW * oD * oH * oW);
  let i = 0;
  for (let c = 0; c < g.cg; c++)
    for (let kd = 0; kd < kD; kd++)
      for (let kh = 0; kh < kH; kh++)
        for (let kw = 0; kw < kW; kw++)
          for (let od = 0; od < oD; od++)
            for (let oh = 0; oh < oH; oh++)
              for (let ow = 0; ow < oW; ow++, i++) {
                const id = od * g.stride[0] - g.pad[0] + kd * g.dilation[0];
                const ih = oh * g.stride[1] - g.pad[1] + kh * g.dilation[1];
                const iw = ow * g.stride[2] - g.pad[2] + kw * g.dilation[2];
                const inside = id >= 0 && id < D && ih >= 0 && ih < H && iw >= 0 && iw < W;
                out[i] = inside ? src[off + ((c * D + id) * H + ih) * W + iw]! : 0;
              }
  return out;
}

const GEOMETRIES: Geometry[] = [
  { cg: 3, big: [1, 9, 11], kernel: [1, 3, 3], stride: [1, 1, 1], pad: [0, 1, 1], dilation: [1, 1, 1] },
  { cg: 2, big: [1, 10, 13], kernel: [1, 3, 5], stride: [1, 2, 3], pad: [0, 2, 4], dilation: [1, 1, 1] },
  { cg: 4, big: [1, 8, 8], kernel: [1, 3, 3], stride: [1, 1, 2], pad: [0, 3, 3], dilation: [1, 2, 2] },
  { cg: 1, big: [1, 1, 40], kernel: [1, 1, 7], stride: [1, 1, 2], pad: [0, 0, 3], dilation: [1, 1, 1] },
  { cg: 2, big: [5, 6, 7], kernel: [2, 3, 2], stride: [2, 1, 1], pad: [1, 1, 0], dilation: [2, 1, 3] },
  { cg: 3, big: [1, 4, 4], kernel: [1, 4, 4], stride: [1, 1, 1], pad: [0, 0, 0], dilation: [1, 1, 1] },
  { cg: 64, big: [1, 56, 56], kernel: [1, 3, 3], stride: [1, 1, 1], pad: [0, 1, 1], dilation: [1, 1, 1] },
];

export function describeIm2col(t: AddonUnderTest): void {
  describe(`${t.packageName} float32 im2col`, () => {
    it('every geometry: the exact floats of a per-element loop, at an offset, for 1 and 2 threads', () => {
      restoringThreads(t.api, () => {
        for (const [n, g] of GEOMETRIES.entries()) {
          const off = 7, volume = g.cg * g.big[0] * g.big[1] * g.big[2];
          const src = Float32Array.from(randomInts(off + volume, -1000, 1000, 90 + n), (v) => v / 7);
          const want = expectedCols(src, off, g);
          for (const threads of [1, 2]) {
            t.api.setNumThreads(threads);
            const cols = new Float32Array(want.length).fill(Number.NaN);  // every element must be written
            t.api.im2colF32(src, off, g.cg, ints(g), cols);
            expect({ n, threads, equal: cols.every((v, i) => Object.is(v, want[i])) }).toEqual({ n, threads, equal: true });
          }
        }
      });
    });

    it('argument checks: types, geometry length and values, extents, overlap', () => {
      const g = GEOMETRIES[0]!;
      const src = new Float32Array(3 * 9 * 11), cols = new Float32Array(3 * 9 * 9 * 11);
      const call = (over: Partial<Record<'src' | 'off' | 'cg' | 'geo' | 'cols', unknown>> = {}) => () =>
        (t.api.im2colF32 as (...args: unknown[]) => void)(over.src ?? src, over.off ?? 0, over.cg ?? 3, over.geo ?? ints(g), over.cols ?? cols);
      expect(call()).not.toThrow();
      expect(call({ src: new Float64Array(src.length) })).toThrow(TypeError);
      expect(call({ geo: Array.from(ints(g)) })).toThrow(TypeError);
      expect(call({ geo: ints(g).subarray(0, 17) })).toThrow(/18/);
      const badStride = ints(g);
      badStride[10] = 0;
      expect(call({ geo: badStride })).toThrow(/stride\[1\] must be >= 1/);
      const negativePad = ints(g);
      negativePad[13] = -1;
      expect(call({ geo: negativePad })).toThrow(/pad\[1\] must be >= 0/);
      expect(call({ off: 1 })).toThrow(/too few/);
      expect(call({ cg: 4 })).toThrow(/too few/);
      expect(call({ cols: new Float32Array(cols.length - 1) })).toThrow(/needs/);
      const shared = new Float32Array(src.length + cols.length);
      expect(call({ src: shared, cols: shared.subarray(100) })).toThrow(/must not overlap/);
      expect(call({ src: shared, cols: shared.subarray(src.length) })).not.toThrow();
    });

    it(`registers '${Q.FLOAT_IM2COL_OP}'; qtensor's conv forward and weight gradient through it equal the TypeScript im2col`, () => {
      expect(t.listNativeOps()).toContain(Q.FLOAT_IM2COL_OP);
      expect(Q.nativeFloatIm2col()).not.toBeNull();
      Q.manualSeed(5);
      const img = Q.randn([2, 6, 9, 11]), kern = Q.randn([8, 3, 3, 3]), gy = Q.randn([2, 8, 5, 7]);
      const run = (im2col: boolean) => {
        // only the im2col hook toggles: the float GEMM stays native in both runs
        const saved = im2col ? [] : Q.listKernels().filter((k) => k.op === Q.FLOAT_IM2COL_OP && k.source === 'native');
        for (const k of saved) Q.unregisterKernel(k.op, k.engine, k.source);
        expect(Q.nativeFloatIm2col() === null).toBe(!im2col);
        try {
          const x = img.detach().requiresGrad_(true), w = kern.detach().requiresGrad_(true);
          const y = Q.conv2d(x, w, { padding: [1, 2], stride: 2, groups: 2 });
          y.backward(gy);
          return [y.values(), w.grad!.values()];
        } finally {
          for (const k of saved) Q.registerKernel(k, { replace: true });
        }
      };
      const [yNative, gNative] = run(true), [yTs, gTs] = run(false);
      expect(Array.from(yNative!)).toEqual(Array.from(yTs!));
      expect(Array.from(gNative!)).toEqual(Array.from(gTs!));
    });
  });
}
