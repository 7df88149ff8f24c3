/**
 * `F.dropout` on a quantized tensor. PyTorch has no quantized random mask: in evaluation mode
 * (or with p = 0) the input is returned unchanged, as the float op does; in training mode the
 * call fails (PyTorch 1.13: no QuantizedCPU `bernoulli_`), with the fix in the message.
 */
import { QTorchTypeError, QTorchValueError } from '../../errors.js';
import type { DropoutOptions } from '../../nn/dropout.js';
import type { Tensor } from '../../tensor.js';
import { readPerTensor } from './requantize.js';
import { checkOptions } from '../../args.js';

/** `F.dropout(qx, p, training)`: identity in eval mode (golden `dropout_eval_*`). */
export function quantizedDropout(x: Tensor, opts: Omit<DropoutOptions, 'generator'> = {}): Tensor {
  checkOptions(opts, 'quantizedDropout');
  const op = 'quantized::dropout';
  const { p = 0.5, training = true } = opts;
  readPerTensor(x, op);
  if (!(p >= 0 && p <= 1)) throw new QTorchValueError(`${op}(): dropout probability has to be between 0 and 1, but got ${p}`);
  if (!training || p === 0) return x;
  throw new QTorchTypeError(`${op}(): dropout in training mode is not supported for quantized tensors (${x.dtype.torchName}); call model.eval() or dequantize() first`);
}
