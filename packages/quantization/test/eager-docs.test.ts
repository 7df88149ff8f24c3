// The three API examples of the quantization docs (../shared/seeds/000_*.txt), in TypeScript,
// plus the workflow's error and warning behaviour.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BatchNorm2d, Conv2d, Linear, Module, ReLU } from '@qtorch/nn';
import { SGD } from '@qtorch/nn/optim';
import { type Tensor, manualSeed, qint8, randn } from '@qtorch/qtensor';
import * as nnq from '@qtorch/nn-quantized';
import * as nnqd from '@qtorch/nn-quantized/dynamic';
import * as nniq from '@qtorch/nn-intrinsic/quantized';
import { getDefaultQatQconfig, getDefaultQconfig } from '../src/qconfig/qconfig.js';
import {
  DeQuantStub, QuantStub, QuantWrapper, convert, fuseModules, prepare, prepareQat, prepareSummary, quantizeDynamic,
} from '../src/eager/index.js';

let warnings: string[] = [];
beforeEach(() => {
  manualSeed(0);
  warnings = [];
  vi.spyOn(process, 'emitWarning').mockImplementation(((w: string) => { warnings.push(String(w)); }) as never);
});
afterEach(() => vi.restoreAllMocks());

describe('docs: dynamic quantization example', () => {
  class M extends Module {
    fc = new Linear(4, 4);
    forward(x: Tensor): Tensor {
      return this.fc.call(x);
    }
  }
  it('quantizes Linear to a dynamic quantized Linear and runs on a 4-d input', () => {
    const modelFp32 = new M();
    const modelInt8 = quantizeDynamic(modelFp32, new Set([Linear]), { dtype: qint8 });
    expect(modelInt8.fc).toBeInstanceOf(nnqd.Linear);
    expect(modelFp32.fc).toBeInstanceOf(Linear);
    const input = randn([4, 4, 4, 4]);
    const res = modelInt8.call(input);
    expect(res.shape).toEqual([4, 4, 4, 4]);
    const ref = modelFp32.call(input).toArray() as number[];
    const got = res.toArray() as number[];
    const maxErr = Math.max(...ref.map((v, i) => Math.abs(v - got[i]!)));
    expect(maxErr).toBeLessThan(0.05);
  });
});

class StaticM extends Module {
  quant = new QuantStub();
  conv = new Conv2d(1, 1, 1);
  relu = new ReLU();
  dequant = new DeQuantStub();
  forward(x: Tensor): Tensor {
    x = this.quant.call(x);
    x = this.conv.call(x);
    x = this.relu.call(x);
    return this.dequant.call(x);
  }
}

describe('docs: static quantization example', () => {
  it('fuses, prepares, calibrates and converts to int8 modules', () => {
    const modelFp32 = new StaticM();
    modelFp32.eval();
    (modelFp32 as unknown as { qconfig: unknown }).qconfig = getDefaultQconfig('fbgemm');
    const fused = fuseModules(modelFp32, [['conv', 'relu']]);
    const prepared = prepare(fused);
    expect(prepareSummary(prepared)?.observed).toEqual(expect.arrayContaining(['quant', 'conv']));
    const input = randn([4, 1, 4, 4]);
    prepared.call(input);
    const modelInt8 = convert(prepared);
    expect(modelInt8.quant).toBeInstanceOf(nnq.Quantize);
    expect(modelInt8.conv).toBeInstanceOf(nniq.ConvReLU2d);
    expect(modelInt8.dequant).toBeInstanceOf(nnq.DeQuantize);
    const res = modelInt8.call(input);
    const ref = modelFp32.call(input).toArray() as number[];
    const got = res.toArray() as number[];
    // HistogramObserver clips outliers, so compare the mean error, not the max.
    const meanErr = ref.reduce((a, v, i) => a + Math.abs(v - got[i]!), 0) / ref.length;
    expect(meanErr).toBeLessThan(0.03);
    expect(warnings).toEqual([]);
  });
});

