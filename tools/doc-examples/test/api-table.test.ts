// The PyTorch -> qtorch table of docs/from-pytorch.md cannot lie: every row is checked
// against the packages' real exports, and the guide's table is exactly the rendered data.
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { quantizePerTensor, quint8, randn, type Tensor } from '@qtorch/qtensor';
import * as F from '@qtorch/nn/functional';
import {
  TABLE_END, TABLE_START, apiRows, camel, displayName, renderApiTable, resolveName, spliceTable,
} from '../src/api-table.js';
import { repoRoot } from '../src/docs.js';
import { entryPoints, loadEntryPoints } from '../src/modules.js';

const guide = join(repoRoot, 'docs', 'from-pytorch.md');

describe('API table rows', async () => {
  const modules = await loadEntryPoints();

  it('every entry point loads and exports something', () => {
    for (const [spec, ns] of modules) expect(Object.keys(ns).length, spec).toBeGreaterThan(0);
  });

  it('"yes" and "use instead" rows name real exports; "not yet" rows name nothing that exists yet', () => {
    const wrong: string[] = [];
    for (const row of apiRows()) {
      const found = resolveName(modules.get(row.from), row.name) !== undefined;
      if (row.status === 'no' && found) wrong.push(`${row.torch}: ${row.from} now has ${row.name}; mark the row 'yes'`);
      if (row.status !== 'no' && !found) wrong.push(`${row.torch}: ${row.name} is not exported by ${row.from}`);
      if (!(row.from in entryPoints) && row.status !== 'no') wrong.push(`${row.torch}: ${row.from} is not a qtorch entry point`);
    }
    expect(wrong).toEqual([]);
  });

  it('each PyTorch name appears once', () => {
    const names = apiRows().map((r) => r.torch);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });
});

describe('resolveName', () => {
  const ns = { A: class { m(): void {} get g(): number { return 1; } }, o: { p: { q: 0 } } };
  it('walks exports, property paths and prototype members', () => {
    expect(resolveName(ns, 'o.p.q')).toBe(0);
    expect(resolveName(ns, 'A#m')).toBeDefined();
    expect(resolveName(ns, 'A#g')).toBeDefined();
    expect(resolveName(ns, 'A#nope')).toBeUndefined();
    expect(resolveName(ns, 'o.x.q')).toBeUndefined();
    expect(resolveName(undefined, 'A')).toBeUndefined();
  });
  it('renders members as calls on an instance and camelCases PyTorch names', () => {
    expect(displayName({ torch: 't', name: 'Tensor#intRepr', from: '', status: 'yes' })).toBe('`x.intRepr()`');
    expect(displayName({ torch: 't', name: 'backends.quantized.engine', from: '', status: 'yes' })).toBe('`backends.quantized.engine`');
    expect(camel('q_per_channel_zero_points')).toBe('qPerChannelZeroPoints');
    expect(camel('propagate_qconfig_')).toBe('propagateQconfig_');
  });
});

describe('claims of the table notes', () => {
  const x = quantizePerTensor(randn([1, 2, 4, 4]), 0.1, 128, quint8);
  it('the torch.nn.functional rows without "float input only" take quantized tensors and return quantized tensors', () => {
    const calls: Record<string, () => Tensor> = {
      relu: () => F.relu(x), relu_: () => F.relu_(x.clone()), maxPool2d: () => F.maxPool2d(x, 2),
      adaptiveAvgPool2d: () => F.adaptiveAvgPool2d(x, 2), avgPool2d: () => F.avgPool2d(x, 2),
      interpolate: () => F.interpolate(x, { scaleFactor: 2 }), hardsigmoid: () => F.hardsigmoid(x),
      hardtanh: () => F.hardtanh(x), upsample: () => F.upsample(x, { scaleFactor: 2 }),
    };
    const rowsF = apiRows().filter((r) => r.from === '@qtorch/nn/functional' && r.status === 'yes');
    const quantizedOk = rowsF.filter((r) => !r.note?.includes('float input only')).map((r) => r.name);
    expect(Object.keys(calls).sort()).toEqual(quantizedOk.sort());
    for (const [name, call] of Object.entries(calls)) expect(call().isQuantized, name).toBe(true);
  });
  it('the rows marked "float input only" do reject quantized tensors', () => {
    expect(() => F.elu(x)).toThrow(/quantized/);
    expect(() => F.hardswish(x)).toThrow(/quantized/);
  });
});

it('docs/from-pytorch.md holds the current table (QTORCH_UPDATE_API_TABLE=1 rewrites it)', () => {
  const doc = readFileSync(guide, 'utf8');
  const updated = spliceTable(doc, renderApiTable());
  if (process.env.QTORCH_UPDATE_API_TABLE === '1' && updated !== doc) writeFileSync(guide, updated);
  else expect(doc, 'the table is stale: run `pnpm --filter @qtorch/doc-examples api-table`').toBe(updated);
  expect(doc.indexOf(TABLE_START)).toBeLessThan(doc.indexOf(TABLE_END));
});
