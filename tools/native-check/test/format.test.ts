import { describe, expect, it } from 'vitest';
import { compareOutputs } from '../src/compare.js';
import { decodeVectors, encodeVectors, type VectorCase } from '../src/format.js';

const bits = (x: Float32Array): number[] => Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length));

describe('vector file format', () => {
  it('round-trips every field type bit for bit (NaN payloads, -0, extremes)', () => {
    const f32 = Float32Array.of(-0, NaN, Infinity, 1e-45, 3.4e38);
    new Uint32Array(f32.buffer)[1] = 0x7fc01234; // a NaN with a payload
    const cases: VectorCase[] = [
      { op: 'a', label: 'ü label', fields: { u: Uint8Array.of(0, 255), i: Int8Array.of(-128, 127), n: Int32Array.of(-(2 ** 31), 2 ** 31 - 1), f: f32, d: Float64Array.of(-0, 0.1, 2 ** -1074) } },
      { op: 'b', label: '', fields: { empty: new Float32Array(0) } },
    ];
    const back = decodeVectors(encodeVectors(cases));
    expect(back.map((c) => [c.op, c.label, Object.keys(c.fields)])).toEqual([['a', 'ü label', ['u', 'i', 'n', 'f', 'd']], ['b', '', ['empty']]]);
    const f = back[0]!.fields;
    expect(f.u).toEqual(Uint8Array.of(0, 255));
    expect(f.i).toEqual(Int8Array.of(-128, 127));
    expect(f.n).toEqual(Int32Array.of(-(2 ** 31), 2 ** 31 - 1));
    expect(bits(f.f as Float32Array)).toEqual(bits(f32));
    expect(Object.is((f.d as Float64Array)[0], -0)).toBe(true);
    expect((f.d as Float64Array)[2]).toBe(2 ** -1074);
    expect(back[1]!.fields.empty).toBeInstanceOf(Float32Array);
  });

  it('decodes from a Node Buffer (a view into a shared pool)', () => {
    const bytes = encodeVectors([{ op: 'x', label: 'y', fields: { v: Int32Array.of(7, -7) } }]);
    const pooled = Buffer.concat([Buffer.from('junk'), Buffer.from(bytes)]).subarray(4);
    expect(decodeVectors(pooled)[0]!.fields.v).toEqual(Int32Array.of(7, -7));
  });

  it('refuses a bad magic, a truncated file and an unknown type tag', () => {
    const bytes = encodeVectors([{ op: 'x', label: 'y', fields: { v: Int32Array.of(1, 2, 3) } }]);
    expect(() => decodeVectors(new TextEncoder().encode('QTV2'))).toThrow(/not a QTV1/);
    expect(() => decodeVectors(bytes.subarray(0, bytes.length - 1))).toThrow(/truncated/);
    const badTag = bytes.slice();
    badTag[4 + 3 + 3 + 2 + 3] = 9; // after magic, op, label, count and the field name
    expect(() => decodeVectors(badTag)).toThrow(/unknown type tag 9/);
  });
});

describe('output comparison', () => {
  const c = (fields: VectorCase['fields']): VectorCase => ({ op: 't', label: 't', fields });

  it('integers and float32 bit for bit; any NaN matches any NaN', () => {
    expect(compareOutputs(c({ expect_y: Uint8Array.of(1, 2) }), { y: Uint8Array.of(1, 2) })).toBeNull();
    expect(compareOutputs(c({ expect_y: Uint8Array.of(1, 2) }), { y: Uint8Array.of(1, 3) })).toMatch(/y\[1\] = 3, expected 2/);
    expect(compareOutputs(c({ expect_y: Float32Array.of(NaN, 1) }), { y: Float32Array.of(-NaN, 1) })).toBeNull();
    expect(compareOutputs(c({ expect_y: Float32Array.of(0) }), { y: Float32Array.of(-0) })).toMatch(/y\[0\]/);
    expect(compareOutputs(c({ expect_y: Float32Array.of(0) }), {})).toBe('y: no output');
    expect(compareOutputs(c({ expect_y: Float32Array.of(0) }), { y: Float32Array.of(0, 0) })).toMatch(/2 values, expected 1/);
  });

  it('float64 with a magnitude: within float32 rounding of the sum of |terms|', () => {
    const k = c({ expect_c: Float64Array.of(1, 0), expect_c_magnitude: Float64Array.of(1000, 1000) });
    expect(compareOutputs(k, { c: Float64Array.of(1.005, -0.005) })).toBeNull();
    expect(compareOutputs(k, { c: Float64Array.of(1, 0.05) })).toMatch(/c\[1\]/);
  });
});
