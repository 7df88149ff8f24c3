/** Dynamic QAT Linear (torch.ao.nn.qat.dynamic.Linear). */
import { checkOptions, QTorchValueError } from '@qtorch/qtensor';
import { Linear as QatLinear, type QatLinearOptions } from '../linear.js';
import { activationIsMemoryless } from '../qconfig.js';

/**
 * A QAT Linear for models that will be quantized dynamically: same forward as the QAT Linear,
 * but the qconfig's activation observer must be memoryless (averaging constant 1, e.g.
 * `defaultDynamicQatQconfig`), since dynamic quantization computes activation qparams per batch.
 * @example new Linear(16, 8, { qconfig: defaultDynamicQatQconfig })
 */
export class Linear extends QatLinear {
  /**
   * @param inFeatures - Size of each input sample.
   * @param outFeatures - Size of each output sample.
   * @param options - `qconfig` (required; its activation observer must be memoryless) and `bias`.
   */
  constructor(inFeatures: number, outFeatures: number, options: QatLinearOptions = {}) {
    checkOptions(options, new.target.name);
    super(inFeatures, outFeatures, options);
    if (!activationIsMemoryless(this.qconfig)) {
      throw new QTorchValueError(
        `${new.target.name}(): Dynamic QAT requires a memoryless observer. This means a MovingAverage observer with averaging constant equal to 1 (e.g. defaultDynamicQatQconfig)`,
      );
    }
  }
}
