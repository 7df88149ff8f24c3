/**
 * The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
 * header length N, N bytes of JSON header (`{"name": {"dtype", "shape", "data_offsets"}, ...,
 * "__metadata__": {str: str}}`, padded with spaces to a multiple of 8), then the tensor bytes,
 * little-endian and row-major, packed without holes.
 *
 * Quantized tensors are stored as their integer representation (quint8 -> U8, qint8 -> I8,
 * qint32 -> I32; quint4x2 one value per U8) with their qparams as a JSON string in
 * `__metadata__` under `QPARAMS_METADATA_PREFIX + name`, so they round-trip exactly.
 * Platform neutral: bytes in, bytes out (see `file.ts` for the node:fs helpers).
 */
import {
  type DType, bool, float16, float32, float64, int16, int32, int64, int8, qint32, qint8, quint4x2, quint8, uint8,
} from '../dtype.js';
import { QTorchTypeError, QTorchValueError } from '../errors.js';
import { isPerChannel } from '../quantizer.js';
import { shapeNumel } from '../shape.js';
import { Tensor } from '../tensor.js';
import { decodeElements, encodeElements } from './codec.js';
import { describe, ensure, fail } from './errors.js';
import { type QParamSpec, checkIntRange, validatedQuantizer } from './qparams.js';
import { assertTensor, checkOptions, describeValue } from '../args.js';

/** `__metadata__` key prefix under which a quantized tensor's qparams are stored. */
export const QPARAMS_METADATA_PREFIX = 'qtorch.qparams.';
/** The header-size cap of the reference implementation (100 MB). */
export const MAX_SAFETENSORS_HEADER = 100_000_000;

const METADATA_KEY = '__metadata__';
const LOAD = 'loadSafetensors';
const SAVE = 'saveSafetensors';

/** safetensors dtype code -> qtorch dtype, for the codes qtorch can hold. */
const FROM_CODE = new Map<string, DType>([
  ['F64', float64], ['F32', float32], ['F16', float16], ['I64', int64], ['I32', int32], ['I16', int16],
  ['I8', int8], ['U8', uint8], ['BOOL', bool],
]);
/** Codes the format defines that qtorch has no dtype for (named in the error). */
const UNSUPPORTED_CODES = new Set(['BF16', 'U16', 'U32', 'U64', 'F8_E4M3', 'F8_E5M2', 'F8_E8M0', 'F6_E2M3', 'F6_E3M2', 'F4']);
/** Bytes per element of a code. */
const ITEMSIZE: Record<string, number> = { F64: 8, F32: 4, F16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };
/**
 * Layout order of the reference writer: by dtype, widest first (its `Dtype` enum order,
 * descending), then by name, which keeps every tensor aligned to its element size.
 */
const CODE_ORDER = ['BOOL', 'U8', 'I8', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'F64', 'I64', 'U64'];

const QUANTIZED_CODE = new Map<DType, string>([[quint8, 'U8'], [qint8, 'I8'], [qint32, 'I32'], [quint4x2, 'U8']]);
const QUANTIZED_DTYPES = new Map<string, DType>([['quint8', quint8], ['qint8', qint8], ['qint32', qint32], ['quint4x2', quint4x2]]);

function codeOf(dtype: DType): string {
  const q = QUANTIZED_CODE.get(dtype);
  if (q) return q;
  for (const [code, d] of FROM_CODE) if (d === dtype) return code;
  throw new QTorchTypeError(`${SAVE}(): cannot store a ${dtype.torchName} tensor`);
}

/** Options of `saveSafetensors`. */
export interface SaveSafetensorsOptions {
  /** Free-form string metadata written to `__metadata__`. */
  metadata?: Record<string, string>;
}

/** What `loadSafetensors` returns. */
export interface SafetensorsContents {
  /** Tensors by name, in file order (quantized ones rebuilt with their qparams). */
  tensors: Record<string, Tensor>;
  /** The user metadata of `__metadata__` (qtorch's qparams entries removed); `{}` when absent. */
  metadata: Record<string, string>;
}

/** Sets an own property even for keys like `__proto__`. */
function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

const utf8 = new TextEncoder();

