/** prepareModelOutputs / getMatchingActivations / getDefaultCompareOutputModuleList, and FloatIsland. */
import { describe, expect, it } from 'vitest';
import { Conv2d, Linear, Sequential, deepcopy } from '@qtorch/nn';
import * as nnq from '@qtorch/nn-quantized';
import { DeQuantStub, QuantStub, fuseModules, getDefaultQconfig } from '@qtorch/quantization';
import { withEngine } from '@qtorch/qtensor';
import {
  FloatIsland, OutputLogger, eagerQuantizeFn, getDefaultCompareOutputModuleList, getLoggerDict, getMatchingActivations,
  nonLeafModuleToAddObserverAllowList, prepareModelOutputs,
} from '../src/index.js';
import { CASES, FUSE_GROUPS, buildSmallCnn, floatSmallCnn } from './small_cnn.js';

describe('module lists', () => {
  it('getDefaultCompareOutputModuleList has both sides of the mappings and Sequential', () => {
    const list = getDefaultCompareOutputModuleList();
    for (const cls of [Conv2d, Linear, nnq.Conv2d, nnq.Linear, nnq.Quantize, nnq.DeQuantize, QuantStub, DeQuantStub, nnq.FloatFunctional, nnq.QFunctional, Sequential]) {
      expect(list.has(cls), cls.name).toBe(true);
    }
  });
  it('the non-leaf list holds the quantized Linear', () => {
    expect(nonLeafModuleToAddObserverAllowList().has(nnq.Linear)).toBe(true);
  });
});

describe('prepareModelOutputs', () => {
  const { fused, quantized, test } = buildSmallCnn('qnnpack');

  it('attaches loggers to the allowed modules of both models, which log on the next call', () => {
    const f = deepcopy(fused), q = deepcopy(quantized);
    prepareModelOutputs(f, q);
    expect((f as any).conv1.activation_post_process).toBeInstanceOf(OutputLogger);
    expect((q as any).fc.activation_post_process).toBeInstanceOf(OutputLogger);
    expect((q as any).skip_add.activation_post_process).toBeInstanceOf(OutputLogger);
    expect((f as any).pool.activation_post_process).toBeUndefined();
    withEngine(CASES.qnnpack.engine, () => q.call(test));
    const d = getLoggerDict(q);
    expect(Object.keys(d).sort()).toEqual(['conv1.stats', 'conv2.stats', 'dequant.stats', 'fc.stats', 'quant.stats', 'skip_add.stats']);
    expect(d['fc.stats']!.tensor_val![0]!.isQuantized).toBe(true);
    // the float model was not run: no float activations to match yet
    expect(getMatchingActivations(f, q)['fc.stats']!.float).toEqual([]);
    f.call(test);
    const m = getMatchingActivations(f, q);
    expect(Object.keys(m).sort()).toEqual(['conv1.stats', 'conv2.stats', 'fc.stats', 'quant.stats', 'skip_add.stats']);
  });

  it('honours allowList and loggerCls', () => {
    class CountingLogger extends OutputLogger {}
    const f = deepcopy(fused), q = deepcopy(quantized);
    prepareModelOutputs(f, q, { allowList: new Set([Linear, nnq.Linear]), loggerCls: CountingLogger });
    expect((q as any).fc.activation_post_process).toBeInstanceOf(CountingLogger);
    expect((q as any).conv1.activation_post_process).toBeUndefined();
    f.call(test);
    withEngine(CASES.qnnpack.engine, () => q.call(test));
    // FloatFunctionals are observed whatever the allow list (PyTorch's prepare does the same)
    expect(Object.keys(getMatchingActivations(f, q)).sort()).toEqual(['fc.stats', 'skip_add.stats']);
  });
});

describe('FloatIsland (eagerQuantizeFn skip list)', () => {
  it('keeps skipped modules float between DeQuantize and Quantize, functionals included', () => {
    const spec = CASES.qnnpack;
    const { calibration, test } = buildSmallCnn('qnnpack');
    const fn = eagerQuantizeFn({ qconfig: getDefaultQconfig(spec.qconfig), calibration });
    const model = fuseModules(floatSmallCnn(spec.ptq), FUSE_GROUPS);
    const q = withEngine(spec.engine, () => fn(deepcopy(model), new Map([['conv2', null], ['skip_add', null]])));
    const island = (q as any).conv2 as FloatIsland;
    expect(island).toBeInstanceOf(FloatIsland);
    expect(island.dequant).toBeInstanceOf(nnq.DeQuantize);
    expect(island.quant).toBeInstanceOf(nnq.Quantize);
    expect(island.module.constructor.name).toBe('ConvReLU2d'); // the float fused module
    expect((q as any).skip_add.module).toBeInstanceOf(nnq.FloatFunctional);
    expect((q as any).conv1).not.toBeInstanceOf(FloatIsland);
    const out = withEngine(spec.engine, () => q.call(test)) as any;
    const ref = model.call(test) as any;
    expect(out.shape).toEqual(ref.shape);
    const a = out.toArray() as number[], b = ref.toArray() as number[];
    const err = Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0) / b.reduce((s, v) => s + v * v, 0));
    expect(err).toBeLessThan(0.1);
  });
});
