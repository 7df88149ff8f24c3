/**
 * Calibration observers beyond PyTorch: `PercentileObserver` (clip each tail of the running
 * histogram at a percentile) and `EntropyObserver` (TensorRT's KL-divergence threshold search
 * over a histogram of |x|). Both are uniform observers, usable anywhere an observer is.
 */
import { assertTensor, checkOptions, type Tensor, QTorchValueError } from '@qtorch/qtensor';
import { float32Values } from './float_values.js';
import { HistogramObserver, type HistogramObserverOptions, _HistogramObserverBase } from './histogram.js';
import { aminmax } from './histogram_math.js';
import { type UniformObserverOptions, defaultQparams, isPerTensorScheme } from './uniform.js';

/** Options of `PercentileObserver`. */
export interface PercentileObserverOptions extends HistogramObserverOptions {
  /** Percentile kept at each end, in (50, 100] (default 99.99). */
  percentile?: number;
}

/** Histogram observer whose range is clipped at the `percentile` of each tail. */
export class PercentileObserver extends HistogramObserver {
  /** The percentile of |x| (or of each tail) used as the range bound. */
  percentile: number;

  /** @param opts - `percentile` and the uniform observer options (`dtype`, `qscheme`, `quantMin`, ...). */
  constructor(opts: PercentileObserverOptions = {}) {
    super(opts);
    this.percentile = opts.percentile ?? 99.99;
    if (!(this.percentile > 50 && this.percentile <= 100)) {
      throw new QTorchValueError(`PercentileObserver(): percentile must be in (50, 100], got ${this.percentile}`);
    }
  }

  override calculateQparams(): [Tensor, Tensor] {
    const lo = this.minVal.item(), hi = this.maxVal.item();
    if (lo === Infinity && hi === -Infinity) return defaultQparams();
    const hist = this.histogram.values();
    let total = 0;
    for (const v of hist) total += v;
    const tail = total * (1 - this.percentile / 100);
    const width = (hi - lo) / hist.length;
    let start = 0, acc = 0;
    while (start < hist.length - 1 && acc + hist[start]! <= tail) acc += hist[start++]!;
    let end = hist.length - 1;
    acc = 0;
    while (end > start && acc + hist[end]! <= tail) acc += hist[end--]!;
    return this.qparamsFromMinMax([Math.fround(lo + width * start)], [Math.fround(lo + width * (end + 1))], true);
  }
}

/** KL divergence sum p log(p / q) over bins where p > 0 (q = 0 there counts as a tiny mass). */
function klDivergence(p: Float64Array, q: Float64Array): number {
  let ps = 0, qs = 0;
  for (let i = 0; i < p.length; i++) { ps += p[i]!; qs += q[i]!; }
  let kl = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i]! === 0) continue;
    const pi = p[i]! / ps, qi = q[i]! > 0 ? q[i]! / qs : 1e-12;
    kl += pi * Math.log(pi / qi);
  }
  return kl;
}

/**
 * TensorRT's entropy calibration: for each candidate threshold bin i (from `numLevels`), fold the
 * outliers into bin i-1, quantize the first i bins to `numLevels` levels (spreading each
 * level's mass over its non-empty bins) and keep the i minimizing KL(P || Q). Returns the bin
 * index whose upper edge is the threshold.
 */
export function entropyThresholdBin(hist: ArrayLike<number>, numLevels: number): number {
  const bins = hist.length;
  if (bins <= numLevels) return bins;
  let best = bins, bestKl = Infinity;
  for (let i = numLevels; i <= bins; i++) {
    const p = Float64Array.from({ length: i }, (_, k) => hist[k]!);
    for (let k = i; k < bins; k++) p[i - 1]! += hist[k]!;
    const q = new Float64Array(i);
    const per = i / numLevels;
    for (let level = 0; level < numLevels; level++) {
      const a = Math.floor(level * per), b = level === numLevels - 1 ? i : Math.floor((level + 1) * per);
      let mass = 0, nonzero = 0;
      for (let k = a; k < b; k++) { mass += hist[k]!; if (hist[k]! > 0) nonzero++; }
      for (let k = a; k < b; k++) if (hist[k]! > 0) q[k] = mass / nonzero;
    }
    const kl = klDivergence(p, q);
    if (kl < bestKl) { bestKl = kl; best = i; }
  }
  return best;
}

/** Options of `EntropyObserver`. */
export interface EntropyObserverOptions extends UniformObserverOptions {
  /** Bins of the |x| histogram (default 2048). */
  bins?: number;
}

/**
 * Chooses a symmetric clipping threshold minimizing the KL divergence (TensorRT entropy
 * calibration); its `histogram` is of |x| over [0, max(|min|, |max|)].
 */
export class EntropyObserver extends _HistogramObserverBase {
  /** @param opts - `bins` and the uniform observer options (`dtype`, `qscheme`, `quantMin`, ...). */
  constructor(opts: EntropyObserverOptions = {}) {
    checkOptions(opts, new.target.name);
    const qscheme = opts.qscheme ?? 'per_tensor_affine';
    if (!isPerTensorScheme(qscheme)) throw new QTorchValueError(`EntropyObserver(): qscheme must be per-tensor, got ${qscheme}`);
    super(opts, opts.bins ?? 2048);
  }

  override forward(x: Tensor): Tensor {
    assertTensor(x, `${this.constructor.name}.forward`);
    if (x.numel() === 0) return x;
    const v = float32Values(x, 'EntropyObserver.forward');
    const [xMin, xMax] = aminmax(v);
    const oldLo = this.minVal.item(), oldHi = this.maxVal.item();
    const oldAmax = oldLo === Infinity ? 0 : Math.max(-oldLo, oldHi);
    const lo = Math.min(oldLo, xMin), hi = Math.max(oldHi, xMax);
    const amax = Math.max(-lo, hi) || 1;
    const hist = new Float64Array(this.bins);
    // re-bin the old counts at their bin centres into the (possibly wider) new range
    const old = this.histogram.values();
    for (let k = 0; k < this.bins; k++) {
      if (old[k]! === 0) continue;
      const centre = ((k + 0.5) * oldAmax) / this.bins;
      hist[Math.min(this.bins - 1, Math.floor((centre / amax) * this.bins))]! += old[k]!;
    }
    for (const e of v) hist[Math.min(this.bins - 1, Math.floor((Math.abs(e) / amax) * this.bins))]! += 1;
    this.store(hist, lo, hi);
    return x;
  }

  override calculateQparams(): [Tensor, Tensor] {
    const lo = this.minVal.item(), hi = this.maxVal.item();
    if (lo === Infinity && hi === -Infinity) return defaultQparams();
    const amax = Math.max(-lo, hi);
    const levels = Math.max(2, Math.floor((this.quantMax - this.quantMin + 1) / 2));
    const t = ((entropyThresholdBin(this.histogram.values(), levels) + 0.5) * amax) / this.bins;
    return this.qparamsFromMinMax([Math.fround(Math.max(lo, -t))], [Math.fround(Math.min(hi, t))], true);
  }
}
