/**
 * Native activations (256-entry tables), mul, scalar add / mul and NCHW pools: bit-exact with
 * the reference kernels on every ISA and thread count, through qtensor's public API (random
 * qparams with zero points at the range ends, every 8-bit input value, quint8 and qint8, odd
 * and empty shapes, non-contiguous inputs), and argument validation of the binding functions.
 */
import { describe, expect, it } from 'vitest';
import * as Q from '@qtorch/qtensor';
import type { Tensor } from '@qtorch/qtensor';
import { randomInts } from './reference.js';
import { RANGE, Rand, describeTensor, expectBitExact, nativeAndReference, qActivation, withNative } from './ops.js';
import { type AddonUnderTest, restoringThreads } from './suite.js';

const DTYPES = [Q.quint8, Q.qint8] as const;
const rangeOf = (d: Q.DType): readonly [number, number] => RANGE[d.name as 'quint8' | 'qint8'];

/** Every value of `dtype` three times in random order, plus `extra` random ones (odd lengths). */
function everyValue(r: Rand, dtype: Q.DType, scale: number, zeroPoint: number, extra = 5): Tensor {
  const [lo] = rangeOf(dtype);
  const v = Array.from({ length: 768 + extra }, (_, i) => lo + (i < 768 ? i % 256 : r.int(0, 255)));
  for (let i = v.length - 1; i > 0; i--) {
    const j = r.int(0, i);
    [v[i], v[j]] = [v[j]!, v[i]!];
  }
  return Q.makeQTensor([v.length], dtype, scale, zeroPoint, v);
}

/** Random qparams of `dtype`: the zero point at an end of the range a third of the time. */
function qparams(r: Rand, dtype: Q.DType, lo = 0.002, hi = 0.2): [number, number] {
  const [a, b] = rangeOf(dtype);
  return [r.scale(lo, hi), r.pick([a, b, r.int(a, b)])];
}

