import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BatchNorm2d, Conv2d, Dropout, Flatten, Hardswish, LayerNorm, LeakyReLU, Linear, MaxPool2d, Module, ReLU6, Sequential, Sigmoid,
} from '@qtorch/nn';
import {
  type Tensor, intRepr, loadSafetensors, manualSeed, qScale, qZeroPoint, qint8, quantizePerTensor, randn, saveSafetensors, tensor,
} from '@qtorch/qtensor';
import { expectTensorClose } from '@qtorch/testing';
import {
  FxModule, GRAPH_MODULE_METADATA_KEY, GraphModule, loadGraphModule, loadGraphModuleFile, registerSerializableModule, saveGraphModule,
  saveGraphModuleFile, symbolicTrace, torch,
} from '../src/index.js';
import { SmallCnn } from './models.js';

/** Rewrites the JSON description inside a saved file (to build hostile or foreign files). */
function tamper(bytes: Uint8Array, edit: (rec: Record<string, unknown>) => void): Uint8Array {
  const { tensors, metadata } = loadSafetensors(bytes);
  const rec = JSON.parse(metadata[GRAPH_MODULE_METADATA_KEY]!) as Record<string, unknown>;
  edit(rec);
  return saveSafetensors(tensors, { metadata: { ...metadata, [GRAPH_MODULE_METADATA_KEY]: JSON.stringify(rec) } });
}

type NodeRec = { name: string; op: string; target: string; args: unknown; kwargs: unknown };

