/**
 * Argument validation of the native quantized-op entry points (src/napi_ops.cc and the
 * grouped PackedWeights): every bad argument is a JS TypeError / RangeError naming the function
 * and argument, never a crash; and through qtensor's public API the reference's error classes.
 */
import { describe, expect, it } from 'vitest';
import * as Q from '@qtorch/qtensor';
import type { Conv2dGeometry } from '../ts/index.js';
import { randomInts } from './reference.js';
import type { AddonUnderTest } from './suite.js';

export function describeOpArguments(t: AddonUnderTest): void {
  describe(`${t.packageName} quantized-op argument validation`, () => {
    const b = () => t.nativeLoad.binding!;
    const ws = Float64Array.of(0.1);
    // 4 output channels, 2 input channels, 3x3 kernel, groups 1
    const convW = () => new (b().PackedWeights)(new Int8Array(4 * 2 * 9), 4, 18, Int32Array.of(0), 1, 9);
    const geo = (over: Partial<Record<number, number>> = {}): Conv2dGeometry => {
      const g = [1, 2, 5, 5, 3, 3, 1, 1, 1, 1, 1, 1];
      for (const [i, v] of Object.entries(over)) g[Number(i)] = v!;
      return g as unknown as Conv2dGeometry;
    };
    const x = () => new Uint8Array(2 * 25);
    const conv = (...args: unknown[]) => (b().qconv2d as (...a: unknown[]) => unknown)(...args);

    it('PackedWeights: groups and spatial must divide n and k', () => {
      const P = b().PackedWeights;
      expect(() => new P(new Int8Array(6), 2, 3, Int32Array.of(0), 0)).toThrow(/groups/);
      expect(() => new P(new Int8Array(6), 2, 3, Int32Array.of(0), 3)).toThrow(RangeError);
      expect(() => new P(new Int8Array(6), 2, 3, Int32Array.of(0), 1, 2)).toThrow(/spatial/);
      expect(() => new P(new Int8Array(6), 2, 3, Int32Array.of(0), '1' as never)).toThrow(TypeError);
      expect(() => new P(new Int8Array(6), 2, 3, Int32Array.of(0), 1.5)).toThrow(RangeError);
    });

    it('qlinear / linearDynamic: conv-layout weights, qint8 zero points, dynamic arguments', () => {
      expect(() => b().qlinear(new Uint8Array(18), 1, 0, convW(), 0.1, ws, null, 0.2, 0, false)).toThrow(/must be linear weights/);
      const p = t.api.packWeights(new Int8Array(6), 2, 3, 0);
      expect(b().qlinear(new Int8Array(6), 2, -128, p, 0.1, ws, null, 0.2, 127, false)).toBeInstanceOf(Int8Array);
      expect(() => b().qlinear(new Int8Array(6), 2, 200, p, 0.1, ws, null, 0.2, 0, false)).toThrow(RangeError);
      expect(() => b().qlinear(new Int8Array(6), 2, 0, p, 0.1, ws, null, 0.2, 200, false)).toThrow(RangeError);
      expect(() => b().qlinear(new Int16Array(6) as never, 2, 0, p, 0.1, ws, null, 0.2, 0, false)).toThrow(TypeError);
      expect(() => b().linearDynamic(new Float32Array(6), 2, p, 0.1, 256, ws, null, false)).toThrow(RangeError);
      expect(() => b().linearDynamic(new Float32Array(5), 2, p, 0.1, 0, ws, null, false)).toThrow(RangeError);
      expect(() => b().linearDynamic(new Float64Array(6) as never, 2, p, 0.1, 0, ws, null, false)).toThrow(TypeError);
      expect(() => (b().linearDynamic as (...a: unknown[]) => unknown)(new Float32Array(6), 2, p, 0.1, 0, ws, null)).toThrow(TypeError);
      expect(() => b().linearDynamic(new Float32Array(6), 2, p, NaN, 0, ws, null, false)).toThrow(RangeError);
    });

    it('qconv2d: geometry, channels, lengths, kernel reach, packed weights, qparams', () => {
      expect(conv(x(), geo(), 0, convW(), 0.1, ws, null, 0.2, 0, false)).toHaveLength(4 * 25);
      expect(() => conv(x(), 'geo', 0, convW(), 0.1, ws, null, 0.2, 0, false)).toThrow(TypeError);
      expect(() => conv(x(), [1, 2, 5], 0, convW(), 0.1, ws, null, 0.2, 0, false)).toThrow(/12 integers/);
      expect(() => conv(x(), geo({ 6: 0 }), 0, convW(), 0.1, ws, null, 0.2, 0, false)).toThrow(/strideH must be an integer >= 1/);
      expect(() => conv(x(), geo({ 10: -1 }), 0, convW(), 0.1, ws, null, 0.2, 0, false)).toThrow(RangeError);
      expect(() => conv(x(), geo({ 8: 1.5 }), 0, convW(), 0.1, ws, null, 0.2, 0, false)).toThrow(RangeError);
      expect(() => conv(x(), geo({ 1: 3 }), 0, convW(), 0.1, ws, null, 0.2, 0, false)).toThrow(/input channels/);
      expect(() => conv(x(), geo({ 4: 1, 5: 1 }), 0, convW(), 0.1, ws, null, 0.2, 0, false)).toThrow(/3x3|1x1/);
      expect(() => conv(new Uint8Array(49), geo(), 0, convW(), 0.1, ws, null, 0.2, 0, false)).toThrow(/batch \* cin \* ih \* iw/);
      expect(() => conv(new Uint8Array(2), geo({ 2: 1, 3: 1, 8: 0, 9: 0 }), 0, convW(), 0.1, ws, null, 0.2, 0, false)).toThrow(/too small/);
      expect(() => conv(x(), geo(), 0, t.api.packWeights(new Int8Array(6), 2, 3, 0), 0.1, ws, null, 0.2, 0, false)).toThrow(RangeError);
      expect(() => conv(x(), geo(), 0, {}, 0.1, ws, null, 0.2, 0, false)).toThrow(TypeError);
      expect(() => conv(new Float32Array(50), geo(), 0, convW(), 0.1, ws, null, 0.2, 0, false)).toThrow(TypeError);
      expect(() => conv(x(), geo(), 0, convW(), 0.1, Float64Array.of(1, 2), null, 0.2, 0, false)).toThrow(/weightScales/);
      expect(() => conv(x(), geo(), 0, convW(), 0.1, ws, new Float32Array(3), 0.2, 0, false)).toThrow(/bias/);
      expect(() => conv(x(), geo(), 0, convW(), 0.1, ws, null, 0, 0, false)).toThrow(/outScale/);
      expect(() => conv(new Int8Array(50), geo(), 0, convW(), 0.1, ws, null, 0.2, 128, false)).toThrow(/outZeroPoint/);
      expect(() => conv(x(), geo({ 0: 2 ** 20, 2: 2 ** 20 }), 0, convW(), 0.1, ws, null, 0.2, 0, false)).toThrow(/too large/);
      expect(conv(new Uint8Array(0), geo({ 0: 0 }), 0, convW(), 0.1, ws, null, 0.2, 0, false)).toHaveLength(0);
    });

    it('quantizePerTensor / dequantize / qadd / qrelu / minMax: types, lengths, qparams', () => {
      const f = new Float32Array(4);
      expect(() => b().quantizePerTensor(f, 0.1, 0, new Uint8Array(3))).toThrow(/out/);
      expect(() => b().quantizePerTensor(f, 0.1, 200, new Int8Array(4))).toThrow(/zeroPoint/);
      expect(() => b().quantizePerTensor(f, -0.1, 0, new Uint8Array(4))).toThrow(/scale/);
      expect(() => b().quantizePerTensor(new Float64Array(4) as never, 0.1, 0, new Uint8Array(4))).toThrow(TypeError);
      expect(() => b().dequantize(new Uint8Array(4), 0.1, 0, new Float64Array(4) as never)).toThrow(TypeError);
      expect(() => b().dequantize(new Uint8Array(4), 0.1, -1, new Float32Array(4))).toThrow(RangeError);
      const u = new Uint8Array(4);
      expect(() => b().qadd(u, 0.1, 0, new Int8Array(4) as never, 0.1, 0, 0.1, 0, false, u)).toThrow(TypeError);
      expect(() => b().qadd(u, 0.1, 0, new Uint8Array(5), 0.1, 0, 0.1, 0, false, u)).toThrow(RangeError);
      expect(() => b().qadd(u, Infinity, 0, u, 0.1, 0, 0.1, 0, false, u)).toThrow(RangeError);
      expect(() => b().qadd(u, 0.1, 0, u, 0.1, 0, 0.1, 0, false, new Uint8Array(3))).toThrow(RangeError);
      expect(() => b().qadd(u, 0.1, 0, u, 0.1, 0, 0.1, 0, 'no' as never, u)).toThrow(TypeError);
      expect(() => b().qrelu(u, 0, new Int8Array(4) as never)).toThrow(TypeError);
      expect(() => b().minMax([1, 2] as never)).toThrow(TypeError);
      expect(b().minMax(Float32Array.of(1, 3, -2, NaN))).toEqual([NaN, NaN]); // NaN propagates, as the reference min/max
      expect(b().minMax(Float32Array.of(5))).toEqual([0, 5]);
    });

    it('minMax: min(x, 0) / max(x, 0) of every length 0..40 and position, -0 never replaces +0, the first NaN anywhere', () => {
      // the plain sequential scan the native vector loop must equal
      const reference = (v: Float32Array): [number, number] => {
        let lo = 0, hi = 0;
        for (const x of v) {
          if (Number.isNaN(x)) return [x, x];
          lo = x < lo ? x : lo;
          hi = x > hi ? x : hi;
        }
        return [lo, hi];
      };
      const same = (a: [number, number], e: [number, number]) => Object.is(a[0], e[0]) && Object.is(a[1], e[1]);
      for (let n = 0; n <= 40; n++) {
        const vals = Float32Array.from(randomInts(n, -1000, 1000, 300 + n), (v) => v / 8);
        const cases = [vals, vals.map(() => -0), vals.map((v) => Math.abs(v) + 1), vals.map((v) => -Math.abs(v) - 1)];
        for (let p = 0; p < n; p += 3) {
          const withNaN = vals.slice();
          withNaN[p] = NaN;
          cases.push(withNaN);
        }
        for (const c of cases) expect({ n, c: Array.from(c), ok: same(b().minMax(c), reference(c)) }).toEqual({ n, c: Array.from(c), ok: true });
      }
    });

    it('through qtensor, bad inputs raise the reference errors before native code runs', () => {
      const w = Q.quantizePerTensor(Q.Tensor.fromTypedArray(new Float32Array(4 * 2 * 9), [4, 2, 3, 3]), 0.1, 0, Q.qint8);
      const packed = Q.convPrepack(w, null, { padding: 1 }, t.engine);
      const x3 = Q.makeQTensor([1, 3, 5, 5], Q.quint8, 0.1, 0);
      expect(() => Q.quantizedConv2d(x3, packed, 0.1, 0)).toThrow(Q.QTorchShapeError);
      const x2 = Q.makeQTensor([1, 2, 5, 5], Q.quint8, 0.1, 0);
      expect(() => Q.quantizedConv2d(x2, packed, -1, 0)).toThrow(Q.QTorchValueError);
      expect(() => Q.quantizedConv2d(x2, packed, 0.1, 256)).toThrow(Q.QTorchValueError);
      const lp = Q.linearPrepack(Q.quantizePerTensor(Q.Tensor.fromTypedArray(new Float32Array(6), [2, 3]), 0.1, 0, Q.qint8), null, t.engine);
      expect(() => Q.quantizedLinear(Q.makeQTensor([2, 4], Q.quint8, 0.1, 0), lp, 0.1, 0)).toThrow(Q.QTorchShapeError);
      expect(() => Q.quantizedLinearDynamic(Q.makeQTensor([2, 3], Q.quint8, 0.1, 0), lp)).toThrow(Q.QTorchTypeError);
      expect(() => Q.quantizedAdd(x2, Q.makeQTensor([1, 2, 5, 5], Q.qint8, 0.1, 0), 0.1, 0)).toThrow(Q.QTorchTypeError);
    });
  });
}
