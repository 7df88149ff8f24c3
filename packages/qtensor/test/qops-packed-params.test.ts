// Packed params: engine memory, repack, unpack, serialization, and the K=4096 int32 accumulation bound.
import { describe, expect, it } from 'vitest';
import {
  ConvPackedParams, LinearPackedParams, QTorchEngineError, Tensor, conv2dPrepack, kernelSource, linearPrepack,
  QTorchValueError, linearPrepackFp16, makeQTensor, onPackedParamsDispose, qint8, quantizedConv2d, quantizedLinear, quantizedLinearDynamicFp16, quint8, withEngine,
} from '../src/index.js';

function weight(ints: number[], shape: number[], scale: number, zeroPoint = 0): Tensor {
  const w = new Tensor(Int8Array.from(ints), qint8, shape);
  w.quantizer = { qscheme: 'per_tensor_affine', scale, zeroPoint };
  return w;
}

describe('packed params', () => {
  it('remember their engine and run on it whatever the current engine', () => {
    // an exact bias tie: qnnpack rounds the bias to int32 first, fbgemm keeps it in float
    const w = weight([1], [1, 1], 0.5);
    const b = Tensor.fromTypedArray(Float32Array.of(0.25), [1]); // 0.25 / (sx*sw = 0.5) = 0.5 accumulator units
    const packedQ = withEngine('qnnpack', () => linearPrepack(w, b));
    const packedF = withEngine('fbgemm', () => linearPrepack(w, b));
    expect(packedQ.engine).toBe('qnnpack');
    expect(packedF.engine).toBe('fbgemm');
    const xin = makeQTensorQuint8([1, 1], 1, 0, [1]); // x = 1, acc = 1 * 1 = 1
    // qnnpack: bias -> rint(0.25 / 0.5) = rint(0.5) = 0 (even); acc = 1; y = rint(1 * 0.5 / 0.25) = 2
    // fbgemm: (1 + 0.5) * (0.5 / 0.25) = 3
    for (const eng of ['qnnpack', 'fbgemm'] as const) {
      withEngine(eng, () => {
        expect(quantizedLinear(xin, packedQ, 0.25, 0).rawValues()[0]).toBe(2);
        expect(quantizedLinear(xin, packedF, 0.25, 0).rawValues()[0]).toBe(3);
        expect(quantizedLinear(xin, packedF.repack('qnnpack'), 0.25, 0).rawValues()[0]).toBe(2);
      });
    }
  });

  it('unpack and serialize round trip (linear and conv)', () => {
    const w = weight([1, -2, 3, -4, 5, -6], [2, 3], 0.1);
    const b = Tensor.fromTypedArray(Float32Array.of(0.5, -0.5), [2]);
    const p = linearPrepack(w, b, 'qnnpack');
    const [w2, b2] = p.unpack();
    expect(Array.from(w2.rawValues())).toEqual([1, -2, 3, -4, 5, -6]);
    expect(w2.quantizer).toEqual({ qscheme: 'per_tensor_affine', scale: 0.1, zeroPoint: 0 });
    expect(Array.from(b2!.values())).toEqual([0.5, -0.5]);
    const state = p.serialize();
    const p2 = LinearPackedParams.deserialize(state);
    expect(p2.engine).toBe('qnnpack');
    expect(Array.from(p2.weight.q)).toEqual([1, -2, 3, -4, 5, -6]);
    const cw = weight(Array.from({ length: 2 * 1 * 2 * 2 }, (_, i) => i - 4), [2, 1, 2, 2], 0.05);
    const cp = conv2dPrepack(cw, null, 2, 1, 1, 1);
    const cp2 = ConvPackedParams.deserialize(cp.serialize(), 'fbgemm');
    expect(cp2.engine).toBe('fbgemm');
    expect(cp2.geometry).toEqual(cp.geometry);
    expect(cp2.unpack()[1]).toBeNull();
  });

  it('reference kernels are registered for both engines', () => {
    for (const op of ['quantized::linear', 'quantized::conv2d', 'quantized::add', 'quantized::avg_pool2d', 'quantized::relu']) {
      expect(kernelSource(op, 'fbgemm')).not.toBeNull();
      expect(kernelSource(op, 'qnnpack')).not.toBeNull();
    }
  });

  it('K = 4096 with extreme values accumulates in int32 without overflow', () => {
    // x = 255 with zp 0, w = -128: acc = 4096 * 255 * -128 = -133,693,440 (|acc| < 2^31)
    const K = 4096;
    const x = makeQTensorQuint8([1, K], 1, 0, new Array(K).fill(255));
    const w = weight(new Array(K).fill(-128), [1, K], 1);
    const expected = 255 * -128 * K;
    // output scale chosen so that y = acc / 2^20 is representable: -127.5 -> rint -> -128 (tie to even), + zp 200 = 72
    const y = quantizedLinear(x, linearPrepack(w, null), 2 ** 20, 200);
    expect(expected).toBe(-133693440);
    expect(y.rawValues()[0]).toBe(72);
    // x - zx spans 255 with zx = 255 and x = 0; w - zw spans 255 with zw = 127: acc = 4096 * -255 * -255
    const x2 = makeQTensorQuint8([1, K], 1, 255, new Array(K).fill(0));
    const w2 = weight(new Array(K).fill(-128), [1, K], 1, 127);
    const y2 = withEngine('qnnpack', () => quantizedLinear(x2, linearPrepack(w2, null), 2 ** 20, 0));
    expect(y2.rawValues()[0]).toBe(Math.round((4096 * 255 * 255) / 2 ** 20)); // 253.99 -> 254
  });

  it('fp16 dynamic linear rounds the weight to float16 (fbgemm), qnnpack refuses', () => {
    const w = Tensor.fromTypedArray(Float32Array.of(1 + 2 ** -12, 0.1), [1, 2]); // 1 + 2^-12 rounds to 1 in fp16
    const x = Tensor.fromTypedArray(Float32Array.of(1, 0), [1, 2]);
    const p = withEngine('fbgemm', () => linearPrepackFp16(w, null));
    expect(quantizedLinearDynamicFp16(x, p).values()[0]).toBe(1);
    expect(() => withEngine('qnnpack', () => linearPrepackFp16(w, null))).toThrow(QTorchEngineError);
  });
});