export function describeElementwiseOps(t: AddonUnderTest): void {
  describe(`${t.packageName} native activations, mul and pools (bit-exact, every ISA)`, () => {
    it('activations with output qparams: hardswish, hardsigmoid, sigmoid, tanh, leaky_relu, elu, celu over every input value', () => {
      const r = new Rand(51);
      for (let c = 0; c < 24; c++) {
        const dtype = DTYPES[c % 2]!;
        const [s, z] = qparams(r, dtype, 0.005, 0.5);
        const [so, zo] = qparams(r, dtype, 0.002, 0.1);
        const x = everyValue(r, dtype, s, z);
        const alpha = r.pick([1, 0.5, 2.25, -0.3]), slope = r.pick([0.01, 0.2, -1.5, 0]);
        const runs: Array<[string, () => Tensor]> = [
          ['hardswish', () => Q.quantizedHardswish(x, so, zo)],
          ['hardsigmoid', () => Q.quantizedHardsigmoid(x, c % 4 < 2 ? {} : { scale: so, zeroPoint: zo })],
          ['sigmoid', () => Q.quantizedSigmoid(x, c % 4 < 2 ? {} : { scale: so, zeroPoint: zo })],
          ['tanh', () => Q.quantizedTanh(x, c % 4 < 2 ? {} : { scale: so, zeroPoint: zo })],
          ['leaky_relu', () => Q.quantizedLeakyRelu(x, slope, c % 3 === 0 ? {} : { scale: so, zeroPoint: zo })],
          ['elu', () => Q.quantizedElu(x, so, zo, alpha)],
          ['celu', () => Q.quantizedCelu(x, so, zo, alpha)],
        ];
        for (const [name, run] of runs) expectBitExact(t, `${name} #${c} ${dtype.name} s=${s} z=${z} -> ${so},${zo}`, 'qactivation', run);
      }
    });

    it('transcendental tables over many qparams (sigmoid, tanh, elu): every entry as the reference', () => {
      // The table of a (scale, zero point) pair holds all 256 outputs: many pairs, one ISA
      // (the tables are built by the same baseline code at every level).
      const r = new Rand(52);
      for (let c = 0; c < 150; c++) {
        const dtype = DTYPES[c % 2]!;
        const [s, z] = qparams(r, dtype, 0.001, 1);
        const [so, zo] = qparams(r, dtype, 0.001, 0.05);
        const x = everyValue(r, dtype, s, z, 0);
        for (const run of [() => Q.quantizedSigmoid(x, { scale: so, zeroPoint: zo }), () => Q.quantizedTanh(x, { scale: so, zeroPoint: zo }), () => Q.quantizedElu(x, so, zo, 1)]) {
          const { native, reference } = nativeAndReference(() => Q.withEngine(t.engine, run));
          expect(describeTensor(native)).toEqual(describeTensor(reference));
        }
      }
    });

    it('integer activations with the input qparams: relu6, clamp, hardtanh, threshold (bounds at ties and outside the range)', () => {
      const r = new Rand(53);
      for (let c = 0; c < 16; c++) {
        const dtype = DTYPES[c % 2]!;
        const [s, z] = qparams(r, dtype, 0.01, 0.1);
        const x = everyValue(r, dtype, s, z);
        const bound = () => r.pick([0, 6, -1, 2.5 * s, -0.5 * s, 1e6, -1e6, (r.int(-300, 300) + 0.5) * s]);
        const lo = bound(), hi = Math.max(lo, bound());
        expectBitExact(t, `relu6 #${c}`, 'qactivation', () => Q.quantizedRelu6(x));
        expectBitExact(t, `clamp #${c} [${lo}, ${hi}]`, 'qactivation', () => Q.quantizedClamp(x, lo, hi));
        expectBitExact(t, `clamp #${c} min only`, 'qactivation', () => Q.quantizedClamp(x, lo, null));
        expectBitExact(t, `clamp #${c} max only`, 'qactivation', () => Q.quantizedClamp(x, null, hi));
        expectBitExact(t, `hardtanh #${c}`, 'qactivation', () => Q.quantizedHardtanh(x, lo, hi));
        const th = bound(), value = r.pick([0, -3.25, 1e9, 7 * s]);
        expectBitExact(t, `threshold #${c} ${th} -> ${value}`, 'qactivation', () => Q.quantizedThreshold(x, th, value));
      }
    });

    it('activations on 4-d, non-contiguous and empty tensors', () => {
      const r = new Rand(54);
      const x = Q.transpose(qActivation(r, [2, 3, 5, 7], Q.qint8), 1, 3);
      expectBitExact(t, 'hardswish 4-d transposed', 'qactivation', () => Q.quantizedHardswish(x, 0.03, -5));
      const empty = Q.makeQTensor([0, 3], Q.quint8, 0.1, 3);
      expectBitExact(t, 'sigmoid empty', 'qactivation', () => Q.quantizedSigmoid(empty));
    });

    it('quantized::mul(_relu): every (a, b) pair of quint8 / qint8 values, random and extreme output scales', () => {
      const r = new Rand(55);
      for (const dtype of DTYPES) {
        const [lo] = rangeOf(dtype);
        for (let c = 0; c < 3; c++) {
          const [sa, za] = qparams(r, dtype), [sb, zb] = qparams(r, dtype);
          const a = Q.makeQTensor([65536], dtype, sa, za, Array.from({ length: 65536 }, (_, i) => lo + (i >> 8)));
          const b = Q.makeQTensor([65536], dtype, sb, zb, Array.from({ length: 65536 }, (_, i) => lo + (i & 255)));
          // c = 2: a tiny output scale (multipliers far above the range: saturation everywhere)
          const so = c === 2 ? 1e-9 : r.scale(0.0001, 0.05), zo = r.pick([lo, lo + 255, lo + r.int(0, 255)]);
          expectBitExact(t, `mul all pairs ${dtype.name} #${c}`, 'qmul', () => Q.quantizedMul(a, b, so, zo));
          expectBitExact(t, `mul_relu all pairs ${dtype.name} #${c}`, 'qmul', () => Q.quantizedMulRelu(a, b, so, zo));
        }
      }
    });

    it('quantized::mul: odd sizes, non-contiguous input, empty; broadcasting falls back to the reference', () => {
      const r = new Rand(56);
      for (const shape of [[1], [3, 5], [2, 3, 7], [4, 33], [0, 4]]) {
        const a = qActivation(r, shape, Q.qint8);
        const b = shape.length === 2 ? Q.transpose(qActivation(r, [shape[1]!, shape[0]!], Q.qint8), 0, 1) : qActivation(r, shape, Q.qint8);
        expectBitExact(t, `mul ${JSON.stringify(shape)}`, 'qmul', () => Q.quantizedMul(a, b, 0.013, 3));
      }
      const a = qActivation(r, [2, 3, 4]), b = qActivation(r, [3, 1]);
      const { native, reference } = nativeAndReference(() => Q.quantizedMul(a, b, 0.05, 3));
      expect(describeTensor(native)).toEqual(describeTensor(reference));
    });

    it('add_scalar / mul_scalar (+relu): output qparams and values as the reference, zero point pushed out of range', () => {
      const r = new Rand(57);
      for (let c = 0; c < 12; c++) {
        const dtype = DTYPES[c % 2]!;
        const [s, z] = qparams(r, dtype, 0.01, 0.1);
        const x = everyValue(r, dtype, s, z);
        const other = r.pick([0, 0.5, -0.37, 3 * s, 2.5 * s, 100 * s, -200 * s, 7.25, -1e3]);
        expectBitExact(t, `add_scalar #${c} ${other}`, 'qlut', () => Q.quantizedAddScalar(x, other));
        expectBitExact(t, `add_scalar_relu #${c}`, 'qlut', () => Q.quantizedAddScalarRelu(x, other));
        expectBitExact(t, `mul_scalar #${c} ${other}`, 'qlut', () => Q.quantizedMulScalar(x, other));
        expectBitExact(t, `mul_scalar_relu #${c}`, 'qlut', () => Q.quantizedMulScalarRelu(x, other));
      }
    });

    interface PoolCase { shape: number[]; k: number | number[]; stride?: number | number[]; pad?: number | number[]; dil?: number | number[]; ceil?: boolean }
    const poolCases: PoolCase[] = [
      { shape: [1, 3, 8, 8], k: 2 },
      { shape: [2, 4, 9, 11], k: 3, stride: 2, pad: 1 },
      { shape: [1, 2, 10, 7], k: [3, 2], stride: [2, 1], pad: [1, 0], ceil: true },
      { shape: [3, 13, 13], k: 3, stride: 2, ceil: true },
      { shape: [1, 5, 7, 9], k: [2, 3], stride: [3, 2], pad: [1, 1], ceil: true },
      { shape: [2, 1, 6, 40], k: 5, stride: 1, pad: 2 },
      { shape: [1, 16, 56, 56], k: 3, stride: 2, pad: 1 },
      { shape: [1, 1, 1, 1], k: 1 },
      { shape: [0, 3, 5, 5], k: 2 },
      { shape: [1, 1, 300, 290], k: 260, stride: 17, pad: 3, ceil: true }, // window sums beyond float32's exact integers
    ];

    it('quantized::max_pool2d: stride, padding, dilation, ceil mode, 3-d input, qint8, empty batch', () => {
      const r = new Rand(58);
      poolCases.forEach((p, c) => {
        const x = qActivation(r, p.shape, DTYPES[c % 2]);
        const dil = c % 3 === 1 ? 2 : p.dil;
        const opts = { stride: p.stride ?? null, padding: p.pad ?? 0, dilation: dil ?? 1, ceilMode: p.ceil ?? false };
        if (c === 1) Object.assign(opts, { padding: 1, dilation: 2 }); // reach beyond the padding
        expectBitExact(t, `max_pool2d #${c} ${JSON.stringify({ ...p, dil })}`, 'qmaxPool2d', () => Q.quantizedMaxPool2d(x, p.k, opts));
      });
    });

    it('quantized::max_pool1d runs as a 2-d pool of height 1', () => {
      const r = new Rand(63);
      for (const [c, [shape, k, opts]] of ([[[2, 3, 17], 3, { stride: 2, padding: 1 }], [[5, 40], 4, { stride: 3, dilation: 2, ceilMode: true }], [[0, 2, 9], 2, {}]] as const).entries()) {
        const x = qActivation(r, [...shape], DTYPES[c % 2]);
        expectBitExact(t, `max_pool1d #${c}`, 'qmaxPool2d', () => Q.quantizedMaxPool1d(x, k, opts));
      }
    });

    it(`quantized::avg_pool2d (${t.engine} numerics): count_include_pad, divisor_override, ceil mode, qint8`, () => {
      const r = new Rand(59);
      poolCases.forEach((p, c) => {
        for (const [variant, extra] of [['default', {}], ['exclude pad', { countIncludePad: false }], ['divisor 7', { divisorOverride: 7 }]] as const) {
          const dtype = c % 3 === 2 ? Q.qint8 : Q.quint8;
          const x = qActivation(r, p.shape, dtype);
          const opts = { stride: p.stride ?? null, padding: p.pad ?? 0, ceilMode: p.ceil ?? false, ...extra };
          expectBitExact(t, `avg_pool2d #${c} ${variant} ${dtype.name} ${JSON.stringify(p)}`, 'qavgPool2d', () => Q.quantizedAvgPool2d(x, p.k, opts));
        }
      });
    });

    it('quantized::adaptive_avg_pool2d: dividing and non-dividing sizes, output larger than input, 1x1, qint8', () => {
      const r = new Rand(60);
      const cases: Array<[number[], number[]]> = [[[1, 3, 8, 8], [4, 4]], [[2, 5, 7, 9], [3, 4]], [[4, 7, 7], [1, 1]], [[1, 2, 3, 5], [7, 6]], [[1, 64, 14, 14], [5, 3]], [[0, 2, 4, 4], [2, 2]]];
      cases.forEach(([shape, size], c) => {
        const x = qActivation(r, shape, DTYPES[c % 2]);
        expectBitExact(t, `adaptive_avg_pool2d #${c} ${JSON.stringify(shape)} -> ${JSON.stringify(size)}`, 'qadaptiveAvgPool2d', () => Q.quantizedAdaptiveAvgPool2d(x, size));
      });
    });

    it('pools on large planes and many planes: bit-exact for 1, 2 and 3 threads', () => {
      const r = new Rand(61);
      const big = qActivation(r, [2, 64, 64, 64]), many = qActivation(r, [1, 1024, 9, 9], Q.qint8);
      restoringThreads(t.api, () => {
        for (const n of [1, 2, 3]) {
          t.api.setNumThreads(n);
          expectBitExact(t, `max_pool2d ${n} threads`, 'qmaxPool2d', () => Q.quantizedMaxPool2d(big, 3, { stride: 2, padding: 1 }));
          expectBitExact(t, `avg_pool2d ${n} threads`, 'qavgPool2d', () => Q.quantizedAvgPool2d(many, 3, { stride: 1, padding: 1, countIncludePad: false }));
          expectBitExact(t, `adaptive_avg_pool2d ${n} threads`, 'qadaptiveAvgPool2d', () => Q.quantizedAdaptiveAvgPool2d(big, [7, 7]));
          expectBitExact(t, `sigmoid ${n} threads`, 'qactivation', () => Q.quantizedSigmoid(big));
        }
      });
    });
  });

  describe(`${t.packageName} quantizeInto / dequantizeInto (caller-provided outputs)`, () => {
    it('write the op\'s exact result into a reused output, quint8 and qint8; registered as kernels::', () => {
      const r = new Rand(62);
      const x = Float32Array.from({ length: 4099 }, () => (r.int(-40000, 40000) / 1000) * 0.05);
      for (const dtype of DTYPES) {
        const [lo] = rangeOf(dtype);
        const want = withNative(false, () => Q.quantizePerTensor(Q.Tensor.fromTypedArray(x, [x.length]), 0.05, lo + 3, dtype));
        const q = dtype === Q.qint8 ? new Int8Array(x.length) : new Uint8Array(x.length);
        const y = new Float32Array(x.length);
        for (let rep = 0; rep < 2; rep++) {
          expect(t.api.quantizeInto(x, 0.05, lo + 3, q)).toBe(q);
          expect(Array.from(q)).toEqual(Array.from(want.rawValues()));
          expect(t.api.dequantizeInto(q, 0.05, lo + 3, y)).toBe(y);
          expect(Array.from(y)).toEqual(Array.from(withNative(false, () => Q.dequantize(want)).rawValues()));
        }
      }
      expect(Q.getKernel('kernels::dequantize', t.engine)).toBe(t.api.dequantizeInto);
      expect(() => t.api.dequantizeInto(new Uint8Array(3), 0.05, 0, new Float32Array(2))).toThrow(RangeError);
    });
  });

  describe(`${t.packageName} activation / mul / pool argument validation`, () => {
    const b = () => t.nativeLoad.binding!;
    const u = (n: number) => new Uint8Array(n);
    it('qactivation: kind, qparams, parameters, output type and length', () => {
      expect(Array.from(b().qactivation(Uint8Array.of(0, 128, 255), 'relu6', 0.1, 128, 1, 0, null, null, u(3)))).toEqual([128, 128, 188]);
      expect(() => b().qactivation(u(3), 'gelu' as never, 0.1, 0, 0.1, 0, null, null, u(3))).toThrow(/unknown activation 'gelu'/);
      expect(() => b().qactivation(u(3), 7 as never, 0.1, 0, 0.1, 0, null, null, u(3))).toThrow(TypeError);
      expect(() => b().qactivation(u(3), 'sigmoid', 0, 0, 0.1, 0, null, null, u(3))).toThrow(/inScale/);
      expect(() => b().qactivation(u(3), 'sigmoid', 0.1, 0, 0.1, 256, null, null, u(3))).toThrow(/outZeroPoint/);
      expect(() => b().qactivation(new Int8Array(3), 'sigmoid', 0.1, 200, 0.1, 0, null, null, new Int8Array(3))).toThrow(/inZeroPoint/);
      expect(() => b().qactivation(u(3), 'leaky_relu', 0.1, 0, 0.1, 0, null, null, u(3))).toThrow(/argument 6 \(a\) must be a number/);
      expect(() => b().qactivation(u(3), 'threshold', 0.1, 0, 0.1, 0, 1, null, u(3))).toThrow(/argument 7/);
      expect(() => b().qactivation(u(3), 'celu', 0.1, 0, 0.1, 0, 0, null, u(3))).toThrow(/must not be 0/);
      expect(() => b().qactivation(u(3), 'clamp', 0.1, 0, 0.1, 0, NaN, null, u(3))).toThrow(RangeError);
      expect(() => b().qactivation(u(3), 'sigmoid', 0.1, 0, 0.1, 0, null, null, new Int8Array(3) as never)).toThrow(TypeError);
      expect(() => b().qactivation(u(3), 'sigmoid', 0.1, 0, 0.1, 0, null, null, u(4))).toThrow(RangeError);
      expect(() => b().qactivation(new Float32Array(3) as never, 'sigmoid', 0.1, 0, 0.1, 0, null, null, u(3))).toThrow(TypeError);
    });
    it('qlut and qmul: types, lengths and qparams', () => {
      expect(Array.from(b().qlut(Uint8Array.of(0, 2, 255), Uint8Array.from({ length: 256 }, (_, i) => 255 - i), u(3)))).toEqual([255, 253, 0]);
      expect(() => b().qlut(u(3), u(255), u(3))).toThrow(/256/);
      expect(() => b().qlut(u(3), new Int8Array(256) as never, u(3))).toThrow(TypeError);
      expect(() => b().qlut(u(3), u(256), u(2))).toThrow(RangeError);
      expect(Array.from(b().qmul(Uint8Array.of(3, 4), 0.5, 1, Uint8Array.of(5, 255), 0.25, 1, 0.125, 2, false, u(2)))).toEqual([10, 255]);
      expect(() => b().qmul(u(2), 0.5, 1, new Int8Array(2) as never, 0.25, 1, 0.125, 2, false, u(2))).toThrow(TypeError);
      expect(() => b().qmul(u(2), 0.5, 1, u(3), 0.25, 1, 0.125, 2, false, u(2))).toThrow(RangeError);
      expect(() => b().qmul(u(2), 0.5, 1, u(2), -0.25, 1, 0.125, 2, false, u(2))).toThrow(/bScale/);
      expect(() => b().qmul(u(2), 0.5, 1, u(2), 0.25, 1, 0.125, 2, 'yes' as never, u(2))).toThrow(TypeError);
    });
    it('pools: geometry, lengths, padding, windows too large', () => {
      const g = (o: Partial<Record<number, number>> = {}) => {
        const v = [2, 5, 5, 3, 3, 1, 1, 1, 1, 1, 1];
        for (const [i, x] of Object.entries(o)) v[Number(i)] = x!;
        return v as unknown as Parameters<ReturnType<typeof b>['qmaxPool2d']>[1];
      };
      expect(b().qmaxPool2d(u(50), g(), false)).toHaveLength(50);
      expect(() => b().qmaxPool2d(u(49), g(), false)).toThrow(/planes \* ih \* iw/);
      expect(() => b().qmaxPool2d(u(50), [2, 5, 5] as never, false)).toThrow(/11 integers/);
      expect(() => b().qmaxPool2d(u(50), 'g' as never, false)).toThrow(TypeError);
      expect(() => b().qmaxPool2d(u(50), g({ 5: 0 }), false)).toThrow(/strideH must be an integer >= 1/);
      expect(() => b().qmaxPool2d(u(50), g({ 7: 2 }), false)).toThrow(/at most half the kernel/);
      expect(() => b().qmaxPool2d(u(50), g({ 3: 9, 7: 0 }), false)).toThrow(/too small/);
      expect(() => b().qmaxPool2d(u(50), g(), 1 as never)).toThrow(TypeError);
      expect(() => b().qmaxPool2d(u(50), g({ 0: 2 ** 30, 1: 2 ** 30 }), false)).toThrow(/too large/);
      const avg = (...a: unknown[]) => (b().qavgPool2d as (...x: unknown[]) => unknown)(...a);
      expect(avg(u(50), [2, 5, 5, 2, 2, 2, 2, 0, 0], false, 0, true, 0, false)).toHaveLength(8);
      expect(() => avg(u(50), [2, 5, 5, 2, 2, 2, 2, 0, 0], false, 300, true, 0, false)).toThrow(/zeroPoint/);
      expect(() => avg(u(50), [2, 5, 5, 2, 2, 2, 2, 0, 0], false, 0, true, -1, false)).toThrow(/divisorOverride/);
      expect(() => avg(u(50), [2, 5, 5, 2, 2, 2, 2, 0, 0, 1, 1], false, 0, true, 0, false)).toThrow(/9 integers/);
      const ada = (...a: unknown[]) => (b().qadaptiveAvgPool2d as (...x: unknown[]) => unknown)(...a);
      expect(ada(new Int8Array(50), [2, 5, 5, 2, 3], -3)).toHaveLength(12);
      expect(() => ada(u(50), [2, 5, 5, 0, 3], 0)).toThrow(/oh must be an integer >= 1/);
      expect(() => ada(u(50), [2, 5, 5, 2, 3], -1)).toThrow(/zeroPoint/);
      expect(() => ada(u(51), [2, 5, 5, 2, 3], 0)).toThrow(RangeError);
    });
    it('through qtensor, bad pool and activation arguments raise the reference errors', () => {
      const x = Q.makeQTensor([1, 2, 5, 5], Q.quint8, 0.1, 0, randomInts(50, 0, 255, 1));
      expect(() => Q.quantizedMaxPool2d(x, 3, { padding: 2 })).toThrow(Q.QTorchValueError);
      expect(() => Q.quantizedAvgPool2d(x, 9)).toThrow(Q.QTorchShapeError);
      expect(() => Q.quantizedAdaptiveAvgPool2d(x, [0, 2])).toThrow(Q.QTorchValueError);
      expect(() => Q.quantizedHardswish(x, -1, 0)).toThrow(Q.QTorchValueError);
      expect(() => Q.quantizedMul(x, Q.makeQTensor([1, 2, 5, 5], Q.qint8, 0.1, 0), 0.1, 0)).toThrow(Q.QTorchTypeError);
    });
  });
}
