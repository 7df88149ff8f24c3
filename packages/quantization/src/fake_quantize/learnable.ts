/**
 * `LearnableFakeQuantize` (PyTorch's `_LearnableFakeQuantize`, LSQ): scale and zero point are
 * trainable tensors; in static mode they are estimated by the observer, in learning mode they
 * get gradients from `_fake_quantize_learnable_per_{tensor,channel}_affine`.
 */
import {
  assertTensor, checkOptions, type Tensor, QTorchValueError, _fakeQuantizeLearnablePerChannelAffine, _fakeQuantizeLearnablePerTensorAffine, float32, fromValues,
  int64, uint8,
} from '@qtorch/qtensor';
import { MovingAverageMinMaxObserver } from '../observer/minmax.js';
import { FLOAT32_EPS, roundHalfEven } from '../observer/qparams.js';
import type { Args } from '../observer/base.js';
import { FakeQuantizeBase } from './base.js';
import { type ObserverSpec, buildObserver } from './fake_quantize.js';
import type { ObserverBase } from '../observer/base.js';

/** Options of `LearnableFakeQuantize`. */
export interface LearnableFakeQuantizeOptions extends Args {
  /** Observer class or factory that initialises scale and zero point (default MovingAverageMinMaxObserver). */
  observer?: ObserverSpec;
  /** Smallest quantized integer (default 0). */
  quantMin?: number;
  /** Largest quantized integer (default 255). */
  quantMax?: number;
  /** Initial scale (default 1). */
  scale?: number;
  /** Initial zero point (default 0). */
  zeroPoint?: number;
  /** Number of channels (-1: per-tensor). */
  channelLen?: number;
  /** Scale gradients by 1 / sqrt(numel * quant_max) (LSQ). */
  useGradScaling?: boolean;
}

/** Fake quantization with learnable scale and zero point (LSQ). */
export class LearnableFakeQuantize extends FakeQuantizeBase {
  /** The observer (PyTorch's attribute name; `activationPostProcess` is the camelCase alias). */
  declare activation_post_process: ObserverBase;

  /** The observer: the child module `activation_post_process` (one object, one state-dict entry). */
  get activationPostProcess(): ObserverBase {
    return this.activation_post_process;
  }
  /** Smallest quantized integer. */
  quantMin: number;
  /** Largest quantized integer. */
  quantMax: number;
  /** Whether gradients are scaled by 1 / sqrt(numel * quant_max) (LSQ). */
  useGradScaling: boolean;
  /** Trainable scale (float32, requiresGrad while learning). */
  scale: Tensor;
  /** Trainable float zero point. */
  zeroPoint: Tensor;
  /** Channel axis of per-channel quantization (-1 for per-tensor). */
  chAxis: number;
  /** The observer's quantization scheme. */
  qscheme: string;

  /** @param opts - `observer`, `quantMin`, `quantMax`, `useGradScaling` and any observer keyword (torch.ao.quantization._LearnableFakeQuantize). */
  constructor(opts: LearnableFakeQuantizeOptions = {}) {
    checkOptions(opts, new.target.name);
    const {
      observer = MovingAverageMinMaxObserver, quantMin = 0, quantMax = 255, scale = 1, zeroPoint = 0, channelLen = -1,
      useGradScaling = false, ...rest
    } = opts;
    if (!(quantMin < quantMax)) throw new QTorchValueError(`LearnableFakeQuantize(): quant_min must be strictly less than quant_max, got ${quantMin} and ${quantMax}`);
    const obs = buildObserver(observer, { ...rest, quantMin, quantMax });
    super({ dtype: obs.dtype });
    this.registerModule('activation_post_process', obs);
    this.quantMin = quantMin;
    this.quantMax = quantMax;
    this.useGradScaling = useGradScaling;
    if (channelLen !== -1 && !(Number.isInteger(channelLen) && channelLen > 0)) {
      throw new QTorchValueError(`LearnableFakeQuantize(): Channel size must be a positive integer, got ${channelLen}`);
    }
    const n = channelLen === -1 ? 1 : channelLen;
    this.scale = fromValues(new Array(n).fill(scale), [n], float32);
    this.zeroPoint = fromValues(new Array(n).fill(zeroPoint), [n], float32);
    this.qscheme = (obs as unknown as { qscheme: string }).qscheme;
    this.chAxis = 'chAxis' in obs ? (obs as unknown as { chAxis: number }).chAxis : -1;
    // PyTorch's names: static_enabled is the observer switch, learning_enabled the LSQ switch
    this.setBuffer('static_enabled', fromValues([1], [1], uint8));
    this.setBuffer('learning_enabled', fromValues([0], [1], uint8));
    this.setBuffer('eps', fromValues([FLOAT32_EPS], [1], float32));
  }

