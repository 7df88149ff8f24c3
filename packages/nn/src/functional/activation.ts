/**
 * Activations under torch.nn.functional names. Each takes PyTorch's keyword arguments (with
 * `inplace`) in one options object and, where PyTorch 1.13's op has a QuantizedCPU kernel
 * (relu, relu6, hardtanh, leaky_relu, threshold, gelu, hardsigmoid, sigmoid, tanh), routes a
 * quantized input to qtensor's quantized op, with the output qparams PyTorch picks (the input's,
 * or the op's fixed ones for sigmoid / tanh / hardsigmoid). The others (elu, hardswish, silu,
 * ...) reject quantized input as PyTorch does; their quantized forms take explicit output
 * qparams and belong to the quantized modules.
 */
import * as Q from '@qtorch/qtensor';
import { type Tensor, assertTensor, checkOptions } from '@qtorch/qtensor';

/** The `inplace` flag most activations take. */
export interface InplaceOptions {
  /** Overwrite the input (default false; refused on tensors autograd tracks). */
  inplace?: boolean;
}

type Impl<O> = (x: Tensor, opts: O) => Tensor;

/**
 * Builds an F-style activation: quantized input -> `quantized` (when PyTorch has one), else the
 * float op or its in-place form. Float ops reject quantized input with a message naming the fix.
 */
function activation<O extends object>(name: string, outOfPlace: Impl<O>, inPlace: Impl<O> | null, quantized: Impl<O> | null) {
  return (x: Tensor, opts: O & InplaceOptions = {} as O & InplaceOptions): Tensor => {
    checkOptions(opts, name);
    assertTensor(x, name);
    if (x.isQuantized && quantized) return quantized(x, opts);
    return opts.inplace && inPlace ? inPlace(x, opts) : outOfPlace(x, opts);
  };
}

/** max(0, x). Quantized input: `max(q, zero_point)` with the input's qparams. */
export const relu = activation<object>('relu', (x) => Q.relu(x), (x) => Q.relu_(x), (x) => Q.quantizedRelu(x));
/** In-place `relu`. */
export const relu_ = (x: Tensor): Tensor => relu(x, { inplace: true });
/** min(max(0, x), 6). */
export const relu6 = activation<object>('relu6', (x) => Q.relu6(x), (x) => Q.relu6_(x), (x) => Q.quantizedRelu6(x));
/** clamp(x, minVal, maxVal) (defaults -1, 1). */
export const hardtanh = activation<Q.HardtanhOptions>('hardtanh', Q.hardtanh, Q.hardtanh_, (x, o) => Q.quantizedHardtanh(x, o.minVal ?? -1, o.maxVal ?? 1));
/** In-place `hardtanh`. */
export const hardtanh_ = (x: Tensor, opts: Q.HardtanhOptions = {}): Tensor => hardtanh(x, { ...checkOptions(opts, 'hardtanh_'), inplace: true });
/** x if x > 0 else negativeSlope * x (default 0.01). */
export const leakyRelu = activation<Q.LeakyReluOptions>('leakyRelu', Q.leakyRelu, Q.leakyRelu_, (x, o) => Q.quantizedLeakyRelu(x, o.negativeSlope ?? 0.01));
/** In-place `leakyRelu`. */
export const leakyRelu_ = (x: Tensor, opts: Q.LeakyReluOptions = {}): Tensor => leakyRelu(x, { ...checkOptions(opts, 'leakyRelu_'), inplace: true });
/** x if x > 0 else alpha * (exp(x) - 1). */
export const elu = activation<Q.AlphaOptions>('elu', Q.elu, Q.elu_, null);
/** In-place `elu`. */
export const elu_ = (x: Tensor, opts: Q.AlphaOptions = {}): Tensor => elu(x, { ...checkOptions(opts, 'elu_'), inplace: true });
/** SELU: scale * elu(x, alpha) with the self-normalizing constants. */
export const selu = activation<object>('selu', (x) => Q.selu(x), (x) => Q.selu_(x), null);
/** CELU: max(0, x) + min(0, alpha * (exp(x / alpha) - 1)). */
export const celu = activation<Q.AlphaOptions>('celu', Q.celu, Q.celu_, null);
/** x * Phi(x), exact or `approximate: 'tanh'`. Quantized input: the exact form, input qparams. */
export const gelu = activation<Q.GeluOptions>('gelu', Q.gelu, null, (x, o) => {
  if ((o.approximate ?? 'none') !== 'none') return Q.gelu(x, o); // float op explains the quantized misuse
  return Q.quantizedGelu(x);
});
/** x * sigmoid(x). */
export const silu = activation<object>('silu', (x) => Q.silu(x), (x) => Q.silu_(x), null);
/** x * tanh(softplus(x)). */
export const mish = activation<object>('mish', (x) => Q.mish(x), (x) => Q.mish_(x), null);
/** relu6(x + 3) / 6. Quantized input: fixed output qparams 1/256. */
export const hardsigmoid = activation<object>('hardsigmoid', (x) => Q.hardsigmoid(x), (x) => Q.hardsigmoid_(x), (x) => Q.quantizedHardsigmoid(x));
/** x * relu6(x + 3) / 6. */
export const hardswish = activation<object>('hardswish', (x) => Q.hardswish(x), (x) => Q.hardswish_(x), null);
/** x if x > threshold else value. */
export function threshold(x: Tensor, thresholdValue: number, value: number, opts: InplaceOptions = {}): Tensor {
  checkOptions(opts, 'threshold');
  assertTensor(x, 'threshold');
  if (x.isQuantized) return Q.quantizedThreshold(x, thresholdValue, value);
  return opts.inplace ? Q.threshold_(x, thresholdValue, value) : Q.threshold(x, thresholdValue, value);
}
/** 1 / (1 + exp(-x)) (`torch.sigmoid`). Quantized input: fixed output qparams 1/256. */
export const sigmoid = (x: Tensor): Tensor => {
  assertTensor(x, 'sigmoid');
  return x.isQuantized ? Q.quantizedSigmoid(x) : Q.sigmoid(x);
};
/** tanh(x) (`torch.tanh`). Quantized input: fixed output qparams 2/256. */
export const tanh = (x: Tensor): Tensor => {
  assertTensor(x, 'tanh');
  return x.isQuantized ? Q.quantizedTanh(x) : Q.tanh(x);
};
/** log(sigmoid(x)). */
export const logsigmoid = (x: Tensor): Tensor => Q.logsigmoid(x);
/** log(1 + exp(beta x)) / beta. */
export const softplus = (x: Tensor, opts: Q.SoftplusOptions = {}): Tensor => Q.softplus(x, opts);
/** x if x > 0 else weight[c] * x. */
export const prelu = (x: Tensor, weight: Tensor): Tensor => Q.prelu(x, weight);
/** Softmax along `dim` (`dtype` to compute in another float type). */
export const softmax = (x: Tensor, dim: number, opts: Q.SoftmaxOptions = {}): Tensor => Q.softmax(x, dim, opts);
/** Log-softmax along `dim`. */
export const logSoftmax = (x: Tensor, dim: number, opts: Q.SoftmaxOptions = {}): Tensor => Q.logSoftmax(x, dim, opts);
