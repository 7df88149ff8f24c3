/** PyTorch 1.13's default observer factories, with exactly its `with_args` arguments. */
import { float32, perChannelAffineFloatQparams, perChannelSymmetric, perTensorSymmetric, qint8, quint4x2, quint8 } from '@qtorch/qtensor';
import { type Factory, makeFactory } from './base.js';
import { HistogramObserver } from './histogram.js';
import { MinMaxObserver } from './minmax.js';
import { PerChannelMinMaxObserver } from './per_channel.js';
import { FixedQParamsObserver, NoopObserver, PlaceholderObserver, RecordingObserver } from './simple.js';
import { ReuseInputObserver } from './reuse_input.js';

// Restrict activations to 0..127 (x86 `vpmaddubsw` must not overflow)
/** `MinMaxObserver.with_args(quant_min=0, quant_max=127)`. */
export const defaultObserver: Factory<MinMaxObserver> = MinMaxObserver.withArgs({ quantMin: 0, quantMax: 127 });
/** `PlaceholderObserver` (float32). */
export const defaultPlaceholderObserver: Factory<PlaceholderObserver> = makeFactory(PlaceholderObserver);
/** `RecordingObserver`. */
export const defaultDebugObserver: Factory<RecordingObserver> = makeFactory(RecordingObserver);
/** Per-tensor symmetric qint8 weights. */
export const defaultWeightObserver: Factory<MinMaxObserver> = MinMaxObserver.withArgs({ dtype: qint8, qscheme: perTensorSymmetric });
/** qint8 symmetric -127..127 weights with eps 2^-12 (qnnpack's symmetric kernels). */
export const weightObserverRangeNeg127To127: Factory<MinMaxObserver> = MinMaxObserver.withArgs({
  dtype: qint8, qscheme: perTensorSymmetric, quantMin: -127, quantMax: 127, eps: 2 ** -12,
});
/** `HistogramObserver.with_args(quant_min=0, quant_max=127)`. */
export const defaultHistogramObserver: Factory<HistogramObserver> = HistogramObserver.withArgs({ quantMin: 0, quantMax: 127 });
/** Per-channel symmetric qint8 weights. */
export const defaultPerChannelWeightObserver: Factory<PerChannelMinMaxObserver> = PerChannelMinMaxObserver.withArgs({
  dtype: qint8, qscheme: perChannelSymmetric,
});
/** Per-channel symmetric -127..127 weights with eps 2^-12. */
export const perChannelWeightObserverRangeNeg127To127: Factory<PerChannelMinMaxObserver> = PerChannelMinMaxObserver.withArgs({
  dtype: qint8, qscheme: perChannelSymmetric, quantMin: -127, quantMax: 127, eps: 2 ** -12,
});
/** Dynamic quantization of activations: a quint8 placeholder computed at run time. */
export const defaultDynamicQuantObserver: Factory<PlaceholderObserver> = PlaceholderObserver.withArgs({ dtype: quint8, computeDtype: quint8 });
/** Embedding weights: per-row float qparams, quint8. */
export const defaultFloatQparamsObserver: Factory<PerChannelMinMaxObserver> = PerChannelMinMaxObserver.withArgs({
  dtype: quint8, qscheme: perChannelAffineFloatQparams, chAxis: 0,
});
/** Embedding weights: per-row float qparams, 4 bit. */
export const defaultFloatQparamsObserver4bit: Factory<PerChannelMinMaxObserver> = PerChannelMinMaxObserver.withArgs({
  dtype: quint4x2, qscheme: perChannelAffineFloatQparams, chAxis: 0,
});
/** Outputs in [-1, 1] (tanh): scale 2/256, zero point 128. */
export const defaultFixedQparamsRangeNeg1To1Observer: Factory<FixedQParamsObserver> = FixedQParamsObserver.withArgs({
  scale: 2.0 / 256.0, zeroPoint: 128, dtype: quint8, quantMin: 0, quantMax: 255,
});
/** Outputs in [0, 1] (sigmoid): scale 1/256, zero point 0. */
export const defaultFixedQparamsRange0To1Observer: Factory<FixedQParamsObserver> = FixedQParamsObserver.withArgs({
  scale: 1.0 / 256.0, zeroPoint: 0, dtype: quint8, quantMin: 0, quantMax: 255,
});
/** Alias of the [-1, 1] fixed observer. */
export const defaultSymmetricFixedQparamsObserver = defaultFixedQparamsRangeNeg1To1Observer;
/** Alias of the [0, 1] fixed observer. */
export const defaultAffineFixedQparamsObserver = defaultFixedQparamsRange0To1Observer;
/** `ReuseInputObserver` (FX: reuse the input's observer, e.g. for reshape). */
export const defaultReuseInputObserver: Factory<ReuseInputObserver> = makeFactory(ReuseInputObserver);
/** `NoopObserver` with float32 (embedding activations in QAT). */
export const defaultNoopFloat32Observer: Factory<NoopObserver> = NoopObserver.withArgs({ dtype: float32 });
