/**
 * `F.interpolate` for float tensors with autograd: nearest, nearest-exact, (bi/tri)linear and
 * area, following ATen's index formulas (UpSample.h) including their float32 arithmetic. When
 * `scaleFactor` is given without `recomputeScaleFactor`, the output size is
 * floor(in * scaleFactor) and the kernels use 1 / scaleFactor as the scale (not in / out).
 */
import { recordOp } from '../autograd.js';
import { float64 } from '../dtype.js';
import { QTorchShapeError, QTorchValueError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { allocFloat, allocGrad, checkFloat, floatTensor, gradTensor, resultDtype } from './float_io.js';
import { to3d } from './geometry.js';
import { adaptiveAvgPool1d, adaptiveAvgPool2d, adaptiveAvgPool3d } from './pool.js';
import { assertTensor, checkOptions } from '../args.js';

/** Interpolation modes of `interpolate`. */
export type InterpolateMode = 'nearest' | 'nearest-exact' | 'linear' | 'bilinear' | 'trilinear' | 'area';

/** Keyword arguments of `interpolate` (exactly one of `size` / `scaleFactor`). */
export interface InterpolateOptions {
  /** Output spatial size (an int for every dim, or one per dim). */
  size?: number | readonly number[];
  /** Multiplier of the spatial sizes (one for every dim, or one per dim). */
  scaleFactor?: number | readonly number[];
  /** Default 'nearest'. */
  mode?: InterpolateMode;
  /** Linear modes only: align the corner pixels' centres (default false). */
  alignCorners?: boolean | null;
  /** Derive the kernels' scale from the computed output size instead of using `scaleFactor`. */
  recomputeScaleFactor?: boolean | null;
}

/** Per spatial dim: for each output index, `taps` input indices and weights. */
interface DimTaps {
  taps: number;
  idx: Int32Array;
  w: Float64Array;
}

const LINEAR_DIMS: Partial<Record<InterpolateMode, number>> = { linear: 1, bilinear: 2, trilinear: 3 };

/** ATen compute_scales_value: 1 / scale when given, else in / out (in the kernel's type). */
function scalesValue(scale: number | undefined, inSize: number, outSize: number, r: (v: number) => number): number {
  return scale !== undefined && scale > 0 ? r(1 / scale) : r(r(inSize) / outSize);
}

/** Nearest source indices: floor(dst * scale) ('nearest', with ATen's 1x / 2x shortcuts) or floor((dst + 0.5) * scale). */
function nearestTaps(inSize: number, outSize: number, scale: number | undefined, exact: boolean): DimTaps {
  const idx = new Int32Array(outSize);
  const s = scalesValue(scale, inSize, outSize, Math.fround);
  for (let o = 0; o < outSize; o++) {
    let src: number;
    if (exact) src = Math.floor(Math.fround((o + 0.5) * s));
    else if (outSize === inSize) src = o;
    else if (outSize === 2 * inSize) src = o >> 1;
    else src = Math.floor(Math.fround(o * s));
    idx[o] = Math.min(src, inSize - 1);
  }
  return { taps: 1, idx, w: new Float64Array(outSize).fill(1) };
}

/** ATen compute_source_index_and_lambda: two neighbours and their weights, in the kernel's precision `r`. */
function linearTaps(inSize: number, outSize: number, scale: number | undefined, alignCorners: boolean, r: (v: number) => number): DimTaps {
  const idx = new Int32Array(2 * outSize), w = new Float64Array(2 * outSize);
  const ratio = alignCorners ? (outSize > 1 ? r(r(inSize - 1) / (outSize - 1)) : 0) : scalesValue(scale, inSize, outSize, r);
  for (let o = 0; o < outSize; o++) {
    let i0 = o, i1 = o, l1 = 0;
    if (outSize !== inSize) {
      let real = alignCorners ? r(ratio * o) : r(r(ratio * r(o + 0.5)) - 0.5);
      if (!alignCorners && real < 0) real = 0;
      i0 = Math.min(Math.trunc(real), inSize - 1);
      i1 = i0 + (i0 < inSize - 1 ? 1 : 0);
      l1 = Math.min(Math.max(r(real - i0), 0), 1);
    }
    idx[2 * o] = i0;
    idx[2 * o + 1] = i1;
    w[2 * o] = r(1 - l1);
    w[2 * o + 1] = l1;
  }
  return { taps: 2, idx, w };
}

const UNIT: DimTaps = { taps: 1, idx: Int32Array.of(0), w: Float64Array.of(1) };

/** Visits every (output, input, weight) triple of the separable interpolation, plane by plane. */
function forEachTap(planes: number, inSp: readonly number[], outSp: readonly number[], t: readonly DimTaps[], visit: (o: number, i: number, w: number) => void): void {
  const [, H, W] = inSp as [number, number, number];
  const [oD, oH, oW] = outSp as [number, number, number];
  const [td, th, tw] = t as [DimTaps, DimTaps, DimTaps];
  const inPlane = inSp[0]! * H * W;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * inPlane;
    for (let od = 0; od < oD; od++) {
      for (let oh = 0; oh < oH; oh++) {
        for (let ow = 0; ow < oW; ow++, o++) {
          for (let a = 0; a < td.taps; a++) {
            const wa = td.w[od * td.taps + a]!, ia = td.idx[od * td.taps + a]!;
            for (let b = 0; b < th.taps; b++) {
              const wab = wa * th.w[oh * th.taps + b]!, row = base + (ia * H + th.idx[oh * th.taps + b]!) * W;
              for (let c = 0; c < tw.taps; c++) visit(o, row + tw.idx[ow * tw.taps + c]!, wab * tw.w[ow * tw.taps + c]!);
            }
          }
        }
      }
    }
  }
}

