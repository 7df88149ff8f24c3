// Python float formatting ('{:.4f}', '{:.4e}', repr) that the tensor repr is built on.
// Expected strings are what CPython prints for the same double.
import { describe, expect, it } from 'vitest';
import { formatExp, formatFixed, pyFloatRepr } from '../src/format/py_float.js';

describe("'{:.Nf}'", () => {
  it('rounds exact ties half to even, unlike toFixed', () => {
    expect(formatFixed(0.03125, 4)).toBe('0.0312'); // (0.03125).toFixed(4) is '0.0313'
    expect(formatFixed(0.09375, 4)).toBe('0.0938');
    expect(formatFixed(2.5, 0)).toBe('2');
    expect(formatFixed(3.5, 0)).toBe('4');
    expect(formatFixed(-2.5, 0)).toBe('-2');
  });
  it('uses the exact binary value (1.00005 is stored above the tie)', () => {
    expect(formatFixed(1.00005, 4)).toBe('1.0001'); // stored as 1.0000500000000001055...
    expect(formatFixed(0.1, 4)).toBe('0.1000');
    expect(formatFixed(Math.fround(0.1), 10)).toBe('0.1000000015');
  });
  it('keeps the sign of negative zero and of values that round to zero', () => {
    expect(formatFixed(-0, 4)).toBe('-0.0000');
    expect(formatFixed(-0.00001, 4)).toBe('-0.0000');
    expect(formatFixed(-0, 0)).toBe('-0');
  });
  it('large integers print every digit', () => {
    expect(formatFixed(1e20, 0)).toBe('100000000000000000000');
    expect(formatFixed(123456789, 4)).toBe('123456789.0000');
  });
  it('non-finite values', () => {
    expect(formatFixed(NaN, 4)).toBe('nan');
    expect(formatFixed(Infinity, 4)).toBe('inf');
    expect(formatFixed(-Infinity, 0)).toBe('-inf');
  });
});

describe("'{:.Ne}'", () => {
  it('two-digit signed exponents', () => {
    expect(formatExp(1e-5, 4)).toBe('1.0000e-05');
    expect(formatExp(1, 4)).toBe('1.0000e+00');
    expect(formatExp(-123456, 4)).toBe('-1.2346e+05');
    expect(formatExp(1e100, 4)).toBe('1.0000e+100');
    expect(formatExp(0, 4)).toBe('0.0000e+00');
    expect(formatExp(-0, 2)).toBe('-0.00e+00');
  });
  it('ties to even and carries into the exponent', () => {
    expect(formatExp(1.03125, 4)).toBe('1.0312e+00');
    expect(formatExp(9.99996, 4)).toBe('1.0000e+01');
    expect(formatExp(5, 0)).toBe('5e+00');
  });
  it('subnormals', () => {
    expect(formatExp(5e-324, 4)).toBe('4.9407e-324');
  });
});

describe('repr(float)', () => {
  it('shortest round-trip digits in Python layout', () => {
    expect(pyFloatRepr(0.1)).toBe('0.1');
    expect(pyFloatRepr(1)).toBe('1.0');
    expect(pyFloatRepr(-2.5)).toBe('-2.5');
    expect(pyFloatRepr(123.456)).toBe('123.456');
    expect(pyFloatRepr(Math.fround(0.1))).toBe('0.10000000149011612');
  });
  it('switches to exponent form below 1e-4 and from 1e16', () => {
    expect(pyFloatRepr(0.0001)).toBe('0.0001');
    expect(pyFloatRepr(0.00001)).toBe('1e-05');
    expect(pyFloatRepr(1.5e-5)).toBe('1.5e-05');
    expect(pyFloatRepr(1e15)).toBe('1000000000000000.0');
    expect(pyFloatRepr(1e16)).toBe('1e+16');
    expect(pyFloatRepr(1.25e22)).toBe('1.25e+22');
  });
  it('zero, negative zero and non-finite', () => {
    expect(pyFloatRepr(0)).toBe('0.0');
    expect(pyFloatRepr(-0)).toBe('-0.0');
    expect(pyFloatRepr(NaN)).toBe('nan');
    expect(pyFloatRepr(-Infinity)).toBe('-inf');
  });
});
