// safetensors: round trips for every dtype and quantized scheme, the byte layout checked by hand
// against the format spec, files written by hand parsed, and hostile headers rejected.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  QPARAMS_METADATA_PREFIX, QTorchSerializationError, QTorchTypeError, QTorchValueError, Tensor, bool, float16, float32,
  float64, fromValues, int16, int32, int64, int8, loadFile, loadSafetensors, qEqual, qint32, qint8, quantizePerChannel,
  quantizePerTensor, quint4x2, quint8, saveFile, saveSafetensors, tensor, transpose, uint8,
} from '../src/index.js';

const enc = new TextEncoder();

/** Splits a safetensors file by hand: header length, parsed header JSON, raw header text, data bytes. */
function parseByHand(bytes: Uint8Array): { n: number; header: Record<string, any>; text: string; data: Uint8Array } {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
  return { n, header: JSON.parse(text), text, data: bytes.subarray(8 + n) };
}

/** A safetensors file assembled by hand from a header object and data bytes. */
function fileFrom(header: unknown, data: ArrayLike<number> = [], pad = 0): Uint8Array {
  return fileFromText(JSON.stringify(header) + ' '.repeat(pad), data);
}

/** A safetensors file assembled by hand from raw header text and data bytes. */
function fileFromText(headerText: string, data: ArrayLike<number> = []): Uint8Array {
  const json = enc.encode(headerText);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function expectLoadError(bytes: Uint8Array, message: RegExp): void {
  let err: unknown;
  try {
    loadSafetensors(bytes);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(QTorchSerializationError);
  expect((err as Error).message).toMatch(message);
}

/** Bit-exact equality of dtype, shape and logical raw values (NaN payloads, -0 and half bits included). */
function expectSameTensor(a: Tensor, b: Tensor): void {
  expect(a.dtype).toBe(b.dtype);
  expect([...a.shape]).toEqual([...b.shape]);
  const x = Array.from(a.rawValues()), y = Array.from(b.rawValues());
  expect(x.length).toBe(y.length);
  x.forEach((v, i) => expect(Object.is(v, y[i]) || (Number.isNaN(v) && Number.isNaN(y[i]!)), `element ${i}: ${v} vs ${y[i]}`).toBe(true));
}

describe('round trips', () => {
  const plain: Record<string, Tensor> = {
    f32: tensor([[1.5, -0, NaN], [Infinity, -Infinity, 3e-45]]),
    f64: fromValues([1 / 3, -1e300, 5e-324], [3], float64),
    f16: fromValues([0.5, -65504, 6.103515625e-5, 5.960464477539063e-8, NaN], [5], float16),
    i64: fromValues([0, -1, 2 ** 40, -(2 ** 40), 2 ** 53, -(2 ** 63)], [2, 3], int64),
    i32: fromValues([2147483647, -2147483648, 7], [3], int32),
    i16: fromValues([32767, -32768, -5], [3], int16),
    i8: fromValues([127, -128, 0], [3], int8),
    u8: fromValues([0, 255, 128, 1], [2, 2], uint8),
    b: fromValues([1, 0, 1], [3], bool),
    scalar: tensor(2.5),
    empty: fromValues([], [0, 3], float32),
  };

  it('every plain dtype round-trips bit-exactly', () => {
    const { tensors, metadata } = loadSafetensors(saveSafetensors(plain));
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(plain).sort());
    for (const [k, t] of Object.entries(plain)) expectSameTensor(tensors[k]!, t);
    expect(metadata).toEqual({});
  });

  it('quantized tensors keep their integers and qparams exactly', () => {
    const x = tensor([[-1, -0.25, 0, 0.3], [0.7, 1.1, 2.5, -3]]);
    const q: Record<string, Tensor> = {
      quint8: quantizePerTensor(x, 0.05, 130, quint8),
      qint8: quantizePerTensor(x, 0.1 / 3, -3, qint8),
      qint32: quantizePerTensor(x, 0.001, 17, qint32),
      perChannelAxis0: quantizePerChannel(x, [0.02, 0.03], [0, -2], 0, qint8),
      perChannelAxis1: quantizePerChannel(x, [0.01, 0.02, 0.04, 0.05], [120, 128, 130, 127], 1, quint8),
      floatQparams: quantizePerChannel(x, tensor([0.01, 0.02], { dtype: float64 }), tensor([0.5, -1.25]), 0, quint8),
      quint4x2: quantizePerTensor(x, 0.25, 8, quint4x2),
      quint4x2Embedding: quantizePerChannel(x, tensor([0.3, 0.4]), tensor([1.5, -2]), 0, quint4x2),
    };
    const { tensors } = loadSafetensors(saveSafetensors(q));
    for (const [k, t] of Object.entries(q)) {
      const back = tensors[k]!;
      expect(qEqual(back, t), k).toBe(true);
      expect(back.qscheme(), k).toBe(t.qscheme());
      expect(back.intRepr().toArray(), k).toEqual(t.intRepr().toArray());
      expect(back.dequantize().toArray(), k).toEqual(t.dequantize().toArray());
    }
    expect(tensors.floatQparams!.qscheme()).toBe('per_channel_affine_float_qparams');
    expect(tensors.floatQparams!.qPerChannelZeroPoints().toArray()).toEqual([0.5, -1.25]);
  });

  it('non-contiguous tensors are written contiguous in logical order', () => {
    const base = fromValues(Array.from({ length: 6 }, (_, i) => i), [2, 3], float32);
    const tt = transpose(base, 0, 1);
    const qt = transpose(quantizePerTensor(base, 0.5, 3, quint8), 0, 1);
    const bytes = saveSafetensors({ tt, qt });
    const { header, data } = parseByHand(bytes);
    expect(header.tt.shape).toEqual([3, 2]);
    const [b, e] = header.tt.data_offsets;
    expect(Array.from(new Float32Array(data.slice(b, e).buffer))).toEqual([0, 3, 1, 4, 2, 5]);
    const { tensors } = loadSafetensors(bytes);
    expect(tensors.tt!.isContiguous()).toBe(true);
    expect(tensors.tt!.tolist()).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(qEqual(tensors.qt!, qt)).toBe(true);
  });

  it('user metadata round-trips; qtorch qparams entries are kept out of it', () => {
    const bytes = saveSafetensors({ q: quantizePerTensor(tensor([1]), 0.5, 0, quint8) }, { metadata: { format: 'pt', note: 'héllo' } });
    expect(loadSafetensors(bytes).metadata).toEqual({ format: 'pt', note: 'héllo' });
    expect(Object.keys(parseByHand(bytes).header.__metadata__)).toEqual(['format', 'note', `${QPARAMS_METADATA_PREFIX}q`]);
  });

  it('saved bytes never alias the tensors, loaded tensors never alias the bytes', () => {
    const t = tensor([1, 2, 3]);
    const bytes = saveSafetensors({ t });
    t.data[0] = 99;
    const loaded = loadSafetensors(bytes).tensors.t!;
    expect(loaded.toArray()).toEqual([1, 2, 3]);
    bytes.fill(0);
    expect(loaded.toArray()).toEqual([1, 2, 3]);
    expect(loaded.data.buffer).not.toBe(bytes.buffer);
  });

  it('a tensor named __proto__ is an own property', () => {
    const input: Record<string, Tensor> = {};
    Object.defineProperty(input, '__proto__', { value: tensor([4]), enumerable: true });
    const out = loadSafetensors(saveSafetensors(input)).tensors;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect((Object.getOwnPropertyDescriptor(out, '__proto__')?.value as Tensor).toArray()).toEqual([4]);
  });

  it('saveFile / loadFile go through the file system', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qtorch-st-'));
    try {
      const path = join(dir, 'm.safetensors');
      saveFile(path, { w: tensor([[1, 2]]) }, { metadata: { a: 'b' } });
      expect(readFileSync(path).subarray(8, 9).toString()).toBe('{');
      const { tensors, metadata } = loadFile(path);
      expect(tensors.w!.tolist()).toEqual([[1, 2]]);
      expect(metadata).toEqual({ a: 'b' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects what it cannot save', () => {
    expect(() => saveSafetensors({ __metadata__: tensor([1]) })).toThrow(QTorchValueError);
    expect(() => saveSafetensors({ a: [1, 2] as unknown as Tensor })).toThrow(QTorchTypeError);
    expect(() => saveSafetensors({}, { metadata: { [`${QPARAMS_METADATA_PREFIX}x`]: '{}' } })).toThrow(/reserved prefix/);
    expect(() => saveSafetensors({}, { metadata: { n: 3 as unknown as string } })).toThrow(QTorchTypeError);
    expect(() => saveSafetensors({ i: new Tensor(Float64Array.of(NaN), int64, [1]) })).toThrow(/int64 tensor holds NaN/);
  });
});

describe('format spec', () => {
  it('writes an 8-byte LE length, a space-padded JSON header and dtype-sorted, packed offsets', () => {
    const tensors = {
      b: fromValues([1, 0], [2], bool),
      a32: tensor([1, 2]),
      z64: fromValues([1], [1], float64),
      c16: fromValues([1, 2, 3], [3], float16),
      a64: fromValues([7], [1], int64),
      q: quantizePerTensor(tensor([0.5]), 0.25, 2, qint8),
    };
    const bytes = saveSafetensors(tensors);
    const { n, header, text, data } = parseByHand(bytes);
    expect((8 + n) % 8).toBe(0);
    expect(/^\{.*\} *$/.test(text)).toBe(true);
    expect(text.length - text.trimEnd().length).toBeLessThan(8);
    // reference order: widest dtype first (I64 > F64 > F32 > F16 > I8 > BOOL), then by name
    const order = Object.entries(header).filter(([k]) => k !== '__metadata__').sort((x: any, y: any) => x[1].data_offsets[0] - y[1].data_offsets[0]).map(([k]) => k);
    expect(order).toEqual(['a64', 'z64', 'a32', 'c16', 'q', 'b']);
    expect(header.a64).toEqual({ dtype: 'I64', shape: [1], data_offsets: [0, 8] });
    expect(header.z64).toEqual({ dtype: 'F64', shape: [1], data_offsets: [8, 16] });
    expect(header.a32).toEqual({ dtype: 'F32', shape: [2], data_offsets: [16, 24] });
    expect(header.c16).toEqual({ dtype: 'F16', shape: [3], data_offsets: [24, 30] });
    expect(header.q).toEqual({ dtype: 'I8', shape: [1], data_offsets: [30, 31] });
    expect(header.b).toEqual({ dtype: 'BOOL', shape: [2], data_offsets: [31, 33] });
    expect(data.length).toBe(33);
    expect(JSON.parse(header.__metadata__[`${QPARAMS_METADATA_PREFIX}q`])).toEqual({
      dtype: 'qint8', qscheme: 'per_tensor_affine', scale: 0.25, zero_point: 2,
    });
    const dv = new DataView(data.buffer, data.byteOffset);
    expect(dv.getBigInt64(0, true)).toBe(7n);
    expect(dv.getFloat64(8, true)).toBe(1);
    expect([dv.getFloat32(16, true), dv.getFloat32(20, true)]).toEqual([1, 2]);
    expect([dv.getUint16(24, true), dv.getUint16(26, true), dv.getUint16(28, true)]).toEqual([0x3c00, 0x4000, 0x4200]);
    expect(dv.getInt8(30)).toBe(4); // round(0.5 / 0.25) + zero point 2
    expect([data[31], data[32]]).toEqual([1, 0]);
  });

  it('parses a file written by hand the way the reference implementation writes it', () => {
    // {"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"i":{"dtype":"I16","shape":[1],"data_offsets":[16,18]}}
    const data = new Uint8Array(18);
    const dv = new DataView(data.buffer);
    [1.5, -2, 0.25, 8].forEach((v, i) => dv.setFloat32(i * 4, v, true));
    dv.setInt16(16, -300, true);
    const bytes = fileFrom({
      __metadata__: { format: 'pt' },
      w: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] },
      i: { dtype: 'I16', shape: [1], data_offsets: [16, 18] },
    }, data, 3);
    const { tensors, metadata } = loadSafetensors(bytes);
    expect(tensors.w!.tolist()).toEqual([[1.5, -2], [0.25, 8]]);
    expect(tensors.i!.dtype).toBe(int16);
    expect(tensors.i!.toArray()).toEqual([-300]);
    expect(metadata).toEqual({ format: 'pt' });
    expect(loadSafetensors(fileFrom({})).tensors).toEqual({});
  });
});

describe('hostile files', () => {
  const f32 = (k = 'w', offs = [0, 8], shape = [2]) => ({ [k]: { dtype: 'F32', shape, data_offsets: offs } });
  const eight = new Uint8Array(8);

  it('rejects bad header lengths and encodings', () => {
    expectLoadError(new Uint8Array(5), /too small/);
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 2n ** 62n, true);
    expectLoadError(huge, /exceeds the 100000000-byte limit/);
    const long = fileFrom(f32(), eight);
    new DataView(long.buffer).setBigUint64(0, BigInt(long.length), true);
    expectLoadError(long, /runs past the end/);
    expectLoadError(fileFrom(f32(), eight).subarray(0, 20), /runs past the end/);
    const badUtf8 = fileFrom({ a: 'xx' });
    badUtf8[13] = 0xff;
    expectLoadError(badUtf8, /not valid UTF-8/);
    const notBrace = fileFrom([1]);
    expectLoadError(notBrace, /does not start with "\{"/);
    const broken = fileFrom({ a: 1 });
    broken[broken.length - 1] = 0x2c; // '}' -> ','
    expectLoadError(broken, /not valid JSON/);
  });

  it('rejects entries whose size, offsets or dtype do not fit', () => {
    expectLoadError(fileFrom({ w: { dtype: 'X9', shape: [2], data_offsets: [0, 8] } }, eight), /unknown dtype "X9"/);
    expectLoadError(fileFrom({ w: { dtype: 'BF16', shape: [4], data_offsets: [0, 8] } }, eight), /BF16, which qtorch does not support/);
    expectLoadError(fileFrom({ w: { shape: [2], data_offsets: [0, 8] } }, eight), /no dtype/);
    expectLoadError(fileFrom(f32('w', [0, 8], [3]), eight), /needs 12 bytes, but data_offsets span 8/);
    expectLoadError(fileFrom(f32('w', [0, 8], [-2]), eight), /invalid shape/);
    expectLoadError(fileFrom(f32('w', [0, 8], [2.5]), eight), /invalid shape/);
    expectLoadError(fileFrom(f32('w', [8, 0]), eight), /invalid data_offsets/);
    expectLoadError(fileFrom(f32('w', [0, 8]), new Uint8Array(4)), /cover 8 data bytes but the file holds 4/);
    expectLoadError(fileFrom(f32('w', [0, 8]), new Uint8Array(12)), /cover 8 data bytes but the file holds 12/);
    expectLoadError(fileFrom(f32('w', [4, 12]), new Uint8Array(12)), /starts at data offset 4, expected 0/);
    expectLoadError(fileFrom({ ...f32('a', [0, 8]), ...f32('b', [4, 12]) }, new Uint8Array(12)), /overlapping|hole/);
    expectLoadError(fileFrom({ ...f32('a', [0, 8]), ...f32('b', [12, 20]) }, new Uint8Array(20)), /starts at data offset 12, expected 8/);
    expectLoadError(fileFrom({ w: { dtype: 'F32', shape: [2 ** 40, 2 ** 40], data_offsets: [0, 8] } }, eight), /needs .* bytes/);
    expectLoadError(fileFrom({ w: 5 }), /must be an object/);
    expectLoadError(fileFromText(`{"w":${'['.repeat(200_000)}${']'.repeat(200_000)}}`), /must be an object/);
    expectLoadError(fileFrom({ __metadata__: { a: 1 } }), /value of "a" must be a string/);
  });

  it('rejects bad quantization metadata', () => {
    const qmeta = (q: unknown, code = 'U8') => fileFrom({
      __metadata__: { [`${QPARAMS_METADATA_PREFIX}q`]: typeof q === 'string' ? q : JSON.stringify(q) },
      q: { dtype: code, shape: [2], data_offsets: [0, code === 'I32' ? 8 : 2] },
    }, new Uint8Array(code === 'I32' ? 8 : 2));
    const ok = { dtype: 'quint8', qscheme: 'per_tensor_affine', scale: 0.5, zero_point: 3 };
    expect(loadSafetensors(qmeta(ok)).tensors.q!.qScale()).toBe(0.5);
    expectLoadError(qmeta('{oops'), /not valid JSON/);
    expectLoadError(qmeta({ ...ok, scale: 0 }), /scale must be a positive finite number/);
    expectLoadError(qmeta({ ...ok, scale: '0.5' }), /scale must be a positive/);
    expectLoadError(qmeta({ ...ok, zero_point: 256 }), /zero_point must be an integer in \[0, 255\]/);
    expectLoadError(qmeta({ ...ok, qscheme: 'per_magic' }), /unknown qscheme/);
    expectLoadError(qmeta({ ...ok, dtype: 'qint4' }), /unknown quantized dtype/);
    expectLoadError(qmeta(ok, 'I32'), /must be stored as U8, got torch.int32/);
    const nibbles = fileFrom({
      __metadata__: { [`${QPARAMS_METADATA_PREFIX}q`]: JSON.stringify({ ...ok, dtype: 'quint4x2', zero_point: 2 }) },
      q: { dtype: 'U8', shape: [2], data_offsets: [0, 2] },
    }, [15, 16]);
    expectLoadError(nibbles, /torch.quint4x2 value 16 at storage index 1 is outside \[0, 15\]/);
    const pc = { dtype: 'quint8', qscheme: 'per_channel_affine', scales: [0.1, 0.2], zero_points: [1, 2], axis: 0 };
    expect(loadSafetensors(qmeta(pc)).tensors.q!.qPerChannelScales().toArray()).toEqual([0.1, 0.2]);
    expectLoadError(qmeta({ ...pc, scales: [0.1] }), /expected 2 scales and zero points/);
    expectLoadError(qmeta({ ...pc, axis: 1 }), /axis 1 is out of range/);
    expectLoadError(qmeta({ ...pc, scales: null }), /scales must be an array of numbers/);
    expectLoadError(qmeta({ ...pc, zero_points: ['1', 2] }), /zero_points must be an array of numbers/);
    expectLoadError(fileFrom({ __metadata__: { [`${QPARAMS_METADATA_PREFIX}ghost`]: JSON.stringify(ok) } }), /"ghost", which is not a tensor/);
  });
});
