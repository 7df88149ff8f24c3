/**
 * Test helpers for the serializers, written independently of src/serialize: a STORED zip
 * writer (optionally with zip64 records), a tiny pickle assembler, a seeded PRNG, and a
 * comparison of loaded checkpoints against tools/golden/serialize/expected.json.
 */
import { readFileSync } from 'node:fs';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { expect } from 'vitest';
import { type DType, type Storage, Tensor, dtypeFromName } from '../src/index.js';
import { type GoldenQTensor, expectQTensorEqual, goldenPath, isGoldenQTensor } from '../../../tools/testing/src/index.js';

// ---------------------------------------------------------------- fixtures

/** Bytes of a fixture file in tools/golden/serialize. */
export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(goldenPath(`serialize/${name}`)));
}

/** The expected.json description of every fixture file. */
export function expectedFixtures(): Record<string, unknown> {
  return (JSON.parse(readFileSync(goldenPath('serialize/expected.json'), 'utf8')) as { files: Record<string, unknown> }).files;
}

type Enc = Record<string, unknown>;

function expectedNumber(v: unknown): number {
  if (v === 'nan') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'object' && v !== null && 'int' in v) return Number(BigInt((v as { int: string }).int)); // int64 -> nearest double
  return v as number;
}

/** Exact comparison of a plain tensor with a golden spec (every dtype, float64 / int64 included). */
function expectPlainExact(t: Tensor, spec: { shape: number[]; dtype: string; data: unknown[] }, path: string): void {
  expect(t.dtype.name, `${path} dtype`).toBe(spec.dtype);
  expect([...t.shape], `${path} shape`).toEqual(spec.shape);
  const act = Array.from(t.values());
  const exp = spec.data.map(expectedNumber).map((v) => (spec.dtype === 'float32' ? Math.fround(v) : v));
  expect(act.length, `${path} numel`).toBe(exp.length);
  for (let i = 0; i < act.length; i++) {
    if (!Object.is(act[i], exp[i])) expect.fail(`${path}[${i}]: got ${act[i]}, expected ${exp[i]}`);
  }
}

/**
 * Asserts a loadTorchFile result matches its expected.json encoding: structure, tensors'
 * values / qparams / strides / offsets / requires_grad, and which tensors share storage.
 */
export function expectTorchValue(actual: unknown, expected: unknown, path = '$', storages = new Map<string, Storage>()): void {
  if (expected === null || typeof expected !== 'object') {
    expect(actual, path).toBe(expected);
    return;
  }
  const e = expected as Enc;
  if ('tensor' in e) {
    expect(actual, path).toBeInstanceOf(Tensor);
    const t = actual as Tensor;
    const spec = e.tensor as GoldenQTensor;
    if (isGoldenQTensor(spec)) expectQTensorEqual(t, spec, { label: path });
    else expectPlainExact(t, spec as never, path);
    expect([...t.strides], `${path} stride`).toEqual(e.stride);
    expect(t.offset, `${path} storage_offset`).toBe(e.storage_offset);
    expect(t.requiresGrad, `${path} requires_grad`).toBe(e.requires_grad);
    const key = e.storage as string;
    const seen = storages.get(key);
    if (seen) expect(t.storage === seen, `${path} shares storage ${key}`).toBe(true);
    else {
      for (const [k, s] of storages) expect(t.storage === s, `${path} must not share storage ${k}`).toBe(false);
      storages.set(key, t.storage);
    }
    return;
  }
  if ('dict' in e) {
    expect(typeof actual === 'object' && actual !== null && !Array.isArray(actual) && !(actual instanceof Tensor), `${path} is a dict`).toBe(true);
    const items = e.dict as Array<[string, unknown]>;
    expect(Object.keys(actual as object), `${path} keys`).toEqual(items.map(([k]) => k));
    for (const [k, v] of items) expectTorchValue((actual as Enc)[k], v, `${path}.${k}`, storages);
    return;
  }
  if ('list' in e || 'tuple' in e) {
    const items = (e.list ?? e.tuple) as unknown[];
    expect(Array.isArray(actual), `${path} is an array`).toBe(true);
    expect(Object.isFrozen(actual), `${path} is a ${'tuple' in e ? 'tuple (frozen)' : 'list'}`).toBe('tuple' in e);
    expect((actual as unknown[]).length, `${path} length`).toBe(items.length);
    items.forEach((v, i) => expectTorchValue((actual as unknown[])[i], v, `${path}[${i}]`, storages));
    return;
  }
  if ('dtype' in e) {
    expect(actual as DType, path).toBe(dtypeFromName(e.dtype as string));
    return;
  }
  if ('int' in e) {
    expect(actual, path).toBe(BigInt(e.int as string));
    return;
  }
  expect.fail(`${path}: unknown expected encoding ${JSON.stringify(e).slice(0, 80)}`);
}

