// Custom configuration of prepareFx / convertFx: non-traceable modules, standalone modules,
// preserved attributes, quantized graph inputs / outputs, and reference (isReference) models.
import { describe, expect, it } from 'vitest';
import { Linear, Module, ReLU, Sequential } from '@qtorch/nn';
import * as nnq from '@qtorch/nn-quantized';
import * as nniq from '@qtorch/nn-intrinsic/quantized';
import { GraphModule, TraceError, torch } from '@qtorch/fx';
import { type Tensor, manualSeed, qScale, qZeroPoint, quantizePerTensor, quint8, randn } from '@qtorch/qtensor';
import { expectTensorClose } from '../../../tools/testing/src/index.js';
import { MinMaxObserver, QConfigMapping, defaultQconfig } from '../src/index.js';
import { PrepareCustomConfig, convertFx, convertToReferenceFx, nnqr, prepareFx } from '../src/fx/index.js';

const targets = (gm: GraphModule) => gm.graph.nodes.filter((n) => n.op !== 'placeholder' && n.op !== 'get_attr' && n.op !== 'output').map((n) => String(n.target));

/** Branches on its input's data: not symbolically traceable. */
class DataDependent extends Module {
  forward(x: Tensor): Tensor {
    return x.sum().item() > 0 ? x : x.neg();
  }
}

class WithBranch extends Module {
  fc1 = new Linear(4, 4);
  branch = new DataDependent();
  fc2 = new Linear(4, 4);
  version = 3;
  forward(x: Tensor): Tensor {
    return this.fc2.call(this.branch.call(this.fc1.call(x)));
  }
}

describe('non-traceable modules', () => {
  it('control flow on a traced value is a TraceError that names the fix', () => {
    expect(() => prepareFx(new WithBranch().eval(), { '': defaultQconfig })).toThrow(TraceError);
    expect(() => prepareFx(new WithBranch().eval(), { '': defaultQconfig })).toThrow(/not symbolically traceable/);
  });

  it('by class or by name they are called as leaves and stay float between quantized layers', () => {
    manualSeed(1);
    for (const pcc of [{ nonTraceableModuleClass: [DataDependent] }, new PrepareCustomConfig().setNonTraceableModuleNames(['branch'])]) {
      const m = new WithBranch().eval();
      const p = prepareFx(m, { '': defaultQconfig }, { prepareCustomConfig: pcc });
      const x = randn([3, 4]);
      p.call(x);
      const q = convertFx(p);
      expect(targets(q)).toEqual(['torch.quantizePerTensor', 'fc1', 'dequantize', 'branch', 'torch.quantizePerTensor', 'fc2', 'dequantize']);
      expect(q.getSubmodule('branch')).toBeInstanceOf(DataDependent);
      const fc2 = q.getSubmodule('fc2') as nnq.Linear;
      expectTensorClose(q.call(x), m.call(x), { atol: 3 * fc2.scale, rtol: 0, label: 'quantized vs float' });
    }
  });
});

describe('preserved attributes', () => {
  it('are kept through prepare and convert only when asked for', () => {
    const pcc = { nonTraceableModuleClass: [DataDependent], preservedAttributes: ['version'] };
    const p = prepareFx(new WithBranch().eval(), { '': defaultQconfig }, { prepareCustomConfig: pcc });
    expect((p as unknown as { version: number }).version).toBe(3);
    p.call(randn([3, 4]));
    expect((convertFx(p, { convertCustomConfig: { preservedAttributes: ['version'] } }) as unknown as { version: number }).version).toBe(3);
    expect((convertFx(p) as unknown as { version?: number }).version).toBeUndefined();
    const plain = prepareFx(new WithBranch().eval(), { '': defaultQconfig }, { prepareCustomConfig: { nonTraceableModuleClass: [DataDependent] } });
    expect((plain as unknown as { version?: number }).version).toBeUndefined();
  });
});

class Small extends Module {
  fc = new Linear(4, 4);
  forward(x: Tensor): Tensor {
    return this.fc.call(x);
  }
}

describe('quantized graph inputs and outputs', () => {
  it('inputQuantizedIdxs / outputQuantizedIdxs: the converted model takes and returns quantized tensors', () => {
    manualSeed(2);
    const m = new Small().eval();
    const p = prepareFx(m, { '': defaultQconfig }, { prepareCustomConfig: { inputQuantizedIdxs: [0], outputQuantizedIdxs: [0] } });
    // the input arrives quantized: no input observer
    expect(targets(p)).toEqual(['fc', 'activation_post_process_0']);
    p.call(randn([2, 4]));
    const q = convertFx(p);
    expect(targets(q)).toEqual(['fc']);
    const qx = quantizePerTensor(randn([2, 4]), 0.05, 128, quint8);
    const y = q.call(qx);
    const fc = q.getSubmodule('fc') as nnq.Linear;
    expect(y.isQuantized).toBe(true);
    expect([qScale(y), qZeroPoint(y)]).toEqual([fc.scale, fc.zeroPoint]);
    expectTensorClose(y.dequantize(), m.call(qx.dequantize()), { atol: 2 * fc.scale, rtol: 0, label: 'vs float' });
  });
});

