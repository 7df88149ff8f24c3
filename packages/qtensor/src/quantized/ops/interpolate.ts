/**
 * Quantized resampling: `F.interpolate` on quantized tensors (PyTorch's QuantizedCPU
 * `upsample_nearest2d/3d`, `_upsample_nearest_exact2d/3d` and `upsample_bilinear2d`).
 * Output qparams are the input's. Both engines share these kernels (golden interpolate.json is
 * identical on qnnpack and onednn).
 * - nearest / nearest-exact copy integers (exact);
 * - bilinear blends the four neighbouring integers with float32 weights, subtracts the zero
 *   point and requantizes with `quantize_val(1, zp, v)` (ATen's `upsample_bilinear2d_out_frame`).
 */
import { QTorchShapeError, QTorchValueError, fmtShape } from '../../errors.js';
import type { InterpolateMode, InterpolateOptions } from '../../nn/interpolate.js';
import { getKernel } from '../../registry.js';
import type { Tensor } from '../../tensor.js';
import { quantizeValue } from '../numerics.js';
import { check8bit, f32, makeQTensor, readPerTensor } from './requantize.js';
import { assertTensor } from '../../args.js';

/** Kernel signature of the quantized resampling ops: input, output spatial size, per-dim scale factors. */
export type QUpsampleKernel = (x: Tensor, outputSize: readonly number[], scales: ReadonlyArray<number | undefined>, alignCorners: boolean) => Tensor;

/** ATen `compute_scales_value<float>`: `1 / scale` when a scale factor was given, else `in / out`. */
function scalesValue(scale: number | undefined, inSize: number, outSize: number): number {
  return scale !== undefined && scale > 0 ? f32(1 / scale) : f32(f32(inSize) / outSize);
}

/** Source index of every output index along one dim ('nearest': `floor(o * s)`, 'nearest-exact': `floor((o + 0.5) * s)`). */
function nearestIndex(inSize: number, outSize: number, scale: number | undefined, exact: boolean): Int32Array {
  const s = scalesValue(scale, inSize, outSize);
  const idx = new Int32Array(outSize);
  for (let o = 0; o < outSize; o++) idx[o] = Math.min(Math.floor(f32((exact ? o + 0.5 : o) * s)), inSize - 1);
  return idx;
}

/** Reference nearest kernels (`exact`: nearest-exact), 2-d or 3-d: integers copied. */
function nearestKernel(exact: boolean): QUpsampleKernel {
  return (x, outSp, scales) => {
    const xi = readPerTensor(x, 'upsample_nearest');
    const inSp = x.shape.slice(2);
    const pad = 3 - inSp.length;
    const in3 = [...new Array<number>(pad).fill(1), ...inSp], out3 = [...new Array<number>(pad).fill(1), ...outSp];
    const idx = in3.map((n, i) => (i < pad ? Int32Array.of(0) : nearestIndex(n, out3[i]!, scales[i - pad], exact)));
    const [ID, IH, IW] = in3 as [number, number, number];
    const [OD, OH, OW] = out3 as [number, number, number];
    const [id, ih, iw] = idx as [Int32Array, Int32Array, Int32Array];
    const y = makeQTensor([x.shape[0]!, x.shape[1]!, ...outSp], x.dtype, xi.scale, xi.zeroPoint);
    const out = y.data;
    const planes = x.shape[0]! * x.shape[1]!;
    let o = 0;
    for (let p = 0; p < planes; p++) {
      for (let d = 0; d < OD; d++) for (let h = 0; h < OH; h++) {
        const row = ((p * ID + id[d]!) * IH + ih[h]!) * IW;
        for (let w = 0; w < OW; w++) out[o++] = xi.q[row + iw[w]!]!;
      }
    }
    return y;
  };
}

/** Per output index: left neighbour, step to the right one (0 at the edge), and the right weight. */
interface LinearTaps {
  i0: Int32Array;
  step: Int32Array;
  l1: Float32Array;
}

/** ATen `area_pixel_compute_scale` / `area_pixel_compute_source_index` in float32. */
function linearTaps(inSize: number, outSize: number, scale: number | undefined, alignCorners: boolean): LinearTaps {
  const ratio = alignCorners ? (outSize > 1 ? f32(f32(inSize - 1) / (outSize - 1)) : 0) : scalesValue(scale, inSize, outSize);
  const t: LinearTaps = { i0: new Int32Array(outSize), step: new Int32Array(outSize), l1: new Float32Array(outSize) };
  for (let o = 0; o < outSize; o++) {
    let real = alignCorners ? f32(ratio * o) : f32(f32(ratio * (o + 0.5)) - 0.5);
    if (real < 0) real = 0;
    const i0 = Math.min(Math.trunc(real), inSize - 1);
    t.i0[o] = i0;
    t.step[o] = i0 < inSize - 1 ? 1 : 0;
    t.l1[o] = f32(real - i0);
  }
  return t;
}

