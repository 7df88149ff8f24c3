/**
 * @qtorch/nn-quantized/functional: torch.ao.nn.quantized.functional, the functional forms of
 * the quantized layers. Inputs are quantized tensors; defaults are PyTorch's (output qparams
 * default to the input's where PyTorch's do).
 *
 * @example
 * ```ts
 * import * as qF from '@qtorch/nn-quantized/functional';
 * const y = qF.conv2d(qx, qw, bias, { padding: 1, scale: 0.05, zeroPoint: 128 });
 * const z = qF.interpolate(y, { scaleFactor: 2, mode: 'bilinear', alignCorners: false });
 * ```
 */
import {
  checkOptions, type InterpolateMode, type IntOrTuple, QTorchTypeError, QTorchValueError, type Tensor, conv1dPrepack, conv2dPrepack, conv3dPrepack,
  expandTuple, fmtShape, linearPrepack, ones, qScale, qZeroPoint, quantizedAdaptiveAvgPool2d, quantizedAdaptiveAvgPool3d,
  quantizedAvgPool2d, quantizedAvgPool3d, quantizedBatchNorm, quantizedCelu, quantizedClamp, quantizedConv1d, quantizedConv2d,
  quantizedConv3d, quantizedElu, quantizedGroupNorm, quantizedHardsigmoid, quantizedHardswish, quantizedHardtanh, quantizedInstanceNorm,
  quantizedInterpolate, quantizedLayerNorm, quantizedLeakyRelu, quantizedLinear, quantizedMaxPool1d, quantizedMaxPool2d, quantizedRelu,
  quantizedThreshold, quint8, zeros, type DType,
} from '@qtorch/qtensor';

/** Throws PyTorch's "Input to 'quantized.<op>' must be quantized!" for float input. */
function requireQuantized(x: Tensor, op: string): void {
  if (!x || typeof x !== 'object' || !('isQuantized' in x) || !x.isQuantized) {
    const got = x && typeof x === 'object' && 'dtype' in x ? x.dtype.torchName : String(x);
    throw new QTorchValueError(`Input to 'quantized.${op}' must be quantized! Got ${got}; quantize it first (quantizePerTensor, or a QuantStub in the model).`);
  }
}

/** Output qparams: the given ones, else the input's. */
const qparamsOr = (x: Tensor, scale: number | null | undefined, zeroPoint: number | null | undefined): [number, number] => [scale ?? qScale(x), zeroPoint ?? qZeroPoint(x)];

// ---- linear / conv --------------------------------------------------------------------------

/** Options of `linear`. */
export interface LinearOptions {
  /** Float bias `[out]`, or null. */
  bias?: Tensor | null;
  /** Output scale (default: the input's). */
  scale?: number | null;
  /** Output zero point (default: the input's). */
  zeroPoint?: number | null;
}

/**
 * `y = x Wᵀ + b` with a qint8 weight, packed for this call (use the Linear module to pack once).
 * @example qF.linear(qx, qw, { bias, scale: 0.1, zeroPoint: 64 })
 */
export function linear(input: Tensor, weight: Tensor, options: LinearOptions = {}): Tensor {
  checkOptions(options, 'quantized.linear');
  requireQuantized(input, 'linear');
  const [s, zp] = qparamsOr(input, options.scale, options.zeroPoint);
  return quantizedLinear(input, linearPrepack(weight, options.bias ?? null), s, zp);
}

/** Options of the quantized convolutions. */
export interface ConvOptions {
  /** Stride per spatial dim (default 1). */
  stride?: IntOrTuple;
  /** Zero padding per spatial dim (default 0). */
  padding?: IntOrTuple;
  /** Dilation per spatial dim (default 1). */
  dilation?: IntOrTuple;
  /** Channel groups (default 1). */
  groups?: number;
  /** Only 'zeros' (PyTorch: "Only zero-padding is supported!"). */
  paddingMode?: string;
  /** Output scale (default 1.0). */
  scale?: number;
  /** Output zero point (default 0). */
  zeroPoint?: number;
  /** Output dtype: quint8 only. */
  dtype?: DType;
}

