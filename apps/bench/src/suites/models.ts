/**
 * Whole small models, int8 vs float: a ResNet-like and a MobileNetV2-like classifier (models/arch.ts)
 * on a (1, 3, 112, 112) input, built from @qtorch/nn modules and quantized by eager post-training
 * quantization per engine. The PyTorch peer builds and quantizes the same architectures.
 */
import { randn } from '@qtorch/qtensor';
import { seed } from '../fixtures.js';
import { ARCHS, archOps } from '../models/arch.js';
import { calibrationInputs, floatModel, quantizedModel } from '../models/build.js';
import type { ModelSpec } from '../specs.js';
import { floatRow, quantizedRows } from './rows.js';
import type { Suite } from './types.js';

const NAMES = { resnet: 'ResNet-like', mobilenetv2: 'MobileNetV2-like' } as const;

export const modelsSuite: Suite<ModelSpec> = {
  name: 'models',
  description: 'small ResNet-like and MobileNetV2-like models on (1,3,112,112), int8 (eager PTQ per engine) vs float',
  specs({ quick }) {
    const size = quick ? 16 : 112;
    return (['resnet', 'mobilenetv2'] as const).map((model) => ({
      suite: 'models', kind: 'model', model, size, arch: ARCHS[model], case: `${NAMES[model]} (1,3,${size},${size})`,
      ops: archOps(ARCHS[model], size), dtypes: ['int8', 'fp32'],
    }));
  },
  ours(s, ctx) {
    seed();
    const x = randn([1, 3, s.size, s.size]);
    const calibration = calibrationInputs(s.size);
    const fm = floatModel(s.arch);
    // the convs dominate: label by the kernel source of quantized::conv2d
    return [
      ...quantizedRows(s, ctx, 'quantized::conv2d', (engine) => {
        const qm = quantizedModel(fm, engine, calibration);
        return () => qm.call(x);
      }),
      ...floatRow(s, () => fm.call(x)),
    ];
  },
};
