/**
 * Quantized normalization: `quantized::batch_norm` (1d/2d/3d, + relu), `layer_norm`,
 * `group_norm` and `instance_norm`, with requested output qparams. Both engines share these
 * kernels (golden norms.json is identical on qnnpack and onednn).
 *
 * - batch_norm folds the statistics into per-channel float32 `alpha`, `beta` (ATen's
 *   `compute_fused_params`) and computes `zp + rint(fma(alpha, q - zx, beta))`.
 * - layer / group / instance norm compute the mean and variance of the integers of each group
 *   (int sums, float32 moments) and normalize the dequantized values in float32, then
 *   `quantize_val` (ATen's `quantized_normalize_kernel`).
 */
import { QTorchShapeError, QTorchValueError, fmtShape } from '../../errors.js';
import { getKernel } from '../../registry.js';
import { shapeNumel } from '../../shape.js';
import type { Tensor } from '../../tensor.js';
import { inverseScale, quantizeValue } from '../numerics.js';
import { fmaf } from './fmaf.js';
import { type QInput, check8bit, checkOutputQparams, clampInt, f32, makeQTensor, readPerTensor, rint } from './requantize.js';

/** Kernel signature of `quantized::batch_norm` / `batch_norm_relu`. */
export type QBatchNormKernel = (
  x: Tensor, weight: Tensor, bias: Tensor, mean: Tensor, variance: Tensor, eps: number, outScale: number, outZeroPoint: number,
) => Tensor;
/** Kernel signature of `quantized::layer_norm`. */
export type QLayerNormKernel = (
  x: Tensor, normalizedShape: readonly number[], weight: Tensor | null, bias: Tensor | null, eps: number, outScale: number, outZeroPoint: number,
) => Tensor;
/** Kernel signature of `quantized::group_norm`. */
export type QGroupNormKernel = (
  x: Tensor, numGroups: number, weight: Tensor | null, bias: Tensor | null, eps: number, outScale: number, outZeroPoint: number,
) => Tensor;

const floats = (t: Tensor | null): Float32Array | null => (t ? Float32Array.from(t.values()) : null);

/** The reference batch norm kernel (`relu`: batch_norm_relu); contiguous `[N, C, *]` layout. */
export function batchNormKernel(relu: boolean): QBatchNormKernel {
  return (x, weight, bias, mean, variance, eps, outScale, outZeroPoint) => {
    const xi = readPerTensor(x, relu ? 'quantized::batch_norm_relu' : 'quantized::batch_norm');
    const C = x.shape[1] ?? 1, inner = shapeNumel(x.shape.slice(2)), outer = x.shape[0] ?? 1;
    const w = floats(weight)!, b = floats(bias)!, m = floats(mean)!, v = floats(variance)!;
    const alpha = new Float32Array(C), beta = new Float32Array(C);
    for (let c = 0; c < C; c++) {
      // 1.0 / sqrt(float(var + float(eps))) is evaluated in double, then stored as float
      const invSigma = f32(1 / f32(Math.sqrt(f32(v[c]! + f32(eps)))));
      alpha[c] = f32(invSigma * w[c]!) * (xi.scale / outScale);
      beta[c] = f32(b[c]! - f32(f32(m[c]! * invSigma) * w[c]!)) / outScale;
    }
    const lo = relu ? Math.max(outZeroPoint, xi.qmin) : xi.qmin;
    const y = makeQTensor(x.shape, x.dtype, outScale, outZeroPoint);
    const out = y.data;
    for (let n = 0; n < outer; n++) {
      for (let c = 0; c < C; c++) {
        const base = (n * C + c) * inner, a = alpha[c]!, bb = beta[c]!;
        for (let i = base; i < base + inner; i++) out[i] = clampInt(outZeroPoint + rint(fmaf(a, xi.q[i]! - xi.zeroPoint, bb)), lo, xi.qmax);
      }
    }
    return y;
  };
}

/** How the affine parameters of a normalization are indexed. */
interface NormAffine {
  gamma: Float32Array | null;
  beta: Float32Array | null;
  /** Per channel (group / instance norm; `channels` channels) or per element of a group (layer norm). */
  perChannel: boolean;
  channels: number;
  groupsPerSample: number;
}

/**
 * ATen's `quantized_normalize_kernel`: `M` groups of `N` consecutive integers; per group the
 * int sums give float32 mean and variance of `q`, then each value is
 * `quantize_val(s_out, zp_out, (q - zx - mean') * s' * gamma + beta)` in float32.
 */
