// Golden area D (qconfig/default_qconfigs.json): every default qconfig's classes, with_args
// keywords and constructed instance attributes, exactly.
import { describe, expect, it } from 'vitest';
import { loadGolden } from '@qtorch/testing';
import { MinMaxObserver, QConfig, type Factory, getDefaultQatQconfig, getDefaultQconfig } from '../src/index.js';
import * as Q from '../src/index.js';

const camel = (s: string): string => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const snake = (s: string): string => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`).replace(/(\d)bit/, '$1bit');

// Cases needing pieces this package does not have yet (QConfigMapping, part of FX quantization).
const NOT_PORTED = new Set([
  "get_default_qconfig_mapping('qnnpack')", "get_default_qconfig_mapping('fbgemm')",
  "get_default_qat_qconfig_mapping('qnnpack')",
]);

function qconfigFor(name: string): QConfig | undefined {
  let m = /^get_default_qconfig\('(\w+)'\)$/.exec(name);
  if (m) return getDefaultQconfig(m[1]!);
  m = /^get_default_qat_qconfig\('(\w+)'(?:, version=(\d))?\)$/.exec(name);
  if (m) return getDefaultQatQconfig(m[1]!, m[2] === undefined ? 1 : Number(m[2]));
  m = /^torch\.ao\.quantization\.(\w+)$/.exec(name);
  if (m) return (Q as Record<string, unknown>)[camel(m[1]!)] as QConfig | undefined;
  return undefined;
}

/** A TS option value in the fixtures' notation (dtype names, qualified observer class). */
function pyValue(v: unknown): unknown {
  if (typeof v === 'function') {
    const cls = 'cls' in v ? (v as Factory).cls : v;
    return `torch.ao.quantization.observer.${(cls as { name: string }).name}`;
  }
  if (v && typeof v === 'object' && 'torchName' in v) return (v as unknown as { name: string }).name;
  return v;
}

function expectInstance(obj: Record<string, any>, exp: Record<string, any>, label: string): void {
  expect(obj.constructor.name, `${label} class`).toBe(exp.class);
  for (const [key, want] of Object.entries(exp)) {
    if (key === 'class') continue;
    const k = key === 'custom_op' ? 'customOp' : camel(key);
    let got = obj[k];
    if (key === 'activation_post_process') { expectInstance(obj.activationPostProcess, want, `${label}.${key}`); continue; }
    if (want && typeof want === 'object' && 'data' in want) {
      got = typeof got === 'number' ? [got] : Array.from(got.values());
      expect(got, `${label}.${key}`).toEqual(want.data);
      continue;
    }
    expect(pyValue(got), `${label}.${key}`).toEqual(want);
  }
}

function expectSide(factory: Factory, exp: Record<string, any>, label: string): void {
  expect(factory.cls.name, `${label} class`).toBe(exp.class);
  const args = Object.fromEntries(Object.entries(factory.args).map(([k, v]) => [snake(k), pyValue(v)]));
  expect(args, `${label} with_args`).toEqual(exp.with_args);
  expectInstance(factory() as Record<string, any>, exp.instance, `${label} instance`);
}

describe('qconfig/default_qconfigs.json', () => {
  const cases = loadGolden('qconfig/default_qconfigs.json').cases;
  it('lists exactly the cases not ported', () => {
    expect(cases.filter((c) => !qconfigFor(c.name)).map((c) => c.name).sort()).toEqual([...NOT_PORTED].sort());
  });
  for (const c of cases.filter((k) => !NOT_PORTED.has(k.name))) {
    it(c.name, () => {
      const qc = qconfigFor(c.name)!;
      expect(qc).toBeInstanceOf(QConfig);
      expectSide(qc.activation as Factory, c.expected.activation, 'activation');
      expectSide(qc.weight as Factory, c.expected.weight, 'weight');
    });
  }
});

describe('QConfig', () => {
  it('refuses observer instances', () => {
    expect(() => new QConfig(new MinMaxObserver() as never, MinMaxObserver.withArgs())).toThrow(
      'QConfig received observer instance, please pass observer class instead. Use MyObserver.with_args(x=1) to override arguments to constructor if needed',
    );
  });
});
