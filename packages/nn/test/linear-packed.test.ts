import { describe, expect, it } from 'vitest';
import { QTorchTypeError, manualSeed, noGrad, randn } from '@qtorch/qtensor';
import { Linear, NonDynamicallyQuantizableLinear, PackedLinear, ReLU, Sequential, packLinearLayers } from '../src/index.js';

const values = (t: unknown) => Array.from((t as { values(): ArrayLike<number> }).values());

describe('PackedLinear / packLinearLayers (float Linear layers packed once for inference)', () => {
  it('swaps every float Linear below the root, leaves subclasses, and keeps the outputs', () => {
    manualSeed(3);
    const model = new Sequential(new Linear(6, 5), new ReLU(), new Sequential(new Linear(5, 4, { bias: false })), new NonDynamicallyQuantizableLinear(4, 4));
    model.eval();
    const x = randn([3, 6]);
    const want = noGrad(() => model.call(x));
    expect(packLinearLayers(model)).toBe(model);
    const kinds = model.namedModules().map(([name, m]) => `${name}:${m.constructor.name}`);
    expect(kinds).toEqual([':Sequential', '0:PackedLinear', '1:ReLU', '2:Sequential', '2.0:PackedLinear', '3:NonDynamicallyQuantizableLinear']);
    expect(values(noGrad(() => model.call(x)))).toEqual(values(want));
    expect(String(model.getSubmodule('2.0'))).toBe('PackedLinear(in_features=5, out_features=4, bias=False)');
    const root = new Linear(2, 2);
    expect(packLinearLayers(root)).toBeInstanceOf(Linear);
  });

  it("has a Linear's state dict; loading one repacks, and repack() picks up in-place changes", () => {
    manualSeed(4);
    const a = new Linear(8, 3), b = new Linear(8, 3);
    const packed = new PackedLinear(a);
    expect(Object.keys(packed.stateDict())).toEqual(['weight', 'bias']);
    const x = randn([2, 8]);
    packed.loadStateDict(b.stateDict());
    expect(values(noGrad(() => packed.call(x)))).toEqual(values(noGrad(() => b.call(x))));
    noGrad(() => packed.weight.mul_(2));
    packed.repack();
    noGrad(() => b.weight.mul_(2));
    expect(values(noGrad(() => packed.call(x)))).toEqual(values(noGrad(() => b.call(x))));
  });

  it('refuses what is not a Linear / Module', () => {
    expect(() => new PackedLinear(new ReLU() as never)).toThrow(QTorchTypeError);
    expect(() => packLinearLayers({} as never)).toThrow(/packLinearLayers\(\): expected a Module/);
  });
});
