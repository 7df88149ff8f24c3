/**
 * `QConfig` / `QConfigDynamic` (factories for the activation and weight observers), PyTorch
 * 1.13's named qconfigs and the per-backend `getDefaultQconfig` / `getDefaultQatQconfig`.
 */
import { QTorchTypeError, QTorchValueError, describeValue, float16, float32, qint8 } from '@qtorch/qtensor';
import { type Factory, makeFactory } from '../observer/base.js';
import { ModuleBase } from '../observer/module_base.js';
import { Identity } from '@qtorch/nn';
import {
  defaultDebugObserver, defaultDynamicQuantObserver, defaultFloatQparamsObserver, defaultFloatQparamsObserver4bit, defaultObserver,
  defaultPerChannelWeightObserver, defaultPlaceholderObserver, defaultReuseInputObserver, defaultWeightObserver,
  perChannelWeightObserverRangeNeg127To127, weightObserverRangeNeg127To127,
} from '../observer/defaults.js';
import { HistogramObserver } from '../observer/histogram.js';
import { MovingAverageMinMaxObserver } from '../observer/minmax.js';
import { NoopObserver, PlaceholderObserver } from '../observer/simple.js';
import {
  defaultDynamicFakeQuant, defaultFakeQuant, defaultFusedActFakeQuant, defaultFusedPerChannelWtFakeQuant, defaultFusedWtFakeQuant,
  defaultEmbeddingFakeQuant, defaultEmbeddingFakeQuant4bit, defaultPerChannelWeightFakeQuant, defaultWeightFakeQuant,
  fusedPerChannelWtFakeQuantRangeNeg127To127, fusedWtFakeQuantRangeNeg127To127,
} from '../fake_quantize/defaults.js';
import { FakeQuantize } from '../fake_quantize/fake_quantize.js';
import { FusedMovingAvgObsFakeQuantize } from '../fake_quantize/fused.js';

/** Anything that builds an observer-like module when called. */
export type ObserverFactory = Factory<unknown> | (() => unknown);

function checkFactories(activation: unknown, weight: unknown): void {
  for (const [what, f] of [['activation', activation], ['weight', weight]] as const) {
    // a plain-JS caller may pass an options object or a number here; an instance is caught below
    if (typeof f !== 'function' && !(f instanceof ModuleBase)) {
      throw new QTorchTypeError(`QConfig(): expected ${what} to be an observer factory (a class or Observer.withArgs({...})), got ${describeValue(f)}`);
    }
  }
  if (activation instanceof ModuleBase || weight instanceof ModuleBase) {
    throw new QTorchValueError(
      'QConfig received observer instance, please pass observer class instead. Use MyObserver.with_args(x=1) to override arguments to constructor if needed',
    );
  }
}

/** How to observe a layer's activations and weights: two factories (never instances). */
export class QConfig {
  /**
   * @param activation - Factory of the activation observer / fake quantizer.
   * @param weight - Factory of the weight observer / fake quantizer.
   * @throws QTorchTypeError when given observer instances instead of factories.
   */
  constructor(
    /** Builds the activation observer / fake quantizer. */
    readonly activation: ObserverFactory,
    /** Builds the weight observer / fake quantizer. */
    readonly weight: ObserverFactory,
  ) {
    checkFactories(activation, weight);
  }
}

/** Deprecated dynamic-quantization config (use `QConfig`); activation defaults to identity. */
export class QConfigDynamic {
  /**
   * @param activation - Factory of the activation observer (identity in the default dynamic configs).
   * @param weight - Factory of the weight observer.
   * @throws QTorchTypeError when given observer instances instead of factories.
   */
  constructor(readonly activation: ObserverFactory, readonly weight: ObserverFactory) {
    checkFactories(activation, weight);
  }
}

/** Static quantization with MinMax observers. */
export const defaultQconfig = new QConfig(defaultObserver, defaultWeightObserver);
/** Records activations (debugging). */
export const defaultDebugQconfig = new QConfig(defaultDebugObserver, defaultWeightObserver);
/** Per-channel weights. */
export const defaultPerChannelQconfig = new QConfig(defaultObserver, defaultPerChannelWeightObserver);
/** Dynamic quantization (qint8 weights, activations quantized at run time). */
export const defaultDynamicQconfig = new QConfig(defaultDynamicQuantObserver, defaultWeightObserver);
/** float16 dynamic quantization. */
export const float16DynamicQconfig = new QConfig(
  PlaceholderObserver.withArgs({ dtype: float16, computeDtype: float16 }), PlaceholderObserver.withArgs({ dtype: float16 }),
);
/** float16 static quantization. */
export const float16StaticQconfig = new QConfig(PlaceholderObserver.withArgs({ dtype: float16 }), PlaceholderObserver.withArgs({ dtype: float16 }));
/** Dynamic quantization with per-channel weights. */
export const perChannelDynamicQconfig = new QConfig(defaultDynamicQuantObserver, defaultPerChannelWeightObserver);
/** Weight-only embedding quantization (float qparams). */
export const floatQparamsWeightOnlyQconfig = new QConfig(defaultPlaceholderObserver, defaultFloatQparamsObserver);
/** Weight-only 4-bit embedding quantization. */
export const floatQparamsWeightOnlyQconfig4bit = new QConfig(defaultPlaceholderObserver, defaultFloatQparamsObserver4bit);
/** QAT with FakeQuantize modules. */
export const defaultQatQconfig = new QConfig(defaultFakeQuant, defaultWeightFakeQuant);
/** QAT for dynamic quantization. */
export const defaultDynamicQatQconfig = new QConfig(defaultDynamicFakeQuant, defaultWeightFakeQuant);
/** QAT with the fused observer + fake quant kernel. */
export const defaultQatQconfigV2 = new QConfig(defaultFusedActFakeQuant, defaultFusedWtFakeQuant);
/** FX: outputs reuse the input's observer. */
export const defaultReuseInputQconfig = new QConfig(defaultReuseInputObserver, makeFactory(NoopObserver));

