import { describe, expect, it } from 'vitest';
import { expectQTensorEqual, expectTensorClose, goldenCase, tensorFromGolden } from '@qtorch/testing';
import { type Tensor, QTorchTypeError, tensor } from '@qtorch/qtensor';
import { compareWeights, computeSqnr } from '../src/index.js';
import { findMatch } from '../src/compare_weights.js';

const NS = 'numeric_suite/numeric_suite.json';

describe('findMatch (PyTorch _find_match)', () => {
  it('matches a quantized key to the fused float key by module path', () => {
    expect(findMatch(['conv1.0.weight', 'conv1.0.bias'], 'conv1.weight', 'weight')).toBe('conv1.0.weight');
    expect(findMatch(['fc.weight', 'fc.bias'], 'fc.weight', 'weight')).toBe('fc.weight');
    expect(findMatch(['fc.weight'], 'fc._packed_params._packed_params', '_packed_params')).toBe('fc.weight');
  });
  it('needs the postfix and a matching module', () => {
    expect(findMatch(['fc.weight'], 'fc.bias', 'weight')).toBeUndefined();
    expect(findMatch(['conv.weight'], 'fc.weight', 'weight')).toBeUndefined();
    expect(findMatch(['conv.weight'], 'fc._packed_params._packed_params', '_packed_params')).toBeUndefined();
  });
});

/** The quantized state dict of the golden case in qtorch's layout (packed Linear as `.weight`). */
function quantizedDict(expected: Record<string, any>): Record<string, Tensor> {
  return {
    'quant.scale': tensor([1]), 'quant.zero_point': tensor([0]),
    'conv1.weight': tensorFromGolden(expected['conv1.weight'].quantized), 'conv1.bias': tensor([0]),
    'conv2.weight': tensorFromGolden(expected['conv2.weight'].quantized), 'conv2.bias': tensor([0]),
    'fc.scale': tensor([1]), 'fc.zero_point': tensor([0]),
    'fc._packed_params.weight': tensorFromGolden(expected['fc._packed_params._packed_params'].quantized), 'fc._packed_params.bias': tensor([0]),
  };
}

describe('compareWeights vs PyTorch (golden area G)', () => {
  for (const [name, ptq] of [
    ['compare_weights_qnnpack_on_qnnpack', 'eager_ptq_qnnpack_qconfig_on_qnnpack'],
    ['compare_weights_fbgemm_on_onednn', 'eager_ptq_fbgemm_qconfig_on_onednn'],
  ] as const) {
    it(`${name}: keys, tensors and SQNR within 1e-3 dB`, () => {
      const expected = goldenCase(NS, name).expected.weights as Record<string, any>;
      // the float side is the fused float model's state dict recorded by the eager PTQ fixture
      const fused = goldenCase('workflows/eager_ptq.json', ptq).expected.fused_state_dict as Record<string, any>;
      const floatDict = Object.fromEntries(Object.entries(fused).map(([k, v]) => [k, tensorFromGolden(v)]));
      const result = compareWeights(floatDict, quantizedDict(expected));
      expect(Object.keys(result)).toEqual(Object.keys(expected));
      for (const [key, e] of Object.entries(expected)) {
        expectTensorClose(result[key]!.float, e.float, { exact: true, label: key });
        expectQTensorEqual(result[key]!.quantized, e.quantized, { label: key });
        expect(Math.abs(computeSqnr(result[key]!.float, result[key]!.quantized) - e.sqnr), key).toBeLessThan(1e-3);
      }
    });
  }

  it('accepts PyTorch layout: _packed_params._packed_params = [weight, bias]', () => {
    const expected = goldenCase(NS, 'compare_weights_qnnpack_on_qnnpack').expected.weights as Record<string, any>;
    const w = tensorFromGolden(expected['fc._packed_params._packed_params'].quantized);
    const f = tensorFromGolden(expected['fc._packed_params._packed_params'].float);
    const result = compareWeights({ 'fc.weight': f, 'fc.bias': tensor([0]) }, { 'fc._packed_params._packed_params': [w, tensor([0])], 'fc._packed_params.dtype': 'qint8' });
    expect(Object.keys(result)).toEqual(['fc._packed_params._packed_params']);
    expect(result['fc._packed_params._packed_params']!.quantized).toBe(w);
    expect(result['fc._packed_params._packed_params']!.float).toBe(f);
  });

  it('names a state dict entry of the wrong type', () => {
    expect(() => compareWeights({ 'fc.weight': tensor([1]) }, { 'fc.weight': 3 })).toThrow(QTorchTypeError);
    expect(() => compareWeights({ 'fc.weight': tensor([1]) }, { 'fc.weight': 3 })).toThrow(/compareWeights\(\).*'fc.weight'/);
  });
});
