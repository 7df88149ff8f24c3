// The patterns FX graph mode quantization handles (issue #11): weighted modules and
// functionals with fused relu, binary ops with tensors and scalars, fixed-qparams ops, ops that
// share their input's qparams, dynamic / float16 / weight-only quantization. Lowered models are
// checked against independent references: float64 loops, the eager workflows, and the reference
// (dequantize -> float op -> quantize) model of the same calibration.
import { describe, expect, it } from 'vitest';
import { Embedding, Linear, Module, Conv2d, BatchNorm2d, ReLU, deepcopy } from '@qtorch/nn';
import * as F from '@qtorch/nn/functional';
import * as nnq from '@qtorch/nn-quantized';
import * as nniq from '@qtorch/nn-intrinsic/quantized';
import * as nnqd from '@qtorch/nn-quantized/dynamic';
import { type GraphModule, torch } from '@qtorch/fx';
import { type Tensor, float16, float32, intRepr, manualSeed, qScale, qZeroPoint, qint8, quint8, randint, randn, withEngine } from '@qtorch/qtensor';
import {
  FixedQParamsFakeQuantize, FixedQParamsObserver, defaultDynamicQconfig, defaultQconfig, float16DynamicQconfig, floatQparamsWeightOnlyQconfig, getDefaultQatQconfig,
  getDefaultQconfig, quantizeDynamic,
} from '../src/index.js';
import {
  BackendConfig, BackendPatternConfig, DTypeConfig, ObservationType, convertFx, getFbgemmBackendConfig, getNativeBackendConfig, getQnnpackBackendConfig, nnqr,
  prepareFx, prepareQatFx,
} from '../src/fx/index.js';
import * as nni from '@qtorch/nn-intrinsic';
import { expectTensorClose } from '../../../tools/testing/src/index.js';

const ops = (gm: GraphModule) => gm.graph.nodes.filter((n) => n.op !== 'placeholder' && n.op !== 'get_attr' && n.op !== 'output').map((n) => String(n.target));

/** Prepares, calibrates on `inputs` and returns the prepared model. */
function calibrated(model: Module, qconfig = getDefaultQconfig('fbgemm'), inputs: Tensor[][] = [[randn([4, 8])], [randn([4, 8])]]): GraphModule {
  const p = prepareFx(model.eval(), { '': qconfig }, { exampleInputs: inputs[0] });
  for (const args of inputs) p.call(...(args as [Tensor]));
  return p;
}

/** |lowered - reference| in output steps, element by element. */
function stepsApart(a: Tensor, b: Tensor, scale: number): number {
  const av = a.values(), bv = b.values();
  return Math.max(...Array.from(av, (v, i) => Math.round(Math.abs(v - bv[i]!) / scale)));
}

describe('weighted ops', () => {
  it('F.linear / F.conv2d with F.relu lower to quantized.linearRelu / quantized.conv with packed weights', () => {
    manualSeed(1);
    class M extends Module {
      w = randn([6, 8]);
      cw = randn([3, 1, 1, 1]);
      fc = new Linear(6, 6);
      forward(x: Tensor): Tensor {
        const y = F.relu(F.linear(x, this.w));
        const z = F.conv2d(this.fc.call(y).reshape(4, 1, 2, 3), this.cw, { padding: 1 });
        return z;
      }
    }
    withEngine('fbgemm', () => {
      const x = randn([4, 8]);
      const p = calibrated(new M(), getDefaultQconfig('fbgemm'), [[x], [randn([4, 8])]]);
      const q = convertFx(p);
      expect(ops(q)).toEqual(['torch.quantizePerTensor', 'quantized.linearRelu', 'fc', 'reshape', 'quantized.conv', 'dequantize']);
      const ref = convertFx(p, { isReference: true });
      expect(stepsApart(q.call(x), ref.call(x), outputScaleOf(q, 'quantized.conv'))).toBeLessThanOrEqual(1);
    });
  });

  it('conv-bn-relu and linear-relu modules fuse and convert to the quantized fused modules', () => {
    class M extends Module {
      conv = new Conv2d(2, 3, 3);
      bn = new BatchNorm2d(3);
      relu = new ReLU();
      fc = new Linear(12, 4);
      forward(x: Tensor): Tensor {
        return F.relu(this.fc.call(this.relu.call(this.bn.call(this.conv.call(x))).flatten(1)));
      }
    }
    manualSeed(2);
    const inputs = [[randn([2, 2, 4, 4])], [randn([2, 2, 4, 4])]];
    const q = convertFx(calibrated(new M(), getDefaultQconfig('qnnpack'), inputs));
    expect(q.getSubmodule('conv')).toBeInstanceOf(nniq.ConvReLU2d);
    expect(q.getSubmodule('fc')).toBeInstanceOf(nniq.LinearReLU);
    expect(ops(q)).toEqual(['torch.quantizePerTensor', 'conv', 'flatten', 'fc', 'dequantize']);
  });
});