type Prepack = (w: Tensor, b: Tensor | null, stride: number[], padding: number[], dilation: number[], groups: number) => ReturnType<typeof conv2dPrepack>;
type ConvOp = typeof quantizedConv2d;
const CONV: Record<number, [Prepack, ConvOp, string]> = {
  1: [conv1dPrepack, quantizedConv1d, '(N, C, L)'],
  2: [conv2dPrepack, quantizedConv2d, '(N, C, H, W)'],
  3: [conv3dPrepack, quantizedConv3d, '(N, C, D, H, W)'],
};

function convNd(d: 1 | 2 | 3, input: Tensor, weight: Tensor, bias: Tensor | null, o: ConvOptions): Tensor {
  const op = `conv${d}d`;
  checkOptions(o, `quantized.${op}`);
  const [prepack, run, layout] = CONV[d]!;
  if ((o.paddingMode ?? 'zeros') !== 'zeros') throw new QTorchValueError(`quantized.${op}(): Only zero-padding is supported! Got padding_mode='${o.paddingMode}'`);
  requireQuantized(input, op);
  if (input.dtype !== quint8) throw new QTorchTypeError(`quantized.${op}(): Only torch.quint8 is supported for activation tensor! Got ${input.dtype.torchName}`);
  if (!weight.isQuantized || weight.dtype.name !== 'qint8') throw new QTorchTypeError(`quantized.${op}(): Only torch.qint8 is supported for weight tensor! Got ${weight.dtype.torchName}`);
  if ((o.dtype ?? quint8) !== quint8) throw new QTorchTypeError(`quantized.${op}(): Only torch.quint8 is supported for the output, got ${o.dtype!.torchName}`);
  if (input.ndim !== d + 2) throw new QTorchValueError(`quantized.${op}(): Input shape must be \`${layout}\`!, got ${fmtShape(input.shape)}`);
  const t = (v: IntOrTuple | undefined, dflt: number, name: string): number[] => expandTuple(v ?? dflt, d, name, `quantized.${op}`);
  const packed = prepack(weight, bias, t(o.stride, 1, 'stride'), t(o.padding, 0, 'padding'), t(o.dilation, 1, 'dilation'), o.groups ?? 1);
  return run(input, packed, o.scale ?? 1, o.zeroPoint ?? 0);
}

/** Quantized 1-d convolution of a quint8 `(N, C, L)` input with a qint8 weight (packed per call). */
export const conv1d = (input: Tensor, weight: Tensor, bias: Tensor | null, options: ConvOptions = {}): Tensor => convNd(1, input, weight, bias, options);
/**
 * Quantized 2-d convolution of a quint8 `(N, C, H, W)` input.
 * @example qF.conv2d(qx, qw, null, { stride: 2, scale: 0.2, zeroPoint: 0 })
 */
export const conv2d = (input: Tensor, weight: Tensor, bias: Tensor | null, options: ConvOptions = {}): Tensor => convNd(2, input, weight, bias, options);
/** Quantized 3-d convolution of a quint8 `(N, C, D, H, W)` input. */
export const conv3d = (input: Tensor, weight: Tensor, bias: Tensor | null, options: ConvOptions = {}): Tensor => convNd(3, input, weight, bias, options);

// ---- pooling --------------------------------------------------------------------------------

/** Options of `avgPool2d` / `avgPool3d` (PyTorch's defaults). */
export interface AvgPoolOptions {
  /** Step per spatial dim (default: the kernel size). */
  stride?: IntOrTuple | null;
  /** Implicit zero padding per spatial dim (default 0). */
  padding?: IntOrTuple;
  /** Round the output size up instead of down (default false). */
  ceilMode?: boolean;
  /** Count padded positions in the divisor (default true). */
  countIncludePad?: boolean;
  /** Divide by this instead of the window size (default null). */
  divisorOverride?: number | null;
}