/** Resolves size / scaleFactor to output sizes and the scales the kernels use (Python F.interpolate). */
function outputGeometry(x: Tensor, nSp: number, opts: InterpolateOptions): { outSp: number[]; scales: Array<number | undefined> } {
  const { size, scaleFactor, recomputeScaleFactor } = opts;
  const inSp = x.shape.slice(2);
  if (size !== undefined && scaleFactor !== undefined) throw new QTorchValueError('interpolate(): only one of size or scale_factor should be defined');
  if (size === undefined && scaleFactor === undefined) throw new QTorchValueError('interpolate(): either size or scale_factor should be defined');
  const perDim = (v: number | readonly number[], what: string): number[] => {
    const a = typeof v === 'number' ? new Array<number>(nSp).fill(v) : [...v];
    if (a.length !== nSp) {
      throw new QTorchShapeError(`interpolate(): Input and ${what} must have the same number of spatial dimensions, but got input with spatial dimensions of ${fmtShape(inSp)} and ${what} of ${JSON.stringify(v)}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and ${what} in (o1, o2, ...,oK) format.`);
    }
    return a;
  };
  let outSp: number[], scales: Array<number | undefined>;
  if (size !== undefined) {
    if (recomputeScaleFactor) throw new QTorchValueError('interpolate(): recompute_scale_factor is not meaningful with an explicit size.');
    outSp = perDim(size, 'output size');
    scales = new Array<undefined>(nSp).fill(undefined);
  } else {
    const sf = perDim(scaleFactor!, 'scale_factor');
    outSp = inSp.map((n, i) => Math.floor(n * sf[i]!));
    scales = recomputeScaleFactor ? new Array<undefined>(nSp).fill(undefined) : sf;
  }
  if (outSp.some((o) => !Number.isInteger(o) || o <= 0) || inSp.some((n) => n <= 0)) {
    throw new QTorchShapeError(`interpolate(): Input and output sizes should be greater than 0, but got input ${fmtShape(inSp)} and output ${fmtShape(outSp)}`);
  }
  return { outSp, scales };
}

/**
 * Resizes the spatial dims of an (N, C, *spatial) tensor (`F.interpolate`). 'linear' needs a
 * 3-D input, 'bilinear' 4-D, 'trilinear' 5-D; 'nearest' / 'nearest-exact' / 'area' accept 3-5-D.
 */
export function interpolate(x: Tensor, opts: InterpolateOptions): Tensor {
  assertTensor(x, 'interpolate');
  checkOptions(opts, 'interpolate');
  const op = 'interpolate';
  const { mode = 'nearest', alignCorners = null } = opts;
  checkFloat(x, op);
  const linearDims = LINEAR_DIMS[mode];
  if (linearDims === undefined && !['nearest', 'nearest-exact', 'area'].includes(mode)) {
    throw new QTorchValueError(`${op}(): unsupported mode '${mode}' (expected nearest, nearest-exact, linear, bilinear, trilinear or area)`);
  }
  if (linearDims === undefined && alignCorners !== null && alignCorners !== undefined) {
    throw new QTorchValueError(`${op}(): align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear`);
  }
  if (linearDims !== undefined ? x.ndim !== linearDims + 2 : x.ndim < 3 || x.ndim > 5) {
    const want = linearDims !== undefined ? `${linearDims + 2}D` : '3D, 4D or 5D';
    throw new QTorchShapeError(`${op}(): Got ${x.ndim}D input of shape ${fmtShape(x.shape)}, but ${mode} mode needs ${want} input`);
  }
  const nSp = x.ndim - 2;
  const { outSp, scales } = outputGeometry(x, nSp, opts);
  if (mode === 'area') return [adaptiveAvgPool1d, adaptiveAvgPool2d, adaptiveAvgPool3d][nSp - 1]!(x, outSp);
  const dtype = resultDtype(x);
  // linear kernels compute in the input's type: float32 rounding unless float64
  const r = dtype === float64 ? (v: number): number => v : Math.fround;
  const inSp = x.shape.slice(2);
  const taps = inSp.map((n, i) => (linearDims !== undefined
    ? linearTaps(n, outSp[i]!, scales[i], alignCorners ?? false, r)
    : nearestTaps(n, outSp[i]!, scales[i], mode === 'nearest-exact')));
  const taps3 = [...new Array<DimTaps>(3 - nSp).fill(UNIT), ...taps];
  const in3 = to3d(inSp, 1), out3 = to3d(outSp, 1);
  const planes = x.shape[0]! * x.shape[1]!;
  const xv = x.values();
  const out = allocFloat(planes * out3[0] * out3[1] * out3[2], dtype);
  // nearest copies (keeps -0 and needs no weights); linear accumulates its weighted taps
  if (linearDims === undefined) forEachTap(planes, in3, out3, taps3, (o, i) => { out[o] = xv[i]!; });
  else forEachTap(planes, in3, out3, taps3, (o, i, w) => { out[o]! += w * xv[i]!; });
  const name = linearDims !== undefined ? 'UpsampleLinear' : 'UpsampleNearest';
  return recordOp(name, floatTensor(out, [x.shape[0]!, x.shape[1]!, ...outSp], dtype), [x], (g) => {
    const gv = g.values(), gx = allocGrad(x);
    forEachTap(planes, in3, out3, taps3, (o, i, w) => {
      gx[i]! += w * gv[o]!;
    });
    return [gradTensor(gx, x)];
  });
}