describe('binary ops', () => {
  class M extends Module {
    l1 = new Linear(8, 8);
    l2 = new Linear(8, 8);
    forward(x: Tensor): Tensor {
      const a = this.l1.call(x), b = this.l2.call(x);
      const s = F.relu(torch.add(a, b));
      const m = torch.mul(s, b);
      const t = m.add(-0.25);
      return torch.mul(t, 3);
    }
  }

  it('add / mul of two tensors get output qparams; with a scalar they keep their input\'s; relu fuses', () => {
    manualSeed(3);
    withEngine('qnnpack', () => {
      const x = randn([4, 8]);
      // MinMax observers: no clipping of outliers, so the result stays within steps of float
      const p = calibrated(new M(), defaultQconfig, [[x], [randn([4, 8])]]);
      const prepObs = (name: string) => p.getSubmodule(String([...p.graph.nodes.find((n) => n.name === name)!.users][0]!.target));
      // x + scalar shares the observer of its input (PyTorch: one tensor input -> same qparams)
      expect(prepObs('add_1')).toBe(prepObs('mul'));
      expect(prepObs('mul')).not.toBe(prepObs('relu'));
      const q = convertFx(p);
      expect(ops(q)).toEqual(['torch.quantizePerTensor', 'l1', 'l2', 'quantized.addRelu', 'quantized.mul', 'quantized.add', 'quantized.mul', 'dequantize']);
      // `t * 3` is PyTorch's mul_scalar: the same integers, the scale times 3
      const scalarMul = q.graph.nodes.find((n) => n.target === 'quantized.mul' && n.args[1] === 3)!;
      const t = evalUpTo(q, scalarMul.args[0] as never, x), u = q.call(x);
      expect(u.isQuantized).toBe(false);
      const uq = evalUpTo(q, scalarMul, x);
      expect(Array.from(intRepr(uq).values())).toEqual(Array.from(intRepr(t).values()));
      expect([qScale(uq), qZeroPoint(uq)]).toEqual([3 * qScale(t), qZeroPoint(t)]);
      // `m - 0.25` is PyTorch's add_scalar: while the moved zero point stays in range, the same
      // integers with the zero point moved by 0.25 / scale
      const scalarAdd = q.graph.nodes.find((n) => n.target === 'quantized.add' && n.args[1] === -0.25)!;
      const m = evalUpTo(q, scalarAdd.args[0] as never, x);
      const shifted = qZeroPoint(m) + Math.round(0.25 / qScale(m));
      expect(shifted).toBeLessThanOrEqual(255);
      expect(Array.from(intRepr(t).values())).toEqual(Array.from(intRepr(m).values()));
      expect([qScale(t), qZeroPoint(t)]).toEqual([qScale(m), shifted]);
      // the whole model against float (the prepared model computes in float): within a few output steps
      expect(stepsApart(u, p.call(x) as Tensor, qScale(uq))).toBeLessThanOrEqual(3);
    });
  });
});

/** The output scale of the first node calling `target` (its scale argument, a buffer). */
function outputScaleOf(q: GraphModule, target: string): number {
  const n = q.graph.nodes.find((x) => x.target === target)!;
  return ((q as unknown as Record<string, Tensor>)[String((n.args[2] as { target: string }).target)]!).item();
}

/** Runs `gm`'s graph on `x` and returns the value of `node`. */
function evalUpTo(gm: GraphModule, node: { name: string }, x: Tensor): Tensor {
  const out = gm.graph.outputNode!;
  const saved = out.args[0];
  out.args = [gm.graph.nodes.find((n) => n.name === node.name)!];
  gm.recompile();
  try {
    return gm.call(x) as Tensor;
  } finally {
    out.args = [saved];
    gm.recompile();
  }
}

