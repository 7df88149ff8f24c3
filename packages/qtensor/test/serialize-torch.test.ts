// loadTorchFile: torch.save checkpoints written by PyTorch 1.13 (tools/golden/serialize) and
// hand-written hostile archives / pickles.
import { describe, expect, it } from 'vitest';
import { QTorchSerializationError, Tensor, float32, int64, loadTorchFile, qint8 } from '../src/index.js';
import {
  dictPickle, expectTorchValue, expectedFixtures, f32Bytes, fixtureBytes, intTuple, op, pickle, tensorOps, torchArchive, writeZip,
} from './serialize-helpers.js';

const expected = expectedFixtures();

function expectLoadError(bytes: Uint8Array, message: string | RegExp): void {
  let err: unknown;
  try {
    loadTorchFile(bytes);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(QTorchSerializationError);
  expect((err as Error).message).toMatch(message);
}

describe('PyTorch 1.13 checkpoint fixtures', () => {
  for (const [name, exp] of Object.entries(expected)) {
    it(name, () => {
      const bytes = fixtureBytes(name);
      if (typeof exp === 'object' && exp !== null && 'error' in exp) {
        expectLoadError(bytes, (exp as { error: string }).error);
        return;
      }
      expectTorchValue(loadTorchFile(bytes), exp);
    });
  }

  it('state_dict.pt holds the Conv + BN + Linear parameters and buffers', () => {
    const sd = loadTorchFile(fixtureBytes('state_dict.pt')) as Record<string, Tensor>;
    expect(Object.keys(sd)).toEqual([
      'conv.weight', 'conv.bias', 'bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var', 'bn.num_batches_tracked',
      'fc.weight', 'fc.bias',
    ]);
    expect(sd['conv.weight']!.dtype).toBe(float32);
    expect(sd['bn.num_batches_tracked']!.dtype).toBe(int64);
    expect(sd['bn.num_batches_tracked']!.item()).toBe(2);
  });

  it('tensors own their data: mutating the file bytes afterwards changes nothing', () => {
    const bytes = fixtureBytes('dtypes.pt');
    const a = loadTorchFile(bytes) as Record<string, Tensor>;
    const before = a.float32!.toArray();
    bytes.fill(0);
    expect(a.float32!.toArray()).toEqual(before);
    expect(a.float32!.data.buffer).not.toBe(bytes.buffer);
  });

  it('views keep sharing one storage, as in PyTorch (a write through one shows in the other)', () => {
    const v = loadTorchFile(fixtureBytes('noncontiguous.pt')) as Record<string, Tensor>;
    expect(v.transposed!.isContiguous()).toBe(false);
    v.base!.data[7] = 100; // base[1][1] == transposed[1][1]
    expect((v.transposed!.tolist() as number[][])[1]![1]).toBe(100);
  });

  it('per-channel quantized tensors dequantize like PyTorch (int_repr and qparams exact)', () => {
    const q = (loadTorchFile(fixtureBytes('quantized.pt')) as Record<string, Tensor>).pc_axis0!;
    expect(q.dtype).toBe(qint8);
    expect(q.qPerChannelAxis()).toBe(0);
    const ints = Array.from(q.intRepr().values());
    const scales = Array.from(q.qPerChannelScales().values()), zps = Array.from(q.qPerChannelZeroPoints().values());
    // reference: (int - zp[c]) * scale[c] with c the index along axis 0 of a [4, 3, 2] tensor, in float32
    const ref = ints.map((v, i) => Math.fround(Math.fround(v - zps[Math.floor(i / 6)]!) * scales[Math.floor(i / 6)]!));
    expect(q.dequantize().toArray()).toEqual(ref);
  });
});

describe('hand-written checkpoints', () => {
  const weight = f32Bytes([1, 2, 3, 4, 5, 6]);

  it('loads a minimal archive written without PyTorch', () => {
    const bytes = torchArchive(dictPickle([['w', tensorOps('FloatStorage', '0', 6, [2, 3], [3, 1])]]), { 0: weight });
    const w = (loadTorchFile(bytes) as Record<string, Tensor>).w!;
    expect(w.tolist()).toEqual([[1, 2, 3], [4, 5, 6]]);
  });

  it('reads zip64 central-directory extra fields and end records', () => {
    const bytes = torchArchive(dictPickle([['w', tensorOps('FloatStorage', '0', 6, [3, 2], [1, 3])]]), { 0: weight }, { zip64: true });
    expect(((loadTorchFile(bytes) as Record<string, Tensor>).w!).tolist()).toEqual([[1, 4], [2, 5], [3, 6]]);
  });

  it('a key named __proto__ becomes an own property and leaves the prototype alone', () => {
    const v = loadTorchFile(torchArchive(dictPickle([['__proto__', op.int(5)]]))) as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(v, '__proto__')?.value).toBe(5);
  });

  it('refuses globals off the allow-list by name, without running anything', () => {
    const evil = pickle(op.proto(), op.global('os', 'system'), op.str('touch /tmp/pwned'), op.tuple1, op.reduce, op.stop);
    expectLoadError(torchArchive(evil), /'?"os\.system"'?.*allow-list/);
    expectLoadError(torchArchive(pickle(op.proto(), op.global('builtins', 'eval'), op.stop)), /builtins\.eval/);
    expectLoadError(torchArchive(pickle(op.proto(), op.global('torch.classes.quantized', 'LinearPackedParamsBase'), op.stop)),
      /LinearPackedParamsBase.*state_dict/);
    expectLoadError(torchArchive(pickle(op.proto(), op.global('torch', 'BFloat16Storage'), op.stop)), /torch\.BFloat16Storage/);
  });

  it('rejects unsupported opcodes and protocols', () => {
    expectLoadError(torchArchive(pickle(op.proto(), [0x42, 1, 0, 0, 0, 7], op.stop)), /unsupported pickle opcode BINBYTES/);
    expectLoadError(torchArchive(pickle(op.proto(), [0x69], op.stop)), /unsupported pickle opcode INST/);
    expectLoadError(torchArchive(pickle(op.proto(), [0xff])), /opcode 0xff/);
    expectLoadError(torchArchive(pickle(op.proto(5), op.none, op.stop)), /protocol 5/);
  });

  it('rejects malformed pickles', () => {
    expectLoadError(torchArchive(pickle(op.proto(), op.emptyDict)), /truncated pickle/);
    expectLoadError(torchArchive(pickle(op.proto(), op.reduce, op.stop)), /stack underflow/);
    expectLoadError(torchArchive(pickle(op.proto(), op.binget(3), op.stop)), /memo key 3/);
    expectLoadError(torchArchive(pickle(op.proto(), op.int(1), op.int(2), op.append, op.stop)), /APPEND to a non-list/);
    expectLoadError(torchArchive(pickle(op.proto(), op.none, op.tuple, op.stop)), /no MARK/);
    expectLoadError(torchArchive(pickle(op.proto(), op.int(1), op.emptyTuple, op.reduce, op.stop)), /non-callable/);
    expectLoadError(torchArchive(pickle(op.proto(), op.emptyList, op.emptyDict, op.build, op.stop)), /BUILD/);
    expectLoadError(torchArchive(pickle(op.proto(), [0x8b, 0xff, 0xff, 0xff, 0x7f], op.stop)), /LONG4/);
    expectLoadError(torchArchive(pickle(op.proto(), [0x58, 2, 0, 0, 0, 0xc3, 0x28], op.stop)), /UTF-8/);
  });

  it('rejects deep nesting, too many marks and reference cycles instead of overflowing the stack', () => {
    const n = 100_000;
    const deep = pickle(op.proto(), new Array<number>(n).fill(op.emptyList[0]!), new Array<number>(n - 1).fill(op.append[0]!), op.stop);
    expectLoadError(torchArchive(deep), /nested more than 1000 levels/);
    const marks = pickle(op.proto(), new Array<number>(5000).fill(op.mark[0]!), op.stop);
    expectLoadError(torchArchive(marks), /MARKs/);
    const cycle = pickle(op.proto(), op.emptyList, op.binput(0), op.binget(0), op.append, op.stop);
    expectLoadError(torchArchive(cycle), /cycle/);
  });

  it('shares the result of DAG-shaped pickles without exponential work', () => {
    // each level is a tuple holding the previous level twice: 2^60 paths, 60 nodes
    const parts: number[][] = [op.proto(), op.emptyList, op.binput(0)];
    for (let i = 0; i < 60; i++) parts.push(op.binget(i), op.binget(i), op.tuple2, op.binput(i + 1));
    parts.push(op.stop);
    const v = loadTorchFile(torchArchive(pickle(...parts))) as unknown[];
    expect(v[0]).toBe(v[1]);
  });

  it('validates storages and views against the records', () => {
    const one = (t: number[], records: Record<string, Uint8Array> = { 0: weight }) => torchArchive(dictPickle([['w', t]]), records);
    expectLoadError(one(tensorOps('FloatStorage', '1', 6, [6], [1])), /archive\/data\/1.*missing/);
    expectLoadError(one(tensorOps('FloatStorage', '0', 7, [7], [1])), /7 torch.float32 elements need 28 bytes, got 24/);
    expectLoadError(one(tensorOps('FloatStorage', '0', 6, [2, 3], [3, 1], 1)), /reaches past the end of storage/);
    expectLoadError(one(tensorOps('FloatStorage', '0', 6, [4, 2], [2, 1])), /reaches past the end/);
    expectLoadError(one(tensorOps('FloatStorage', '0', 6, [2, 3], [3])), /size has 2 dims but stride has 1/);
    expectLoadError(one(tensorOps('FloatStorage', '0', 6, [-1], [1])), /size\[0\] must be a non-negative integer/);
    expectLoadError(one(tensorOps('QInt8Storage', '0', 24, [24], [1])), /needs _rebuild_qtensor/);
    const twice = dictPickle([['a', tensorOps('FloatStorage', '0', 6, [6], [1])], ['b', tensorOps('IntStorage', '0', 6, [6], [1])]]);
    expectLoadError(torchArchive(twice, { 0: weight }), /referenced both as torch.float32\[6\] and as torch.int32\[6\]/);
    // a zero-element view may sit at the end of its storage
    const empty = loadTorchFile(one(tensorOps('FloatStorage', '0', 6, [0, 3], [3, 1], 6))) as Record<string, Tensor>;
    expect(empty.w!.shape).toEqual([0, 3]);
  });

  it('validates quantization parameters of _rebuild_qtensor', () => {
    const qt = (params: number[]) => torchArchive(dictPickle([['q', [
      ...op.global('torch._utils', '_rebuild_qtensor'), ...op.mark,
      ...op.mark, ...op.str('storage'), ...op.global('torch', 'QUInt8Storage'), ...op.str('0'), ...op.str('cpu'), ...op.int(2), ...op.tuple,
      ...op.binpersid, ...op.int(0), ...intTuple([2]), ...intTuple([1]), ...params, ...op.false,
      ...op.global('collections', 'OrderedDict'), ...op.emptyTuple, ...op.reduce, ...op.tuple, ...op.reduce,
    ]]]), { 0: Uint8Array.from([3, 250]) });
    const perTensor = (scale: number, zp: number) => [...op.global('torch', 'per_tensor_affine'), ...op.float(scale), ...op.int(zp), ...op.tuple3];
    const q = (loadTorchFile(qt(perTensor(0.5, 3))) as Record<string, Tensor>).q!;
    expect(q.intRepr().toArray()).toEqual([3, 250]);
    expect(q.dequantize().toArray()).toEqual([0, 123.5]);
    expectLoadError(qt(perTensor(0, 3)), /scale must be a positive finite number/);
    expectLoadError(qt(perTensor(-1, 3)), /scale must be a positive/);
    expectLoadError(qt(perTensor(0.5, 300)), /zero_point must be an integer in \[0, 255\]/);
    expectLoadError(qt([...op.global('torch', 'per_tensor_affine'), ...op.float(0.5), ...op.tuple2]), /\(qscheme, scale, zero_point\)/);
    expectLoadError(qt([...op.str('per_magic'), ...op.tuple1]), /unknown qscheme/);
  });

  it('rejects broken or foreign archives', () => {
    const good = torchArchive(dictPickle([['w', tensorOps('FloatStorage', '0', 6, [6], [1])]]), { 0: weight });
    expectLoadError(good.subarray(0, good.length >> 1), /end-of-central-directory|truncated/);
    expectLoadError(good.subarray(0, 10), /too small|end-of-central-directory/);
    const flipped = good.slice();
    flipped[flipped.indexOf(0x80) + 1] ^= 0x01; // inside data.pkl
    expectLoadError(flipped, /CRC-32 mismatch/);
    const deflated = writeZip([['archive/data.pkl', pickle(op.proto(), op.none, op.stop)]], { method: 8 });
    expectLoadError(deflated, /compression method 8 \(deflate\)/);
    expectLoadError(writeZip([['archive/version', Uint8Array.from([0x33])]]), /no archive\/data.pkl/);
    expectLoadError(writeZip([['x', Uint8Array.of()]]), /one top-level folder/);
    expectLoadError(writeZip([
      ['archive/data.pkl', pickle(op.proto(), op.none, op.stop)], ['archive/constants.pkl', pickle(op.proto(), op.none, op.stop)],
    ]), /TorchScript/);
    expectLoadError(new TextEncoder().encode('{"not": "a checkpoint"}'), /no zip signature/);
    expectLoadError(Uint8Array.of(), /no zip signature/);
  });
});
