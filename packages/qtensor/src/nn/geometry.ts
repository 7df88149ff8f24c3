/**
 * Window geometry shared by convolution, pooling and their quantized kernels: tuple
 * normalisation (PyTorch's `_single/_pair/_triple`), output-size formulas (including
 * ceil_mode's "the last window must start inside the input or the left padding" rule),
 * adaptive-pooling window bounds and the (N, C, *spatial) input split.
 */
import { QTorchShapeError, QTorchValueError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor.js';

/** An int or one int per spatial dim (PyTorch's `int | tuple[int, ...]`). */
export type IntOrTuple = number | readonly number[];

/** Expands an int to `n` copies, or checks a tuple has `n` integers. */
export function expandTuple(v: IntOrTuple, n: number, name: string, op: string): number[] {
  const out = typeof v === 'number' ? new Array<number>(n).fill(v) : [...v];
  if (out.length === 1 && n > 1) return new Array<number>(n).fill(out[0]!);
  if (out.length !== n || out.some((x) => !Number.isInteger(x))) {
    throw new QTorchValueError(`${op}(): ${name} must be an int or a tuple of ${n} ints, got ${JSON.stringify(v)}`);
  }
  return out;
}

/** `_single(v)`: one int. */
export const _single = (v: IntOrTuple, name = 'argument', op = 'nn'): number[] => expandTuple(v, 1, name, op);
/** `_pair(v)`: two ints. */
export const _pair = (v: IntOrTuple, name = 'argument', op = 'nn'): number[] => expandTuple(v, 2, name, op);
/** `_triple(v)`: three ints. */
export const _triple = (v: IntOrTuple, name = 'argument', op = 'nn'): number[] => expandTuple(v, 3, name, op);

/** Floor-division rounding toward negative infinity (C++ `div_rtn`). */
function divRtn(a: number, b: number): number {
  return Math.floor(a / b);
}

/**
 * Pooling output length (ATen `pooling_output_shape_pad_lr`). With `ceilMode` the division
 * rounds up, but a last window that would start past the input and the left padding is dropped.
 */
export function poolOutputSize(
  inputSize: number, kernel: number, padL: number, padR: number, stride: number, dilation: number, ceilMode: boolean,
): number {
  let out = divRtn(inputSize + padL + padR - dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0), stride) + 1;
  if (ceilMode && (out - 1) * stride >= inputSize + padL) out--;
  return out;
}

/** Convolution output length: floor((in + padL + padR - dilation * (k - 1) - 1) / stride) + 1. */
export function convOutputLength(inputSize: number, kernel: number, padL: number, padR: number, stride: number, dilation: number): number {
  return divRtn(inputSize + padL + padR - dilation * (kernel - 1) - 1, stride) + 1;
}

/** Transposed convolution output length: (in - 1) * stride - 2 * pad + dilation * (k - 1) + outputPadding + 1. */
export function convTransposeOutputLength(
  inputSize: number, kernel: number, pad: number, stride: number, dilation: number, outputPadding: number,
): number {
  return (inputSize - 1) * stride - 2 * pad + dilation * (kernel - 1) + outputPadding + 1;
}

/** 'same' padding (left, right) for one dim: total dilation * (k - 1), the odd element on the right. */
export function samePadding(kernel: number, dilation: number): [number, number] {
  const total = dilation * (kernel - 1);
  const left = Math.floor(total / 2);
  return [left, total - left];
}

/** First input index of adaptive-pooling window `o`: floor(o * in / out). */
export function adaptiveStart(o: number, inputSize: number, outputSize: number): number {
  return Math.floor((o * inputSize) / outputSize);
}

/** One past the last input index of adaptive-pooling window `o`: ceil((o + 1) * in / out). */
export function adaptiveEnd(o: number, inputSize: number, outputSize: number): number {
  return Math.ceil(((o + 1) * inputSize) / outputSize);
}

/** A (N, C, *spatial) input, with or without its batch dim. */
export interface SpatialInput {
  /** Whether the input had a batch dim. */
  batched: boolean;
  /** Batch size (1 when unbatched). */
  n: number;
  /** Channels. */
  c: number;
  /** Spatial sizes. */
  spatial: number[];
}

/** Splits a (N, C, *spatial) or (C, *spatial) input with `nSpatial` spatial dims; wrong ndim throws. */
export function splitSpatialInput(x: Tensor, nSpatial: number, op: string, allowUnbatched = true): SpatialInput {
  const nd = x.ndim;
  if (nd === nSpatial + 2) return { batched: true, n: x.shape[0]!, c: x.shape[1]!, spatial: x.shape.slice(2) };
  if (allowUnbatched && nd === nSpatial + 1) return { batched: false, n: 1, c: x.shape[0]!, spatial: x.shape.slice(1) };
  const want = allowUnbatched ? `${nSpatial + 1}-D (unbatched) or ${nSpatial + 2}-D (batched)` : `${nSpatial + 2}-D`;
  throw new QTorchShapeError(`${op}(): expected ${want} input, got input of shape ${fmtShape(x.shape)}`);
}

/** Output shape for a split input: batch dim only when the input had one. */
export function spatialOutputShape(s: SpatialInput, c: number, spatial: readonly number[]): number[] {
  return s.batched ? [s.n, c, ...spatial] : [c, ...spatial];
}

/** Left-pads per-dim parameters to 3 dims (1-d and 2-d ops run on the 3-d kernels). */
export function to3d(v: readonly number[], fill: number): [number, number, number] {
  const a = [...new Array<number>(3 - v.length).fill(fill), ...v];
  return [a[0]!, a[1]!, a[2]!];
}

/** Checks positive window parameters (kernel, stride, dilation) and non-negative padding. */
export function checkWindowParams(
  op: string, kernel: readonly number[], stride: readonly number[], padding: readonly number[], dilation: readonly number[],
): void {
  if (kernel.some((k) => k <= 0)) throw new QTorchValueError(`${op}(): kernel size should be greater than zero, but got kernel_size ${fmtShape(kernel)}`);
  if (stride.some((s) => s <= 0)) throw new QTorchValueError(`${op}(): stride should be greater than zero, but got stride ${fmtShape(stride)}`);
  if (dilation.some((d) => d <= 0)) throw new QTorchValueError(`${op}(): dilation should be greater than zero, but got dilation ${fmtShape(dilation)}`);
  if (padding.some((p) => p < 0)) throw new QTorchValueError(`${op}(): negative padding is not supported, got padding ${fmtShape(padding)}`);
}
