import { describe, expect, it } from 'vitest';
import { Conv2d, Module, Parameter } from '@qtorch/nn';
import * as F from '@qtorch/nn/functional';
import * as Q from '@qtorch/qtensor';
import { type Tensor, manualSeed, randn, tensor } from '@qtorch/qtensor';
import { expectTensorClose } from '@qtorch/testing';
import { GraphModule, TraceError, Tracer, symbolicTrace, torch } from '../src/index.js';
import { ConvBnRelu, SmallCnn } from './models.js';

const seq = (nodes: { op: string; target: unknown }[]) => nodes.map((n) => `${n.op}:${typeof n.target === 'string' ? n.target : 'fn'}`);

/** Hand-written y = x W^T + b in float64. */
function naiveLinear(x: Tensor, w: Tensor, b: Tensor): number[] {
  const [n, k] = x.shape as [number, number];
  const m = w.shape[0]!;
  const xv = x.toArray(), wv = w.toArray(), bv = b.toArray();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = bv[j]!;
      for (let t = 0; t < k; t++) s += xv[i * k + t]! * wv[j * k + t]!;
      out.push(s);
    }
  }
  return out;
}

class MyLinear extends Module {
  weight = new Parameter(randn([3, 4]));
  bias = new Parameter(randn([3]));
  forward(x: Tensor): Tensor {
    const a = F.linear(x, this.weight, this.bias);
    const b = x.matmul(this.weight.t()).add(this.bias); // method chain on a get_attr
    return torch.add(a, b).mul(0.5);
  }
}

describe('tracing features', () => {
  it('records get_attr for parameters read in forward, method calls and F calls', () => {
    manualSeed(1);
    const m = new MyLinear();
    const gm = symbolicTrace(m);
    expect(seq(gm.graph.nodes)).toEqual([
      'placeholder:x', 'get_attr:weight', 'get_attr:bias', 'call_function:F.linear', 'call_method:t', 'call_method:matmul',
      'call_method:add', 'call_function:torch.add', 'call_method:mul', 'output:output',
    ]);
    const x = randn([2, 4]);
    const y = gm.call(x);
    expectTensorClose(y, naiveLinear(x, m.weight, m.bias), { atol: 1e-5, rtol: 1e-5 });
    expectTensorClose(y, m.call(x), { exact: true });
    // the GraphModule holds the same parameter objects, registered as parameters
    expect(gm.namedParameters().map(([k]) => k)).toEqual(['weight', 'bias']);
    expect((gm as unknown as { weight: Tensor }).weight).toBe(m.weight);
  });

  it('records shape reads: size(), shape[i] and view', () => {
    class Flat extends Module {
      forward(x: Tensor): Tensor {
        return x.view(x.size(0), -1).add(x.shape[1] as unknown as number);
      }
    }
    const gm = symbolicTrace(new Flat());
    expect(seq(gm.graph.nodes)).toEqual([
      'placeholder:x', 'call_method:size', 'call_method:view', 'call_function:getattr', 'call_function:getitem', 'call_method:add', 'output:output',
    ]);
    expect(gm.code).toContain('x.shape');
    expect(gm.code).toContain('[1]');
    const x = tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]);
    expect(gm.call(x).shape).toEqual([2, 4]);
    expect(Array.from(gm.call(x).toArray())).toEqual([3, 4, 5, 6, 7, 8, 9, 10]); // + x.shape[1] = 2
  });

  it('records tensors that are not attributes as _tensor_constant attributes', () => {
    const scale = tensor([2, 3]);
    const fn = (x: Tensor) => x.mul(scale);
    const gm = symbolicTrace(fn);
    expect(seq(gm.graph.nodes)).toEqual(['placeholder:x', 'get_attr:_tensor_constant0', 'call_method:mul', 'output:output']);
    expect(Array.from(gm.call(tensor([[1, 1], [2, 2]])).toArray())).toEqual([2, 3, 4, 6]);
    expect(gm.className).toBe('fn');
  });

  it('traces through user modules and records library modules as leaves, configurable', () => {
    const model = new SmallCnn().eval();
    const asLeaf = symbolicTrace(model, { leafModules: [ConvBnRelu] });
    expect(seq(asLeaf.graph.nodes).slice(0, 3)).toEqual(['placeholder:x', 'call_module:block', 'call_module:conv2']);
    // a Tracer that traces through Conv2d too: its forward records F.conv2d with get_attr weight / bias
    class NoConvLeaf extends Tracer {
      override isLeafModule(m: Module, name: string): boolean {
        return !(m instanceof Conv2d) && super.isLeafModule(m, name);
      }
    }
    const tracer = new NoConvLeaf();
    const graph = tracer.trace(model);
    const conv = graph.findNodes({ op: 'call_function', target: 'F.conv2d' });
    expect(conv).toHaveLength(2);
    expect(conv[0]!.kwargs.bias === graph.findNodes({ op: 'get_attr', target: 'block.conv.bias' })[0]).toBe(true);
    expect(conv[0]!.kwargs.padding).toEqual([1, 1]);
    const x = randn([1, 3, 4, 4]);
    const gm = new GraphModule(tracer.root, graph);
    expectTensorClose(gm.call(x), model.call(x), { exact: true });
    expectTensorClose(asLeaf.call(x), model.call(x), { exact: true });
  });

  it('specializes on concreteArgs and refuses another value for them', () => {
    class Flag extends Module {
      forward(x: Tensor, useRelu: boolean): Tensor {
        return useRelu ? F.relu(x) : x.neg();
      }
    }
    const gm = symbolicTrace(new Flag(), { concreteArgs: { useRelu: false } });
    expect(seq(gm.graph.nodes)).toEqual(['placeholder:x', 'placeholder:useRelu', 'call_function:fx.assertSpecialized', 'call_method:neg', 'output:output']);
    const x = tensor([-1, 2]);
    expect(Array.from(gm.call(x).toArray())).toEqual([1, -2]);
    expect(Array.from(gm.call(x, false).toArray())).toEqual([1, -2]);
    expect(() => gm.call(x, true)).toThrow(/useRelu.*fixed to false/);
    expect(() => symbolicTrace(new Flag(), { concreteArgs: { nope: 1 } })).toThrow(/not a parameter of forward/);
    // a GraphModule traces again to the same program (its compiled forward names the inputs)
    const again = symbolicTrace(gm);
    expect(again.code).toBe(gm.code);
    expect(() => again.call(x, true)).toThrow(/fixed to false/);
  });

  it('records a traceable call whose only traced argument sits inside its options object', () => {
    const X = tensor([[[[1, 2], [3, 4]]]]);
    const W = tensor([[[[1]]], [[[2]]]]);
    const gm = symbolicTrace((b: Tensor) => F.conv2d(X, W, { bias: b }));
    const conv = gm.graph.findNodes({ op: 'call_function', target: 'F.conv2d' });
    expect(conv).toHaveLength(1);
    expect(conv[0]!.kwargs.bias === gm.graph.nodes[0]).toBe(true);
    // 1x1 conv by hand: channel c = W[c] * X + b[c]
    expect(Array.from(gm.call(tensor([10, 20])).toArray())).toEqual([11, 12, 13, 14, 22, 24, 26, 28]);
  });

  it('names placeholders after the parameters of a traced arrow function', () => {
    const gm = symbolicTrace((a: Tensor, b: Tensor) => torch.cat([a, b], 0));
    expect(gm.graph.findNodes({ op: 'placeholder' }).map((n) => n.name)).toEqual(['a', 'b']);
    expect(gm.code).toContain('forward(a, b)');
    expect(Array.from(gm.call(tensor([1]), tensor([2])).toArray())).toEqual([1, 2]);
  });
});

