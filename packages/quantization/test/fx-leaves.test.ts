// FX leaves: the quantized / QAT / fused modules and this package's stubs, observers and fake
// quantizers are recorded as call_module by symbolicTrace (each package registers its classes
// from its own fx_leaves.ts), and the traced model runs like the eager one.
import { describe, expect, it } from 'vitest';
import { Linear, Module, ReLU } from '@qtorch/nn';
import { type GraphModule, symbolicTrace } from '@qtorch/fx';
import { type Tensor, isLeafModuleClass, manualSeed, quint8, randn } from '@qtorch/qtensor';
import * as nnq from '@qtorch/nn-quantized';
import * as nnqd from '@qtorch/nn-quantized/dynamic';
import * as nnqat from '@qtorch/nn-qat';
import * as nnqatd from '@qtorch/nn-qat/dynamic';
import * as nni from '@qtorch/nn-intrinsic';
import * as nniq from '@qtorch/nn-intrinsic/quantized';
import * as nniqd from '@qtorch/nn-intrinsic/quantized/dynamic';
import * as nniqat from '@qtorch/nn-intrinsic/qat';
import { expectTensorClose } from '../../../tools/testing/src/index.js';
import * as quantization from '../src/index.js';
import { DeQuantStub, FakeQuantize, MinMaxObserver, QuantStub, QuantWrapper, defaultQatQconfig } from '../src/index.js';

const seq = (gm: GraphModule): string[] => gm.graph.nodes.map((n) => `${n.op}:${String(n.target)}`);

/** The Module classes among a namespace's exports. */
const moduleClasses = (ns: object): Array<typeof Module> =>
  Object.values(ns).filter((v): v is typeof Module => typeof v === 'function' && v.prototype instanceof Module);

/** [class name, is a leaf] of every module class of `ns`, for readable failures. */
const leafFlags = (ns: object): Array<[string, boolean]> => moduleClasses(ns).map((c) => [c.name, isLeafModuleClass(c)]);

/** float -> QuantStub -> observer -> QAT Conv2d -> QAT ConvReLU2d -> fake quant -> quantize -> quantized ConvReLU2d -> quantized Linear -> dequantize -> DeQuantStub. */
class Net extends Module {
  quant = new QuantStub();
  obs = new MinMaxObserver();
  qatConv = new nnqat.Conv2d(2, 3, 3, { padding: 1, qconfig: defaultQatQconfig });
  qatConvRelu = new nniqat.ConvReLU2d(3, 3, 1, { qconfig: defaultQatQconfig });
  fq = new FakeQuantize();
  toQ = new nnq.Quantize(0.05, 128, quint8);
  qConvRelu = new nniq.ConvReLU2d(3, 2, 3);
  fc = new nnq.Linear(2 * 2 * 2, 4);
  toF = new nnq.DeQuantize();
  dequant = new DeQuantStub();

  forward(x: Tensor): Tensor {
    let h = this.obs.call(this.quant.call(x));
    h = this.fq.call(this.qatConvRelu.call(this.qatConv.call(h)));
    h = this.qConvRelu.call(this.toQ.call(h));
    return this.dequant.call(this.toF.call(this.fc.call(h.flatten(1))));
  }
}

describe('FX leaf modules of the quantization packages', () => {
  it('symbolicTrace records quantized, QAT and fused modules, stubs, observers and fake quantizers as call_module', () => {
    manualSeed(5);
    const model = new Net().eval();
    const gm = symbolicTrace(model);
    expect(seq(gm)).toEqual([
      'placeholder:x',
      'call_module:quant', 'call_module:obs', 'call_module:qatConv', 'call_module:qatConvRelu', 'call_module:fq',
      'call_module:toQ', 'call_module:qConvRelu', 'call_method:flatten', 'call_module:fc', 'call_module:toF', 'call_module:dequant',
      'output:output',
    ]);
    const x = randn([2, 2, 4, 4]);
    expectTensorClose(gm.call(x), model.call(x), { exact: true });
  });

  it('every exported module class of this package is a leaf except the QuantWrapper container', () => {
    expect(moduleClasses(quantization).length).toBeGreaterThan(15);
    expect(leafFlags(quantization)).toEqual(moduleClasses(quantization).map((c) => [c.name, (c as unknown) !== QuantWrapper]));
    expect(quantization.fxLeafModules).toContain(QuantStub);
  });

  it('every module class of nn-quantized, nn-qat and nn-intrinsic /qat, /quantized (+ dynamic subpaths) is a leaf', () => {
    for (const [name, ns, min] of [['nnq', nnq, 20], ['nnqd', nnqd, 5], ['nnqat', nnqat, 5], ['nnqatd', nnqatd, 1], ['nniqat', nniqat, 10], ['nniq', nniq, 5], ['nniqd', nniqd, 1]] as const) {
      const flags = leafFlags(ns);
      expect([name, flags.length >= min]).toEqual([name, true]);
      expect(flags.filter(([, leaf]) => !leaf)).toEqual([]);
    }
    expect(nnq.fxLeafModules).toContain(nnq.Linear);
    expect(nniqat.fxLeafModules).toBe(nniq.fxLeafModules); // one registration per package, whatever entry is imported
  });

  it("nn-intrinsic's float fused containers are traced through, as torch.fx does with Sequentials", () => {
    expect(leafFlags(nni).filter(([, leaf]) => leaf)).toEqual([]);
    const root = new (class extends Module {
      f = new nni.LinearReLU(new Linear(3, 2), new ReLU());
      forward(x: Tensor): Tensor {
        return this.f.call(x);
      }
    })();
    expect(seq(symbolicTrace(root))).toEqual(['placeholder:x', 'call_module:f.0', 'call_module:f.1', 'output:output']);
  });

  it('QuantWrapper is traced through: its stubs and the wrapped module are recorded', () => {
    const gm = symbolicTrace(new QuantWrapper(new nnqat.Linear(3, 2, { qconfig: defaultQatQconfig })));
    expect(seq(gm)).toEqual(['placeholder:x', 'call_module:quant', 'call_module:module', 'call_module:dequant', 'output:output']);
  });
});
