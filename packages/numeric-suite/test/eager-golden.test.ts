/** compareWeights / compareModelOutputs / compareModelStub on the golden small CNN (area F model, area G results). */
import { describe, expect, it } from 'vitest';
import { Linear, deepcopy } from '@qtorch/nn';
import { withEngine } from '@qtorch/qtensor';
import { expectTensorClose, goldenCase } from '@qtorch/testing';
import { compareModelOutputs, compareModelStub, compareWeights, computeSqnr } from '../src/index.js';
import { CASES, buildSmallCnn } from './small_cnn.js';

const NS = 'numeric_suite/numeric_suite.json';

describe.each(Object.keys(CASES) as Array<keyof typeof CASES>)('small CNN, %s qconfig', (which) => {
  const spec = CASES[which];
  const { fused, quantized, test } = buildSmallCnn(which);

  it('compareWeights: same keys, SQNR within 1e-3 dB of PyTorch', () => {
    const expected = goldenCase(NS, `compare_weights_${spec.suffix}`).expected.weights as Record<string, any>;
    const result = compareWeights(fused.stateDict(), quantized.stateDict());
    expect(Object.keys(result)).toEqual(Object.keys(expected));
    for (const [key, e] of Object.entries(expected)) {
      expectTensorClose(result[key]!.float, e.float, { atol: 1e-6, label: key });
      expect(Math.abs(computeSqnr(result[key]!.float, result[key]!.quantized) - e.sqnr), key).toBeLessThan(1e-3);
    }
  });

  it('compareModelOutputs: same logger keys and counts, SQNR within 1e-3 dB of PyTorch', () => {
    const expected = goldenCase(NS, `compare_model_outputs_${spec.suffix}`).expected.outputs as Record<string, any>;
    const result = withEngine(spec.engine, () => compareModelOutputs(deepcopy(fused), deepcopy(quantized), [test]));
    expect(Object.keys(result).sort()).toEqual(Object.keys(expected).sort());
    for (const [key, e] of Object.entries(expected)) {
      // PyTorch logs a fused float module twice (its Sequential forward also runs the logger child)
      expect(result[key]!.float.length, key).toBe(e.float.length);
      expect(result[key]!.quantized.length, key).toBe(e.quantized.length);
      (e.sqnr as number[]).forEach((s, i) => {
        expect(Math.abs(computeSqnr(result[key]!.float[i]!, result[key]!.quantized[i]!) - s), key).toBeLessThan(1e-3);
      });
    }
  });

  it('compareModelStub: the quantized Linear shadowed by the float one, SQNR within 1e-3 dB of PyTorch', () => {
    const expected = goldenCase(NS, `compare_model_stub_linear_${spec.suffix}`).expected.stats as Record<string, any>;
    const result = withEngine(spec.engine, () => compareModelStub(deepcopy(fused), deepcopy(quantized), [Linear], [test]));
    expect(Object.keys(result)).toEqual(Object.keys(expected));
    const got = result['fc.stats']!, e = expected['fc.stats'];
    expect(got.float![0]!.shape).toEqual(e.float[0].shape);
    expect(Math.abs(computeSqnr(got.float![0]!, got.quantized![0]!) - e.sqnr[0])).toBeLessThan(1e-3);
  });
});
