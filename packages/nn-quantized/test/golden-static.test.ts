// Static quantized modules built from PyTorch 1.13's recorded weights and qparams reproduce its
// integer outputs exactly: golden area E (ops/linear.json, conv1d/2d/3d.json, per engine) and
// area F (workflows/eager_ptq.json: Quantize, Conv2d(+ReLU), QFunctional.add, Linear, DeQuantize).
import { describe, expect, it } from 'vitest';
import { type Engine, type Tensor, quantizePerChannel, quantizedAdaptiveAvgPool2d, quantizedRelu, quint4x2, quint8, withEngine } from '@qtorch/qtensor';
import {
  type GoldenCase, expectQTensorEqual, expectTensorClose, loadGolden, tensorFromGolden,
} from '../../../tools/testing/src/index.js';
import { casesFor } from '../../../tools/conformance/src/golden_engines.js';
import {
  BatchNorm2d, BatchNorm3d, Conv1d, Conv2d, Conv3d, DeQuantize, Embedding, GroupNorm, InstanceNorm2d, LayerNorm, Linear, QFunctional, Quantize,
} from '../src/index.js';

const ENGINES: Engine[] = ['qnnpack', 'fbgemm'];
const t = (c: GoldenCase, k: string): Tensor => tensorFromGolden(c.inputs[k]);
const opt = (c: GoldenCase, k: string): Tensor | null => (c.inputs[k] ? t(c, k) : null);

describe('quantized Linear vs golden ops/linear.json', () => {
  for (const engine of ENGINES) {
    for (const c of casesFor('ops/linear.json', engine).filter((k) => k.op === 'quantized::linear')) {
      it(`${c.name} on ${engine}`, () => withEngine(engine, () => {
        const w = t(c, 'w'), b = opt(c, 'b');
        const run = (): Tensor => {
          const m = new Linear(w.shape[1]!, w.shape[0]!, { bias: b !== null });
          m.setWeightBias(w, b);
          m.scale = c.args.out_scale;
          m.zeroPoint = c.args.out_zero_point;
          return m.call(t(c, 'x'));
        };
        if (c.expected.error !== undefined) expect(run).toThrow();
        else expectQTensorEqual(run(), c.expected.y, { label: c.name });
      }));
    }
  }
});

const CONVS = { 1: Conv1d, 2: Conv2d, 3: Conv3d } as const;

describe('quantized Conv1d/2d/3d vs golden ops/conv*.json', () => {
  for (const d of [1, 2, 3] as const) {
    for (const engine of ENGINES) {
      const cases = casesFor(`ops/conv${d}d.json`, engine).filter((k) => k.op === `torch.ao.nn.quantized.functional.conv${d}d`);
      for (const c of cases) {
        it(`${c.name} on ${engine}`, () => withEngine(engine, () => {
          const w = t(c, 'w'), b = opt(c, 'b'), a = c.args;
          const m = new CONVS[d](w.shape[1]! * a.groups, w.shape[0]!, w.shape.slice(2), {
            stride: a.stride, padding: a.padding, dilation: a.dilation, groups: a.groups, bias: b !== null,
          });
          m.setWeightBias(w, b);
          m.scale = a.out_scale;
          m.zeroPoint = a.out_zero_point;
          expectQTensorEqual(m.call(t(c, 'x')), c.expected.y, { label: c.name });
        }));
      }
    }
  }
});

/** A quantized module spec of eager_ptq.json as a Conv2d (geometry, weight, bias, qparams). */
function convFrom(spec: Record<string, any>): Conv2d {
  const m = new Conv2d(spec.in_channels, spec.out_channels, spec.kernel_size, {
    stride: spec.stride, padding: spec.padding, dilation: spec.dilation, groups: spec.groups, bias: spec.bias !== null,
  });
  m.setWeightBias(tensorFromGolden(spec.weight), spec.bias ? tensorFromGolden(spec.bias) : null);
  [m.scale, m.zeroPoint] = [spec.scale, spec.zero_point];
  return m;
}

