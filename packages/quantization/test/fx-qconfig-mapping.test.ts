// QConfigMapping: every key kind and PyTorch 1.13's precedence (global < object type < module
// name regex < module name < module name + object type + call index), observed on the prepared
// graph (which qconfig's observer follows each op) and on the converted model.
import { describe, expect, it } from 'vitest';
import { Linear, Module } from '@qtorch/nn';
import * as F from '@qtorch/nn/functional';
import * as nnq from '@qtorch/nn-quantized';
import { type GraphModule, type Node, torch } from '@qtorch/fx';
import { type Tensor, manualSeed, randn } from '@qtorch/qtensor';
import { MinMaxObserver, QConfig, QConfigMapping, defaultWeightObserver } from '../src/index.js';
import { convertFx, prepareFx } from '../src/fx/index.js';

/** A qconfig recognizable by its activation observer's quant_max. */
const tagged = (quantMax: number) => new QConfig(MinMaxObserver.withArgs({ quantMin: 0, quantMax }), defaultWeightObserver);
const [qGlobal, qType, qFn, qRegex, qName, qChild, qOrder, qBlock] = [101, 102, 103, 104, 105, 106, 107, 108].map(tagged);

class Block extends Module {
  fc = new Linear(4, 4);
  forward(x: Tensor): Tensor {
    const y = this.fc.call(x);
    const z = torch.add(y, y);
    return torch.add(z, z);
  }
}

class Net extends Module {
  block1 = new Block();
  block2 = new Block();
  head = new Linear(4, 4);
  forward(x: Tensor): Tensor {
    return this.head.call(this.block2.call(this.block1.call(x)));
  }
}

/** The quant_max of the observer after each op node (null: not observed). */
function tags(gm: GraphModule): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const n of gm.graph.nodes as Node[]) {
    if (n.op === 'placeholder' || n.op === 'output' || String(n.target).startsWith('activation_post_process')) continue;
    const obs = [...n.users].find((u) => String(u.target).startsWith('activation_post_process'));
    out[n.name] = obs ? (gm.getSubmodule(String(obs.target)) as unknown as { quantMax: number }).quantMax : null;
  }
  return out;
}

const prepare = (mapping: QConfigMapping) => prepareFx(new Net().eval(), mapping, { exampleInputs: [randn([2, 4])] });

