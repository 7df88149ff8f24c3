/** Sensitivity analysis on the golden small CNN with a planted outlier-heavy layer. */
import { describe, expect, it } from 'vitest';
import { type Conv2d, type Module } from '@qtorch/nn';
import { fuseModules, getDefaultQconfig, propagateQconfig_ } from '@qtorch/quantization';
import { type Tensor, noGrad, withEngine } from '@qtorch/qtensor';
import { goldenCase, tensorFromGolden } from '@qtorch/testing';
import { eagerQuantizeFn, layerSensitivity, quantizableLayers, suggestSkipList } from '../src/index.js';
import { CASES, FUSE_GROUPS, floatSmallCnn } from './small_cnn.js';

const spec = CASES.qnnpack;
const c = goldenCase('workflows/eager_ptq.json', spec.ptq);
const calibration: Tensor[] = (c.inputs.calibration as any[]).map(tensorFromGolden);
const inputs = [tensorFromGolden(c.inputs.test_input), ...calibration];
const qconfig = getDefaultQconfig(spec.qconfig);
const quantizeFn = eagerQuantizeFn({ qconfig, calibration });

/**
 * Makes `conv`'s weights outlier-heavy: one weight -150x the largest magnitude. conv2 reads
 * post-ReLU (non-negative) inputs and is followed by a ReLU, so the outlier only silences its
 * own channel in float, while per-tensor qint8 weight quantization loses all other weights.
 */
function plantOutlier(conv: Conv2d): void {
  noGrad(() => {
    const w = conv.weight.data as Float32Array;
    let max = 0;
    for (const v of w) max = Math.max(max, Math.abs(v));
    w[0] = -150 * max;
  });
}

function fusedModel(planted: boolean): Module {
  const m = floatSmallCnn(spec.ptq);
  if (planted) plantOutlier(m.conv2);
  return fuseModules(m, FUSE_GROUPS);
}

const qnnpack = <T>(fn: () => T): T => withEngine(spec.engine, fn);

describe('sensitivity analysis (qnnpack small CNN, planted outlier layer conv2)', () => {
  it('quantizableLayers lists the layers prepare would quantize', () => {
    expect(quantizableLayers(fusedModel(false))).toEqual(['conv1', 'conv2', 'skip_add', 'fc']);
  });

  for (const mode of ['float-one', 'quantize-one'] as const) {
    it(`${mode}: ranks the planted layer worst, by a wide margin`, () => {
      const report = qnnpack(() => layerSensitivity(fusedModel(true), quantizeFn, inputs, { mode }));
      expect(report.mode).toBe(mode);
      expect(report.ranking.map((r) => r.layer).sort()).toEqual(['conv1', 'conv2', 'fc', 'skip_add']);
      expect(report.ranking[0]!.layer).toBe('conv2');
      expect(report.ranking[0]!.impact).toBeGreaterThan(10);
      for (const r of report.ranking.slice(1)) expect(r.impact, r.layer).toBeLessThan(1);
      expect(report.reference).toBe(Infinity);
    });
  }

  it('without the plant, no layer stands out', () => {
    const report = qnnpack(() => layerSensitivity(fusedModel(false), quantizeFn, inputs));
    for (const r of report.ranking) expect(Math.abs(r.impact), r.layer).toBeLessThan(3);
  });

  it('suggestSkipList keeps exactly the planted layer in float to reach 30 dB; usable as a qconfig dict', () => {
    const model = fusedModel(true);
    const skip = qnnpack(() => suggestSkipList(model, 30, quantizeFn, inputs));
    expect([...skip.keys()]).toEqual(['conv2']);
    expect(skip.get('conv2')).toBeNull();
    expect(skip.budgetMet).toBe(true);
    expect(skip.minimal).toBe(true);
    expect(skip.score).toBeGreaterThanOrEqual(30);
    // the fully quantized model misses the budget
    expect(qnnpack(() => layerSensitivity(model, quantizeFn, inputs)).baseline).toBeLessThan(30);
    propagateQconfig_(model, new Map<string, typeof qconfig | null>([['', qconfig], ...skip]));
    expect((model as any).conv2.qconfig).toBeNull();
    expect((model as any).conv1.qconfig).toBe(qconfig);
  });

  it('suggestSkipList: empty when the quantized model already meets the budget, budgetMet false when unreachable', () => {
    const easy = qnnpack(() => suggestSkipList(fusedModel(true), 10, quantizeFn, inputs));
    expect(easy.size).toBe(0);
    expect(easy.budgetMet).toBe(true);
    const hard = qnnpack(() => suggestSkipList(fusedModel(true), 1000, quantizeFn, inputs));
    expect(hard.budgetMet).toBe(false);
  });
});