describe('eager PTQ SmallCNN modules vs golden workflows/eager_ptq.json', () => {
  for (const c of loadGolden('workflows/eager_ptq.json').cases) {
    const engine: Engine = c.args.engine === 'qnnpack' ? 'qnnpack' : 'fbgemm';
    it(`${c.name} on ${engine}`, () => withEngine(engine, () => {
      const mods = c.expected.quantized_modules, outs = c.expected.module_outputs;
      const out = (k: string): Tensor => tensorFromGolden(outs[k]);
      const quant = new Quantize(mods.quant.scale, mods.quant.zero_point, quint8);
      const xq = quant.call(tensorFromGolden(c.inputs.test_input));
      expectQTensorEqual(xq, outs.quant, { label: 'quant' });
      // ConvReLU2d == Conv2d then ReLU with the same output qparams (the fused clamp at zp)
      expectQTensorEqual(quantizedRelu(convFrom(mods.conv1).call(xq)), outs.conv1, { label: 'conv1' });
      expectQTensorEqual(quantizedRelu(convFrom(mods.conv2).call(out('relu1'))), outs.conv2, { label: 'conv2' });
      const skip = new QFunctional();
      [skip.scale, skip.zeroPoint] = [mods.skip_add.scale, mods.skip_add.zero_point];
      expectQTensorEqual(skip.add(out('relu1'), out('relu2')), outs['skip_add.add'], { label: 'skip_add.add' });
      const pooled = quantizedAdaptiveAvgPool2d(out('skip_add.add'), 1);
      expectQTensorEqual(pooled, outs.pool, { label: 'pool' });
      const fc = new Linear(mods.fc.in_features, mods.fc.out_features);
      fc.setWeightBias(tensorFromGolden(mods.fc.weight), tensorFromGolden(mods.fc.bias));
      [fc.scale, fc.zeroPoint] = [mods.fc.scale, mods.fc.zero_point];
      const y = fc.call(out('pool').reshape([out('pool').shape[0]!, -1]));
      expectQTensorEqual(y, outs.fc, { label: 'fc' });
      expectTensorClose(new DeQuantize().call(y), c.expected.output, { exact: true, label: 'dequant' });
    }));
  }
});

describe('quantized norm modules vs golden ops/norms.json (exact)', () => {
  const BN = { 'quantized::batch_norm2d': BatchNorm2d, 'quantized::batch_norm3d': BatchNorm3d } as const;
  for (const engine of ENGINES) {
    for (const c of casesFor('ops/norms.json', engine)) {
      const a = c.args;
      const build = (): { call(x: Tensor): Tensor } | null => {
        const w = t(c, 'weight'), b = t(c, 'bias');
        if (c.op in BN) {
          const m = new BN[c.op as keyof typeof BN](w.shape[0]!, { eps: a.eps });
          m.weight!.data.set(w.values());
          m.bias!.data.set(b.values());
          m.running_mean = t(c, 'running_mean');
          m.running_var = t(c, 'running_var');
          [m.scale, m.zeroPoint] = [a.out_scale, a.out_zero_point];
          return m;
        }
        if (c.op === 'quantized::layer_norm') return new LayerNorm(a.normalized_shape, w, b, a.out_scale, a.out_zero_point, { eps: a.eps });
        if (c.op === 'quantized::group_norm') return new GroupNorm(a.num_groups, w.shape[0]!, w, b, a.out_scale, a.out_zero_point, { eps: a.eps });
        if (c.op === 'quantized::instance_norm') return new InstanceNorm2d(w.shape[0]!, w, b, a.out_scale, a.out_zero_point, { eps: a.eps, affine: true });
        return null;
      };
      if (!build()) continue;
      it(`${c.name} on ${engine}`, () => withEngine(engine, () => expectQTensorEqual(build()!.call(t(c, 'x')), c.expected.y, { label: c.name })));
    }
  }
});

describe('quantized Embedding vs golden ops/embedding.json (exact)', () => {
  for (const engine of ENGINES) {
    for (const c of casesFor('ops/embedding.json', engine).filter((k) => k.op === 'quantized::embedding_byte' || k.op === 'quantized::embedding_4bit')) {
      it(`${c.name} on ${engine}`, () => withEngine(engine, () => {
        const qw = c.op === 'quantized::embedding_byte'
          ? t(c, 'qweight')
          : quantizePerChannel(t(c, 'weight'), t(c, 'observer_scales'), t(c, 'observer_zero_points'), 0, quint4x2);
        const m = new Embedding(qw.shape[0]!, qw.shape[1]!, { _weight: qw, dtype: qw.dtype });
        expectTensorClose(m.call(t(c, 'indices')), c.expected.y, { exact: true, label: c.name });
      }));
    }
  }
});