// ---------------------------------------------------------------- zip writer

const enc = new TextEncoder();

/** Options of `writeZip`. */
export interface ZipOptions {
  /** Write 0xffffffff size / offset fields with zip64 extra fields, and zip64 end records. */
  zip64?: boolean;
  /** Compression method to record (the data is stored as given either way). */
  method?: number;
}

/** A zip archive of STORED entries (what torch.save writes), byte by byte. */
export function writeZip(entries: Array<[string, Uint8Array]>, opts: ZipOptions = {}): Uint8Array {
  const z64 = opts.zip64 ?? false;
  const method = opts.method ?? 0;
  const parts: number[] = [];
  const central: number[] = [];
  const u16 = (a: number[], v: number) => a.push(v & 0xff, (v >>> 8) & 0xff);
  const u32 = (a: number[], v: number) => a.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  const u64 = (a: number[], v: number) => { u32(a, v % 2 ** 32); u32(a, Math.floor(v / 2 ** 32)); };
  for (const [name, data] of entries) {
    const nameBytes = enc.encode(name);
    const crc = zlibCrc32(data) >>> 0;
    const offset = parts.length;
    u32(parts, 0x04034b50); u16(parts, 20); u16(parts, 0); u16(parts, method); u32(parts, 0);
    u32(parts, crc); u32(parts, data.length); u32(parts, data.length); u16(parts, nameBytes.length); u16(parts, 0);
    for (const b of nameBytes) parts.push(b);
    for (const b of data) parts.push(b); // no spread: records can be large
    const extra: number[] = [];
    if (z64) { u16(extra, 1); u16(extra, 24); u64(extra, data.length); u64(extra, data.length); u64(extra, offset); }
    u32(central, 0x02014b50); u16(central, 45); u16(central, 45); u16(central, 0); u16(central, method); u32(central, 0);
    u32(central, crc);
    u32(central, z64 ? 0xffffffff : data.length); u32(central, z64 ? 0xffffffff : data.length);
    u16(central, nameBytes.length); u16(central, extra.length); u16(central, 0); u16(central, 0); u16(central, 0);
    u32(central, 0); u32(central, z64 ? 0xffffffff : offset);
    central.push(...nameBytes, ...extra);
  }
  const cdOffset = parts.length;
  const out = parts;
  for (const b of central) out.push(b);
  if (z64) {
    const rec = out.length;
    u32(out, 0x06064b50); u64(out, 44); u16(out, 45); u16(out, 45); u32(out, 0); u32(out, 0);
    u64(out, entries.length); u64(out, entries.length); u64(out, central.length); u64(out, cdOffset);
    u32(out, 0x07064b50); u32(out, 0); u64(out, rec); u32(out, 1);
  }
  u32(out, 0x06054b50); u16(out, 0); u16(out, 0);
  u16(out, z64 ? 0xffff : entries.length); u16(out, z64 ? 0xffff : entries.length);
  u32(out, z64 ? 0xffffffff : central.length); u32(out, z64 ? 0xffffffff : cdOffset); u16(out, 0);
  return Uint8Array.from(out);
}