  /** Observer switch (`static_enabled`). */
  override enableObserver(enabled = true): this {
    this.buffer('static_enabled').data[0] = enabled ? 1 : 0;
    return this;
  }

  /** Turns scale / zero-point learning on or off. */
  toggleQparamLearning(enabled = true): this {
    this.buffer('learning_enabled').data[0] = enabled ? 1 : 0;
    this.scale.requiresGrad = enabled;
    this.zeroPoint.requiresGrad = enabled;
    return this;
  }

  /** Learn qparams by gradient descent (observer off, fake quant on). */
  enableParamLearning(): this {
    return this.toggleQparamLearning(true).enableFakeQuant(true).enableObserver(false);
  }

  /** Estimate qparams with the observer (learning off, fake quant on). */
  enableStaticEstimate(): this {
    return this.toggleQparamLearning(false).enableFakeQuant(true).enableObserver(true);
  }

  /** Only observe (learning and fake quant off). */
  enableStaticObservation(): this {
    return this.toggleQparamLearning(false).enableFakeQuant(false).enableObserver(true);
  }

  private clampScale(): void {
    const eps = this.buffer('eps').item();
    const d = this.scale.data as Float32Array;
    for (let i = 0; i < d.length; i++) if (d[i]! < eps) d[i] = eps;
  }

  /** `[scale, round(clamp(zeroPoint))]` (int64 zero points). */
  override calculateQparams(): [Tensor, Tensor] {
    this.clampScale();
    const zp = Array.from(this.zeroPoint.values() as ArrayLike<number>, (v: number) => Math.min(Math.max(roundHalfEven(v), this.quantMin), this.quantMax));
    return [this.scale.detach(), fromValues(zp, [zp.length], int64)];
  }

  override forward(x: Tensor): Tensor {
    assertTensor(x, `${this.constructor.name}.forward`);
    if (this.buffer('static_enabled').data[0] === 1) {
      this.activationPostProcess.forward(x.detach());
      const [s, zp] = this.activationPostProcess.calculateQparams();
      (this.scale.data as Float32Array).set(s.values());
      (this.zeroPoint.data as Float32Array).set(zp.values());
    } else {
      this.clampScale();
    }
    if (!this.fakeQuantOn) return x;
    if (this.qscheme === 'per_channel_symmetric' || this.qscheme === 'per_tensor_symmetric') (this.zeroPoint.data as Float32Array).fill(0);
    const gradFactor: number = this.useGradScaling ? 1 / Math.sqrt(x.numel() * this.quantMax) : 1;
    if (this.qscheme === 'per_channel_symmetric' || this.qscheme === 'per_channel_affine') {
      return _fakeQuantizeLearnablePerChannelAffine(x, this.scale, this.zeroPoint, this.chAxis, this.quantMin, this.quantMax, gradFactor);
    }
    return _fakeQuantizeLearnablePerTensorAffine(x, this.scale, this.zeroPoint, this.quantMin, this.quantMax, gradFactor);
  }
}