/** Average pooling over a quantized `(N, C, H, W)` input (output keeps the input's qparams). */
export function avgPool2d(input: Tensor, kernelSize: IntOrTuple, options: AvgPoolOptions = {}): Tensor {
  checkOptions(options, 'quantized.avgPool2d');
  requireQuantized(input, 'avg_pool2d');
  return quantizedAvgPool2d(input, kernelSize, options);
}

/** Average pooling over a quantized `(N, C, D, H, W)` input. */
export function avgPool3d(input: Tensor, kernelSize: IntOrTuple, options: AvgPoolOptions = {}): Tensor {
  checkOptions(options, 'quantized.avgPool3d');
  requireQuantized(input, 'avg_pool3d');
  return quantizedAvgPool3d(input, kernelSize, options);
}

/** Adaptive average pooling to `outputSize` (quantized `(N, C, H, W)`). */
export function adaptiveAvgPool2d(input: Tensor, outputSize: IntOrTuple): Tensor {
  requireQuantized(input, 'adaptive_avg_pool2d');
  return quantizedAdaptiveAvgPool2d(input, outputSize);
}

/** Adaptive average pooling to `outputSize` (quantized `(N, C, D, H, W)`). */
export function adaptiveAvgPool3d(input: Tensor, outputSize: IntOrTuple): Tensor {
  requireQuantized(input, 'adaptive_avg_pool3d');
  return quantizedAdaptiveAvgPool3d(input, outputSize);
}

/** Options of the max pools. */
export interface MaxPoolOptions {
  /** Step per spatial dim (default: the kernel size). */
  stride?: IntOrTuple | null;
  /** Implicit padding per spatial dim (default 0). */
  padding?: IntOrTuple;
  /** Spacing between window elements (default 1). */
  dilation?: IntOrTuple;
  /** Round the output size up instead of down (default false). */
  ceilMode?: boolean;
  /** Not implemented for quantized tensors (PyTorch neither). */
  returnIndices?: boolean;
}

function maxPool(d: 1 | 2, input: Tensor, kernelSize: IntOrTuple, o: MaxPoolOptions): Tensor {
  checkOptions(o, `quantized.max_pool${d}d`);
  if (o.returnIndices) throw new QTorchValueError(`quantized.max_pool${d}d(): return_indices is not yet implemented!`);
  requireQuantized(input, `max_pool${d}d`);
  const opts = { stride: o.stride, padding: o.padding, dilation: o.dilation, ceilMode: o.ceilMode };
  return d === 1 ? quantizedMaxPool1d(input, kernelSize, opts) : quantizedMaxPool2d(input, kernelSize, opts);
}

/** Max pooling over a quantized `(N, C, L)` input. */
export const maxPool1d = (input: Tensor, kernelSize: IntOrTuple, options: MaxPoolOptions = {}): Tensor => maxPool(1, input, kernelSize, options);
/** Max pooling over a quantized `(N, C, H, W)` input. */
export const maxPool2d = (input: Tensor, kernelSize: IntOrTuple, options: MaxPoolOptions = {}): Tensor => maxPool(2, input, kernelSize, options);

// ---- resampling -----------------------------------------------------------------------------

/** Options of `interpolate` / `upsample`. */
export interface InterpolateOptions {
  /** Output spatial size; exclusive with `scaleFactor`. */
  size?: IntOrTuple;
  /** Multiplier of the spatial size; exclusive with `size`. */
  scaleFactor?: number | readonly number[];
  /** 'nearest' (default), 'nearest-exact' or 'bilinear' on quantized tensors. */
  mode?: InterpolateMode;
  /** For bilinear: align the corner pixels of input and output. */
  alignCorners?: boolean | null;
  /** Recompute the scale from the output size (PyTorch's `recompute_scale_factor`). */
  recomputeScaleFactor?: boolean | null;
}

