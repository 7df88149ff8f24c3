/** `PerChannelMinMaxObserver` and `MovingAveragePerChannelMinMaxObserver`. */
import { assertTensor, checkOptions, type Tensor, QTorchValueError, float32, fromValues } from '@qtorch/qtensor';
import { channelMinMax } from './float_values.js';
import { movingAverage } from './minmax.js';
import { type UniformObserverOptions, UniformQuantizationObserverBase, isPerChannelScheme } from './uniform.js';

/** Options of the per-channel observers. */
export interface PerChannelObserverOptions extends UniformObserverOptions {
  /** The channel axis (default 0). */
  chAxis?: number;
}

/** Running min / max per channel along `chAxis`; qparams per channel. */
export class PerChannelMinMaxObserver extends UniformQuantizationObserverBase {
  /** Channel axis. */
  chAxis: number;

  /** @param opts - `chAxis` (default 0), `dtype`, `qscheme` (default per_channel_affine), `quantMin` / `quantMax`, ... */
  constructor(opts: PerChannelObserverOptions = {}) {
    checkOptions(opts, new.target.name);
    const qscheme = opts.qscheme ?? 'per_channel_affine';
    const name = new.target.name;
    if (!isPerChannelScheme(qscheme)) {
      throw new QTorchValueError(`${name}(): qscheme only supports per_channel_symmetric, per_channel_affine and per_channel_affine_float_qparams, got ${qscheme}`);
    }
    if (opts.isDynamic) throw new QTorchValueError(`${name}(): doesn't support dynamic quantization`);
    super({ ...opts, qscheme });
    this.chAxis = opts.chAxis ?? 0;
    this.setBuffer('min_val', fromValues([], [0], float32));
    this.setBuffer('max_val', fromValues([], [0], float32));
    if (this.qscheme === 'per_channel_symmetric' && this.reduceRange && this.dtype.name === 'quint8') {
      throw new QTorchValueError(`${name}(): Cannot reduce range for symmetric quantization for quint8`);
    }
  }

  /** Per-channel minimum (float32 buffer `min_val`, empty before data). */
  get minVal(): Tensor {
    return this.buffer('min_val');
  }

  /** Per-channel maximum (float32 buffer `max_val`, empty before data). */
  get maxVal(): Tensor {
    return this.buffer('max_val');
  }

  /** Records the per-channel range of `x`. */
  override forward(x: Tensor): Tensor {
    assertTensor(x, `${this.constructor.name}.forward`);
    if (x.numel() === 0) return x;
    const cur = channelMinMax(x, this.chAxis, `${this.constructor.name}.forward`);
    const lo = this.minVal.values(), hi = this.maxVal.values();
    const first = lo.length === 0 || hi.length === 0;
    const n = cur.min.length;
    const newLo = new Float32Array(n), newHi = new Float32Array(n);
    for (let c = 0; c < n; c++) {
      newLo[c] = first ? cur.min[c]! : this.combine(lo[c]!, cur.min[c]!, Math.min);
      newHi[c] = first ? cur.max[c]! : this.combine(hi[c]!, cur.max[c]!, Math.max);
    }
    this.setMinMax(newLo, newHi);
    return x;
  }

  /** Overwrites the per-channel ranges (used by the fused observer + fake-quant kernel). */
  setMinMax(lo: ArrayLike<number>, hi: ArrayLike<number>): void {
    this.writeFloatBuffer('min_val', lo, [lo.length]);
    this.writeFloatBuffer('max_val', hi, [hi.length]);
  }

  /** Running value and a new observation -> new running value (min/max here). */
  protected combine(running: number, current: number, extreme: (a: number, b: number) => number): number {
    return extreme(running, current);
  }

  /** Per-channel `[scales, zeroPoints]` (scale 1 / zero point 0 before any data). */
  override calculateQparams(): [Tensor, Tensor] {
    return this.qparamsFromMinMax(this.minVal.values(), this.maxVal.values(), false);
  }

  override extraRepr(): string {
    return `min_val=[${Array.from(this.minVal.values()).join(', ')}], max_val=[${Array.from(this.maxVal.values()).join(', ')}]`;
  }

  /** Forgets the observed ranges. */
  override resetMinMaxVals(): void {
    this.setBuffer('min_val', fromValues([], [0], float32));
    this.setBuffer('max_val', fromValues([], [0], float32));
  }
}

/** Options of `MovingAveragePerChannelMinMaxObserver`. */
export interface MovingAveragePerChannelOptions extends PerChannelObserverOptions {
  /** Weight of the newest observation (default 0.01). */
  averagingConstant?: number;
}

/** Per-channel exponential moving average of min and max. */
export class MovingAveragePerChannelMinMaxObserver extends PerChannelMinMaxObserver {
  /** Weight of the newest observation. */
  averagingConstant: number;

  /** @param opts - `averagingConstant` (default 0.01) and the PerChannelMinMaxObserver options. */
  constructor(opts: MovingAveragePerChannelOptions = {}) {
    super(opts);
    this.averagingConstant = opts.averagingConstant ?? 0.01;
  }

  protected override combine(running: number, current: number): number {
    return movingAverage(running, current, this.averagingConstant);
  }
}