describe('docs: quantization-aware training example', () => {
  class M extends Module {
    quant = new QuantStub();
    conv = new Conv2d(1, 1, 1);
    bn = new BatchNorm2d(1);
    relu = new ReLU();
    dequant = new DeQuantStub();
    forward(x: Tensor): Tensor {
      x = this.quant.call(x);
      x = this.conv.call(x);
      x = this.bn.call(x);
      x = this.relu.call(x);
      return this.dequant.call(x);
    }
  }
  it('fuses in training mode, prepares for QAT, trains, converts', () => {
    const modelFp32 = new M();
    modelFp32.train();
    (modelFp32 as unknown as { qconfig: unknown }).qconfig = getDefaultQatQconfig('fbgemm');
    const fused = fuseModules(modelFp32, [['conv', 'bn', 'relu']]);
    const prepared = prepareQat(fused);
    const opt = new SGD(prepared.parameters(), { lr: 0.01 });
    const inputFp32 = randn([4, 1, 4, 4]);
    for (let i = 0; i < 3; i++) {
      opt.zeroGrad();
      const loss = prepared.call(inputFp32).square().mean();
      loss.backward();
      opt.step();
    }
    prepared.eval();
    const modelInt8 = convert(prepared);
    expect(modelInt8.conv).toBeInstanceOf(nniq.ConvReLU2d);
    const res = modelInt8.call(inputFp32);
    expect(res.shape).toEqual([4, 1, 4, 4]);
    expect(res.isQuantized).toBe(false);
    expect(warnings).toEqual([]);
  });
});

describe('workflow errors and warnings', () => {
  it('convert of an uncalibrated model warns, and throws with strict', () => {
    const m = new StaticM().eval();
    (m as unknown as { qconfig: unknown }).qconfig = getDefaultQconfig('qnnpack');
    const prepared = prepare(m);
    expect(() => convert(prepared, { strict: true })).toThrow(/'quant.activation_post_process' never saw data/);
    convert(prepared);
    expect(warnings.join('\n')).toMatch(/never saw data/);
  });

  it('prepare without any qconfig warns that nothing will be quantized', () => {
    prepare(new StaticM().eval());
    expect(warnings.join('\n')).toMatch(/None of the submodule got qconfig applied/);
    expect(() => prepare(new StaticM().eval(), { strict: true })).toThrow(/None of the submodule/);
  });

  it('convert without prepare: nothing converted is reported; a qconfig without observer is an error', () => {
    const m = new StaticM().eval();
    (m as unknown as { qconfig: unknown }).qconfig = getDefaultQconfig('qnnpack');
    convert(m);
    expect(warnings.join('\n')).toMatch(/no module was converted/);
    expect(() => convert(m, { strict: true })).toThrow(/no module was converted/);
    (m.conv as unknown as { qconfig: unknown }).qconfig = getDefaultQconfig('qnnpack');
    expect(() => convert(m)).toThrow(/'conv' \(Conv2d\) has a qconfig but no observer/);
  });

  it('quantized layers without a QuantStub are reported', () => {
    class NoStub extends Module {
      fc = new Linear(3, 3);
      forward(x: Tensor): Tensor {
        return this.fc.call(x);
      }
    }
    const m = new NoStub().eval();
    (m as unknown as { qconfig: unknown }).qconfig = getDefaultQconfig('qnnpack');
    const prepared = prepare(m);
    prepared.call(randn([2, 3]));
    expect(() => convert(prepared, { strict: true })).toThrow(/no QuantStub/);
    const wrapped = prepare(new QuantWrapper(new NoStub().eval()).eval());
    expect(warnings.join('\n')).toMatch(/None of the submodule/);
    void wrapped;
  });

  it('inplace: false leaves the input model untouched', () => {
    const m = new StaticM().eval();
    (m as unknown as { qconfig: unknown }).qconfig = getDefaultQconfig('qnnpack');
    const prepared = prepare(m);
    expect((m.conv as unknown as { activation_post_process?: unknown }).activation_post_process).toBeUndefined();
    expect((prepared.conv as unknown as { activation_post_process?: unknown }).activation_post_process).toBeDefined();
    const same = prepare(m, { inplace: true });
    expect(same).toBe(m);
  });
});

describe('calibration check sees FloatFunctional observers', () => {
  it('a calibrated model with a FloatFunctional converts without warnings', async () => {
    const { FloatFunctional } = await import('@qtorch/nn-quantized');
    class AddNet extends Module {
      quant = new QuantStub();
      fc = new Linear(3, 3);
      add = new FloatFunctional();
      dequant = new DeQuantStub();
      forward(x: Tensor): Tensor {
        x = this.quant.call(x);
        return this.dequant.call(this.add.add(this.fc.call(x), x));
      }
    }
    const m = new AddNet().eval();
    (m as unknown as { qconfig: unknown }).qconfig = getDefaultQconfig('qnnpack');
    const prepared = prepare(m);
    prepared.call(randn([4, 3]));
    convert(prepared, { strict: true });
    expect(warnings).toEqual([]);
    const unCalibrated = prepare(m);
    expect(() => convert(unCalibrated, { strict: true })).toThrow(/'add.activation_post_process' never saw data|never saw data/);
  });
});