/** Fake-quantize weights only (activations pass through an Identity). */
export const defaultWeightOnlyQconfig = new QConfig(makeFactory(Identity), defaultWeightFakeQuant);

/** Fake-quantize activations only (weights pass through an Identity). */
export const defaultActivationOnlyQconfig = new QConfig(defaultFakeQuant, makeFactory(Identity));

// qnnpack's symmetric kernels: qint8 activations, weights in -127..127, scales at least 2^-12
const symmetricActivation = HistogramObserver.withArgs({ dtype: qint8, reduceRange: false, eps: 2 ** -12 });
const symmetricQatActivation = FusedMovingAvgObsFakeQuantize.withArgs({
  observer: MovingAverageMinMaxObserver, quantMin: -128, quantMax: 127, dtype: qint8, reduceRange: false, eps: 2 ** -12,
});
/** qnnpack symmetric static quantization. */
export const defaultSymmetricQnnpackQconfig = new QConfig(symmetricActivation, weightObserverRangeNeg127To127);
/** qnnpack symmetric static quantization, per-channel weights. */
export const defaultPerChannelSymmetricQnnpackQconfig = new QConfig(symmetricActivation, perChannelWeightObserverRangeNeg127To127);
/** qnnpack symmetric QAT. */
export const defaultSymmetricQnnpackQatQconfig = new QConfig(symmetricQatActivation, fusedWtFakeQuantRangeNeg127To127);
/** qnnpack symmetric QAT, per-channel weights. */
export const defaultPerChannelSymmetricQnnpackQatQconfig = new QConfig(symmetricQatActivation, fusedPerChannelWtFakeQuantRangeNeg127To127);
/** QAT of embeddings (float activations, float-qparams weights). */
export const defaultEmbeddingQatQconfig = new QConfig(NoopObserver.withArgs({ dtype: float32 }), defaultEmbeddingFakeQuant);
/** QAT of 4-bit embeddings. */
export const defaultEmbeddingQatQconfig4bit = new QConfig(NoopObserver.withArgs({ dtype: float32 }), defaultEmbeddingFakeQuant4bit);

/** Backends with default qconfigs. */
export type QuantizedBackend = 'fbgemm' | 'x86' | 'qnnpack' | 'onednn';

// fbgemm / x86 kernels use vpmaddubsw: activations need reduce_range (0..127) to avoid overflow
const reducesRange = (backend: string): boolean => backend === 'fbgemm' || backend === 'x86';

/**
 * PyTorch's `get_default_qconfig(backend, version)`: histogram activations (reduce_range on
 * fbgemm / x86) and per-channel symmetric weights (per-tensor on qnnpack); unknown backends
 * get `defaultQconfig`.
 */
export function getDefaultQconfig(backend: string = 'x86', version = 0): QConfig {
  if (version !== 0) throw new QTorchValueError(`get_default_qconfig(): version number should be 0, got ${version}`);
  if (!['fbgemm', 'x86', 'qnnpack', 'onednn'].includes(backend)) return defaultQconfig;
  return new QConfig(
    HistogramObserver.withArgs({ reduceRange: reducesRange(backend) }),
    backend === 'qnnpack' ? defaultWeightObserver : defaultPerChannelWeightObserver,
  );
}

/**
 * PyTorch's `get_default_qat_qconfig(backend, version)`: version 1 uses the fused
 * `FusedMovingAvgObsFakeQuantize`, version 0 `FakeQuantize`; weights per-channel except qnnpack.
 */
export function getDefaultQatQconfig(backend: string = 'x86', version = 1): QConfig {
  const known = ['fbgemm', 'x86', 'qnnpack', 'onednn'].includes(backend);
  const actArgs = { observer: MovingAverageMinMaxObserver, quantMin: 0, quantMax: 255, reduceRange: reducesRange(backend) };
  const perTensorWeights = backend === 'qnnpack';
  if (version === 0) {
    if (!known) return defaultQatQconfig;
    return new QConfig(FakeQuantize.withArgs(actArgs), perTensorWeights ? defaultWeightFakeQuant : defaultPerChannelWeightFakeQuant);
  }
  if (version === 1) {
    if (!known) return defaultQatQconfigV2;
    return new QConfig(
      FusedMovingAvgObsFakeQuantize.withArgs(actArgs), perTensorWeights ? defaultFusedWtFakeQuant : defaultFusedPerChannelWtFakeQuant,
    );
  }
  throw new QTorchValueError(`get_default_qat_qconfig(): version number should be 0 or 1, got ${version}`);
}

