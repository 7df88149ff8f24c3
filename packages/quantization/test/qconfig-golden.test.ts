// Golden area D (qconfig/default_qconfigs.json): every default qconfig's classes, with_args
// keywords and constructed instance attributes, exactly.
import { describe, expect, it } from 'vitest';
import { loadGolden } from '@qtorch/testing';
import * as nn from '@qtorch/nn';
import {
  MinMaxObserver, QConfig, QConfigMapping, type Factory, getDefaultQatQconfig, getDefaultQatQconfigMapping, getDefaultQconfig,
  getDefaultQconfigMapping,
} from '../src/index.js';
import * as Q from '../src/index.js';

const camel = (s: string): string => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const snake = (s: string): string => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`).replace(/(\d)bit/, '$1bit');

// Every case is ported.
const NOT_PORTED = new Set<string>([]);

/** "get_default_qconfig_mapping('qnnpack')" -> the mapping. */
function mappingFor(name: string): QConfigMapping | undefined {
  const m = /^get_default_(qat_)?qconfig_mapping\('(\w+)'\)$/.exec(name);
  if (!m) return undefined;
  return m[1] ? getDefaultQatQconfigMapping(m[2]!) : getDefaultQconfigMapping(m[2]!);
}

/**
 * PyTorch's printed object types -> our keys: module classes by class name, functions by
 * their traceable names (F.conv1d is torch.conv1d in PyTorch; torch._C._nn.linear is F.linear),
 * method names as they are.
 */
const FUNCTION_KEYS: Record<string, string> = {
  'torch.conv1d': 'F.conv1d', 'torch.conv2d': 'F.conv2d', 'torch.conv3d': 'F.conv3d',
  'torch.conv_transpose1d': 'F.convTranspose1d', 'torch.conv_transpose2d': 'F.convTranspose2d', 'torch.conv_transpose3d': 'F.convTranspose3d',
  'torch._C._nn.linear': 'F.linear', 'torch.nn.functional.relu': 'F.relu', 'torch.relu': 'torch.relu',
  'torch.nn.functional.layer_norm': 'F.layerNorm', 'torch.nn.functional.hardsigmoid': 'F.hardsigmoid',
  'torch.sigmoid': 'torch.sigmoid', 'torch.tanh': 'torch.tanh',
};
function objectTypeFrom(py: string): unknown {
  if (py.startsWith('torch.nn.modules.')) return (nn as Record<string, unknown>)[py.split('.').pop()!];
  return py.includes('.') ? FUNCTION_KEYS[py] : py;
}

function qconfigFor(name: string): QConfig | undefined {
  let m = /^get_default_qconfig\('(\w+)'\)$/.exec(name);
  if (m) return getDefaultQconfig(m[1]!);
  m = /^get_default_qat_qconfig\('(\w+)'(?:, version=(\d))?\)$/.exec(name);
  if (m) return getDefaultQatQconfig(m[1]!, m[2] === undefined ? 1 : Number(m[2]));
  if (mappingFor(name)) return mappingFor(name)!.globalQconfig as QConfig;
  m = /^torch\.ao\.quantization\.(\w+)$/.exec(name);
  if (m) return (Q as Record<string, unknown>)[camel(m[1]!)] as QConfig | undefined;
  return undefined;
}

/** A TS option value in the fixtures' notation (dtype names, qualified observer class). */
function pyValue(v: unknown): unknown {
  if (typeof v === 'function') {
    const cls = 'cls' in v ? (v as Factory).cls : v;
    const qualified = `torch.ao.quantization.observer.${(cls as { name: string }).name}`;
    const args = 'cls' in v ? Object.entries((v as Factory).args) : [];
    if (args.length === 0) return qualified;
    // a factory with bound arguments prints as Python's functools.partial
    const kw = args.map(([k, a]) => `${snake(k)}=${typeof pyValue(a) === 'string' && a && typeof a === 'object' ? `torch.${pyValue(a)}` : String(pyValue(a))}`);
    return `functools.partial(<class '${qualified}'>, ${kw.join(', ')}){}`;
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
  for (const c of cases.filter((k) => !NOT_PORTED.has(k.name) && !mappingFor(k.name))) {
    it(c.name, () => {
      const qc = qconfigFor(c.name)!;
      expect(qc).toBeInstanceOf(QConfig);
      expectSide(qc.activation as Factory, c.expected.activation, 'activation');
      expectSide(qc.weight as Factory, c.expected.weight, 'weight');
    });
  }
});

describe('qconfig/default_qconfigs.json: default QConfigMappings', () => {
  for (const c of loadGolden('qconfig/default_qconfigs.json').cases.filter((k) => mappingFor(k.name))) {
    it(c.name, () => {
      const mapping = mappingFor(c.name)!;
      const exp = c.expected as { global: Record<string, any>; object_type: Array<{ object_type: string; qconfig: Record<string, any> }> };
      const check = (q: unknown, e: Record<string, any>, label: string) => {
        expect(q, label).toBeInstanceOf(QConfig);
        expectSide((q as QConfig).activation as Factory, e.activation, `${label} activation`);
        expectSide((q as QConfig).weight as Factory, e.weight, `${label} weight`);
      };
      check(mapping.globalQconfig, exp.global, 'global');
      // the same entries in the same order
      expect([...mapping.objectTypeQconfigs.keys()]).toEqual(exp.object_type.map((e) => objectTypeFrom(e.object_type)));
      for (const e of exp.object_type) check(mapping.objectTypeQconfigs.get(objectTypeFrom(e.object_type) as never), e.qconfig, e.object_type);
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
