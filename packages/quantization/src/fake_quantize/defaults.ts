/** PyTorch 1.13's default fake-quantize factories, with exactly its `with_args` arguments. */
import { perChannelAffineFloatQparams, perChannelSymmetric, perTensorAffine, perTensorSymmetric, qint8, quint4x2, quint8 } from '@qtorch/qtensor';
import type { Factory } from '../observer/base.js';
import { defaultFixedQparamsRange0To1Observer, defaultFixedQparamsRangeNeg1To1Observer } from '../observer/defaults.js';
import { HistogramObserver } from '../observer/histogram.js';
import { MovingAverageMinMaxObserver } from '../observer/minmax.js';
import { MovingAveragePerChannelMinMaxObserver } from '../observer/per_channel.js';
import { FakeQuantize, FixedQParamsFakeQuantize } from './fake_quantize.js';
import { FusedMovingAvgObsFakeQuantize } from './fused.js';

/** Activations: moving-average quint8, 0..255 halved by reduce_range to 0..127. */
export const defaultFakeQuant: Factory<FakeQuantize> = FakeQuantize.withArgs({
  observer: MovingAverageMinMaxObserver, quantMin: 0, quantMax: 255, dtype: quint8, qscheme: perTensorAffine, reduceRange: true,
});
/** Weights: moving-average qint8 per-tensor symmetric. */
export const defaultWeightFakeQuant: Factory<FakeQuantize> = FakeQuantize.withArgs({
  observer: MovingAverageMinMaxObserver, quantMin: -128, quantMax: 127, dtype: qint8, qscheme: perTensorSymmetric, reduceRange: false,
});
/** Dynamic activations: the latest range only (averaging constant 1). */
export const defaultDynamicFakeQuant: Factory<FakeQuantize> = FakeQuantize.withArgs({
  observer: MovingAverageMinMaxObserver, quantMin: 0, quantMax: 255, dtype: quint8, averagingConstant: 1,
});
/** Fixed qparams for outputs in [-1, 1]. */
export const defaultFixedQparamsRangeNeg1To1FakeQuant: Factory<FixedQParamsFakeQuantize> = FixedQParamsFakeQuantize.withArgs({
  observer: defaultFixedQparamsRangeNeg1To1Observer,
});
/** Fixed qparams for outputs in [0, 1]. */
export const defaultFixedQparamsRange0To1FakeQuant: Factory<FixedQParamsFakeQuantize> = FixedQParamsFakeQuantize.withArgs({
  observer: defaultFixedQparamsRange0To1Observer,
});
/** Alias of the [-1, 1] fixed fake quant. */
export const defaultSymmetricFixedQparamsFakeQuant = defaultFixedQparamsRangeNeg1To1FakeQuant;
/** Alias of the [0, 1] fixed fake quant. */
export const defaultAffineFixedQparamsFakeQuant = defaultFixedQparamsRange0To1FakeQuant;
/** Weights: per-channel (axis 0) symmetric qint8. */
export const defaultPerChannelWeightFakeQuant: Factory<FakeQuantize> = FakeQuantize.withArgs({
  observer: MovingAveragePerChannelMinMaxObserver, quantMin: -128, quantMax: 127, dtype: qint8, qscheme: perChannelSymmetric,
  reduceRange: false, chAxis: 0,
});
/** Embedding weights: per-row float qparams, quint8. */
export const defaultEmbeddingFakeQuant: Factory<FakeQuantize> = FakeQuantize.withArgs({
  observer: MovingAveragePerChannelMinMaxObserver, qscheme: perChannelAffineFloatQparams, dtype: quint8, quantMin: 0, quantMax: 255,
  chAxis: 0, averagingConstant: 1,
});
/** Embedding weights: per-row float qparams, 4 bit. */
export const defaultEmbeddingFakeQuant4bit: Factory<FakeQuantize> = FakeQuantize.withArgs({
  observer: MovingAveragePerChannelMinMaxObserver, qscheme: perChannelAffineFloatQparams, chAxis: 0, dtype: quint4x2, averagingConstant: 1,
});
/** Activations observed by a histogram. */
export const defaultHistogramFakeQuant: Factory<FakeQuantize> = FakeQuantize.withArgs({
  observer: HistogramObserver, quantMin: 0, quantMax: 255, dtype: quint8, qscheme: perTensorAffine, reduceRange: true,
});
/** QAT activations (fused kernel). */
export const defaultFusedActFakeQuant: Factory<FusedMovingAvgObsFakeQuantize> = FusedMovingAvgObsFakeQuantize.withArgs({
  observer: MovingAverageMinMaxObserver, quantMin: 0, quantMax: 255, dtype: quint8,
});
/** QAT weights (fused kernel), per-tensor symmetric. */
export const defaultFusedWtFakeQuant: Factory<FusedMovingAvgObsFakeQuantize> = FusedMovingAvgObsFakeQuantize.withArgs({
  observer: MovingAverageMinMaxObserver, quantMin: -128, quantMax: 127, dtype: qint8, qscheme: perTensorSymmetric,
});
/** QAT weights (fused kernel), per-channel symmetric. */
export const defaultFusedPerChannelWtFakeQuant: Factory<FusedMovingAvgObsFakeQuantize> = FusedMovingAvgObsFakeQuantize.withArgs({
  observer: MovingAveragePerChannelMinMaxObserver, quantMin: -128, quantMax: 127, dtype: qint8, qscheme: perChannelSymmetric,
});
/** QAT weights restricted to -127..127 with eps 2^-12 (qnnpack symmetric). */
export const fusedWtFakeQuantRangeNeg127To127: Factory<FusedMovingAvgObsFakeQuantize> = FusedMovingAvgObsFakeQuantize.withArgs({
  observer: MovingAverageMinMaxObserver, quantMin: -127, quantMax: 127, dtype: qint8, qscheme: perTensorSymmetric, eps: 2 ** -12,
});
/** Per-channel QAT weights restricted to -127..127 with eps 2^-12. */
export const fusedPerChannelWtFakeQuantRangeNeg127To127: Factory<FusedMovingAvgObsFakeQuantize> = FusedMovingAvgObsFakeQuantize.withArgs({
  observer: MovingAveragePerChannelMinMaxObserver, quantMin: -127, quantMax: 127, dtype: qint8, qscheme: perChannelSymmetric, eps: 2 ** -12,
});