describe('not symbolically traceable', () => {
  const expectTraceError = (forward: (x: Tensor) => unknown, pattern: RegExp) => {
    class M extends Module {
      forward(x: Tensor): unknown {
        return forward(x);
      }
    }
    let err: unknown;
    try {
      symbolicTrace(new M());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TraceError);
    expect((err as Error).message).toMatch(/not symbolically traceable|not traceable/);
    expect((err as Error).message).toMatch(pattern);
    expect((err as Error).message).toMatch(/isLeafModule|concreteArgs/);
  };

  it('comparison of a traced value (data-dependent control flow)', () => {
    expectTraceError((x) => ((x.sum() as unknown as number) > 0 ? x : x.neg()), /comparison.*%sum/);
  });

  it('item() / toArray() read data', () => {
    expectTraceError((x) => (x.sum().item() > 0 ? x : x.neg()), /reading the data \('item'\)/);
    expectTraceError((x) => x.toArray(), /'toArray'/);
  });

  it('iteration and boolean-valued properties', () => {
    expectTraceError((x) => [...(x as unknown as Iterable<Tensor>)], /iteration/);
    expectTraceError((x) => (x.isQuantized ? x : x.relu()), /isQuantized/);
  });

  it('passing a traced value to a function that is not traceable', () => {
    expectTraceError((x) => Q.add(x, x), /internals|not traceable/);
  });

  it('calling a module that is not a submodule', () => {
    const stray = new ConvBnRelu(3, 3);
    expect(() => symbolicTrace((x: Tensor) => stray.call(x))).toThrow(/not a submodule of the traced root/);
  });
});