describe('QConfigMapping precedence in prepareFx', () => {
  manualSeed(0);
  it('global applies to every op', () => {
    expect(tags(prepare(new QConfigMapping().setGlobal(qGlobal)))).toEqual({
      block1_fc: 101, add: 101, add_1: 101, block2_fc: 101, add_2: 101, add_3: 101, head: 101,
    });
  });

  it('object types: module classes, functions (by value or name), and the enclosing module class over a function', () => {
    expect(tags(prepare(new QConfigMapping().setGlobal(qGlobal).setObjectType(Linear, qType).setObjectType(torch.add, qFn)))).toEqual({
      block1_fc: 102, add: 103, add_1: 103, block2_fc: 102, add_2: 103, add_3: 103, head: 102,
    });
    // the object type of the module a function runs in wins over the function's (PyTorch's order)
    expect(tags(prepare(new QConfigMapping().setGlobal(qGlobal).setObjectType('torch.add', qFn).setObjectType(Block, qBlock)))).toEqual({
      block1_fc: 101, add: 108, add_1: 108, block2_fc: 101, add_2: 108, add_3: 108, head: 101,
    });
  });

  it('module name regex over object type; the first registered matching regex wins', () => {
    const m = new QConfigMapping().setGlobal(qGlobal).setObjectType(Linear, qType)
      .setModuleNameRegex('block2\\.f', qChild).setModuleNameRegex('block', qRegex);
    expect(tags(prepare(m))).toEqual({ block1_fc: 104, add: 104, add_1: 104, block2_fc: 106, add_2: 104, add_3: 104, head: 102 });
  });

  it('module name over regex, the closest configured ancestor applying to submodules', () => {
    const m = new QConfigMapping().setGlobal(qGlobal).setModuleNameRegex('block.*', qRegex)
      .setModuleName('block2', qName).setModuleName('block2.fc', qChild);
    expect(tags(prepare(m))).toEqual({ block1_fc: 104, add: 104, add_1: 104, block2_fc: 106, add_2: 105, add_3: 105, head: 101 });
  });

  it('module name + object type + call index over everything', () => {
    const m = new QConfigMapping().setGlobal(qGlobal).setModuleName('block1', qName)
      .setModuleNameObjectTypeOrder('block1', torch.add, 1, qOrder)
      .setModuleNameObjectTypeOrder('block2', Linear, 0, qChild);
    // the second add inside block1; the first Linear module called inside block2 (module calls
    // are counted in their parent module)
    expect(tags(prepare(m))).toEqual({ block1_fc: 105, add: 105, add_1: 107, block2_fc: 106, add_2: 101, add_3: 101, head: 101 });
  });

  it('null skips a module: it stays float in the converted model, the rest is quantized', () => {
    const model = new Net().eval();
    const prepared = prepareFx(model, new QConfigMapping().setGlobal(qGlobal).setModuleName('block1', null), { exampleInputs: [randn([2, 4])] });
    // add_1's value is observed as the (quantized) input of block2.fc, not as an output of block1
    expect(tags(prepared)).toEqual({ block1_fc: null, add: null, add_1: 101, block2_fc: 101, add_2: 101, add_3: 101, head: 101 });
    for (let i = 0; i < 3; i++) prepared.call(randn([2, 4]));
    const q = convertFx(prepared);
    expect(q.getSubmodule('block1.fc').constructor).toBe(Linear);
    expect(q.getSubmodule('block2.fc')).toBeInstanceOf(nnq.Linear);
    expect(q.getSubmodule('head')).toBeInstanceOf(nnq.Linear);
    const ops = q.graph.nodes.map((n) => String(n.target));
    // block1's adds run in float on float tensors; block2's are quantized adds
    expect(ops.filter((t) => t === 'torch.add')).toHaveLength(2);
    expect(ops.filter((t) => t === 'quantized.add')).toHaveLength(2);
    // the float block receives float input: the quantize happens after it
    expect(ops.indexOf('torch.quantizePerTensor')).toBeGreaterThan(ops.indexOf('block1.fc'));
  });

  it('accepts the qconfig dict form (PyTorch qconfig_dict) with camelCase or snake_case keys', () => {
    const dict = { '': qGlobal, objectType: [[Linear, qType]] as const, module_name: [['head', qName]] as const };
    expect(tags(prepareFx(new Net().eval(), dict, { exampleInputs: [randn([2, 4])] }))).toEqual({
      block1_fc: 102, add: 101, add_1: 101, block2_fc: 102, add_2: 101, add_3: 101, head: 105,
    });
    expect(() => prepareFx(new Net().eval(), { '': qGlobal, object_types: [] } as never)).toThrow(/unknown key 'object_types'/);
  });

  it('method names are object types (call_method nodes)', () => {
    class R extends Module {
      fc = new Linear(4, 4);
      forward(x: Tensor): Tensor {
        return this.fc.call(x).reshape(2, 2, 2);
      }
    }
    const reuse = new QConfigMapping().setGlobal(qGlobal).setObjectType('reshape', null);
    const p = prepareFx(new R().eval(), reuse, { exampleInputs: [randn([2, 4])] });
    expect(tags(p)).toEqual({ fc: 101, reshape: null });
  });
});

describe('QConfigMapping API', () => {
  it('normalizes object types: functions to their op names, aliases to one op', () => {
    const m = new QConfigMapping().setObjectType(F.relu, qFn).setObjectType(F.sigmoid, qType).setObjectType(Linear, qType).setObjectType('reshape', null);
    expect([...m.objectTypeQconfigs.keys()]).toEqual(['F.relu', 'torch.sigmoid', Linear, 'reshape']);
    // setting the same type again replaces its qconfig in place
    m.setObjectType('F.relu', qGlobal);
    expect(m.objectTypeQconfigs.get('F.relu')).toBe(qGlobal);
    expect(() => m.setObjectType((() => 1) as never, qFn)).toThrow(/not a traceable op/);
    expect(() => m.setModuleNameRegex('(', qFn)).toThrow(/not a valid regular expression/);
    expect(() => m.setModuleNameObjectTypeOrder('a', Linear, -1, qFn)).toThrow(/non-negative integer/);
  });

  it('round-trips through the dictionary form', () => {
    const m = new QConfigMapping().setGlobal(qGlobal).setObjectType(Linear, qType).setModuleNameRegex('a.*', qRegex)
      .setModuleName('b', null).setModuleNameObjectTypeOrder('c', torch.add, 2, qOrder);
    const d = m.toDict();
    expect(d).toEqual({
      '': qGlobal, objectType: [[Linear, qType]], moduleNameRegex: [['a.*', qRegex]], moduleName: [['b', null]],
      moduleNameObjectTypeOrder: [['c', 'torch.add', 2, qOrder]],
    });
    expect(QConfigMapping.fromDict(d).toDict()).toEqual(d);
  });

  it('prints like PyTorch', () => {
    const s = new QConfigMapping().setGlobal(qGlobal).setObjectType(Linear, null).toString();
    expect(s.split('\n')).toEqual([
      'QConfigMapping (', ' global_qconfig', '  QConfig(activation=MinMaxObserver, weight=MinMaxObserver)', ' object_type_qconfigs',
      '  Linear: None', ' module_name_regex_qconfigs', '  {}', ' module_name_qconfigs', '  {}', ' module_name_object_type_order_qconfigs', '  {}', ')',
    ]);
  });
});
