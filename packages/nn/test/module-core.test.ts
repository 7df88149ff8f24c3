import { describe, expect, it } from 'vitest';
import { Tensor, tensor, zeros, ones, int64, float64 } from '@qtorch/qtensor';
import { Module, Parameter, Sequential, ModuleList, ModuleDict, Identity, Flatten, deepcopy, typeOf } from '../src/index.js';

/** A leaf with one parameter, an optional bias and a BN-like buffer set. */
class Leaf extends Module {
  weight: Parameter;
  bias: Parameter | null;
  declare running_mean: Tensor;
  declare num_batches_tracked: Tensor;
  constructor(n: number, bias = true) {
    super();
    this.weight = new Parameter(ones([n]));
    this.bias = bias ? new Parameter(zeros([n])) : null;
    this.registerBuffer('running_mean', zeros([n]));
    this.registerBuffer('num_batches_tracked', zeros([], { dtype: int64 }));
    this.registerBuffer('scratch', zeros([n]), { persistent: false });
  }
  forward(x: Tensor): Tensor {
    return x;
  }
  override extraRepr(): string {
    return `n=${this.weight.shape[0]}`;
  }
}

class Net extends Module {
  conv1 = new Leaf(2);
  block = new Sequential(new Leaf(3, false), new Identity());
  qconfig: unknown = null;
  forward(x: Tensor): Tensor {
    return this.block.call(this.conv1.call(x)) as Tensor;
  }
}

describe('Module registration and traversal', () => {
  it('registers children and parameters by assignment, in order', () => {
    const net = new Net();
    expect(net.namedChildren().map(([n]) => n)).toEqual(['conv1', 'block']);
    expect(net.namedModules().map(([n]) => n)).toEqual(['', 'conv1', 'block', 'block.0', 'block.1']);
    expect(net.namedParameters().map(([n]) => n)).toEqual(['conv1.weight', 'conv1.bias', 'block.0.weight']);
    expect(net.namedBuffers().map(([n]) => n)).toEqual([
      'conv1.running_mean', 'conv1.num_batches_tracked', 'conv1.scratch',
      'block.0.running_mean', 'block.0.num_batches_tracked', 'block.0.scratch',
    ]);
    expect(net.namedModules({ prefix: 'model' })[1]![0]).toBe('model.conv1');
  });

  it('shared modules and parameters are listed once', () => {
    const leaf = new Leaf(2);
    const seq = new Sequential(leaf, leaf);
    expect(seq.modules().length).toBe(2);
    expect(seq.namedModules({ removeDuplicate: false }).length).toBe(3);
    expect(seq.parameters().length).toBe(2);
  });

  it('getSubmodule / setSubmodule / getParameter / getBuffer by dotted name', () => {
    const net = new Net();
    expect(net.getSubmodule('block.0')).toBeInstanceOf(Leaf);
    expect(() => net.getSubmodule('block.7')).toThrow(/no attribute '7'/);
    expect(() => net.getSubmodule('conv1.weight')).toThrow(/not a Module/);
    const id = new Identity();
    net.setSubmodule('block.0', id);
    expect(net.getSubmodule('block.0')).toBe(id);
    expect(net.getParameter('conv1.weight').shape).toEqual([2]);
    expect(net.getBuffer('conv1.running_mean').shape).toEqual([2]);
    expect(() => net.getBuffer('conv1.weight')).toThrow(/not a buffer/);
  });

  it('arbitrary attributes are not children; replacing with null unregisters', () => {
    const net = new Net();
    net.qconfig = { tag: 1 };
    expect(net.children().length).toBe(2);
    (net as unknown as Record<string, unknown>).block = null;
    expect(net.namedChildren().map(([n]) => n)).toEqual(['conv1']);
  });

  it('registerParameter / registerModule validate their input', () => {
    const leaf = new Leaf(2);
    expect(() => leaf.registerParameter('p', zeros([1]) as unknown as Parameter)).toThrow(/Parameter or null expected/);
    expect(() => leaf.registerModule('a.b', new Identity())).toThrow(/without '\.'/);
    expect(() => leaf.registerModule('forward', new Identity())).toThrow(/already exists/);
  });

  it('train/eval recurse, apply visits children first', () => {
    const net = new Net().eval();
    expect(net.modules().every((m) => !m.training)).toBe(true);
    const order: string[] = [];
    net.apply((m) => order.push(m.constructor.name));
    expect(order).toEqual(['Leaf', 'Leaf', 'Identity', 'Sequential', 'Net']);
  });
});

