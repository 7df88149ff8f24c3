/**
 * The test-vector file shared by the generator (TypeScript reference), the C++ driver
 * (driver/vectors.h reads the same layout) and the addon runner. Binary, little-endian, so
 * floats round-trip bit for bit and qemu parses it fast:
 *
 *   file  = "QTV1" case*
 *   case  = str(op) str(label) u16(fieldCount) field*
 *   field = str(name) u8(type) u32(count) data[count * size(type)]
 *   str   = u16(byteLength) utf8
 *
 * Inputs and expected outputs are fields of one case; expected outputs are named `expect_*`.
 */

/** Element types of a field (the numbers are the file's type tags). */
export const FIELD_TYPES = { u8: 0, i8: 1, i32: 2, f32: 3, f64: 4 } as const;
export type FieldType = keyof typeof FIELD_TYPES;

/** The typed array of each field type. */
export type FieldData = Uint8Array | Int8Array | Int32Array | Float32Array | Float64Array;

const CTORS = [Uint8Array, Int8Array, Int32Array, Float32Array, Float64Array] as const;
const NAMES: FieldType[] = ['u8', 'i8', 'i32', 'f32', 'f64'];

/** The field type of a typed array. */
export function fieldType(data: FieldData): FieldType {
  const i = CTORS.findIndex((c) => data instanceof c);
  if (i < 0) throw new TypeError('fieldType(): expected a Uint8/Int8/Int32/Float32/Float64Array');
  return NAMES[i]!;
}

/** One op invocation: its inputs and the reference outputs (`expect_*`). */
export interface VectorCase {
  op: string;
  label: string;
  fields: Record<string, FieldData>;
}

/** Serializes cases (see the layout above). */
export function encodeVectors(cases: readonly VectorCase[]): Uint8Array {
  const chunks: Uint8Array[] = [new TextEncoder().encode('QTV1')];
  const u16 = (v: number): Uint8Array => {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new RangeError(`encodeVectors(): ${v} does not fit a u16`);
    return Uint8Array.of(v & 0xff, v >> 8);
  };
  const str = (s: string): void => {
    const b = new TextEncoder().encode(s);
    chunks.push(u16(b.length), b);
  };
  for (const c of cases) {
    str(c.op);
    str(c.label);
    const entries = Object.entries(c.fields);
    chunks.push(u16(entries.length));
    for (const [name, data] of entries) {
      str(name);
      const head = new DataView(new ArrayBuffer(5));
      head.setUint8(0, FIELD_TYPES[fieldType(data)]);
      head.setUint32(1, data.length, true);
      chunks.push(new Uint8Array(head.buffer));
      // typed arrays are little-endian on every platform Node runs on
      chunks.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice());
    }
  }
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Parses a vector file; throws on a bad magic, type tag or truncation. */
export function decodeVectors(input: Uint8Array): VectorCase[] {
  // a plain view: a Node Buffer's slice() would share its (pooled) memory instead of copying
  const bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const need = (n: number): void => {
    if (at + n > bytes.length) throw new RangeError(`decodeVectors(): truncated file at byte ${at}`);
  };
  const u16 = (): number => (need(2), (at += 2), view.getUint16(at - 2, true));
  const str = (): string => {
    const n = u16();
    need(n);
    at += n;
    return new TextDecoder().decode(bytes.subarray(at - n, at));
  };
  if (bytes.length < 4 || new TextDecoder().decode(bytes.subarray(0, 4)) !== 'QTV1') throw new RangeError('decodeVectors(): not a QTV1 vector file');
  at = 4;
  const cases: VectorCase[] = [];
  while (at < bytes.length) {
    const op = str(), label = str(), count = u16();
    const fields: Record<string, FieldData> = {};
    for (let i = 0; i < count; i++) {
      const name = str();
      need(5);
      const tag = view.getUint8(at), n = view.getUint32(at + 1, true);
      at += 5;
      const Ctor = CTORS[tag];
      if (!Ctor) throw new RangeError(`decodeVectors(): unknown type tag ${tag} for field '${name}'`);
      need(n * Ctor.BYTES_PER_ELEMENT);
      // copy: the offset may not be aligned for the element size
      fields[name] = new Ctor(bytes.slice(at, at + n * Ctor.BYTES_PER_ELEMENT).buffer);
      at += n * Ctor.BYTES_PER_ELEMENT;
    }
    cases.push({ op, label, fields });
  }
  return cases;
}
