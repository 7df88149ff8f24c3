/**
 * `dispose()` of packed params: the native prepacked copy is freed at once (the handle's
 * `bytes`, what it reports to V8 as external memory, drops to 0), and every later use of the
 * params or the native handle throws a clear error instead of touching freed memory.
 */
import { describe, expect, it } from 'vitest';
import * as Q from '@qtorch/qtensor';
import { randomInts } from './reference.js';
import { withNative } from './ops.js';
import type { PackedWeights } from '../ts/index.js';
import type { AddonUnderTest } from './suite.js';

/** Runs `fn`, returning the native PackedWeights handles it created (wrapping the constructor; a spy would fail instanceof). */
function capturePacks(t: AddonUnderTest, fn: () => void): PackedWeights[] {
  const binding = t.nativeLoad.binding! as { PackedWeights: unknown };
  const Original = binding.PackedWeights as new (...a: unknown[]) => PackedWeights;
  const made: PackedWeights[] = [];
  binding.PackedWeights = function (...a: unknown[]) {
    const p = new Original(...a);
    made.push(p);
    return p;
  };
  try {
    fn();
  } finally {
    binding.PackedWeights = Original;
  }
  return made;
}

export function describePackedWeightsDispose(t: AddonUnderTest): void {
  describe(`${t.packageName} dispose() of packed weights`, () => {
    it('the native handle: dispose frees, is idempotent, and every use throws naming the op', () => {
      const p = t.api.packWeights(Int8Array.from(randomInts(512 * 1024, -128, 127, 1)), 512, 1024, 3);
      const x = new Uint8Array(2 * 1024);
      expect(t.api.qgemmS32(x, 2, 0, p)).toHaveLength(2 * 512);
      expect(p.bytes).toBeGreaterThanOrEqual(512 * 1024);
      p.dispose();
      expect({ disposed: p.disposed, bytes: p.bytes }).toEqual({ disposed: true, bytes: 0 });
      p.dispose();
      expect([p.n, p.k]).toEqual([512, 1024]);
      expect(() => t.api.qgemmS32(x, 2, 0, p)).toThrow(/qgemmS32\(\): argument 3 \(packed\): the weights were disposed/);
      expect(() => p.unpack()).toThrow(/disposed/);
      expect(() => p.zeroPoints).toThrow(/disposed/);
    });

    it('LinearPackedParams.dispose(): native copy freed, then the op, unpack and serialize throw QTorchValueError', () => {
      const w = Q.makeQTensor([256, 512], Q.qint8, 0.01, 0, randomInts(256 * 512, -128, 127, 2));
      const packed = Q.linearPrepack(w, null, t.engine);
      const x = Q.makeQTensor([3, 512], Q.quint8, 0.02, 7, randomInts(3 * 512, 0, 255, 3));
      const [handle, ...more] = capturePacks(t, () => expect(Q.quantizedLinear(x, packed, 0.1, 3).shape).toEqual([3, 256]));
      expect({ more: more.length, bytes: handle!.bytes >= 256 * 512 }).toEqual({ more: 0, bytes: true });
      packed.dispose();
      expect({ params: packed.disposed, native: handle!.disposed, bytes: handle!.bytes }).toEqual({ params: true, native: true, bytes: 0 });
      for (const native of [true, false]) {
        expect(() => withNative(native, () => Q.quantizedLinear(x, packed, 0.1, 3))).toThrow(Q.QTorchValueError);
      }
      expect(() => Q.quantizedLinear(x, packed, 0.1, 3)).toThrow(/LinearPackedParams: these packed params were disposed/);
      expect(() => packed.unpack()).toThrow(Q.QTorchValueError);
      expect(() => packed.serialize()).toThrow(Q.QTorchValueError);
      packed.dispose(); // idempotent
    });

    it('ConvPackedParams.dispose() likewise; params never used natively dispose too', () => {
      const w = Q.makeQTensor([8, 4, 3, 3], Q.qint8, 0.01, 0, randomInts(8 * 4 * 9, -128, 127, 4));
      const x = Q.makeQTensor([1, 4, 6, 6], Q.quint8, 0.02, 7, randomInts(4 * 36, 0, 255, 5));
      const used = Q.convPrepack(w, null, { padding: 1 }, t.engine), unused = Q.convPrepack(w, null, {}, t.engine);
      const want = withNative(false, () => Q.quantizedConv2d(x, used, 0.1, 3)).rawValues();
      expect(Array.from(Q.quantizedConv2d(x, used, 0.1, 3).rawValues())).toEqual(Array.from(want));
      used.dispose();
      unused.dispose();
      expect(() => Q.quantizedConv2d(x, used, 0.1, 3)).toThrow(/ConvPackedParams: these packed params were disposed/);
      expect(() => Q.quantizedConv2d(x, unused, 0.1, 3)).toThrow(Q.QTorchValueError);
      // params packed again from the same weight work as before
      expect(Array.from(Q.quantizedConv2d(x, Q.convPrepack(w, null, { padding: 1 }, t.engine), 0.1, 3).rawValues())).toEqual(Array.from(want));
    });
  });
}
