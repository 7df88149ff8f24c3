/**
 * HistogramObserver's numerics, ported from PyTorch 1.13 (observer.py and the CPU `histc`
 * kernel) with float32 rounding wherever PyTorch computes on float32 tensors. Plain arrays in,
 * plain arrays out: the module in histogram.ts only holds state.
 */
import { roundHalfEven } from './qparams.js';

const f32 = Math.fround;

/**
 * `torch.histc(x, bins, min, max)` on CPU: equal bounds fall back to the data's range (then
 * +-1), edges are float32, elements outside [min, max] (and NaN) are skipped, the bin is
 * `int64((x - lo) * bins / (hi - lo))` in float32 and the last bin includes its right edge.
 */
export function histc(x: ArrayLike<number>, bins: number, min: number, max: number): Float32Array {
  let lo = min, hi = max;
  if (lo === hi && x.length > 0) [lo, hi] = aminmax(x);
  if (lo === hi) { lo -= 1; hi += 1; }
  const left = f32(lo), right = f32(hi), width = f32(right - left);
  const hist = new Float32Array(bins);
  for (let i = 0; i < x.length; i++) {
    const e = x[i]!;
    if (!(e >= left && e <= right)) continue;
    let pos = Math.trunc(f32(f32(f32(e - left) * bins) / width));
    if (pos === bins) pos -= 1;
    hist[pos] = f32(hist[pos]! + 1);
  }
  return hist;
}

/** `torch.aminmax` of float32 values (NaN propagates). */
export function aminmax(x: ArrayLike<number>): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < x.length; i++) {
    const e = x[i]!;
    if (Number.isNaN(e)) return [NaN, NaN];
    if (e < lo) lo = e;
    if (e > hi) hi = e;
  }
  return [lo, hi];
}

/** The widened range and the grid alignment `_adjust_min_max` computes (float32 tensor math). */
export interface AdjustedRange {
  /** Lower bound of the widened range. */
  combinedMin: number;
  /** Upper bound of the widened range. */
  combinedMax: number;
  /** How many new bins merge into one old bin. */
  downsampleRate: number;
  /** Index of the old histogram's first bin in the combined grid. */
  startIdx: number;
}

/**
 * `_adjust_min_max`: choose an integer downsample rate so the combined range is a whole number
 * of upsampled old bins, relax only the max, and locate the old min on the fine grid.
 */
export function adjustMinMax(
  minVal: number, maxVal: number, combinedMin: number, combinedMax: number, bins: number, upsampleRate: number,
): AdjustedRange {
  const histBinWidth = f32(f32(maxVal - minVal) / (bins * upsampleRate));
  const span = f32(bins * histBinWidth);
  const range = f32(combinedMax - combinedMin);
  const downsampleRate = Math.ceil(f32(range / span));
  const e = f32(f32(downsampleRate * span) - range);
  return {
    combinedMin,
    combinedMax: f32(combinedMax + e),
    downsampleRate,
    startIdx: roundHalfEven(f32(f32(minVal - combinedMin) / histBinWidth)),
  };
}

/**
 * `_combine_histograms`: upsample the old histogram by `upsampleRate` (repeat), place it at
 * `startIdx` on the fine grid, sum every `downsampleRate` fine bins (cumsum in double) and add
 * the result, divided by `upsampleRate`, to the new histogram.
 */
export function combineHistograms(
  newHist: Float32Array, oldHist: Float32Array, upsampleRate: number, downsampleRate: number, startIdx: number, bins: number,
): Float32Array {
  const fine = new Float32Array(bins * downsampleRate);
  const upsampledLen = bins * upsampleRate;
  if (startIdx < 0 || startIdx + upsampledLen > fine.length) {
    throw new RangeError(`HistogramObserver._combine_histograms(): the old histogram (start ${startIdx}, ${upsampledLen} fine bins) does not fit in ${fine.length} fine bins`);
  }
  for (let i = 0; i < upsampledLen; i++) fine[startIdx + i] = oldHist[Math.floor(i / upsampleRate)]!;
  const out = new Float32Array(bins);
  let acc = 0, prev = 0;
  for (let b = 0; b < bins; b++) {
    for (let k = 0; k < downsampleRate; k++) acc += fine[b * downsampleRate + k]!;
    // the previous integral is stored in a float32 tensor before the subtraction
    out[b] = f32(newHist[b]! + f32((acc - prev) / upsampleRate));
    prev = f32(acc);
  }
  return out;
}