describe('fixed-qparams ops', () => {
  class M extends Module {
    fc = new Linear(8, 8);
    forward(x: Tensor): Tensor[] {
      const y = this.fc.call(x);
      // separate outputs: cat would make its inputs share one observer
      return [F.sigmoid(y), F.tanh(y), F.hardsigmoid(y)];
    }
  }

  it('sigmoid / tanh / hardsigmoid get fixed qparams whatever the qconfig, and run quantized', () => {
    manualSeed(4);
    withEngine('fbgemm', () => {
      const x = randn([4, 8]);
      const p = calibrated(new M(), getDefaultQconfig('fbgemm'), [[x]]);
      const after = (name: string) => p.getSubmodule(String([...p.graph.nodes.find((n) => n.name === name)!.users][0]!.target)) as FixedQParamsObserver;
      for (const [name, scale, zp] of [['sigmoid', 1 / 256, 0], ['tanh', 2 / 256, 128], ['hardsigmoid', 1 / 256, 0]] as const) {
        expect(after(name), name).toBeInstanceOf(FixedQParamsObserver);
        expect([after(name).scale.item(), after(name).zeroPoint.item()]).toEqual([scale, zp]);
      }
      const q = convertFx(p);
      expect(ops(q).filter((t) => t !== 'dequantize')).toEqual(['torch.quantizePerTensor', 'fc', 'F.sigmoid', 'F.tanh', 'F.hardsigmoid']);
      expect(ops(q).filter((t) => t === 'dequantize')).toHaveLength(3);
      // independent reference: float64 sigmoid of the quantized linear output, quantized at 1/256
      const fcOut = evalUpTo(q, { name: 'fc' }, x);
      for (const [name, scale, zp] of [['sigmoid', 1 / 256, 0], ['tanh', 2 / 256, 128], ['hardsigmoid', 1 / 256, 0]] as const) {
        const v = evalUpTo(q, { name }, x);
        expect(v.isQuantized, name).toBe(true);
        expect([qScale(v), qZeroPoint(v)]).toEqual([scale, zp]);
      }
      const sig = evalUpTo(q, { name: 'sigmoid' }, x);
      const want = Array.from(fcOut.dequantize().values(), (v) => Math.min(255, Math.max(0, Math.round(256 / (1 + Math.exp(-v))))));
      const got = Array.from(intRepr(sig).values());
      got.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(1));
    });
  });

  it('in QAT they get FixedQParamsFakeQuantize', () => {
    const p = prepareQatFx(new M().train(), { '': getDefaultQatQconfig('fbgemm') });
    const fq = p.getSubmodule(String([...p.graph.nodes.find((n) => n.name === 'tanh')!.users][0]!.target));
    expect(fq).toBeInstanceOf(FixedQParamsFakeQuantize);
    expect((fq as FixedQParamsFakeQuantize).calculateQparams().map((t) => t.item())).toEqual([2 / 256, 128]);
  });
});

describe('ops sharing their input\'s qparams', () => {
  it('maxpool / reshape / flatten / cat share one observer and run on the quantized tensor', () => {
    class M extends Module {
      conv = new Conv2d(1, 2, 1);
      conv2 = new Conv2d(1, 2, 1);
      fc = new Linear(8, 3);
      forward(x: Tensor): Tensor {
        const a = F.maxPool2d(this.conv.call(x), 2).reshape(2, 2, 2, 2);
        const b = F.maxPool2d(this.conv2.call(x.mul(2)), 2);
        const z = torch.flatten(torch.cat([a, b], 2), 1);
        return this.fc.call(z.reshape(4, 8));
      }
    }
    manualSeed(5);
    const x = randn([2, 1, 4, 4]);
    const p = calibrated(new M(), getDefaultQconfig('qnnpack'), [[x]]);
    const obsOf = (name: string) => p.getSubmodule(String([...p.graph.nodes.find((n) => n.name === name)!.users][0]!.target));
    for (const n of ['maxPool2d', 'reshape', 'cat', 'flatten', 'reshape_1']) expect(obsOf(n), n).toBe(obsOf('conv'));
    // cat makes its inputs share the first input's observer too
    expect(obsOf('maxPool2d_1')).toBe(obsOf('conv'));
    expect(obsOf('conv2')).not.toBe(obsOf('conv'));
    const q = convertFx(p);
    // everything between the input's quantize and the output's dequantize runs quantized
    expect(ops(q).filter((t) => t === 'torch.quantizePerTensor' || t === 'dequantize')).toEqual(['torch.quantizePerTensor', 'dequantize']);
    const pooled = evalUpTo(q, { name: 'maxPool2d' }, x);
    const convOut = evalUpTo(q, { name: 'conv' }, x);
    expect(pooled.isQuantized).toBe(true);
    expect([qScale(pooled), qZeroPoint(pooled)]).toEqual([qScale(convOut), qZeroPoint(convOut)]);
    // independent reference: 2x2 max of the conv output's integers
    const ci = intRepr(convOut).values(), pi = intRepr(pooled).values();
    for (let c = 0; c < 4; c++) {
      for (let i = 0; i < 2; i++) {
        for (let j = 0; j < 2; j++) {
          const at = (r: number, s: number) => ci[c * 16 + r * 4 + s]!;
          expect(pi[c * 4 + i * 2 + j]).toBe(Math.max(at(2 * i, 2 * j), at(2 * i, 2 * j + 1), at(2 * i + 1, 2 * j), at(2 * i + 1, 2 * j + 1)));
        }
      }
    }
  });
});

