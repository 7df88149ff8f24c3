/**
 * The three convolution kernels (im2col + GEMM) on contiguous NC(D)(H)W typed arrays, always
 * in 3-d form (1-d and 2-d convs pad their geometry with size-1 dims).
 *
 * A convolution maps a "big" tensor (N, bigC, *big) to a "small" one (N, smallC, *small) with
 * a weight (smallC, bigC / groups, *kernel). Its input gradient is the transposed convolution
 * and vice versa, so conv and conv_transpose share `convForward` (big -> small),
 * `convBackwardData` (small -> big) and `convBackwardWeight` (big, small -> weight).
 */
import type { FloatArray } from './float_io.js';
import { gemmNN, gemmNT, gemmTN } from './gemm.js';
import { nativeFloatIm2col } from './native_gemm.js';

type V3 = readonly [number, number, number];

/** Geometry of a convolution in 3-d form; `pad` is the padding before each dim (the padding after only shapes `small`). */
export interface ConvGeometry {
  n: number;
  groups: number;
  bigC: number;
  smallC: number;
  big: V3;
  small: V3;
  kernel: V3;
  stride: V3;
  pad: V3;
  dilation: V3;
}

const prod = (v: V3): number => v[0] * v[1] * v[2];

/** Whether the im2col matrix is the input itself (1x1x1 kernel, stride 1, no padding). */
function im2colIsIdentity(g: ConvGeometry): boolean {
  return prod(g.kernel) === 1 && g.stride.every((s) => s === 1) && g.pad.every((p) => p === 0)
    && g.big.every((b, i) => b === g.small[i]);
}

/**
 * Walks the im2col matrix of `cg` channels one run at a time: a run is the oW columns of one
 * im2col row at one (od, oh) output position, starting at column `col`. Output ow in [lo, hi)
 * reads input index `src + ow * sw`; the rest of the run is padding (lo = hi = 0 when the whole
 * run is). Shared by im2col (gather) and col2im (scatter-add); runs make both tight loops
 * instead of a call per element.
 */
function forEachRun(g: ConvGeometry, cg: number, srcOff: number, visit: (col: number, src: number, lo: number, hi: number) => void): void {
  const [D, H, W] = g.big, [oD, oH, oW] = g.small, [kD, kH, kW] = g.kernel;
  const [sd, sh, sw] = g.stride, [pd, ph, pw] = g.pad, [dd, dh, dw] = g.dilation;
  const L = oD * oH * oW;
  let row = 0;
  for (let c = 0; c < cg; c++) {
    for (let kd = 0; kd < kD; kd++) {
      for (let kh = 0; kh < kH; kh++) {
        for (let kw = 0; kw < kW; kw++, row++) {
          // iw = ow * sw + shift must lie in [0, W)
          const shift = kw * dw - pw;
          const lo0 = Math.max(0, Math.ceil(-shift / sw)), hi0 = Math.max(lo0, Math.min(oW, Math.floor((W - 1 - shift) / sw) + 1));
          let col = row * L;
          for (let od = 0; od < oD; od++) {
            const id = od * sd - pd + kd * dd;
            for (let oh = 0; oh < oH; oh++, col += oW) {
              const ih = oh * sh - ph + kh * dh;
              const inside = id >= 0 && id < D && ih >= 0 && ih < H;
              visit(col, srcOff + ((c * D + id) * H + ih) * W + shift, inside ? lo0 : 0, inside ? hi0 : 0);
            }
          }
        }
      }
    }
  }
}

/** The geometry as the native im2col takes it: big, small, kernel, stride, pad, dilation. */
const geometryInts = (g: ConvGeometry): Int32Array => Int32Array.from([...g.big, ...g.small, ...g.kernel, ...g.stride, ...g.pad, ...g.dilation]);

function im2col(src: ArrayLike<number>, srcOff: number, cg: number, g: ConvGeometry, cols: FloatArray): void {
  const native = src instanceof Float32Array && cols instanceof Float32Array ? nativeFloatIm2col() : null;
  if (native) return native(src as Float32Array, srcOff, cg, geometryInts(g), cols as Float32Array);
  const oW = g.small[2], sw = g.stride[2];
  // plain loops: runs are short (one output row), where fill/set/subarray calls cost more
  forEachRun(g, cg, srcOff, (col, s, lo, hi) => {
    let ow = 0;
    for (; ow < lo; ow++) cols[col + ow] = 0;
    for (; ow < hi; ow++) cols[col + ow] = src[s + ow * sw]!;
    for (; ow < oW; ow++) cols[col + ow] = 0;
  });
}

function col2imAdd(cols: FloatArray, dst: FloatArray, dstOff: number, cg: number, g: ConvGeometry): void {
  const sw = g.stride[2];
  forEachRun(g, cg, dstOff, (col, d, lo, hi) => {
    for (let ow = lo; ow < hi; ow++) dst[d + ow * sw]! += cols[col + ow]!;
  });
}

