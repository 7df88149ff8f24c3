/**
 * Pooling kernels in 3-d form. Every pooling op (max, avg, adaptive) is a separable window:
 * per spatial dim and output index, the list of input indices it reads and a divisor factor.
 * The kernels reduce over the product of the three lists, plane by plane (a plane is one
 * (n, c) pair of a contiguous NC(D)(H)W array).
 */
import type { FloatArray } from './float_io.js';
import { adaptiveEnd, adaptiveStart } from './geometry.js';

/** One spatial dim's windows: input indices per output index, and the avg divisor factor per output index. */
export interface DimWindows {
  lists: Int32Array[];
  div: number[];
}

type Win3 = readonly [DimWindows, DimWindows, DimWindows];
type V3 = readonly [number, number, number];

/** Windows of a dilated sliding window (max pooling): o * stride - pad + j * dilation, those inside the input. */
export function slidingWindows(inSize: number, outSize: number, k: number, stride: number, pad: number, dilation: number): DimWindows {
  const lists: Int32Array[] = [];
  for (let o = 0; o < outSize; o++) {
    const idx: number[] = [];
    for (let j = 0; j < k; j++) {
      const i = o * stride - pad + j * dilation;
      if (i >= 0 && i < inSize) idx.push(i);
    }
    lists.push(Int32Array.from(idx));
  }
  return { lists, div: lists.map((l) => l.length) };
}

/**
 * Windows of average pooling (ATen avg_pool): the window is clipped to input + padding for
 * the count_include_pad divisor, then to the input for the elements read.
 */
export function avgWindows(inSize: number, outSize: number, k: number, stride: number, pad: number, countIncludePad: boolean): DimWindows {
  const lists: Int32Array[] = [], div: number[] = [];
  for (let o = 0; o < outSize; o++) {
    const start = o * stride - pad;
    const end = Math.min(start + k, inSize + pad);
    const lo = Math.max(start, 0), hi = Math.min(end, inSize);
    lists.push(Int32Array.from({ length: Math.max(hi - lo, 0) }, (_, j) => lo + j));
    div.push(countIncludePad ? end - start : Math.max(hi - lo, 0));
  }
  return { lists, div };
}

/** Windows of adaptive pooling: [floor(o * in / out), ceil((o + 1) * in / out)). */
export function adaptiveWindows(inSize: number, outSize: number): DimWindows {
  const lists: Int32Array[] = [];
  for (let o = 0; o < outSize; o++) {
    const lo = adaptiveStart(o, inSize, outSize), hi = adaptiveEnd(o, inSize, outSize);
    lists.push(Int32Array.from({ length: hi - lo }, (_, j) => lo + j));
  }
  return { lists, div: lists.map((l) => l.length) };
}

/** The trivial windows of a size-1 dim (1-d and 2-d pools in 3-d form). */
export function unitWindows(): DimWindows {
  return { lists: [Int32Array.of(0)], div: [1] };
}

/** Visits every output position of every plane with the input offsets of its window. */
function forEachOutput(
  planes: number, inSp: V3, w: Win3,
  visit: (outIndex: number, planeOff: number, ld: Int32Array, lh: Int32Array, lw: Int32Array, div: number) => void,
): void {
  const [, H, W] = inSp;
  const inPlane = inSp[0] * H * W;
  const [wd, wh, ww] = w;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    for (let od = 0; od < wd.lists.length; od++) {
      for (let oh = 0; oh < wh.lists.length; oh++) {
        for (let ow = 0; ow < ww.lists.length; ow++, o++) {
          visit(o, p * inPlane, wd.lists[od]!, wh.lists[oh]!, ww.lists[ow]!, wd.div[od]! * wh.div[oh]! * ww.div[ow]!);
        }
      }
    }
  }
}

/**
 * Max over each window; `indices` gets the flat in-plane index of the max (PyTorch's rule: the
 * first maximum wins, a NaN replaces the running max).
 */
export function maxPoolForward(x: ArrayLike<number>, planes: number, inSp: V3, w: Win3, out: FloatArray, indices: Float64Array): void {
  const [, H, W] = inSp;
  forEachOutput(planes, inSp, w, (o, base, ld, lh, lw) => {
    let best = Number.NEGATIVE_INFINITY, bestIdx = -1;
    for (let a = 0; a < ld.length; a++) {
      for (let b = 0; b < lh.length; b++) {
        const row = (ld[a]! * H + lh[b]!) * W;
        for (let c = 0; c < lw.length; c++) {
          const idx = row + lw[c]!, v = x[base + idx]!;
          if (bestIdx < 0 || v > best || v !== v) {
            best = v;
            bestIdx = idx;
          }
        }
      }
    }
    out[o] = best;
    indices[o] = bestIdx;
  });
}

/** gradInput[plane, indices[o]] += g[o]. */
export function maxPoolBackward(g: ArrayLike<number>, indices: Float64Array, planes: number, inPlane: number, outPlane: number, gx: FloatArray): void {
  for (let p = 0; p < planes; p++) {
    for (let o = 0; o < outPlane; o++) {
      const k = p * outPlane + o;
      gx[p * inPlane + indices[k]!]! += g[k]!;
    }
  }
}

/** Sum over each window divided by `divisorOverride` or the windows' divisor (0 for an empty window). */
export function avgPoolForward(x: ArrayLike<number>, planes: number, inSp: V3, w: Win3, divisorOverride: number | null, out: FloatArray): void {
  const [, H, W] = inSp;
  forEachOutput(planes, inSp, w, (o, base, ld, lh, lw, div) => {
    let s = 0;
    for (let a = 0; a < ld.length; a++) {
      for (let b = 0; b < lh.length; b++) {
        const row = base + (ld[a]! * H + lh[b]!) * W;
        for (let c = 0; c < lw.length; c++) s += x[row + lw[c]!]!;
      }
    }
    const d = divisorOverride ?? div;
    out[o] = d === 0 ? 0 : s / d;
  });
}

/** The adjoint of `avgPoolForward`: each output gradient spread over its window. */
export function avgPoolBackward(g: ArrayLike<number>, planes: number, inSp: V3, w: Win3, divisorOverride: number | null, gx: FloatArray): void {
  const [, H, W] = inSp;
  forEachOutput(planes, inSp, w, (o, base, ld, lh, lw, div) => {
    const d = divisorOverride ?? div;
    if (d === 0) return;
    const share = g[o]! / d;
    for (let a = 0; a < ld.length; a++) {
      for (let b = 0; b < lh.length; b++) {
        const row = base + (ld[a]! * H + lh[b]!) * W;
        for (let c = 0; c < lw.length; c++) gx[row + lw[c]!]! += share;
      }
    }
  });
}
