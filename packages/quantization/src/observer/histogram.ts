/**
 * `HistogramObserver`: a running histogram over the observed range (re-binned when the range
 * grows) and qparams from the range minimizing the L2 quantization error. Numerics in
 * histogram_math.ts.
 */
import { assertTensor, checkOptions, type Tensor, QTorchValueError, float32, fromValues } from '@qtorch/qtensor';
import { adjustMinMax, aminmax, combineHistograms, histc, nonLinearParamSearch } from './histogram_math.js';
import { float32Values } from './float_values.js';
import { type UniformObserverOptions, UniformQuantizationObserverBase, defaultQparams, isPerTensorScheme } from './uniform.js';

const f32 = Math.fround;

/** Options of `HistogramObserver`. */
export interface HistogramObserverOptions extends UniformObserverOptions {
  /** Number of histogram bins (default 2048). */
  bins?: number;
  /** Upsampling factor used when combining histograms of different ranges (default 128). */
  upsampleRate?: number;
}

/**
 * A uniform observer over a running histogram and its range: the float32 buffers `histogram`,
 * `min_val` and `max_val` (HistogramObserver; EntropyObserver's histogram of |x|). @internal
 */
export abstract class _HistogramObserverBase extends UniformQuantizationObserverBase {
  /** Number of bins. */
  bins: number;

  protected constructor(opts: UniformObserverOptions, bins: number) {
    super(opts);
    this.bins = bins;
    this.setBuffer('histogram', fromValues(new Float32Array(bins), [bins], float32));
    this.setBuffer('min_val', fromValues([Infinity], [], float32));
    this.setBuffer('max_val', fromValues([-Infinity], [], float32));
  }

  /** The histogram (float32 buffer `histogram`). */
  get histogram(): Tensor {
    return this.buffer('histogram');
  }

  /** Lower edge of the histogram range (0-d buffer `min_val`). */
  get minVal(): Tensor {
    return this.buffer('min_val');
  }

  /** Upper edge of the histogram range (0-d buffer `max_val`). */
  get maxVal(): Tensor {
    return this.buffer('max_val');
  }

  /** Replaces the histogram and its range. */
  protected store(hist: ArrayLike<number>, lo: number, hi: number): void {
    this.writeFloatBuffer('histogram', hist, [hist.length]);
    this.writeFloatBuffer('min_val', [lo], []);
    this.writeFloatBuffer('max_val', [hi], []);
  }
}

/** Histogram-based observer (PyTorch 1.13 semantics, including its `int(min)` histc bounds). */
export class HistogramObserver extends _HistogramObserverBase {
  /** Upsampling factor for combining histograms. */
  upsampleRate: number;
  /** Number of quantized levels the error is measured for (2^bits of the dtype). */
  dstNbins: number;

  /** @param opts - `bins` (default 2048), `upsampleRate` and the uniform observer options (torch.ao.quantization.HistogramObserver). */
  constructor(opts: HistogramObserverOptions = {}) {
    checkOptions(opts, new.target.name);
    const qscheme = opts.qscheme ?? 'per_tensor_affine';
    const name = new.target.name;
    if (!isPerTensorScheme(qscheme)) {
      throw new QTorchValueError(`${name}(): qscheme only supports per_tensor_symmetric and per_tensor_affine, got ${qscheme}`);
    }
    if (opts.isDynamic) throw new QTorchValueError(`${name}(): doesn't support dynamic quantization`);
    super(opts, opts.bins ?? 2048);
    this.upsampleRate = opts.upsampleRate ?? 128;
    this.dstNbins = 2 ** (this.dtype.itemsize * 8);
  }

  /** Adds `x` to the histogram, widening its range when needed. */
  override forward(x: Tensor): Tensor {
    assertTensor(x, `${this.constructor.name}.forward`);
    if (x.numel() === 0) return x;
    const v = float32Values(x, `${this.constructor.name}.forward`);
    const lo = this.minVal.item(), hi = this.maxVal.item();
    const [xMin, xMax] = aminmax(v);
    // PyTorch fails here too (int() of a NaN / inf bound); without this the histogram turns to NaN
    if (!Number.isFinite(xMin) || !Number.isFinite(xMax)) {
      throw new QTorchValueError(`${this.constructor.name}.forward(): the input holds NaN or ±Inf (min ${xMin}, max ${xMax}); a histogram needs finite values`);
    }
    if ((lo === Infinity && hi === -Infinity) || lo === hi) {
      // PyTorch 1.13 passes int(min) / int(max) to histc: values outside the truncated range are dropped
      this.store(histc(v, this.bins, Math.trunc(xMin), Math.trunc(xMax)), xMin, xMax);
      return x;
    }
    const adj = adjustMinMax(lo, hi, Math.min(xMin, lo), Math.max(xMax, hi), this.bins, this.upsampleRate);
    let hist = histc(v, this.bins, Math.trunc(adj.combinedMin), Math.trunc(adj.combinedMax));
    const old = this.histogram.values() as Float32Array;
    if (adj.combinedMin === lo && adj.combinedMax === hi) {
      for (let i = 0; i < hist.length; i++) hist[i] = f32(hist[i]! + old[i]!);
    } else {
      hist = combineHistograms(hist, old, this.upsampleRate, adj.downsampleRate, adj.startIdx, this.bins);
    }
    this.store(hist, adj.combinedMin, adj.combinedMax);
    return x;
  }

  /** `[scale, zeroPoint]` of the range found by the non-linear L2 search. */
  override calculateQparams(): [Tensor, Tensor] {
    const lo = this.minVal.item(), hi = this.maxVal.item();
    if (lo === Infinity && hi === -Infinity) return defaultQparams();
    const [newMin, newMax] = nonLinearParamSearch(this.histogram.values() as Float32Array, lo, hi, this.dstNbins);
    return this.qparamsFromMinMax([newMin], [newMax], true);
  }

  override extraRepr(): string {
    return `min_val=${this.minVal.item()}, max_val=${this.maxVal.item()}`;
  }
}
