/**
 * Pooling under torch.nn.functional names. A quantized input goes to qtensor's quantized
 * kernels where PyTorch 1.13 has them (max_pool1d/2d, avg_pool1d/2d/3d, adaptive_avg_pool1d/2d/3d;
 * not max_pool3d or the adaptive max pools).
 */
import * as Q from '@qtorch/qtensor';
import { QTorchValueError, type Tensor, assertTensor, checkOptions } from '@qtorch/qtensor';

type IntOrTuple = number | readonly number[];

function noQuantizedIndices(op: string, opts: { returnIndices?: boolean }): void {
  if (opts.returnIndices) throw new QTorchValueError(`${op}(): returnIndices is not supported for quantized inputs (PyTorch's quantized max pooling returns values only)`);
}

/** 1-d max pooling. */
export function maxPool1d(x: Tensor, kernelSize: IntOrTuple, opts: Q.MaxPoolOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool1d(x: Tensor, kernelSize: IntOrTuple, opts?: Q.MaxPoolOptions): Tensor;
export function maxPool1d(x: Tensor, kernelSize: IntOrTuple, opts: Q.MaxPoolOptions = {}): Tensor | [Tensor, Tensor] {
  checkOptions(opts, 'maxPool1d');
  assertTensor(x, 'maxPool1d');
  if (!x.isQuantized) return Q.maxPool1d(x, kernelSize, opts);
  noQuantizedIndices('maxPool1d', opts);
  return Q.quantizedMaxPool1d(x, kernelSize, opts);
}

/** 2-d max pooling. */
export function maxPool2d(x: Tensor, kernelSize: IntOrTuple, opts: Q.MaxPoolOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool2d(x: Tensor, kernelSize: IntOrTuple, opts?: Q.MaxPoolOptions): Tensor;
export function maxPool2d(x: Tensor, kernelSize: IntOrTuple, opts: Q.MaxPoolOptions = {}): Tensor | [Tensor, Tensor] {
  checkOptions(opts, 'maxPool2d');
  assertTensor(x, 'maxPool2d');
  if (!x.isQuantized) return Q.maxPool2d(x, kernelSize, opts);
  noQuantizedIndices('maxPool2d', opts);
  return Q.quantizedMaxPool2d(x, kernelSize, opts);
}

/** 3-d max pooling (float only, as in PyTorch). */
export const maxPool3d = Q.maxPool3d;
/** 1-d average pooling; a quantized input runs as a 2-d pooling over a unit height, as in PyTorch. */
export function avgPool1d(x: Tensor, kernelSize: IntOrTuple, opts: Q.AvgPool1dOptions = {}): Tensor {
  checkOptions(opts, 'avgPool1d');
  assertTensor(x, 'avgPool1d');
  if (!x.isQuantized) return Q.avgPool1d(x, kernelSize, opts);
  const one = (v: IntOrTuple | null | undefined, dflt: number): number[] => [1, typeof v === 'number' ? v : v?.[0] ?? dflt];
  const k = one(kernelSize, 1);
  const y = Q.quantizedAvgPool2d(x.unsqueeze(-2), k, { ...opts, stride: one(opts.stride, k[1]!), padding: [0, one(opts.padding, 0)[1]!] });
  return y.squeeze(-2);
}

/** 2-d average pooling. */
export function avgPool2d(x: Tensor, kernelSize: IntOrTuple, opts: Q.AvgPoolOptions = {}): Tensor {
  checkOptions(opts, 'avgPool2d');
  assertTensor(x, 'avgPool2d');
  return x.isQuantized ? Q.quantizedAvgPool2d(x, kernelSize, opts) : Q.avgPool2d(x, kernelSize, opts);
}

/** 3-d average pooling. */
export function avgPool3d(x: Tensor, kernelSize: IntOrTuple, opts: Q.AvgPoolOptions = {}): Tensor {
  checkOptions(opts, 'avgPool3d');
  assertTensor(x, 'avgPool3d');
  return x.isQuantized ? Q.quantizedAvgPool3d(x, kernelSize, opts) : Q.avgPool3d(x, kernelSize, opts);
}

/** Adaptive 1-d average pooling; a quantized input runs as a 2-d pooling over a unit height. */
export function adaptiveAvgPool1d(x: Tensor, outputSize: Q.AdaptiveSize): Tensor {
  assertTensor(x, 'adaptiveAvgPool1d');
  if (!x.isQuantized) return Q.adaptiveAvgPool1d(x, outputSize);
  const size = resolveAdaptive(x, outputSize, 1);
  return Q.quantizedAdaptiveAvgPool2d(x.unsqueeze(-2), [1, size[0]!]).squeeze(-2);
}

/** Adaptive 2-d average pooling. */
export function adaptiveAvgPool2d(x: Tensor, outputSize: Q.AdaptiveSize): Tensor {
  assertTensor(x, 'adaptiveAvgPool2d');
  return x.isQuantized ? Q.quantizedAdaptiveAvgPool2d(x, resolveAdaptive(x, outputSize, 2)) : Q.adaptiveAvgPool2d(x, outputSize);
}

/** Adaptive 3-d average pooling. */
export function adaptiveAvgPool3d(x: Tensor, outputSize: Q.AdaptiveSize): Tensor {
  assertTensor(x, 'adaptiveAvgPool3d');
  return x.isQuantized ? Q.quantizedAdaptiveAvgPool3d(x, resolveAdaptive(x, outputSize, 3)) : Q.adaptiveAvgPool3d(x, outputSize);
}

/** Adaptive max pooling (float only). */
export const adaptiveMaxPool1d = Q.adaptiveMaxPool1d;
export const adaptiveMaxPool2d = Q.adaptiveMaxPool2d;
export const adaptiveMaxPool3d = Q.adaptiveMaxPool3d;

/** Replaces `null` entries of an adaptive output size by the input's size (the quantized kernels want numbers). */
function resolveAdaptive(x: Tensor, outputSize: Q.AdaptiveSize, d: number): number[] {
  const sizes = typeof outputSize === 'number' ? new Array<number>(d).fill(outputSize) : [...outputSize];
  const spatial = x.shape.slice(x.ndim - d);
  return sizes.map((s, i) => s ?? spatial[i]!);
}
