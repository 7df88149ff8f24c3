/**
 * The few ONNX protobuf messages the bench's models need, written by hand (no protobuf
 * dependency): ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto.
 * Field numbers are those of onnx.proto (IR version 8).
 */

/** ONNX TensorProto.DataType values used here. */
export const OnnxType = { float: 1, uint8: 2, int8: 3, int32: 6, int64: 7 } as const;
export type OnnxElem = keyof typeof OnnxType;

type Bytes = Uint8Array;

function varint(n: number): number[] {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`onnx_proto: varints must be safe non-negative integers, got ${n}`);
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}

function concat(parts: readonly Bytes[]): Bytes {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const key = (field: number, wire: number): number[] => varint(field * 8 + wire);
const int = (field: number, v: number): Bytes => Uint8Array.from([...key(field, 0), ...varint(v)]);
const bytes = (field: number, b: Bytes): Bytes => concat([Uint8Array.from([...key(field, 2), ...varint(b.length)]), b]);
const str = (field: number, s: string): Bytes => bytes(field, new TextEncoder().encode(s));
const msg = (field: number, ...parts: Bytes[]): Bytes => bytes(field, concat(parts));
function float(field: number, v: number): Bytes {
  const b = new Uint8Array(5);
  b.set(key(field, 5));
  new DataView(b.buffer).setFloat32(1, v, true);
  return b;
}

/** An attribute value: a number is INT unless `asFloat`, an array is INTS. */
export type AttrValue = number | readonly number[] | { float: number };

function attribute(name: string, v: AttrValue): Bytes {
  if (typeof v === 'number') return msg(5, str(1, name), int(3, v), int(20, 2));
  if ('float' in v) return msg(5, str(1, name), float(2, v.float), int(20, 1));
  return msg(5, str(1, name), ...v.map((x) => int(8, x)), int(20, 7));
}

/** NodeProto (field 1 of GraphProto); `domain` names a contrib opset (e.g. com.microsoft), else the default one. */
export function node(opType: string, inputs: readonly string[], outputs: readonly string[], attrs: Record<string, AttrValue> = {}, domain = ''): Bytes {
  const parts = [...inputs.map((i) => str(1, i)), ...outputs.map((o) => str(2, o)), str(4, opType), ...Object.entries(attrs).map(([k, v]) => attribute(k, v))];
  return msg(1, ...parts, ...(domain ? [str(7, domain)] : []));
}

/** TensorProto initializer (field 5 of GraphProto) with raw little-endian data. */
export function initializer(name: string, elem: OnnxElem, dims: readonly number[], data: Float32Array | Uint8Array | Int8Array | Int32Array | BigInt64Array): Bytes {
  const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return msg(5, ...dims.map((d) => int(1, d)), int(2, OnnxType[elem]), str(8, name), bytes(9, raw));
}

function valueInfo(field: 11 | 12, name: string, elem: OnnxElem, dims: readonly number[]): Bytes {
  const shape = msg(2, ...dims.map((d) => msg(1, int(1, d))));
  return msg(field, str(1, name), msg(2, msg(1, int(1, OnnxType[elem]), shape)));
}

/** Graph input (field 11) / output (field 12). */
export const graphInput = (name: string, elem: OnnxElem, dims: readonly number[]): Bytes => valueInfo(11, name, elem, dims);
export const graphOutput = (name: string, elem: OnnxElem, dims: readonly number[]): Bytes => valueInfo(12, name, elem, dims);

/**
 * A serialized ModelProto (IR 8, default-domain opset 13) around the given graph fields;
 * `domains` adds opset imports of other domains (e.g. `{ 'com.microsoft': 1 }` for contrib ops).
 */
export function model(graphParts: readonly Bytes[], opset = 13, domains: Record<string, number> = {}): Uint8Array {
  const imports = Object.entries(domains).map(([d, v]) => msg(8, str(1, d), int(2, v)));
  return concat([int(1, 8), str(2, 'qtorch-bench'), msg(8, str(1, ''), int(2, opset)), ...imports, msg(7, str(2, 'bench'), ...graphParts)]);
}