// ---------------------------------------------------------------- pickle assembler

/** Pickle opcodes and argument encoders (protocol 2), for hand-written pickles. */
export const op = {
  proto: (v = 2) => [0x80, v],
  stop: [0x2e], mark: [0x28], tuple: [0x74], tuple1: [0x85], tuple2: [0x86], tuple3: [0x87], emptyTuple: [0x29],
  emptyDict: [0x7d], emptyList: [0x5d], setitem: [0x73], setitems: [0x75], append: [0x61], appends: [0x65],
  reduce: [0x52], build: [0x62], binpersid: [0x51], none: [0x4e], true: [0x88], false: [0x89],
  binput: (i: number) => [0x71, i], binget: (i: number) => [0x68, i],
  int: (n: number) => { const a = [0x4a]; for (let i = 0; i < 4; i++) a.push((n >>> (8 * i)) & 0xff); return a; },
  float: (x: number) => { const b = new Uint8Array(8); new DataView(b.buffer).setFloat64(0, x, false); return [0x47, ...b]; },
  str: (s: string) => { const b = enc.encode(s); return [0x58, b.length & 0xff, (b.length >>> 8) & 0xff, (b.length >>> 16) & 0xff, b.length >>> 24, ...b]; },
  global: (module: string, name: string) => [0x63, ...enc.encode(`${module}\n${name}\n`)],
};

/** Concatenates opcode byte lists into a pickle. */
export function pickle(...parts: Array<number[] | Uint8Array>): Uint8Array {
  const out: number[] = [];
  for (const p of parts) for (const b of p) out.push(b);
  return Uint8Array.from(out);
}

/** A tuple of ints. */
export function intTuple(xs: readonly number[]): number[] {
  return [...op.mark, ...xs.flatMap((x) => op.int(x)), ...op.tuple];
}

/** Opcodes of `_rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())`. */
export function tensorOps(
  storageClass: string, key: string, numel: number, size: readonly number[], stride: readonly number[], offset = 0,
): number[] {
  return [
    ...op.global('torch._utils', '_rebuild_tensor_v2'), ...op.mark,
    ...op.mark, ...op.str('storage'), ...op.global('torch', storageClass), ...op.str(key), ...op.str('cpu'), ...op.int(numel), ...op.tuple,
    ...op.binpersid, ...op.int(offset), ...intTuple(size), ...intTuple(stride), ...op.false,
    ...op.global('collections', 'OrderedDict'), ...op.emptyTuple, ...op.reduce, ...op.tuple, ...op.reduce,
  ];
}

/** `{name: <value ops>}` as a pickle with PROTO and STOP. */
export function dictPickle(items: Array<[string, number[]]>): Uint8Array {
  return pickle(op.proto(), op.emptyDict, op.mark, ...items.flatMap(([k, v]) => [op.str(k), v]), op.setitems, op.stop);
}

/** A torch.save-style archive: `archive/data.pkl`, `archive/data/<key>` records, `archive/version`. */
export function torchArchive(pkl: Uint8Array, records: Record<string, Uint8Array> = {}, opts: ZipOptions = {}): Uint8Array {
  return writeZip([
    ['archive/data.pkl', pkl],
    ...Object.entries(records).map(([k, v]): [string, Uint8Array] => [`archive/data/${k}`, v]),
    ['archive/version', enc.encode('3\n')],
  ], opts);
}

/** Little-endian float32 bytes. */
export function f32Bytes(xs: readonly number[]): Uint8Array {
  const b = new Uint8Array(xs.length * 4);
  const v = new DataView(b.buffer);
  xs.forEach((x, i) => v.setFloat32(i * 4, x, true));
  return b;
}

// ---------------------------------------------------------------- seeded PRNG

/** mulberry32: a small seeded PRNG returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
