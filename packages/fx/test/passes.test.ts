import { describe, expect, it } from 'vitest';
import * as F from '@qtorch/nn/functional';
import { type Tensor, float32, manualSeed, quint8, randn, tensor } from '@qtorch/qtensor';
import { expectTensorClose } from '@qtorch/testing';
import {
  Interpreter, type Node, type RuntimeArgs, type RuntimeKwargs, ShapeProp, type Target, Transformer, replacePattern, symbolicTrace, torch,
  type TensorMeta,
} from '../src/index.js';
import { FxNet, SmallCnn } from './models.js';

type Net = { conv1: { call(x: Tensor): Tensor }; conv2: { call(x: Tensor): Tensor }; fc: { call(x: Tensor): Tensor } };

/** FxNet's forward written out eagerly with `act` in place of relu. */
function fxNetWith(model: FxNet, x: Tensor, act: (t: Tensor) => Tensor): Tensor {
  const m = model as unknown as Net;
  const a = act(m.conv1.call(x));
  const c = torch.add(a, m.conv2.call(x));
  const e = torch.flatten(F.adaptiveAvgPool2d(torch.cat([a, c], 1), 1), 1);
  return act(m.fc.call(e));
}

describe('Interpreter', () => {
  it('runs the graph like the generated code, through overridable per-op methods', () => {
    manualSeed(5);
    const model = new FxNet().eval();
    const gm = symbolicTrace(model);
    const seen: string[] = [];
    class Recording extends Interpreter {
      override callFunction(target: Target, args: RuntimeArgs, kwargs: RuntimeKwargs): unknown {
        seen.push(String(target));
        return super.callFunction(target, args, kwargs);
      }
      override callModule(target: Target, args: RuntimeArgs, kwargs: RuntimeKwargs): unknown {
        seen.push(`module:${String(target)}`);
        return super.callModule(target, args, kwargs);
      }
    }
    const x = randn([2, 3, 5, 5]);
    const y = new Recording(gm).run(x) as Tensor;
    expectTensorClose(y, gm.call(x), { exact: true });
    expect(seen).toEqual([
      'module:conv1', 'F.relu', 'module:conv2', 'torch.add', 'torch.cat', 'F.adaptiveAvgPool2d', 'torch.flatten', 'module:fc', 'F.relu',
    ]);
  });

  it('lets runNode replace values (relu -> identity) and reports the failing node', () => {
    manualSeed(6);
    const model = new FxNet().eval();
    const gm = symbolicTrace(model);
    class NoRelu extends Interpreter {
      override runNode(n: Node): unknown {
        if (n.target === 'F.relu') return this.env.get(n.args[0] as Node);
        return super.runNode(n);
      }
    }
    const x = randn([1, 3, 4, 4]);
    const y = new NoRelu(gm, { garbageCollectValues: false }).run(x) as Tensor;
    expectTensorClose(y, fxNetWith(model, x, (t) => t), { exact: true });
    expect(() => new Interpreter(gm).run(randn([1, 5, 4, 4]))).toThrow(/While executing %conv1 : call_module\[target=conv1\]/);
  });
});

describe('Transformer', () => {
  it('rewrites call targets into a new GraphModule (relu -> gelu)', () => {
    manualSeed(7);
    const model = new FxNet().eval();
    const gm = symbolicTrace(model);
    class ReluToGelu extends Transformer {
      override callFunction(target: Target, args: RuntimeArgs, kwargs: RuntimeKwargs): unknown {
        return super.callFunction(target === 'F.relu' ? 'F.gelu' : target, args, kwargs);
      }
    }
    const gm2 = new ReluToGelu(gm).transform();
    expect(gm2.graph.findNodes({ target: 'F.relu' })).toHaveLength(0);
    expect(gm2.graph.findNodes({ target: 'F.gelu' })).toHaveLength(2);
    expect(gm.graph.findNodes({ target: 'F.relu' })).toHaveLength(2); // original untouched
    const x = randn([2, 3, 4, 4]);
    expectTensorClose(gm2.call(x), fxNetWith(model, x, (t) => F.gelu(t)), { exact: true });
  });

  it('lets overrides call traceable functions on the proxies', () => {
    const gm = symbolicTrace((x: Tensor) => F.relu(x).add(1));
    class Double extends Transformer {
      override callMethod(target: Target, args: RuntimeArgs, kwargs: RuntimeKwargs): unknown {
        const out = super.callMethod(target, args, kwargs);
        return torch.mul(out as Tensor, 2); // recorded as torch.mul
      }
    }
    const gm2 = new Double(gm).transform();
    expect(gm2.graph.nodes.map((n) => String(n.target))).toEqual(['x', 'F.relu', 'add', 'torch.mul', 'output']);
    expect(Array.from(gm2.call(tensor([-1, 2])).toArray())).toEqual([2, 6]);
  });
});