describe('save / load', () => {
  it('round-trips a traced CNN: same outputs, code, state and buffers, without the original classes', () => {
    manualSeed(10);
    const model = new SmallCnn();
    // non-trivial batch norm statistics
    model.train();
    model.call(randn([4, 3, 4, 4]));
    model.eval();
    const gm = symbolicTrace(model);
    const bytes = saveGraphModule(gm);
    const loaded = loadGraphModule(bytes);
    expect(loaded).toBeInstanceOf(GraphModule);
    expect(loaded.className).toBe('SmallCnn');
    expect(loaded.code).toBe(gm.code);
    expect(loaded.training).toBe(false);
    // the user's classes are not needed: the traced-through block is a bare holder module
    expect((loaded as unknown as { block: Module }).block).toBeInstanceOf(FxModule);
    expect(loaded.namedBuffers().map(([k]) => k)).toEqual(gm.namedBuffers().map(([k]) => k));
    const sd = gm.stateDict(), sd2 = loaded.stateDict();
    expect(Object.keys(sd2)).toEqual(Object.keys(sd));
    for (const k of Object.keys(sd)) expectTensorClose(sd2[k]!, sd[k]!, { exact: true, label: k });
    const x = randn([2, 3, 4, 4]);
    expectTensorClose(loaded.call(x), model.call(x), { exact: true });
    expect(loaded.toString()).toBe(gm.toString());
  });

  it('round-trips the hyperparameters of many nn layers', () => {
    manualSeed(11);
    const model = new Sequential(
      new Conv2d(2, 4, 3, { stride: 2, padding: 1, paddingMode: 'reflect', bias: false }),
      new BatchNorm2d(4, { momentum: 0.3, eps: 1e-3 }),
      new ReLU6(),
      new MaxPool2d(2, { stride: 1 }),
      new Flatten(),
      new Linear(4 * 2 * 2, 6),
      new LayerNorm([6]),
      new LeakyReLU({ negativeSlope: 0.2 }),
      new Dropout({ p: 0.25 }),
      new Hardswish(),
      new Sigmoid(),
    ).eval();
    const gm = symbolicTrace(model);
    const loaded = loadGraphModule(saveGraphModule(gm));
    const x = randn([2, 2, 6, 6]);
    expectTensorClose(loaded.call(x), model.call(x) as Tensor, { exact: true });
    for (const [name, m] of gm.namedModules()) {
      if (name === '') continue;
      const other = loaded.getSubmodule(name);
      expect(other.constructor).toBe(m.constructor);
      expect(other.toString()).toBe(m.toString());
    }
  });

  it('keeps quantized tensors exactly (integer values and qparams)', () => {
    manualSeed(12);
    class Dequant extends Module {
      qw = quantizePerTensor(randn([3]), 0.05, -2, qint8);
      forward(x: Tensor): Tensor {
        return torch.dequantize(this.qw).mul(x);
      }
    }
    const model = new Dequant();
    const loaded = loadGraphModule(saveGraphModule(symbolicTrace(model)));
    const qw = (loaded as unknown as { qw: Tensor }).qw;
    expect(qw.dtype).toBe(qint8);
    expect(qScale(qw)).toBe(0.05);
    expect(qZeroPoint(qw)).toBe(-2);
    expect(Array.from(intRepr(qw).toArray())).toEqual(Array.from(intRepr(model.qw).toArray()));
    const x = tensor([1, 2, 3]);
    expectTensorClose(loaded.call(x), model.call(x), { exact: true });
  });

  it('saves user leaf modules once registered, and refuses unregistered ones', () => {
    class Scale extends Module {
      constructor(readonly factor: number, readonly cb: () => number) {
        super();
      }
      forward(x: Tensor): Tensor {
        return x.mul(this.factor);
      }
    }
    class Net extends Module {
      s = new Scale(3, () => 1);
      forward(x: Tensor): Tensor {
        return this.s.call(x).add(1);
      }
    }
    const gm = symbolicTrace(new Net(), { leafModules: [Scale] });
    expect(gm.graph.findNodes({ op: 'call_module' }).map((n) => n.target)).toEqual(['s']);
    expect(() => saveGraphModule(gm)).toThrow(/'s' is a Scale, which is not registered/);
    registerSerializableModule(Scale, { name: 'test.Scale', toConfig: (m) => ({ factor: m.factor }), fromConfig: (c: { factor: number }) => new Scale(c.factor, () => 1) });
    const loaded = loadGraphModule(saveGraphModule(gm));
    expect(Array.from(loaded.call(tensor([1, 2])).toArray())).toEqual([4, 7]);
    // an unknown class name in a file is a clear error
    const foreign = tamper(saveGraphModule(gm), (rec) => {
      const attrs = (rec.module as { attrs: Array<[string, { module: { cls: string } }]> }).attrs;
      attrs[0]![1].module.cls = 'acme.Secret';
    });
    expect(() => loadGraphModule(foreign)).toThrow(/class 'acme.Secret', which is not registered/);
  });

  it('loads only the fixed op vocabulary and safe attribute names', () => {
    const gm = symbolicTrace((x: Tensor) => torch.relu(x.add(1)));
    const bytes = saveGraphModule(gm);
    const editNode = (target: string, edit: (n: NodeRec) => void) =>
      tamper(bytes, (rec) => edit((rec.graph as NodeRec[]).find((n) => n.target === target)!));
    expect(() => loadGraphModule(editNode('torch.relu', (n) => { n.target = 'process.exit'; }))).toThrow(/not in the op vocabulary/);
    expect(() => loadGraphModule(editNode('add', (n) => { n.target = 'constructor'; }))).toThrow(/not allowed/);
    expect(() => loadGraphModule(editNode('add', (n) => { n.op = 'get_attr'; n.target = 'constructor.constructor'; n.args = []; }))).toThrow(/not a valid attribute path/);
    expect(() => loadGraphModule(editNode('add', (n) => { n.args = [{ $node: 'relu' }, 1]; }))).toThrow(/not an earlier node/);
    expect(() => loadGraphModule(editNode('add', (n) => { n.name = 'x;process.exit()'; }))).toThrow(/bad or duplicate name/);
    const proto = tamper(bytes, (rec) => {
      (rec.module as { attrs: unknown[] }).attrs.push(['__proto__', { kind: 'data', value: 1 }]);
    });
    expect(() => loadGraphModule(proto)).toThrow(/bad attribute name/);
    expect(() => loadGraphModule(saveSafetensors({ w: tensor([1]) }))).toThrow(/not a saved GraphModule/);
    // the untampered file still loads and runs
    expect(Array.from(loadGraphModule(bytes).call(tensor([-3, 1])).toArray())).toEqual([0, 2]);
  });

  describe('files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qtorch-fx-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    it('saves to and loads from a path', () => {
      manualSeed(13);
      const model = new SmallCnn().eval();
      const path = join(dir, 'model.safetensors');
      saveGraphModuleFile(path, symbolicTrace(model));
      const x = randn([1, 3, 4, 4]);
      expectTensorClose(loadGraphModuleFile(path).call(x), model.call(x), { exact: true });
    });
  });
});