function normalize(xi: QInput, M: number, N: number, aff: NormAffine, eps: number, outScale: number, outZeroPoint: number, shape: readonly number[]): Tensor {
  const y = makeQTensor(shape, xi.dtype, outScale, outZeroPoint);
  const out = y.data, q = xi.q, zx = xi.zeroPoint;
  const sx = f32(xi.scale), invOut = inverseScale(outScale);
  const chPerGroup = aff.perChannel ? aff.channels / aff.groupsPerSample : 1;
  const perCh = N / chPerGroup;
  for (let g = 0; g < M; g++) {
    const base = g * N;
    let sum = 0, sumSq = 0;
    for (let j = base; j < base + N; j++) {
      sum += q[j]!;
      sumSq += q[j]! * q[j]!;
    }
    const meanQ = f32(f32(sum) / N);
    const mean = f32(meanQ - zx);
    const variance = Math.max(f32(f32(f32(sumSq) / N) - f32(meanQ * meanQ)), 0);
    // float * float * float + double eps, sqrt and division in double, stored as float
    const s = f32(sx / Math.sqrt(f32(f32(variance * sx) * sx) + eps));
    for (let ch = 0; ch < chPerGroup; ch++) {
      const at = (g * chPerGroup + ch) % aff.channels;
      const gammaP = aff.perChannel ? f32(s * (aff.gamma ? aff.gamma[at]! : 1)) : 0;
      const betaC = aff.perChannel && aff.beta ? aff.beta[at]! : 0;
      for (let k = 0; k < perCh; k++) {
        const j = ch * perCh + k;
        const d = f32(f32(q[base + j]! - zx) - mean);
        const v = aff.perChannel
          ? f32(f32(d * gammaP) + betaC)
          : f32(f32(f32(d * s) * (aff.gamma ? aff.gamma[j]! : 1)) + (aff.beta ? aff.beta[j]! : 0));
        out[base + j] = quantizeValue(v, invOut, outZeroPoint, xi.qmin, xi.qmax);
      }
    }
  }
  return y;
}

/** The reference `quantized::layer_norm` kernel. */
export const layerNormKernel: QLayerNormKernel = (x, normalizedShape, weight, bias, eps, outScale, outZeroPoint) => {
  const xi = readPerTensor(x, 'quantized::layer_norm');
  const N = shapeNumel(normalizedShape), M = N === 0 ? 0 : xi.q.length / N;
  const aff: NormAffine = { gamma: floats(weight), beta: floats(bias), perChannel: false, channels: 1, groupsPerSample: 1 };
  return normalize(xi, M, N, aff, eps, outScale, outZeroPoint, x.shape);
};

/** The reference `quantized::group_norm` kernel (instance norm is group norm with one group per channel). */
export const groupNormKernel: QGroupNormKernel = (x, numGroups, weight, bias, eps, outScale, outZeroPoint) => {
  const xi = readPerTensor(x, 'quantized::group_norm');
  const C = x.shape[1]!, M = x.shape[0]! * numGroups, N = M === 0 ? 0 : xi.q.length / M;
  const aff: NormAffine = { gamma: floats(weight), beta: floats(bias), perChannel: true, channels: C, groupsPerSample: numGroups };
  return normalize(xi, M, N, aff, eps, outScale, outZeroPoint, x.shape);
};

/** Throws unless `t` is a float tensor with `n` elements (or null where allowed). */
function checkParam(t: Tensor | null, n: number, name: string, op: string, optional: boolean): void {
  if (t === null || t === undefined) {
    if (!optional) throw new QTorchValueError(`${op}(): ${name} must be provided`);
    return;
  }
  if (t.isQuantized || !t.dtype.isFloatingPoint) throw new QTorchValueError(`${op}(): expected a float ${name}, got ${t.dtype.torchName}`);
  if (t.numel() !== n) throw new QTorchShapeError(`${op}(): expected ${name} with ${n} elements, got ${fmtShape(t.shape)}`);
}

function checkInput(x: Tensor, op: string, outScale: number, outZeroPoint: number): void {
  check8bit(readPerTensor(x, op), op);
  checkOutputQparams(outScale, outZeroPoint, x.dtype, op);
}

function runBatchNorm(
  ranks: readonly number[], relu: boolean, name: string,
  x: Tensor, weight: Tensor, bias: Tensor, mean: Tensor, variance: Tensor, eps: number, outScale: number, outZeroPoint: number,
): Tensor {
  const op = `quantized::${name}${relu ? '_relu' : ''}`;
  checkInput(x, op, outScale, outZeroPoint);
  if (!ranks.includes(x.ndim)) throw new QTorchShapeError(`${op}(): expected a ${ranks.join('-d or ')}-d input, got ${fmtShape(x.shape)}`);
  const C = x.shape[1]!;
  checkParam(weight, C, 'weight', op, false);
  checkParam(bias, C, 'bias', op, false);
  checkParam(mean, C, 'running mean', op, false);
  checkParam(variance, C, 'running var', op, false);
  if (x.numel() === 0) return makeQTensor(x.shape, x.dtype, outScale, outZeroPoint);
  return getKernel<QBatchNormKernel>(relu ? 'quantized::batch_norm_relu' : 'quantized::batch_norm')(x, weight, bias, mean, variance, eps, outScale, outZeroPoint);
}