/** `c10::div_floor_floating` in float32. */
function divFloor(a: number, b: number): number {
  if (b === 0) return a / b;
  const mod = a % b;
  let div = f32(f32(a - mod) / b);
  if (mod !== 0 && (b < 0) !== (mod < 0)) div = f32(div - 1);
  if (div === 0) return Math.sign(a / b) < 0 || Object.is(a / b, -0) ? -0 : 0;
  let fl = Math.floor(div);
  if (div - fl > 0.5) fl += 1;
  return fl;
}

/** `_get_norm` in float32: `density * (end^3 - begin^3) / 3`. */
function l2Norm(begin: number, end: number, density: number): number {
  const n = f32(f32(f32(f32(end * end) * end) - f32(f32(begin * begin) * begin)) / 3);
  return f32(density * n);
}

/**
 * `_compute_quantization_error`: the L2 error of quantizing the histogram to `dstNbins` levels
 * spread over source bins [startBin, endBin] (bin widths in double, tensor math in float32).
 */
export function quantizationError(
  hist: Float32Array, minVal: number, maxVal: number, startBin: number, endBin: number, dstNbins: number,
): number {
  const bins = hist.length;
  const binWidth = (maxVal - minVal) / bins;
  const dstBinWidth = (binWidth * (endBin - startBin + 1)) / dstNbins;
  if (dstBinWidth === 0) return 0;
  const bw = f32(binWidth), dbw = f32(dstBinWidth);
  const half = f32(dstBinWidth / 2), negHalf = f32(-dstBinWidth / 2);
  const clampBin = (v: number): number => Math.min(Math.max(v, 0), dstNbins - 1);
  let total = 0;
  for (let i = 0; i < bins; i++) {
    const begin = f32(f32(i - startBin) * bw);
    const end = f32(begin + bw);
    const dstBegin = clampBin(divFloor(begin, dbw));
    const dstBeginCenter = f32(f32(dstBegin + 0.5) * dbw);
    const dstEnd = clampBin(divFloor(end, dbw));
    const density = f32(hist[i]! / bw);
    let norm = l2Norm(f32(begin - dstBeginCenter), half, density);
    norm = f32(norm + f32(f32(dstEnd - dstBegin - 1) * l2Norm(negHalf, half, density)));
    const dstEndCenter = f32(f32(dstEnd * dbw) + half);
    norm = f32(norm + l2Norm(negHalf, f32(end - dstEndCenter), density));
    total += norm;
  }
  return f32(total);
}

/**
 * `_non_linear_param_search`: walk the quantile bounds inward by 1e-5 steps, moving whichever
 * side skips more bins, while the L2 quantization error keeps decreasing. Returns the new
 * float32 [min, max].
 */
export function nonLinearParamSearch(hist: Float32Array, minVal: number, maxVal: number, dstNbins: number): [number, number] {
  const bins = hist.length;
  const binWidth = f32(f32(maxVal - minVal) / bins);
  const cSum = new Float32Array(bins);
  let acc = 0;
  for (let i = 0; i < bins; i++) { acc += hist[i]!; cSum[i] = acc; }
  const total = f32(acc);
  const stepsize = 1e-5;
  let alpha = 0, beta = 1;
  let startBin = 0, endBin = bins - 1;
  let normMin = Infinity;
  while (alpha < beta) {
    const nextAlpha = alpha + stepsize, nextBeta = beta - stepsize;
    // the Python float bound is compared with a float32 tensor element: it becomes float32
    const loBound = f32(nextAlpha * total), hiBound = f32(nextBeta * total);
    let l = startBin, r = endBin;
    while (l < endBin && cSum[l]! < loBound) l++;
    while (r > startBin && cSum[r]! > hiBound) r--;
    let nextStart = startBin, nextEnd = endBin;
    if (l - startBin > endBin - r) { nextStart = l; alpha = nextAlpha; } else { nextEnd = r; beta = nextBeta; }
    if (nextStart === startBin && nextEnd === endBin) continue;
    const norm = quantizationError(hist, minVal, maxVal, nextStart, nextEnd, dstNbins);
    if (norm > normMin) break;
    normMin = norm;
    startBin = nextStart;
    endBin = nextEnd;
  }
  return [f32(minVal + f32(binWidth * startBin)), f32(minVal + f32(binWidth * (endBin + 1)))];
}