/** Reference bilinear kernel (4-d input): float32 blend of the integers, then requantized. */
const bilinearKernel: QUpsampleKernel = (x, outSp, scales, alignCorners) => {
  const xi = readPerTensor(x, 'upsample_bilinear2d');
  const [N, C, IH, IW] = x.shape as [number, number, number, number];
  const [OH, OW] = outSp as [number, number];
  const y = makeQTensor([N, C, OH, OW], x.dtype, xi.scale, xi.zeroPoint);
  const out = y.data, q = xi.q, zp = xi.zeroPoint;
  if (IH === OH && IW === OW) {
    out.set(q);
    return y;
  }
  const th = linearTaps(IH, OH, scales[0], alignCorners), tw = linearTaps(IW, OW, scales[1], alignCorners);
  // quantize_val(output_scale / input_scale, ...): the output keeps the input's qparams, so 1
  const inv = 1;
  let o = 0;
  for (let p = 0; p < N * C; p++) {
    for (let h = 0; h < OH; h++) {
      const h1l = th.l1[h]!, h0l = f32(1 - h1l);
      const base = (p * IH + th.i0[h]!) * IW, down = th.step[h]! * IW;
      for (let w = 0; w < OW; w++) {
        const w1l = tw.l1[w]!, w0l = f32(1 - w1l);
        const a = base + tw.i0[w]!, right = tw.step[w]!;
        const top = f32(f32(w0l * q[a]!) + f32(w1l * q[a + right]!));
        const bottom = f32(f32(w0l * q[a + down]!) + f32(w1l * q[a + down + right]!));
        const v = f32(f32(f32(h0l * top) + f32(h1l * bottom)) - zp);
        out[o++] = quantizeValue(v, inv, zp, xi.qmin, xi.qmax);
      }
    }
  }
  return y;
};

/** The reference resampling kernels, by op name. */
export const UPSAMPLE_KERNELS: Record<string, QUpsampleKernel> = {
  'quantized::upsample_nearest': nearestKernel(false),
  'quantized::upsample_nearest_exact': nearestKernel(true),
  'quantized::upsample_bilinear2d': bilinearKernel,
};

/** Output sizes and kernel scales from size / scaleFactor (Python `F.interpolate`). */
function resolveSize(x: Tensor, nSp: number, opts: InterpolateOptions, op: string): { size: number[]; scales: Array<number | undefined> } {
  const { size, scaleFactor, recomputeScaleFactor } = opts;
  if ((size === undefined) === (scaleFactor === undefined)) throw new QTorchValueError(`${op}(): exactly one of size or scale_factor should be defined`);
  const perDim = (v: number | readonly number[], what: string): number[] => {
    const a = typeof v === 'number' ? new Array<number>(nSp).fill(v) : [...v];
    if (a.length !== nSp) throw new QTorchShapeError(`${op}(): input with ${nSp} spatial dims and ${what} ${JSON.stringify(v)} must have the same number of spatial dimensions`);
    return a;
  };
  const inSp = x.shape.slice(2);
  let out: number[], scales: Array<number | undefined>;
  if (size !== undefined) {
    if (recomputeScaleFactor) throw new QTorchValueError(`${op}(): recompute_scale_factor is not meaningful with an explicit size.`);
    out = perDim(size, 'size');
    scales = new Array<undefined>(nSp).fill(undefined);
  } else {
    const sf = perDim(scaleFactor!, 'scale_factor');
    out = inSp.map((n, i) => Math.floor(n * sf[i]!));
    scales = recomputeScaleFactor ? new Array<undefined>(nSp).fill(undefined) : sf;
  }
  if (out.some((o) => !Number.isInteger(o) || o <= 0) || inSp.some((n) => n <= 0)) {
    throw new QTorchShapeError(`${op}(): Input and output sizes should be greater than 0, but got input ${fmtShape(inSp)} and output ${fmtShape(out)}`);
  }
  return { size: out, scales };
}

const QUANTIZED_MODES: readonly InterpolateMode[] = ['nearest', 'nearest-exact', 'bilinear'];

/**
 * `F.interpolate` on a quantized tensor: 'nearest' / 'nearest-exact' on 4-d or 5-d inputs,
 * 'bilinear' on 4-d inputs (the modes PyTorch 1.13 has QuantizedCPU kernels for). The output
 * keeps the input's scale and zero point.
 * @example const y = quantizedInterpolate(qx, { scaleFactor: 2, mode: 'nearest' });
 */
export function quantizedInterpolate(x: Tensor, opts: InterpolateOptions): Tensor {
  assertTensor(x, 'quantized::interpolate');
  const mode = opts.mode ?? 'nearest';
  const op = `quantized::interpolate(mode='${mode}')`;
  check8bit(readPerTensor(x, op), op);
  if (!QUANTIZED_MODES.includes(mode)) {
    throw new QTorchValueError(`${op}(): no quantized kernel for mode '${mode}'; quantized tensors support nearest, nearest-exact and bilinear (dequantize first for other modes)`);
  }
  const bilinear = mode === 'bilinear';
  if (!bilinear && opts.alignCorners !== undefined && opts.alignCorners !== null) {
    throw new QTorchValueError(`${op}(): align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear`);
  }
  if (bilinear ? x.ndim !== 4 : x.ndim !== 4 && x.ndim !== 5) {
    throw new QTorchShapeError(`${op}(): expected a ${bilinear ? '4-d' : '4-d or 5-d'} input [N, C, ...spatial], got ${fmtShape(x.shape)}`);
  }
  const { size, scales } = resolveSize(x, x.ndim - 2, opts, op);
  const kernel = bilinear ? 'quantized::upsample_bilinear2d' : mode === 'nearest' ? 'quantized::upsample_nearest' : 'quantized::upsample_nearest_exact';
  return getKernel<QUpsampleKernel>(kernel)(x, size, scales, opts.alignCorners ?? false);
}

/** `torch.nn.functional.upsample_nearest` / `aten::upsample_nearest2d` on a quantized tensor. */
export function quantizedUpsampleNearest(x: Tensor, opts: { size?: number | readonly number[]; scaleFactor?: number | readonly number[] }): Tensor {
  return quantizedInterpolate(x, { ...opts, mode: 'nearest' });
}

/** `torch.nn.functional.upsample_bilinear` on a quantized tensor (align_corners=True, as PyTorch's deprecated helper). */
export function quantizedUpsampleBilinear(x: Tensor, opts: { size?: number | readonly number[]; scaleFactor?: number | readonly number[] }): Tensor {
  return quantizedInterpolate(x, { ...opts, mode: 'bilinear', alignCorners: true });
}