describe('dynamic, float16 and weight-only quantization by qconfig', () => {
  class M extends Module {
    emb = new Embedding(10, 8);
    fc = new Linear(8, 4);
    forward(idx: Tensor): Tensor {
      return this.fc.call(this.emb.call(idx));
    }
  }
  const idx = () => randint(0, 10, [3, 2]);

  it('int8 dynamic Linear, as the eager quantizeDynamic', () => {
    manualSeed(6);
    withEngine('fbgemm', () => {
      const m = new M().eval();
      const q = convertFx(prepareFx(m, { '': null, objectType: [[Linear, defaultDynamicQconfig]] }));
      expect(q.getSubmodule('fc')).toBeInstanceOf(nnqd.Linear);
      expect(q.getSubmodule('emb').constructor).toBe(Embedding);
      const eager = quantizeDynamic(deepcopy(m), new Set([Linear]));
      for (let i = 0; i < 2; i++) {
        const x = idx();
        expect(Array.from(q.call(x).values())).toEqual(Array.from(eager.call(x).values()));
      }
    });
  });

  it('float16 dynamic Linear, as the eager quantizeDynamic with float16', () => {
    manualSeed(7);
    withEngine('fbgemm', () => {
      const m = new M().eval();
      const q = convertFx(prepareFx(m, { '': null, objectType: [[Linear, float16DynamicQconfig]] }));
      expect(q.getSubmodule('fc')).toBeInstanceOf(nnqd.Linear);
      expect((q.getSubmodule('fc') as nnqd.Linear)._packed_params.dtype).toBe(float16);
      const eager = quantizeDynamic(deepcopy(m), new Set([Linear]), { dtype: float16 });
      const x = idx();
      expect(Array.from(q.call(x).values())).toEqual(Array.from(eager.call(x).values()));
    });
  });

  it('weight-only Embedding (float qparams), as the eager quantizeDynamic with quint8', () => {
    manualSeed(8);
    const m = new M().eval();
    const prepared = prepareFx(m, { '': null, objectType: [[Embedding, floatQparamsWeightOnlyQconfig]] });
    expect(ops(prepared)).toEqual(['emb', 'fc']);
    const ref = convertFx(prepared, { isReference: true });
    expect(ref.getSubmodule('emb')).toBeInstanceOf(nnqr.Embedding);
    const q = convertFx(prepared);
    expect(q.getSubmodule('emb')).toBeInstanceOf(nnq.Embedding);
    const eager = quantizeDynamic(deepcopy(m), new Set([Embedding]), { dtype: quint8 });
    const x = idx();
    expect(Array.from(q.call(x).values())).toEqual(Array.from(eager.call(x).values()));
    // the reference model dequantizes the table itself: the same values to float32 rounding
    expectTensorClose(ref.call(x), q.call(x), { atol: 1e-6, rtol: 1e-6, label: 'reference vs quantized embedding' });
  });
});

describe('backend configs', () => {
  class M extends Module {
    fc = new Linear(8, 4);
    forward(x: Tensor): Tensor {
      return torch.add(this.fc.call(x), 1);
    }
  }

  it('qnnpack has no float16 dynamic linear: the Linear stays float; fbgemm converts it', () => {
    const q16 = { '': float16DynamicQconfig };
    expect(convertFx(prepareFx(new M().eval(), q16, { backendConfig: getQnnpackBackendConfig() })).getSubmodule('fc').constructor).toBe(Linear);
    withEngine('fbgemm', () => {
      expect(convertFx(prepareFx(new M().eval(), q16, { backendConfig: getFbgemmBackendConfig() })).getSubmodule('fc')).toBeInstanceOf(nnqd.Linear);
    });
  });

  it('a custom backend config decides what is quantized', () => {
    const int8 = new DTypeConfig({ inputDtype: quint8, outputDtype: quint8, weightDtype: qint8, biasDtype: float32 });
    const onlyLinear = new BackendConfig('linear-only').setBackendPatternConfig(
      new BackendPatternConfig(Linear).setObservationType(ObservationType.OUTPUT_USE_DIFFERENT_OBSERVER_AS_INPUT).setDtypeConfigs([int8])
        .setRootModule(Linear).setReferenceQuantizedModule(nnqr.Linear),
    );
    const p = prepareFx(new M().eval(), { '': defaultQconfig }, { backendConfig: onlyLinear });
    p.call(randn([2, 8]));
    const q = convertFx(p);
    expect(q.getSubmodule('fc')).toBeInstanceOf(nnq.Linear);
    // add is not in the config: it runs in float after a dequantize
    expect(ops(q)).toEqual(['torch.quantizePerTensor', 'fc', 'dequantize', 'torch.add']);
    expect(getNativeBackendConfig().configFor([F.relu, Linear])?.fusedModule).toBe(nni.LinearReLU);
  });
});
