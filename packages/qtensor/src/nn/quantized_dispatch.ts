/**
 * `torch.relu(qx)`, `torch.sigmoid(qx)`, `F.hardtanh(qx)` ...: PyTorch's float activations accept
 * quantized tensors and run the quantized kernel (input qparams, or the op's fixed ones). Those
 * PyTorch 1.13 refuses on quantized input (hardswish, elu, silu, ...) keep the float-only error. The float
 * activations call {@link quantizedVariant} first so a quantized input takes the same route here.
 */
import { readPerTensor } from '../quantized/ops/requantize.js';
import * as Q from '../quantized/ops/activation.js';
import { Tensor } from '../tensor.js';

/** The quantized kernel call of a float activation (the kernel reads the input's qparams). */
type QuantizedCall = (x: Tensor) => Tensor;

/** Quantized equivalents of the float activations (PyTorch's QuantizedCPU dispatch of the same op). */
export const QUANTIZED_ACTIVATIONS = {
  relu: (x) => Q.quantizedRelu(x),
  relu6: (x) => Q.quantizedRelu6(x),
  sigmoid: (x) => Q.quantizedSigmoid(x),
  tanh: (x) => Q.quantizedTanh(x),
  hardsigmoid: (x) => Q.quantizedHardsigmoid(x),
  gelu: (x) => Q.quantizedGelu(x),
} satisfies Record<string, QuantizedCall>;

/**
 * `call(x)` when `x` is a quantized tensor, else `null` and the float path runs. A per-channel
 * input is refused here, naming the activation the user called (`op`).
 */
export function quantizedVariant(x: unknown, op: string, call: QuantizedCall): Tensor | null {
  if (!(x instanceof Tensor) || !x.isQuantized) return null;
  readPerTensor(x, op);
  return call(x);
}