/**
 * Resizes a quantized `(N, C, H, W)` / `(N, C, D, H, W)` input (qparams kept).
 * @example qF.interpolate(qx, { size: [16, 16], mode: 'bilinear', alignCorners: true })
 */
export function interpolate(input: Tensor, options: InterpolateOptions = {}): Tensor {
  checkOptions(options, 'quantized.interpolate');
  requireQuantized(input, 'interpolate');
  return quantizedInterpolate(input, options);
}

/** Deprecated alias of `interpolate` (as in PyTorch). */
export function upsample(input: Tensor, options: InterpolateOptions = {}): Tensor {
  checkOptions(options, 'quantized.upsample');
  requireQuantized(input, 'upsample');
  return quantizedInterpolate(input, options);
}

/** `upsample` with mode 'bilinear' and alignCorners true (PyTorch's deprecated helper). */
export function upsampleBilinear(input: Tensor, options: { size?: IntOrTuple; scaleFactor?: number | readonly number[] } = {}): Tensor {
  checkOptions(options, 'quantized.upsampleBilinear');
  requireQuantized(input, 'upsample_bilinear');
  return quantizedInterpolate(input, { ...options, mode: 'bilinear', alignCorners: true });
}

/** `upsample` with mode 'nearest'. */
export function upsampleNearest(input: Tensor, options: { size?: IntOrTuple; scaleFactor?: number | readonly number[] } = {}): Tensor {
  checkOptions(options, 'quantized.upsampleNearest');
  requireQuantized(input, 'upsample_nearest');
  return quantizedInterpolate(input, { ...options, mode: 'nearest' });
}

// ---- activations ----------------------------------------------------------------------------

/** `max(x, 0)` (qparams kept). */
export function relu(input: Tensor, _options: { inplace?: boolean } = {}): Tensor {
  requireQuantized(input, 'relu');
  return quantizedRelu(input);
}

/** ELU with output qparams (required, as in PyTorch). */
export function elu(input: Tensor, scale: number, zeroPoint: number, options: { alpha?: number } = {}): Tensor {
  checkOptions(options, 'quantized.elu');
  requireQuantized(input, 'elu');
  return quantizedElu(input, scale, zeroPoint, options.alpha ?? 1);
}

/** CELU with output qparams. */
export function celu(input: Tensor, scale: number, zeroPoint: number, options: { alpha?: number } = {}): Tensor {
  checkOptions(options, 'quantized.celu');
  requireQuantized(input, 'celu');
  return quantizedCelu(input, scale, zeroPoint, options.alpha ?? 1);
}

/** Hardswish with output qparams. */
export function hardswish(input: Tensor, scale: number, zeroPoint: number): Tensor {
  requireQuantized(input, 'hardswish');
  return quantizedHardswish(input, scale, zeroPoint);
}

/** Hardsigmoid (fixed output qparams 1/256). */
export function hardsigmoid(input: Tensor, _options: { inplace?: boolean } = {}): Tensor {
  requireQuantized(input, 'hardsigmoid');
  return quantizedHardsigmoid(input);
}

/** Options of `leakyRelu`. */
export interface LeakyReluOptions {
  /** Slope below 0 (default 0.01). */
  negativeSlope?: number;
  /** Overwrite the input (default false). */
  inplace?: boolean;
  /** Output scale (default: the input's). */
  scale?: number | null;
  /** Output zero point (default: the input's). */
  zeroPoint?: number | null;
}

/** LeakyReLU with optional output qparams. */
export function leakyRelu(input: Tensor, options: LeakyReluOptions = {}): Tensor {
  checkOptions(options, 'quantized.leakyRelu');
  requireQuantized(input, 'leaky_relu');
  const [s, zp] = qparamsOr(input, options.scale, options.zeroPoint);
  return quantizedLeakyRelu(input, options.negativeSlope ?? 0.01, { scale: s, zeroPoint: zp });
}