describe('Module call path and hooks', () => {
  class Double extends Module {
    forward(x: Tensor): Tensor {
      return tensor(x.toArray().map((v) => v * 2));
    }
  }
  it('runs pre-hooks, forward, hooks; hooks can replace inputs/outputs; handles remove', () => {
    const m = new Double();
    const log: string[] = [];
    const h1 = m.registerForwardPreHook((_m, args) => {
      log.push('pre');
      return [tensor((args[0] as Tensor).toArray().map((v) => v + 1))];
    });
    const h2 = m.registerForwardHook((_m, _args, out) => {
      log.push('post');
      return tensor((out as Tensor).toArray().map((v) => -v));
    });
    expect(m.call(tensor([1, 2])).toArray()).toEqual([-4, -6]);
    expect(log).toEqual(['pre', 'post']);
    h1.remove();
    h2.remove();
    h2.remove();
    expect(m.call(tensor([1, 2])).toArray()).toEqual([2, 4]);
  });
});

describe('stateDict / loadStateDict', () => {
  it('uses PyTorch key names, skips non-persistent buffers and null params', () => {
    const sd = new Net().stateDict();
    expect(Object.keys(sd)).toEqual([
      'conv1.weight', 'conv1.bias', 'conv1.running_mean', 'conv1.num_batches_tracked',
      'block.0.weight', 'block.0.running_mean', 'block.0.num_batches_tracked',
    ]);
    expect(sd['conv1.weight']!.requiresGrad).toBe(false);
  });

  it('round-trips values into another instance', () => {
    const a = new Net(), b = new Net();
    a.conv1.weight.storage.data.set([5, 6]);
    a.conv1.running_mean.storage.data.set([7, 8]);
    const r = b.loadStateDict(a.stateDict());
    expect(r).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(b.conv1.weight.toArray()).toEqual([5, 6]);
    expect(b.conv1.running_mean.toArray()).toEqual([7, 8]);
    expect(b.conv1.weight).toBeInstanceOf(Parameter);
  });

  it('reports missing and unexpected keys (strict) and returns them (non-strict)', () => {
    const sd = new Net().stateDict();
    delete sd['conv1.bias'];
    sd['conv1.extra'] = zeros([1]);
    sd['nothere.weight'] = zeros([1]);
    expect(() => new Net().loadStateDict(sd)).toThrow(
      /Error\(s\) in loading state_dict for Net:\n\tMissing key\(s\) in state_dict: "conv1.bias". \n\tUnexpected key\(s\) in state_dict: "nothere.weight", "conv1.extra"/,
    );
    const r = new Net().loadStateDict(sd, { strict: false });
    expect(r.missingKeys).toEqual(['conv1.bias']);
    expect(r.unexpectedKeys).toEqual([]);
  });

  it('size mismatch is an error even when not strict', () => {
    const sd = new Net().stateDict();
    sd['conv1.weight'] = zeros([3]);
    expect(() => new Net().loadStateDict(sd, { strict: false })).toThrow(
      /size mismatch for conv1.weight: copying a param with shape torch.Size\(\[3\]\) from checkpoint, the shape in current model is torch.Size\(\[2\]\)/,
    );
  });
});