type BatchNormFn = (x: Tensor, weight: Tensor, bias: Tensor, mean: Tensor, variance: Tensor, eps: number, outScale: number, outZeroPoint: number) => Tensor;
const bn = (ranks: readonly number[], relu: boolean, name: string): BatchNormFn =>
  (x, w, b, m, v, eps, s, zp) => runBatchNorm(ranks, relu, name, x, w, b, m, v, eps, s, zp);

/** `torch.ops.quantized.batch_norm(x, weight, bias, mean, var, eps, output_scale, output_zero_point)`: any of 2-5 dims. */
export const quantizedBatchNorm: BatchNormFn = bn([2, 3, 4, 5], false, 'batch_norm');
/** `torch.ops.quantized.batch_norm_relu`. */
export const quantizedBatchNormRelu: BatchNormFn = bn([2, 3, 4, 5], true, 'batch_norm');
/** `torch.ops.quantized.batch_norm1d` ([N, C] or [N, C, L]). */
export const quantizedBatchNorm1d: BatchNormFn = bn([2, 3], false, 'batch_norm1d');
/** `torch.ops.quantized.batch_norm1d_relu`. */
export const quantizedBatchNorm1dRelu: BatchNormFn = bn([2, 3], true, 'batch_norm1d');
/** `torch.ops.quantized.batch_norm2d` ([N, C, H, W]). */
export const quantizedBatchNorm2d: BatchNormFn = bn([4], false, 'batch_norm2d');
/** `torch.ops.quantized.batch_norm2d_relu`. */
export const quantizedBatchNorm2dRelu: BatchNormFn = bn([4], true, 'batch_norm2d');
/** `torch.ops.quantized.batch_norm3d` ([N, C, D, H, W]). */
export const quantizedBatchNorm3d: BatchNormFn = bn([5], false, 'batch_norm3d');
/** `torch.ops.quantized.batch_norm3d_relu`. */
export const quantizedBatchNorm3dRelu: BatchNormFn = bn([5], true, 'batch_norm3d');

/**
 * `torch.ops.quantized.layer_norm(x, normalized_shape, weight, bias, eps, output_scale,
 * output_zero_point)`: normalizes over the trailing `normalizedShape` dims.
 */
export function quantizedLayerNorm(
  x: Tensor, normalizedShape: number | readonly number[], weight: Tensor | null, bias: Tensor | null, eps: number, outScale: number, outZeroPoint: number,
): Tensor {
  const op = 'quantized::layer_norm';
  checkInput(x, op, outScale, outZeroPoint);
  const ns = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
  const tail = x.shape.slice(x.ndim - ns.length);
  if (ns.length === 0 || ns.length > x.ndim || ns.some((s, i) => s !== tail[i])) {
    throw new QTorchShapeError(`${op}(): Given normalized_shape=${fmtShape(ns)}, expected input with shape [*, ${ns.join(', ')}], but got input of size ${fmtShape(x.shape)}`);
  }
  const n = shapeNumel(ns);
  checkParam(weight, n, 'weight', op, true);
  checkParam(bias, n, 'bias', op, true);
  return getKernel<QLayerNormKernel>(op)(x, ns, weight, bias, eps, outScale, outZeroPoint);
}

function checkChannelNorm(x: Tensor, groups: number, weight: Tensor | null, bias: Tensor | null, op: string): void {
  if (x.ndim < 2) throw new QTorchShapeError(`${op}(): expected an input [N, C, *], got ${fmtShape(x.shape)}`);
  const C = x.shape[1]!;
  if (!Number.isInteger(groups) || groups < 1 || C % groups !== 0) {
    throw new QTorchValueError(`${op}(): Expected number of channels in input to be divisible by num_groups, but got input of shape ${fmtShape(x.shape)} and num_groups=${groups}`);
  }
  checkParam(weight, C, 'weight', op, true);
  checkParam(bias, C, 'bias', op, true);
}

/** `torch.ops.quantized.group_norm(x, num_groups, weight, bias, eps, output_scale, output_zero_point)`. */
export function quantizedGroupNorm(
  x: Tensor, numGroups: number, weight: Tensor | null, bias: Tensor | null, eps: number, outScale: number, outZeroPoint: number,
): Tensor {
  const op = 'quantized::group_norm';
  checkInput(x, op, outScale, outZeroPoint);
  checkChannelNorm(x, numGroups, weight, bias, op);
  return getKernel<QGroupNormKernel>(op)(x, numGroups, weight, bias, eps, outScale, outZeroPoint);
}

/** `torch.ops.quantized.instance_norm(x, weight, bias, eps, output_scale, output_zero_point)`: group norm with C groups. */
export function quantizedInstanceNorm(x: Tensor, weight: Tensor | null, bias: Tensor | null, eps: number, outScale: number, outZeroPoint: number): Tensor {
  const op = 'quantized::instance_norm';
  checkInput(x, op, outScale, outZeroPoint);
  checkChannelNorm(x, x.shape[1] ?? 1, weight, bias, op);
  return getKernel<QGroupNormKernel>('quantized::group_norm')(x, x.shape[1]!, weight, bias, eps, outScale, outZeroPoint);
}