class Outer extends Module {
  head = new Linear(4, 4);
  sub = new Sequential(new Linear(4, 4), new ReLU());
  tail = new Linear(4, 2);
  forward(x: Tensor): Tensor {
    return this.tail.call(this.sub.call(this.head.call(x)) as Tensor);
  }
}

describe('standalone modules', () => {
  it('are prepared and converted as their own graphs, taking and returning what their config says', () => {
    manualSeed(3);
    const m = new Outer().eval();
    const subMapping = new QConfigMapping().setGlobal(defaultQconfig);
    const smPcc = new PrepareCustomConfig().setInputQuantizedIndexes([0]).setOutputQuantizedIndexes([0]);
    const pcc = new PrepareCustomConfig().setStandaloneModuleName('sub', subMapping, [randn([2, 4])], smPcc, null);
    const p = prepareFx(m, { '': defaultQconfig }, { prepareCustomConfig: pcc });
    const sub = p.getSubmodule('sub') as GraphModule;
    expect(sub).toBeInstanceOf(GraphModule);
    // its input arrives quantized from the parent (no input observer), its linear-relu is fused and observed
    expect(targets(sub)).toEqual(['0', 'activation_post_process_0']);
    const x = randn([2, 4]);
    p.call(x);
    const q = convertFx(p);
    const qsub = q.getSubmodule('sub') as GraphModule;
    expect(qsub).toBeInstanceOf(GraphModule);
    expect(qsub.getSubmodule('0')).toBeInstanceOf(nniq.LinearReLU);
    expect(targets(qsub)).toEqual(['0']);
    // quantized tensors flow through the standalone module
    expect(targets(q)).toEqual(['torch.quantizePerTensor', 'head', 'sub', 'tail', 'dequantize']);
    const tail = q.getSubmodule('tail') as nnq.Linear;
    expectTensorClose(q.call(x), m.call(x), { atol: 3 * tail.scale, rtol: 0, label: 'quantized vs float' });
  });

  it('by class, with default configuration (float in and out)', () => {
    manualSeed(4);
    const m = new Outer().eval();
    const p = prepareFx(m, { '': defaultQconfig }, { prepareCustomConfig: { standaloneModuleClass: [[Sequential, null, [], null, null]] } });
    p.call(randn([2, 4]));
    const q = convertFx(p);
    expect(targets(q)).toEqual(['torch.quantizePerTensor', 'head', 'dequantize', 'sub', 'torch.quantizePerTensor', 'tail', 'dequantize']);
    expect(targets(q.getSubmodule('sub') as GraphModule)).toEqual(['torch.quantizePerTensor', '0', 'dequantize']);
  });
});

describe('reference model (isReference)', () => {
  it('dequantize -> reference module / float op -> quantize, within a step of the lowered model', () => {
    manualSeed(5);
    class M extends Module {
      fc = new Linear(4, 4);
      forward(x: Tensor): Tensor {
        const y = this.fc.call(x);
        return torch.add(y, torch.mul(y, y));
      }
    }
    const qconfig = { '': defaultQconfig, objectType: [[torch.mul, null]] as const };
    const p = prepareFx(new M().eval(), qconfig);
    const x = randn([3, 4]);
    p.call(x);
    const ref = convertFx(p, { isReference: true });
    expect(ref.getSubmodule('fc')).toBeInstanceOf(nnqr.Linear);
    // torch.mul is left float (null qconfig): its output is quantized again for the quantized add
    expect(targets(ref)).toEqual([
      'torch.quantizePerTensor', 'dequantize', 'fc', 'torch.quantizePerTensor', 'dequantize', 'torch.mul', 'torch.quantizePerTensor', 'dequantize',
      'torch.add', 'torch.quantizePerTensor', 'dequantize',
    ]);
    expect(targets(convertToReferenceFx(p))).toEqual(targets(ref));
    // the reference Linear computes with the quantized-dequantized weight
    const w = (ref.getSubmodule('fc') as nnqr.Linear).getWeight();
    const obs = new MinMaxObserver({ dtype: (defaultQconfig.weight() as MinMaxObserver).dtype, qscheme: 'per_tensor_symmetric' });
    obs.call((p.getSubmodule('fc') as Linear).weight);
    const [s] = obs.calculateQparams();
    for (const v of w.values()) expect(Math.abs(v / s.item() - Math.round(v / s.item()))).toBeLessThan(1e-3);
    const q = convertFx(p);
    expect(targets(q)).toEqual(['torch.quantizePerTensor', 'fc', 'dequantize', 'torch.mul', 'torch.quantizePerTensor', 'quantized.add', 'dequantize']);
    const scaleNode = q.graph.nodes.find((n) => n.target === 'quantized.add')!.args[2] as { target: string };
    const outScale = (q as unknown as Record<string, Tensor>)[scaleNode.target]!.item();
    expectTensorClose(q.call(x), ref.call(x), { atol: 1.001 * outScale, rtol: 0, label: 'lowered vs reference' });
  });
});