interface GroupDims {
  cgBig: number;
  cgSmall: number;
  K: number;
  B: number;
  L: number;
  rows: number;
}

function groupDims(g: ConvGeometry): GroupDims {
  const cgBig = g.bigC / g.groups, K = prod(g.kernel);
  return { cgBig, cgSmall: g.smallC / g.groups, K, B: prod(g.big), L: prod(g.small), rows: cgBig * K };
}

/** Float32 im2col buffers up to this many elements are kept for the next call (16 MiB). */
const MAX_KEPT_COLS = 1 << 22;
let keptCols: Float32Array | null = null;

/**
 * An im2col buffer of n elements (every element is written before it is read). Float32 ones up
 * to MAX_KEPT_COLS come from one buffer kept between calls: a fresh multi-megabyte array costs
 * a page fault per 4 KiB on every call (a third of a 3x3 64-channel conv at 56x56).
 */
function allocCols(like: FloatArray, n: number): FloatArray {
  if (like instanceof Float64Array) return new Float64Array(n);
  if (n > MAX_KEPT_COLS) return new Float32Array(n);
  if (!keptCols || keptCols.length < n) keptCols = new Float32Array(n);
  return keptCols.subarray(0, n);
}

/** small[n, oc, l] = Σ weight[oc, c, k] · big[n, c, window(l, k)] (the convolution). */
export function convForward(big: ArrayLike<number>, weight: ArrayLike<number>, g: ConvGeometry, out: FloatArray): void {
  const { cgBig, cgSmall, B, L, rows } = groupDims(g);
  const identity = im2colIsIdentity(g);
  const cols = identity ? null : allocCols(out, rows * L);
  for (let n = 0; n < g.n; n++) {
    for (let gr = 0; gr < g.groups; gr++) {
      const srcOff = (n * g.bigC + gr * cgBig) * B;
      if (cols) im2col(big, srcOff, cgBig, g, cols);
      gemmNN(cgSmall, L, rows, weight, gr * cgSmall * rows, cols ?? big, cols ? 0 : srcOff, out, (n * g.smallC + gr * cgSmall) * L);
    }
  }
}

/** big += the transposed convolution of small (the input gradient of a convolution). */
export function convBackwardData(small: ArrayLike<number>, weight: ArrayLike<number>, g: ConvGeometry, big: FloatArray): void {
  const { cgBig, cgSmall, B, L, rows } = groupDims(g);
  const identity = im2colIsIdentity(g);
  const cols = identity ? null : allocCols(big, rows * L);
  for (let n = 0; n < g.n; n++) {
    for (let gr = 0; gr < g.groups; gr++) {
      const dstOff = (n * g.bigC + gr * cgBig) * B, smallOff = (n * g.smallC + gr * cgSmall) * L;
      if (!cols) {
        gemmTN(rows, L, cgSmall, weight, gr * cgSmall * rows, small, smallOff, big, dstOff, true);
        continue;
      }
      gemmTN(rows, L, cgSmall, weight, gr * cgSmall * rows, small, smallOff, cols, 0);
      col2imAdd(cols, big, dstOff, cgBig, g);
    }
  }
}

/** weightGrad += Σ_n small[n] · im2col(big[n])ᵀ (the weight gradient of a convolution). */
export function convBackwardWeight(big: ArrayLike<number>, small: ArrayLike<number>, g: ConvGeometry, weightGrad: FloatArray): void {
  const { cgBig, cgSmall, B, L, rows } = groupDims(g);
  const identity = im2colIsIdentity(g);
  const cols = identity ? null : allocCols(weightGrad, rows * L);
  for (let n = 0; n < g.n; n++) {
    for (let gr = 0; gr < g.groups; gr++) {
      const srcOff = (n * g.bigC + gr * cgBig) * B;
      if (cols) im2col(big, srcOff, cgBig, g, cols);
      gemmNT(cgSmall, rows, L, small, (n * g.smallC + gr * cgSmall) * L, cols ?? big, cols ? 0 : srcOff, weightGrad, gr * cgSmall * rows, true);
    }
  }
}

/** out[n, c, l] += bias[c]. */
export function addBias(out: FloatArray, bias: ArrayLike<number>, n: number, c: number, L: number): void {
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < c; ch++) {
      const b = bias[ch]!, off = (i * c + ch) * L;
      for (let l = 0; l < L; l++) out[off + l]! += b;
    }
  }
}

/** grad[c] = Σ_{n, l} g[n, c, l] (the bias gradient). */
export function biasGrad(g: ArrayLike<number>, n: number, c: number, L: number, out: FloatArray): void {
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < c; ch++) {
      const off = (i * c + ch) * L;
      let s = 0;
      for (let l = 0; l < L; l++) s += g[off + l]!;
      out[ch]! += s;
    }
  }
}