describe('ShapeProp', () => {
  it('records shapes, dtypes and strides of every node', () => {
    manualSeed(8);
    const gm = symbolicTrace(new SmallCnn().eval());
    const x = randn([2, 3, 4, 4]);
    new ShapeProp(gm).propagate(x);
    const shapes = Object.fromEntries(gm.graph.nodes.filter((n) => n.op !== 'output').map((n) => [n.name, (n.meta.tensorMeta as TensorMeta).shape]));
    expect(shapes).toEqual({
      x: [2, 3, 4, 4], block_conv: [2, 4, 4, 4], block_bn: [2, 4, 4, 4], block_relu: [2, 4, 4, 4], conv2: [2, 4, 4, 4],
      relu: [2, 4, 4, 4], add: [2, 4, 4, 4], flatten: [2, 64], fc: [2, 5],
    });
    const meta = gm.graph.nodes[0]!.meta.tensorMeta as TensorMeta;
    expect(meta.dtype).toBe(float32);
    expect(meta.stride).toEqual([48, 16, 4, 1]);
    expect(meta.isQuantized).toBe(false);
  });

  it('records quantization parameters of quantized values', () => {
    const gm = symbolicTrace((x: Tensor) => torch.quantizePerTensor(x, 0.5, 3, quint8));
    new ShapeProp(gm).propagate(tensor([1, 2]));
    const meta = gm.graph.findNodes({ target: 'torch.quantizePerTensor' })[0]!.meta.tensorMeta as TensorMeta;
    expect(meta.isQuantized).toBe(true);
    expect(meta.qparams).toEqual({ qscheme: 'per_tensor_affine', scale: 0.5, zeroPoint: 3 });
  });
});

describe('replacePattern', () => {
  it('replaces every occurrence of a pattern and keeps the rest of the program', () => {
    manualSeed(9);
    const model = new FxNet().eval();
    const gm = symbolicTrace(model);
    const matches = replacePattern(
      gm,
      (a: Tensor, b: Tensor) => torch.cat([a, torch.add(a, b)], 1),
      (a: Tensor, b: Tensor) => torch.cat([a, torch.sub(a, b)], 1),
    );
    expect(matches).toHaveLength(1);
    expect(matches[0]!.anchor.target).toBe('torch.cat');
    expect(gm.graph.findNodes({ target: 'torch.add' })).toHaveLength(0);
    expect(gm.graph.findNodes({ target: 'torch.sub' })).toHaveLength(1);
    const x = randn([2, 3, 4, 4]);
    const m = model as unknown as Net;
    const a = F.relu(m.conv1.call(x));
    const c = torch.sub(a, m.conv2.call(x));
    const expected = F.relu(m.fc.call(torch.flatten(F.adaptiveAvgPool2d(torch.cat([a, c], 1), 1), 1)));
    expectTensorClose(gm.call(x), expected, { exact: true });
  });

  it('matches all occurrences, binds inputs and constants, and skips leaking matches', () => {
    const gm = symbolicTrace((x: Tensor, y: Tensor) => {
      const a = F.relu(x.add(1));
      const b = F.relu(y.add(1));
      const c = F.relu(y.add(2)); // other constant: no match
      const d = x.add(1); // used outside a match below: this one leaks
      return torch.cat([a, b, c, F.relu(d), d], 0);
    });
    const matches = replacePattern(gm, (t: Tensor) => F.relu(t.add(1)), (t: Tensor) => F.relu6(t.sub(1)));
    expect(matches).toHaveLength(2);
    expect(gm.graph.findNodes({ target: 'F.relu6' })).toHaveLength(2);
    expect(gm.graph.findNodes({ target: 'F.relu' })).toHaveLength(2);
    const out = gm.call(tensor([3, -5]), tensor([10, 0.5])) as Tensor;
    // hand-computed: relu6(x - 1), relu6(y - 1), relu(y + 2), relu(x + 1), x + 1
    expect(Array.from(out.toArray())).toEqual([2, 0, 6, 0, 12, 2.5, 4, 0, 4, -4]);
  });
});
