/**
 * `FusedMovingAvgObsFakeQuantize`: PyTorch's `fused_moving_avg_obs_fake_quant` CPU kernel: a
 * moving-average min/max update, then (only while fake quant is on) qparams from
 * `ChooseQuantizationParams` (symmetric schemes: "preserve sparsity") and fake quantization.
 */
import { assertTensor, checkOptions, type Tensor, QTorchValueError, chooseQuantizationParams, clone, int64 } from '@qtorch/qtensor';
import { aminmax } from '../observer/histogram_math.js';
import { channelMinMax, float32Values } from '../observer/float_values.js';
import { MovingAverageMinMaxObserver, movingAverage } from '../observer/minmax.js';
import { MovingAveragePerChannelMinMaxObserver } from '../observer/per_channel.js';
import { FakeQuantize, type FakeQuantizeOptions } from './fake_quantize.js';

/** Moving-average observer and fake quantize in one kernel (QAT default since 1.10). */
export class FusedMovingAvgObsFakeQuantize extends FakeQuantize {
  /** Whether the qscheme is symmetric. */
  isSymmetricQuant: boolean;

  /** @param opts - As {@link FakeQuantize}; the observer must be a moving-average min/max observer. */
  constructor(opts: FakeQuantizeOptions = {}) {
    checkOptions(opts, new.target.name);
    super({ quantMin: 0, quantMax: 255, ...opts }, int64);
    const obs = this.activationPostProcess;
    if (!(obs instanceof MovingAverageMinMaxObserver || obs instanceof MovingAveragePerChannelMinMaxObserver)) {
      throw new QTorchValueError(`FusedMovingAvgObsFakeQuantize(): Fused observer+fake_quant module only works with MovingAverageMinMaxObserver, got ${obs.constructor.name}`);
    }
    this.isSymmetricQuant = this.qscheme === 'per_tensor_symmetric' || this.qscheme === 'per_channel_symmetric';
  }

  override forward(x: Tensor): Tensor {
    assertTensor(x, `${this.constructor.name}.forward`);
    const obs = this.activationPostProcess as MovingAverageMinMaxObserver | MovingAveragePerChannelMinMaxObserver;
    const c = obs.averagingConstant;
    // the kernel resets each running value that is still infinite to the current one
    const update = (run: number, cur: number): number => (Math.abs(run) === Infinity ? cur : movingAverage(run, cur, c));
    let lo: Float32Array, hi: Float32Array;
    if (this.isPerChannel) {
      if (this.chAxis >= x.ndim) throw new QTorchValueError(`fused_moving_avg_obs_fake_quant(): ch_axis must be < self.dim(), got ${this.chAxis} for ${x.ndim}-d input`);
      const n = x.shape[this.chAxis]!;
      const prev = obs.minVal.numel() === 0 ? null : [obs.minVal.values(), obs.maxVal.values()];
      lo = prev ? Float32Array.from(prev[0]!) : new Float32Array(n).fill(Infinity);
      hi = prev ? Float32Array.from(prev[1]!) : new Float32Array(n).fill(-Infinity);
      if (this.observerOn) {
        const cur = channelMinMax(x, this.chAxis, 'fused_moving_avg_obs_fake_quant');
        for (let i = 0; i < n; i++) { lo[i] = update(lo[i]!, cur.min[i]!); hi[i] = update(hi[i]!, cur.max[i]!); }
      }
      (obs as MovingAveragePerChannelMinMaxObserver).setMinMax(lo, hi);
    } else {
      lo = Float32Array.of(obs.minVal.item());
      hi = Float32Array.of(obs.maxVal.item());
      if (this.observerOn) {
        const [curLo, curHi] = aminmax(float32Values(x, 'fused_moving_avg_obs_fake_quant'));
        lo[0] = update(lo[0]!, curLo);
        hi[0] = update(hi[0]!, curHi);
      }
      (obs as MovingAverageMinMaxObserver).setMinMax(lo[0]!, hi[0]!);
    }
    if (!this.fakeQuantOn) return clone(x);
    const scales = new Float32Array(lo.length), zps = new Float64Array(lo.length);
    for (let i = 0; i < lo.length; i++) {
      const q = chooseQuantizationParams(lo[i]!, hi[i]!, this.quantMin, this.quantMax, { preserveSparsity: this.isSymmetricQuant });
      scales[i] = q.scale;
      zps[i] = q.zeroPoint;
    }
    this.storeQparams(scales, zps);
    return this.fakeQuant(x);
  }
}
