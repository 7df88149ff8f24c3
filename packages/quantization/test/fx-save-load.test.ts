// Saving and loading a quantized GraphModule through @qtorch/fx (the analogue of torch.jit.save of
// a scripted quantized model): the loaded model, rebuilt without the original class, computes
// exactly the same outputs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Conv2d, Linear, Module, Parameter } from '@qtorch/nn';
import * as F from '@qtorch/nn/functional';
import { type GraphModule, loadGraphModule, loadGraphModuleFile, saveGraphModule, saveGraphModuleFile, torch } from '@qtorch/fx';
import { type Tensor, manualSeed, randn, withEngine } from '@qtorch/qtensor';
import { defaultDynamicQconfig, getDefaultQconfig } from '../src/index.js';
import { convertFx, prepareFx } from '../src/fx/index.js';

class Net extends Module {
  conv1 = new Conv2d(3, 4, 3, { padding: 1 });
  conv2 = new Conv2d(3, 4, 1);
  fc = new Linear(8, 5);
  w = new Parameter(randn([3, 5]));
  cw = new Parameter(randn([2, 8, 1, 1]));
  forward(x: Tensor): Tensor {
    const a = F.relu(this.conv1.call(x));
    const c = torch.add(a, this.conv2.call(x));
    // a functional conv: its packed weights are an attribute of the converted graph
    const d = F.conv2d(torch.cat([a, c], 1), this.cw);
    const e = torch.flatten(F.adaptiveAvgPool2d(torch.cat([d, d, d, d], 1), 1), 1);
    const f = F.relu(this.fc.call(e));
    return F.linear(f.mul(2), this.w);
  }
}

const calibrated = (qconfigDict: Parameters<typeof prepareFx>[1], calibrate: boolean): GraphModule => {
  manualSeed(11);
  const p = prepareFx(new Net().eval(), qconfigDict, { exampleInputs: [randn([2, 3, 6, 6])] });
  if (calibrate) for (let i = 0; i < 3; i++) p.call(randn([2, 3, 6, 6]));
  return p;
};

const dir = mkdtempSync(join(tmpdir(), 'qtorch-fx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Saves and loads `gm`, checking the loaded model's graph, modules and outputs. */
function roundTrip(gm: GraphModule): GraphModule {
  const loaded = loadGraphModule(saveGraphModule(gm));
  expect(loaded.code).toBe(gm.code);
  for (const [name, m] of gm.namedModules()) expect(loaded.getSubmodule(name).constructor, name).toBe(m.constructor);
  for (let i = 0; i < 2; i++) {
    const x = randn([2, 3, 6, 6]);
    expect(Array.from(loaded.call(x).values())).toEqual(Array.from(gm.call(x).values()));
  }
  return loaded;
}

describe('save / load of quantized GraphModules', () => {
  it('static: quantized modules, quantized ops, packed functional weights and qparam buffers', () => {
    withEngine('qnnpack', () => {
      const q = convertFx(calibrated({ '': getDefaultQconfig('qnnpack') }, true));
      expect(q.graph.nodes.map((n) => String(n.target))).toEqual(expect.arrayContaining(['quantized.add', 'quantized.conv', 'quantized.mul', 'quantized.linear']));
      const loaded = roundTrip(q);
      expect(Object.keys(loaded.stateDict()).sort()).toEqual(Object.keys(q.stateDict()).sort());
    });
  });

  it('through a file', () => {
    withEngine('fbgemm', () => {
      const q = convertFx(calibrated({ '': getDefaultQconfig('fbgemm') }, true));
      const path = join(dir, 'net.qfx');
      saveGraphModuleFile(path, q);
      const loaded = loadGraphModuleFile(path);
      const x = randn([2, 3, 6, 6]);
      expect(Array.from(loaded.call(x).values())).toEqual(Array.from(q.call(x).values()));
    });
  });

  it('dynamic (int8 and the functional linear)', () => {
    withEngine('fbgemm', () => {
      roundTrip(convertFx(calibrated({ '': defaultDynamicQconfig }, false)));
    });
  });

  it('reference model', () => {
    withEngine('qnnpack', () => {
      roundTrip(convertFx(calibrated({ '': getDefaultQconfig('qnnpack') }, true), { isReference: true }));
    });
  });
});
