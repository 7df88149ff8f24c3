/**
 * Argument checks shared by every quantized op: quantized vs float inputs (the "Common
 * errors" of the PyTorch docs, with the fix in the message) and qparam validation.
 */
import { type DType, dtypeRange } from '../dtype.js';
import { QTorchTypeError, QTorchValueError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { assertTensor, describeValue } from '../args.js';

/** Throws unless `x` is a quantized tensor (a float tensor passed to a quantized kernel). */
export function assertQuantized(x: Tensor, op: string): void {
  assertTensor(x, op);
  if (!x.isQuantized) {
    throw new QTorchTypeError(
      `${op}(): expected a quantized tensor, got ${x.dtype.torchName}. ` +
        'Quantize the input first (QuantStub, or quantizePerTensor() / quantizePerChannel()).',
    );
  }
}

/** Throws unless `x` is a plain (non-quantized) tensor (a quantized tensor passed to a float kernel). */
export function assertNotQuantized(x: Tensor, op: string): void {
  assertTensor(x, op);
  if (x.isQuantized) {
    throw new QTorchTypeError(
      `${op}(): expected a non-quantized tensor, got ${x.dtype.torchName}. ` +
        'Call dequantize() first (or use DeQuantStub).',
    );
  }
}

/** Throws unless `x` is a floating point tensor (the input of quantize ops). */
export function assertFloat(x: Tensor, op: string): void {
  assertNotQuantized(x, op);
  if (!x.dtype.isFloatingPoint) {
    throw new QTorchTypeError(`${op}(): expected a float tensor, got ${x.dtype.torchName}`);
  }
}

/** Throws unless `dtype` is one of the quantized dtypes. */
export function assertQuantizedDtype(dtype: DType, op: string): void {
  if (!dtype.isQuantized) {
    throw new QTorchTypeError(`${op}(): expected a quantized dtype (quint8, qint8, qint32, quint4x2), got ${dtype.torchName}`);
  }
}

/** A scale must be a positive finite number. */
export function checkScale(scale: number, op: string): void {
  // a non-number is a type error, with the same wording
  if (typeof scale !== 'number') throw new QTorchTypeError(`${op}(): scale must be a positive finite number, got ${describeValue(scale)}`);
  if (!(scale > 0) || !Number.isFinite(scale)) {
    throw new QTorchValueError(`${op}(): scale must be a positive finite number, got ${scale}`);
  }
}

/** An integer zero point must lie in the dtype's range. */
export function checkZeroPoint(zeroPoint: number, dtype: DType, op: string): void {
  const [lo, hi] = dtypeRange(dtype);
  if (!Number.isInteger(zeroPoint) || zeroPoint < lo || zeroPoint > hi) {
    const Err = typeof zeroPoint === 'number' ? QTorchValueError : QTorchTypeError;
    throw new Err(`${op}(): zero_point must be an integer in [${lo}, ${hi}] for ${dtype.torchName}, got ${describeValue(zeroPoint)}`);
  }
}