function makeQTensorQuint8(shape: number[], scale: number, zp: number, ints: number[]): Tensor {
  return makeQTensor(shape, quint8, scale, zp, ints);
}

describe('packed params dispose()', () => {
  it('releases the weight: every later use throws, hooks run once per object, repack copies stay usable', () => {
    const seen: object[] = [];
    const off = onPackedParamsDispose((p) => seen.push(p));
    try {
      const lin = linearPrepack(weight([1, 2, 3, 4, 5, 6], [2, 3], 0.1), null);
      const other = lin.repack('qnnpack');
      const x = makeQTensorQuint8([1, 3], 0.5, 0, [1, 2, 3]);
      const before = Array.from(quantizedLinear(x, lin, 0.2, 0).rawValues());
      expect(lin.disposed).toBe(false);
      lin.dispose();
      lin.dispose();
      expect(lin.disposed).toBe(true);
      expect(seen).toEqual([lin]);
      expect(() => quantizedLinear(x, lin, 0.2, 0)).toThrow(/LinearPackedParams: these packed params were disposed/);
      expect(() => lin.unpack()).toThrow(QTorchValueError);
      expect(() => lin.serialize()).toThrow(QTorchValueError);
      expect(Array.from(quantizedLinear(x, other, 0.2, 0).rawValues())).toEqual(before); // a repacked object is its own
      const conv = conv2dPrepack(weight([1, 2, 3, 4], [1, 1, 2, 2], 0.1), null);
      conv.dispose();
      expect(seen).toEqual([lin, conv]);
      expect(() => quantizedConv2d(makeQTensorQuint8([1, 1, 2, 2], 0.5, 0, [1, 2, 3, 4]), conv, 0.2, 0)).toThrow(/ConvPackedParams: these packed params were disposed/);
    } finally {
      off();
    }
    linearPrepack(weight([1], [1, 1], 0.1), null).dispose();
    expect(seen).toHaveLength(2); // unregistered
  });
});
