/** `MinMaxObserver` and `MovingAverageMinMaxObserver` (per-tensor running / averaged range). */
import { assertTensor, checkOptions, type Tensor, QTorchValueError, float32, fromValues } from '@qtorch/qtensor';
import { aminmax } from './histogram_math.js';
import { float32Values } from './float_values.js';
import { type UniformObserverOptions, UniformQuantizationObserverBase, isPerTensorScheme } from './uniform.js';

const f32 = Math.fround;

/** `min + c * (cur - min)` in float32: the moving-average update. */
export function movingAverage(running: number, current: number, c: number): number {
  return f32(running + f32(f32(c) * f32(current - running)));
}

/**
 * Records the running min and max of every observed tensor; qparams as in PyTorch
 * (affine: `(max - min) / (qmax - qmin)`, symmetric: `max(|min|, max) / ((qmax - qmin) / 2)`).
 */
export class MinMaxObserver extends UniformQuantizationObserverBase {
  /** @param opts - `dtype` (default quint8), `qscheme`, `reduceRange`, `quantMin` / `quantMax`, `eps`, `isDynamic`. */
  constructor(opts: UniformObserverOptions = {}) {
    checkOptions(opts, new.target.name);
    const qscheme = opts.qscheme ?? 'per_tensor_affine';
    if (!isPerTensorScheme(qscheme)) {
      throw new QTorchValueError(`${new.target.name}(): qscheme only supports per_tensor_symmetric and per_tensor_affine, got ${qscheme}`);
    }
    super(opts);
    this.setBuffer('min_val', fromValues([Infinity], [], float32));
    this.setBuffer('max_val', fromValues([-Infinity], [], float32));
    if (this.qscheme === 'per_tensor_symmetric' && this.reduceRange && this.dtype.name === 'quint8') {
      throw new QTorchValueError(`${new.target.name}(): Cannot reduce range for symmetric quantization for quint8`);
    }
  }

  /** Running minimum (0-d float32 buffer `min_val`). */
  get minVal(): Tensor {
    return this.buffer('min_val');
  }

  /** Running maximum (0-d float32 buffer `max_val`). */
  get maxVal(): Tensor {
    return this.buffer('max_val');
  }

  /** Records the running minimum and maximum of `x`. */
  override forward(x: Tensor): Tensor {
    assertTensor(x, `${this.constructor.name}.forward`);
    if (x.numel() === 0) return x;
    const [lo, hi] = aminmax(float32Values(x, `${this.constructor.name}.forward`));
    const [curLo, curHi] = [this.minVal.item(), this.maxVal.item()];
    this.update(lo, hi, curLo, curHi);
    return x;
  }

  /** Combines the tensor's range with the running one (overridden by the moving average). */
  protected update(lo: number, hi: number, curLo: number, curHi: number): void {
    this.writeFloatBuffer('min_val', [Math.min(lo, curLo)], []);
    this.writeFloatBuffer('max_val', [Math.max(hi, curHi)], []);
  }

  /** `[scale, zeroPoint]` from the running range (scale 1 / zero point 0 before any data). */
  override calculateQparams(): [Tensor, Tensor] {
    return this.qparamsFromMinMax([this.minVal.item()], [this.maxVal.item()], true);
  }

  override extraRepr(): string {
    return `min_val=${this.minVal.item()}, max_val=${this.maxVal.item()}`;
  }

  /** Overwrites the running range (used by the fused observer + fake-quant kernel). */
  setMinMax(lo: number, hi: number): void {
    this.writeFloatBuffer('min_val', [lo], []);
    this.writeFloatBuffer('max_val', [hi], []);
  }

  /** Forgets the observed range. */
  override resetMinMaxVals(): void {
    this.writeFloatBuffer('min_val', [Infinity], []);
    this.writeFloatBuffer('max_val', [-Infinity], []);
  }
}

/** Options of the moving-average observers. */
export interface MovingAverageOptions extends UniformObserverOptions {
  /** Weight `c` of the new range: `min = min + c * (min(X) - min)` (default 0.01). */
  averagingConstant?: number;
}

/** Tracks an exponential moving average of each tensor's min and max. */
export class MovingAverageMinMaxObserver extends MinMaxObserver {
  /** Weight of the newest observation. */
  averagingConstant: number;

  /** @param opts - `averagingConstant` (default 0.01) and the MinMaxObserver options. */
  constructor(opts: MovingAverageOptions = {}) {
    checkOptions(opts, new.target.name);
    const c = opts.averagingConstant ?? 0.01;
    if (opts.isDynamic && c !== 1) {
      throw new QTorchValueError(`MovingAverageMinMaxObserver(): doesn't support dynamic quantization for averaging constant of ${c}`);
    }
    super(opts);
    this.averagingConstant = c;
  }

  protected override update(lo: number, hi: number, curLo: number, curHi: number): void {
    const first = curLo === Infinity && curHi === -Infinity;
    this.writeFloatBuffer('min_val', [first ? lo : movingAverage(curLo, lo, this.averagingConstant)], []);
    this.writeFloatBuffer('max_val', [first ? hi : movingAverage(curHi, hi, this.averagingConstant)], []);
  }
}