/** Byte-wise UTF-8 order of names (the reference writer sorts Rust strings by bytes). */
function compareUtf8(a: string, b: string): number {
  const x = utf8.encode(a), y = utf8.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/** The qparams JSON string stored for a quantized tensor. */
function qparamsJson(t: Tensor): string {
  const q = t.quantizer!;
  if (isPerChannel(q)) {
    return JSON.stringify({
      dtype: t.dtype.name, qscheme: q.qscheme, scales: Array.from(q.scales), zero_points: Array.from(q.zeroPoints), axis: q.axis,
    });
  }
  return JSON.stringify({ dtype: t.dtype.name, qscheme: q.qscheme, scale: q.scale, zero_point: q.zeroPoint });
}

/**
 * Serializes tensors to safetensors bytes (`safetensors.torch.save`). Non-contiguous tensors
 * are written contiguous; the result never aliases the tensors' storage.
 *
 * @example
 * ```ts
 * const bytes = saveSafetensors({ weight: w, bias: b }, { metadata: { format: 'pt' } });
 * ```
 */
export function saveSafetensors(tensors: Record<string, Tensor>, opts: SaveSafetensorsOptions = {}): Uint8Array {
  checkOptions(opts, 'saveSafetensors');
  if (tensors === null || typeof tensors !== 'object' || Array.isArray(tensors) || tensors instanceof Tensor) {
    throw new QTorchTypeError(`${SAVE}(): expected a record of named tensors ({ name: tensor }), got ${describeValue(tensors)}`);
  }
  for (const [k, t] of Object.entries(tensors)) assertTensor(t, SAVE, `tensors['${k}']`);
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.metadata ?? {})) {
    if (typeof v !== 'string') throw new QTorchTypeError(`${SAVE}(): metadata values must be strings, got ${typeof v} for key '${k}'`);
    if (k.startsWith(QPARAMS_METADATA_PREFIX)) {
      throw new QTorchValueError(`${SAVE}(): metadata key '${k}' uses the reserved prefix '${QPARAMS_METADATA_PREFIX}'`);
    }
    setOwn(metadata, k, v);
  }
  const entries = Object.entries(tensors).map(([name, t]) => {
    if (!(t instanceof Tensor)) throw new QTorchTypeError(`${SAVE}(): '${name}' must be a Tensor, got ${describe(t)}`);
    if (name === METADATA_KEY) throw new QTorchValueError(`${SAVE}(): '${METADATA_KEY}' is reserved and cannot name a tensor`);
    if (t.quantizer) setOwn(metadata, QPARAMS_METADATA_PREFIX + name, qparamsJson(t));
    return { name, t, code: codeOf(t.dtype) };
  });
  entries.sort((a, b) => CODE_ORDER.indexOf(b.code) - CODE_ORDER.indexOf(a.code) || compareUtf8(a.name, b.name));

  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header[METADATA_KEY] = metadata;
  const blobs: Uint8Array[] = [];
  let offset = 0;
  for (const { name, t, code } of entries) {
    const blob = encodeElements(t.rawValues(), t.dtype, SAVE);
    setOwn(header, name, { dtype: code, shape: [...t.shape], data_offsets: [offset, offset + blob.length] });
    blobs.push(blob);
    offset += blob.length;
  }
  const json = utf8.encode(JSON.stringify(header));
  const headerLen = json.length + ((8 - (json.length % 8)) % 8); // pad with spaces so data starts 8-aligned
  const out = new Uint8Array(8 + headerLen + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLen), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLen);
  let at = 8 + headerLen;
  for (const b of blobs) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isNonNegInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function numberArray(v: unknown, what: string): number[] {
  ensure(Array.isArray(v) && v.every((x) => typeof x === 'number'), LOAD, () => `${what} must be an array of numbers, got ${describe(v)}`);
  return v as number[];
}

/** One validated header entry. */
interface TensorEntry {
  name: string;
  dtype: DType;
  shape: number[];
  begin: number;
  end: number;
}

function parseEntry(name: string, info: unknown): TensorEntry {
  ensure(isPlainObject(info), LOAD, () => `header entry ${describe(name)} must be an object`);
  const { dtype: code, shape, data_offsets: offs } = info;
  ensure(typeof code === 'string', LOAD, () => `tensor ${describe(name)} has no dtype string`);
  if (UNSUPPORTED_CODES.has(code)) fail(LOAD, `tensor ${describe(name)} has dtype ${code}, which qtorch does not support`);
  const dtype = FROM_CODE.get(code);
  ensure(dtype, LOAD, () => `tensor ${describe(name)} has unknown dtype ${describe(code)}`);
  ensure(Array.isArray(shape) && shape.every(isNonNegInt), LOAD, () => `tensor ${describe(name)} has an invalid shape ${describe(shape)}`);
  ensure(Array.isArray(offs) && offs.length === 2 && offs.every(isNonNegInt) && offs[0] <= offs[1], LOAD,
    () => `tensor ${describe(name)} has invalid data_offsets ${describe(offs)}`);
  const numel = shapeNumel(shape as number[]);
  const [begin, end] = offs as [number, number];
  ensure(Number.isSafeInteger(numel * ITEMSIZE[code]!) && numel * ITEMSIZE[code]! === end - begin, LOAD,
    () => `tensor ${describe(name)} of shape [${(shape as number[]).join(', ')}] and dtype ${code} needs ${numel * ITEMSIZE[code]!} bytes, but data_offsets span ${end - begin}`);
  return { name, dtype, shape: shape as number[], begin, end };
}