describe('deepcopy', () => {
  it('keeps classes, copies tensors, keeps attributes and hooks, preserves sharing', () => {
    const net = new Net();
    const qconfig = { activation: () => 1 };
    net.qconfig = qconfig;
    const hook = () => undefined;
    net.conv1.registerForwardHook(hook);
    const tied = new Sequential(net.conv1, net.conv1);
    const copy = deepcopy(tied);
    expect(copy).toBeInstanceOf(Sequential);
    expect(copy.at(0)).toBe(copy.at(1));
    expect(copy.at(0)).not.toBe(net.conv1);
    const c = copy.at(0) as Leaf;
    expect(c.weight).toBeInstanceOf(Parameter);
    expect(c.weight.requiresGrad).toBe(true);
    expect(c.weight.storage).not.toBe(net.conv1.weight.storage);
    c.weight.storage.data[0] = 42;
    expect(net.conv1.weight.toArray()[0]).toBe(1);
    expect([...c._forwardHooks.values()]).toEqual([hook]);
    const netCopy = deepcopy(net);
    expect(netCopy.qconfig).toEqual(qconfig);
    expect(typeOf(netCopy)).toBe(Net);
  });
});

describe('containers and repr', () => {
  it('Sequential chains, indexes, appends, inserts and pops', () => {
    const s = new Sequential(new Identity(), new Flatten());
    expect(s.length).toBe(2);
    expect(s.at(-1)).toBeInstanceOf(Flatten);
    s.insert(0, new Leaf(1));
    expect(s.namedChildren().map(([n, m]) => `${n}:${m.constructor.name}`)).toEqual(['0:Leaf', '1:Identity', '2:Flatten']);
    expect(s.pop(0)).toBeInstanceOf(Leaf);
    expect(s.namedChildren().map(([n]) => n)).toEqual(['0', '1']);
    expect(() => s.at(5)).toThrow(/out of range/);
    expect((s.call(zeros([2, 3, 4])) as Tensor).shape).toEqual([2, 12]);
  });

  it('ModuleList and ModuleDict register children', () => {
    const l = new ModuleList([new Identity(), new Identity()]);
    expect(l.namedParameters()).toEqual([]);
    expect([...l].length).toBe(2);
    const d = new ModuleDict({ a: new Leaf(1), b: new Identity() });
    expect(d.keys()).toEqual(['a', 'b']);
    expect(d.namedParameters().map(([n]) => n)).toEqual(['a.weight', 'a.bias']);
    expect(() => d.get('zz')).toThrow(/no module named 'zz'/);
  });

  it('prints the module tree like PyTorch', () => {
    expect(new Net().toString()).toBe(
      ['Net(', '  (conv1): Leaf(n=2)', '  (block): Sequential(', '    (0): Leaf(n=3)', '    (1): Identity()', '  )', ')'].join('\n'),
    );
    expect(new Flatten().toString()).toBe('Flatten(start_dim=1, end_dim=-1)');
  });
});

describe('_apply and zeroGrad keep objects', () => {
  it('_apply converts data but keeps Parameter identity (tied weights stay tied)', () => {
    const leaf = new Leaf(2);
    const tied = new Sequential(leaf, leaf);
    const w = leaf.weight;
    tied._apply((t) => t.to(float64));
    expect(leaf.weight).toBe(w);
    expect(w.dtype).toBe(float64);
    expect(w.requiresGrad).toBe(true);
    expect(tied.parameters().length).toBe(2);
    expect(leaf.running_mean.dtype).toBe(float64);
  });

  it('zeroGrad zeroes gradients in place by default and drops them with setToNone', () => {
    const leaf = new Leaf(2);
    leaf.weight.grad = ones([2]);
    const g = leaf.weight.grad;
    leaf.zeroGrad();
    expect(leaf.weight.grad).toBe(g);
    expect(g.toArray()).toEqual([0, 0]);
    leaf.zeroGrad({ setToNone: true });
    expect(leaf.weight.grad).toBeNull();
  });
});