/** `clamp(x, minVal, maxVal)` (defaults -1, 1), qparams kept. */
export function hardtanh(input: Tensor, options: { minVal?: number; maxVal?: number; inplace?: boolean } = {}): Tensor {
  checkOptions(options, 'quantized.hardtanh');
  requireQuantized(input, 'hardtanh');
  return quantizedHardtanh(input, options.minVal ?? -1, options.maxVal ?? 1);
}

/** `clamp(x, min, max)` with the input's qparams (PyTorch's `min_`, `max_`). */
export function clamp(input: Tensor, min: number, max: number): Tensor {
  requireQuantized(input, 'clamp');
  return quantizedClamp(input, min, max);
}

/** `x <= threshold ? value : x` (qparams kept). */
export function threshold(input: Tensor, thresholdValue: number, value: number): Tensor {
  requireQuantized(input, 'threshold');
  if (thresholdValue === undefined || thresholdValue === null) throw new QTorchValueError("Input to 'threshold' must be specified!");
  if (value === undefined || value === null) throw new QTorchValueError("Input to 'value' must be specified!");
  return quantizedThreshold(input, thresholdValue, value);
}

// ---- normalization --------------------------------------------------------------------------

/** Options of the quantized norms: affine parameters and output qparams (default: the input's). */
export interface NormOptions {
  /** Per-channel float scale `[C]`, or null. */
  weight?: Tensor | null;
  /** Per-channel float shift `[C]`, or null. */
  bias?: Tensor | null;
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Output scale (default: the input's). */
  scale?: number | null;
  /** Output zero point (default: the input's). */
  zeroPoint?: number | null;
}

/** Batch norm with running statistics (inference); weight / bias default to 1 / 0. */
export function batchNorm(input: Tensor, runningMean: Tensor, runningVar: Tensor, options: NormOptions = {}): Tensor {
  checkOptions(options, 'quantized.batchNorm');
  requireQuantized(input, 'batch_norm');
  const c = input.shape[1] ?? 0;
  const [s, zp] = qparamsOr(input, options.scale, options.zeroPoint);
  return quantizedBatchNorm(input, options.weight ?? ones([c]), options.bias ?? zeros([c]), runningMean, runningVar, options.eps ?? 1e-5, s, zp);
}

/** Layer norm over the trailing `normalizedShape` dims. */
export function layerNorm(input: Tensor, normalizedShape: IntOrTuple, options: NormOptions = {}): Tensor {
  checkOptions(options, 'quantized.layerNorm');
  requireQuantized(input, 'layer_norm');
  const [s, zp] = qparamsOr(input, options.scale, options.zeroPoint);
  return quantizedLayerNorm(input, normalizedShape, options.weight ?? null, options.bias ?? null, options.eps ?? 1e-5, s, zp);
}

/** Group norm in `numGroups` groups of channels. */
export function groupNorm(input: Tensor, numGroups: number, options: NormOptions = {}): Tensor {
  checkOptions(options, 'quantized.groupNorm');
  requireQuantized(input, 'group_norm');
  const [s, zp] = qparamsOr(input, options.scale, options.zeroPoint);
  return quantizedGroupNorm(input, numGroups, options.weight ?? null, options.bias ?? null, options.eps ?? 1e-5, s, zp);
}

/** Instance norm (per sample and channel). */
export function instanceNorm(input: Tensor, options: NormOptions = {}): Tensor {
  checkOptions(options, 'quantized.instanceNorm');
  requireQuantized(input, 'instance_norm');
  const [s, zp] = qparamsOr(input, options.scale, options.zeroPoint);
  return quantizedInstanceNorm(input, options.weight ?? null, options.bias ?? null, options.eps ?? 1e-5, s, zp);
}
