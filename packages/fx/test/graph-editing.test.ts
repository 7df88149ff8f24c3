import { describe, expect, it } from 'vitest';
import { ReLU6, deepcopy } from '@qtorch/nn';
import { manualSeed, randn, tensor } from '@qtorch/qtensor';
import { expectTensorClose } from '@qtorch/testing';
import { Graph, GraphModule, FxModule, symbolicTrace, torch } from '../src/index.js';
import * as F from '@qtorch/nn/functional';
import type { Tensor } from '@qtorch/qtensor';
import { FxNet } from './models.js';

describe('Graph editing', () => {
  it('builds a graph by hand, prints it like torch.fx and runs it', () => {
    const g = new Graph();
    const x = g.placeholder('x');
    const y = g.placeholder('y');
    const add = g.callFunction('torch.add', [x, y]);
    const add2 = g.callFunction('torch.add', [add, 1]);
    const m = g.callMethod('mul', [add2, add], {});
    g.output(m);
    expect(add2.name).toBe('add_1');
    expect(g.toString()).toBe(
      [
        'graph():',
        '    %x : [#users=1] = placeholder[target=x]',
        '    %y : [#users=1] = placeholder[target=y]',
        '    %add : [#users=2] = call_function[target=torch.add](args = (%x, %y), kwargs = {})',
        '    %add_1 : [#users=1] = call_function[target=torch.add](args = (%add, 1), kwargs = {})',
        '    %mul : [#users=1] = call_method[target=mul](args = (%add_1, %add), kwargs = {})',
        '    return mul',
      ].join('\n'),
    );
    g.lint();
    const gm = new GraphModule(new FxModule(), g);
    // (x + y + 1) * (x + y), by hand
    expect(Array.from(gm.call(tensor([1, 2]), tensor([3, 4])).toArray())).toEqual([20, 42]);
    expect(gm.graph.tabular().split('\n')[0]).toMatch(/^opcode\s+name\s+target\s+args\s+kwargs$/);
  });

  it('inserts a node after another, rewires users, erases the old node, lints and recompiles', () => {
    manualSeed(3);
    const model = new FxNet().eval();
    const gm = symbolicTrace(model);
    const g = gm.graph;
    // replace every F.relu by F.relu6 followed by a neg (inserted after it), then drop the relu
    for (const relu of g.findNodes({ op: 'call_function', target: 'F.relu' })) {
      const [r6, neg] = g.insertingAfter(relu, () => {
        const a = g.callFunction('F.relu6', [relu]);
        return [a, g.callMethod('neg', [a])];
      });
      expect(r6!.prev.name).toBe(relu.name);
      expect(neg!.prev.name).toBe(r6!.name);
      const changed = relu.replaceAllUsesWith(neg!, { deleteUserCb: (u) => u !== r6 });
      expect(changed).not.toContain(r6);
      expect(() => g.eraseNode(relu)).toThrow(/still has 1 user/);
      r6!.replaceInputWith(relu, relu.args[0]!);
      g.eraseNode(relu);
    }
    g.lint();
    gm.recompile();
    expect(gm.code).not.toContain('F.relu(');
    expect(gm.code).toContain('F.relu6(');
    // independent reference: the same program written out eagerly
    const m = model as unknown as { conv1: { call(x: Tensor): Tensor }; conv2: { call(x: Tensor): Tensor }; fc: { call(x: Tensor): Tensor } };
    const x = randn([2, 3, 5, 5]);
    const a = F.relu6(m.conv1.call(x)).neg();
    const c = torch.add(a, m.conv2.call(x));
    const e = torch.flatten(F.adaptiveAvgPool2d(torch.cat([a, c], 1), 1), 1);
    const expected = F.relu6(m.fc.call(e)).neg();
    expectTensorClose(gm.call(x), expected, { exact: true });
  });

  it('lint catches use before definition, dangling users and bad targets', () => {
    const g = new Graph();
    const x = g.placeholder('x');
    const a = g.callMethod('relu', [x]);
    const out = g.output(a);
    // move `a` after the output: its use comes first
    out.append(a);
    expect(() => g.lint()).toThrow(/not defined before it|must be the last node/);
    out.prepend(a);
    g.lint();

    const g2 = new Graph();
    const p = g2.placeholder('x');
    g2.output(g2.getAttr('missing.weight'));
    const gm = new GraphModule(new FxModule(), new Graph());
    g2.owningModule = gm;
    expect(() => g2.lint()).toThrow(/does not exist on the owning module/);
    void p;

    const g3 = new Graph();
    g3.output(g3.callFunction('no.such.op', [1]));
    expect(() => g3.lint()).toThrow(/not in the op vocabulary/);
  });

  it('refuses attribute names that lead out of the data (constructor, __proto__)', () => {
    const g = new Graph();
    const x = g.placeholder('x');
    expect(() => g.callMethod('constructor', [x])).toThrow(/not allowed/);
    expect(() => g.getAttr('a.__proto__')).toThrow(/not a valid attribute path/);
    expect(() => g.callFunction('getattr', [x, 'constructor'])).toThrow(/not allowed/);
    const gi = g.callFunction('getitem', [x, 0]);
    expect(() => gi.updateArg(1, 'prototype')).toThrow(/not allowed/);
  });

  it('eliminates dead code but keeps in-place calls', () => {
    const g = new Graph();
    const x = g.placeholder('x');
    g.callMethod('neg', [x]); // dead
    g.callMethod('relu_', [x]); // in place: kept
    const y = g.callMethod('abs', [x]);
    g.output(y);
    expect(g.eliminateDeadCode()).toBe(true);
    expect(g.nodes.map((n) => n.name)).toEqual(['x', 'relu_', 'abs', 'output']);
    expect(g.eliminateDeadCode()).toBe(false);
    const gm = new GraphModule(new FxModule(), g);
    const t = tensor([-1, 2]);
    expect(Array.from(gm.call(t).toArray())).toEqual([0, 2]);
    expect(Array.from(t.toArray())).toEqual([0, 2]); // relu_ ran
  });

  it('copies graphs and deep-copies GraphModules independently', () => {
    manualSeed(4);
    const gm = symbolicTrace(new FxNet().eval());
    const g2 = gm.graph.copy();
    expect(g2.toString()).toBe(gm.graph.toString());
    // (identity checks as booleans: toBe on unequal objects deep-compares whole graphs)
    expect(g2.nodes[1] === gm.graph.nodes[1]).toBe(false);
    const copy = deepcopy(gm);
    expect(copy).toBeInstanceOf(GraphModule);
    expect(copy.graph === gm.graph).toBe(false);
    expect(copy.code).toBe(gm.code);
    const x = randn([1, 3, 4, 4]);
    expectTensorClose(copy.call(x), gm.call(x), { exact: true });
    // editing the copy leaves the original alone
    const relu = copy.graph.findNodes({ target: 'F.relu' })[1]!;
    relu.replaceAllUsesWith(relu.args[0] as never);
    copy.graph.eraseNode(relu);
    copy.recompile();
    expect(gm.graph.findNodes({ target: 'F.relu' })).toHaveLength(2);
    expect(copy.graph.findNodes({ target: 'F.relu' })).toHaveLength(1);
  });

  it('adds call_module nodes for new submodules and deletes unused ones', () => {
    manualSeed(14);
    const model = new FxNet().eval();
    const gm = symbolicTrace(model);
    expect(gm.addSubmodule('extra.act', new ReLU6())).toBe(true);
    const conv2 = gm.graph.findNodes({ op: 'call_module', target: 'conv2' })[0]!;
    const act = gm.graph.insertingAfter(conv2, () => gm.graph.callModule('extra.act', [conv2]));
    conv2.replaceAllUsesWith(act, { deleteUserCb: (u) => u !== act });
    gm.graph.lint();
    gm.recompile();
    expect(gm.code).toContain('this.extra.act.call(conv2)');
    const m = model as unknown as { conv1: { call(x: Tensor): Tensor }; conv2: { call(x: Tensor): Tensor }; fc: { call(x: Tensor): Tensor } };
    const x = randn([1, 3, 4, 4]);
    const a = F.relu(m.conv1.call(x));
    const c = torch.add(a, F.relu6(m.conv2.call(x)));
    const expected = F.relu(m.fc.call(torch.flatten(F.adaptiveAvgPool2d(torch.cat([a, c], 1), 1), 1)));
    expectTensorClose(gm.call(x), expected, { exact: true });
    // undo: the module is dropped once no node calls it
    act.replaceAllUsesWith(conv2);
    gm.graph.eraseNode(act);
    gm.deleteAllUnusedSubmodules();
    expect(gm.namedModules().map(([k]) => k)).toEqual(['', 'conv1', 'conv2', 'fc']);
  });
});
