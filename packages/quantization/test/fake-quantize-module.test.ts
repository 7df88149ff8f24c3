// Golden area C, fake_quantize_module.json: default fake quantizers over five steps (observe +
// fake quant x3, then disable_observer, then disable_fake_quant): y and grad_x exact, scale /
// zero point / observer min-max exact.
import { describe, expect, it } from 'vitest';
import { expectTensorClose, loadGolden, tensorFromGolden } from '@qtorch/testing';
import { type Tensor, backward, fromValues } from '@qtorch/qtensor';
import * as Q from '../src/index.js';

const FACTORIES: Record<string, () => Q.FakeQuantize> = {
  default_fake_quant: Q.defaultFakeQuant,
  default_weight_fake_quant: Q.defaultWeightFakeQuant,
  default_per_channel_weight_fake_quant: Q.defaultPerChannelWeightFakeQuant,
  default_histogram_fake_quant: Q.defaultHistogramFakeQuant,
  default_fused_act_fake_quant: Q.defaultFusedActFakeQuant,
  default_fused_wt_fake_quant: Q.defaultFusedWtFakeQuant,
  default_fused_per_channel_wt_fake_quant: Q.defaultFusedPerChannelWtFakeQuant,
  default_fixed_qparams_range_0to1_fake_quant: Q.defaultFixedQparamsRange0To1FakeQuant,
  default_fixed_qparams_range_neg1to1_fake_quant: Q.defaultFixedQparamsRangeNeg1To1FakeQuant,
  default_embedding_fake_quant: Q.defaultEmbeddingFakeQuant,
};

/** g = 0.5 + arange(numel) / numel in x's shape (float32, as the generator computed it). */
function gradWeights(shape: readonly number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return fromValues(Array.from({ length: n }, (_, i) => Math.fround(0.5 + Math.fround(i / n))), shape);
}

describe('observers/fake_quantize_module.json', () => {
  for (const c of loadGolden('observers/fake_quantize_module.json').cases) {
    it(c.name, () => {
      const fq = FACTORIES[c.name]!();
      expect(fq.constructor.name).toBe(c.args.class);
      expect([fq.quantMin, fq.quantMax, fq.dtype.name, fq.qscheme, fq.chAxis]).toEqual([c.args.quant_min, c.args.quant_max, c.args.dtype, c.args.qscheme, c.args.ch_axis]);
      const obs = fq.activationPostProcess as Q.ObserverBase & { minVal?: Tensor; maxVal?: Tensor };
      c.inputs.plan.forEach((action: string, i: number) => {
        if (action === 'disable_observer') fq.disableObserver();
        if (action === 'disable_fake_quant') fq.disableFakeQuant();
        const st = c.expected.steps[i];
        const label = `${c.name} step ${i} (${action})`;
        const x = tensorFromGolden(c.inputs.xs[i]).requiresGrad_();
        const y = fq.forward(x);
        expectTensorClose(y, st.y, { exact: true, label: `${label} y` });
        backward(y, gradWeights(x.shape));
        expectTensorClose(x.grad!, st.grad_x, { exact: true, label: `${label} grad_x` });
        expectTensorClose(fq.scale, st.scale, { exact: true, label: `${label} scale` });
        expectTensorClose(fq.zeroPoint, st.zero_point, { exact: true, label: `${label} zero_point` });
        if (st.min_val) expectTensorClose(obs.minVal!, st.min_val, { exact: true, label: `${label} min_val` });
        if (st.max_val) expectTensorClose(obs.maxVal!, st.max_val, { exact: true, label: `${label} max_val` });
      });
    });
  }
});

describe('FakeQuantize as a Module', () => {
  it('has one observer child and PyTorch state-dict keys', async () => {
    const { FakeQuantize } = await import('../src/index.js');
    const fq = new FakeQuantize();
    expect(fq.namedChildren().map(([n]) => n)).toEqual(['activation_post_process']);
    expect(Object.keys(fq.stateDict()).sort()).toEqual(
      ['activation_post_process.eps', 'activation_post_process.max_val', 'activation_post_process.min_val', 'fake_quant_enabled', 'observer_enabled', 'scale', 'zero_point'].sort(),
    );
  });
});