/** Parses and validates the JSON header: entries sorted by offset, covering the data exactly. */
function parseHeader(bytes: Uint8Array): { entries: TensorEntry[]; metadata: Record<string, string>; dataStart: number } {
  ensure(bytes instanceof Uint8Array, LOAD, () => `expected the file's bytes as a Uint8Array, got ${describe(bytes)}`);
  ensure(bytes.length >= 8, LOAD, () => `a ${bytes.length}-byte file is too small (the header length alone takes 8 bytes)`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  ensure(n <= BigInt(MAX_SAFETENSORS_HEADER), LOAD, () => `header length ${n} exceeds the ${MAX_SAFETENSORS_HEADER}-byte limit`);
  ensure(8n + n <= BigInt(bytes.length), LOAD, () => `header length ${n} runs past the end of the ${bytes.length}-byte file (truncated?)`);
  const dataStart = 8 + Number(n);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart));
  } catch {
    return fail(LOAD, 'the header is not valid UTF-8');
  }
  ensure(text.startsWith('{'), LOAD, 'the header does not start with "{"');
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    return fail(LOAD, `the header is not valid JSON (${(e as Error).message})`);
  }
  ensure(isPlainObject(header), LOAD, 'the header must be a JSON object');

  const metadata: Record<string, string> = {};
  const entries: TensorEntry[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name !== METADATA_KEY) { entries.push(parseEntry(name, info)); continue; }
    if (info === null) continue;
    ensure(isPlainObject(info), LOAD, '__metadata__ must be an object of strings');
    for (const [k, v] of Object.entries(info)) {
      ensure(typeof v === 'string', LOAD, () => `__metadata__ value of ${describe(k)} must be a string, got ${describe(v)}`);
      setOwn(metadata, k, v);
    }
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const e of entries) {
    ensure(e.begin === expected, LOAD,
      () => `tensor ${describe(e.name)} starts at data offset ${e.begin}, expected ${expected} (overlapping tensors or a hole in the data)`);
    expected = e.end;
  }
  ensure(dataStart + expected === bytes.length, LOAD,
    () => `the tensors cover ${expected} data bytes but the file holds ${bytes.length - dataStart}`);
  return { entries, metadata, dataStart };
}

/** The quantizer spec of a `qtorch.qparams.*` metadata value. */
function parseQParams(name: string, json: string, entry: TensorEntry): { dtype: DType; spec: QParamSpec } {
  let p: unknown;
  try {
    p = JSON.parse(json);
  } catch {
    return fail(LOAD, `qparams of tensor ${describe(name)} are not valid JSON`);
  }
  ensure(isPlainObject(p), LOAD, () => `qparams of tensor ${describe(name)} must be a JSON object`);
  const dtype = typeof p.dtype === 'string' ? QUANTIZED_DTYPES.get(p.dtype) : undefined;
  ensure(dtype, LOAD, () => `tensor ${describe(name)} has unknown quantized dtype ${describe(p.dtype)}`);
  ensure(underlyingStorage(dtype) === entry.dtype, LOAD,
    () => `${dtype.torchName} tensor ${describe(name)} must be stored as ${QUANTIZED_CODE.get(dtype)}, got ${entry.dtype.torchName}`);
  const qscheme = p.qscheme as QParamSpec['qscheme'];
  if (typeof qscheme === 'string' && qscheme.startsWith('per_channel')) {
    const spec = {
      qscheme, scales: numberArray(p.scales, 'scales'), zeroPoints: numberArray(p.zero_points, 'zero_points'), axis: p.axis as number,
    } as QParamSpec;
    return { dtype, spec };
  }
  return { dtype, spec: { qscheme, scale: p.scale as number, zeroPoint: p.zero_point as number } as QParamSpec };
}

/** The plain dtype whose bytes hold a quantized dtype's integers in a file. */
function underlyingStorage(dtype: DType): DType {
  return FROM_CODE.get(QUANTIZED_CODE.get(dtype)!)!;
}

/**
 * Parses safetensors bytes (`safetensors.torch.load` plus the metadata), validating the
 * header against the data (every tensor's size and offsets, no holes, no overlap) and
 * rebuilding quantized tensors from their stored qparams. Tensors own copies of their data.
 * Malformed input throws `QTorchSerializationError`.
 */
export function loadSafetensors(bytes: Uint8Array): SafetensorsContents {
  const { entries, metadata, dataStart } = parseHeader(bytes);
  const byName = new Map(entries.map((e) => [e.name, e]));
  const quantized = new Map<string, { dtype: DType; spec: QParamSpec }>();
  const userMetadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(metadata)) {
    if (!k.startsWith(QPARAMS_METADATA_PREFIX)) { setOwn(userMetadata, k, v); continue; }
    const name = k.slice(QPARAMS_METADATA_PREFIX.length);
    const entry = byName.get(name);
    ensure(entry, LOAD, () => `qparams are given for ${describe(name)}, which is not a tensor in the file`);
    quantized.set(name, parseQParams(name, v, entry));
  }
  const tensors: Record<string, Tensor> = {};
  for (const e of entries) {
    const q = quantized.get(e.name);
    const dtype = q ? q.dtype : e.dtype;
    const raw = bytes.subarray(dataStart + e.begin, dataStart + e.end);
    const t = new Tensor(decodeElements(raw, dtype, shapeNumel(e.shape), LOAD), dtype, e.shape);
    if (q) {
      checkIntRange(t.data, dtype, LOAD);
      t.quantizer = validatedQuantizer(q.spec, e.shape, dtype, LOAD);
    }
    setOwn(tensors, e.name, t);
  }
  return { tensors, metadata: userMetadata };
}
