/**
 * The ops converted graphs call (PyTorch's `torch.ops.quantized.*` and
 * `torch.quantize_per_tensor_dynamic`), registered in the fx op vocabulary under
 * `quantized.<name>` so generated code can call them and saved graphs can name them.
 * Output qparams may be numbers or the 0-d tensors graphs keep as attributes.
 */
import {
  type ConvPackedParams, type DType, type LinearFp16PackedParams, LinearPackedParams as PackedLinear, type Tensor, quantizePerTensorDynamic as quantizeDynamicOp,
  quantizedAdd, quantizedAddRelu, quantizedAddScalar, quantizedAddScalarRelu, quantizedConv, quantizedConvRelu, quantizedElu,
  quantizedHardswish, quantizedLeakyRelu, quantizedLinear, quantizedLinearDynamic, quantizedLinearDynamicFp16, quantizedLinearRelu,
  quantizedLinearReluDynamic, quantizedMatmul, quantizedMul, quantizedMulRelu, quantizedMulScalar, quantizedMulScalarRelu, traceable,
} from '@qtorch/qtensor';
import { Module } from '@qtorch/nn';

/** A number, or a one-element tensor holding it. */
export type QparamArg = number | Tensor;

const num = (x: QparamArg): number => (typeof x === 'number' ? x : x.item());

type Binary = (a: Tensor, b: Tensor, scale: number, zeroPoint: number) => Tensor;
type Scalar = (a: Tensor, c: number) => Tensor;

/** `quantized.add(a, b, scale, zp)` (two tensors) or `quantized.add(a, c)` (tensor and scalar), as PyTorch's overloads. */
function binary(tensorOp: Binary, scalarOp: Scalar) {
  return (a: Tensor, b: Tensor | number, scale?: QparamArg, zeroPoint?: QparamArg): Tensor => {
    if (typeof b === 'number') return scalarOp(a, b);
    return tensorOp(a, b, num(scale!), num(zeroPoint!));
  };
}

export const add = traceable('quantized.add', binary(quantizedAdd, quantizedAddScalar));
export const addRelu = traceable('quantized.addRelu', binary(quantizedAddRelu, quantizedAddScalarRelu));
export const mul = traceable('quantized.mul', binary(quantizedMul, quantizedMulScalar));
export const mulRelu = traceable('quantized.mulRelu', binary(quantizedMulRelu, quantizedMulScalarRelu));
export const matmul = traceable('quantized.matmul', (a: Tensor, b: Tensor, scale: QparamArg, zeroPoint: QparamArg): Tensor => quantizedMatmul(a, b, num(scale), num(zeroPoint)));

/**
 * A module holding packed weights in a graph (`_packed_weight_0`): get_attr reads the module
 * and the ops below unwrap it, so the graph saves as module state.
 */
export interface PackedHolder extends Module {
  _packed_params: unknown;
}

function unwrap<T>(p: T | PackedHolder): T {
  return p instanceof Module ? (p as PackedHolder)._packed_params as T : p;
}

export const linear = traceable('quantized.linear', (x: Tensor, packed: PackedLinear | PackedHolder, scale: QparamArg, zeroPoint: QparamArg): Tensor =>
  quantizedLinear(x, unwrap(packed), num(scale), num(zeroPoint)));
export const linearRelu = traceable('quantized.linearRelu', (x: Tensor, packed: PackedLinear | PackedHolder, scale: QparamArg, zeroPoint: QparamArg): Tensor =>
  quantizedLinearRelu(x, unwrap(packed), num(scale), num(zeroPoint)));
export const conv = traceable('quantized.conv', (x: Tensor, packed: ConvPackedParams | PackedHolder, scale: QparamArg, zeroPoint: QparamArg): Tensor =>
  quantizedConv(x, unwrap(packed), num(scale), num(zeroPoint)));
export const convRelu = traceable('quantized.convRelu', (x: Tensor, packed: ConvPackedParams | PackedHolder, scale: QparamArg, zeroPoint: QparamArg): Tensor =>
  quantizedConvRelu(x, unwrap(packed), num(scale), num(zeroPoint)));

/** Dynamic linear: int8 packed weights quantize the input per call; float16 packed weights run in float. */
function dynamicLinear(relu: boolean) {
  return (x: Tensor, packed: PackedLinear | LinearFp16PackedParams | PackedHolder, options: { reduceRange?: boolean } = {}): Tensor => {
    const p = unwrap(packed);
    if (!(p instanceof PackedLinear)) return quantizedLinearDynamicFp16(x, p, { relu });
    return relu ? quantizedLinearReluDynamic(x, p, options) : quantizedLinearDynamic(x, p, options);
  };
}
export const linearDynamic = traceable('quantized.linearDynamic', dynamicLinear(false));
export const linearReluDynamic = traceable('quantized.linearReluDynamic', dynamicLinear(true));

export const hardswish = traceable('quantized.hardswish', (x: Tensor, scale: QparamArg, zeroPoint: QparamArg): Tensor => quantizedHardswish(x, num(scale), num(zeroPoint)));
export const elu = traceable('quantized.elu', (x: Tensor, scale: QparamArg, zeroPoint: QparamArg, options: { alpha?: number } = {}): Tensor =>
  quantizedElu(x, num(scale), num(zeroPoint), options.alpha ?? 1));
export const leakyRelu = traceable('quantized.leakyRelu', (x: Tensor, scale: QparamArg, zeroPoint: QparamArg, options: { negativeSlope?: number } = {}): Tensor =>
  quantizedLeakyRelu(x, options.negativeSlope ?? 0.01, { scale: num(scale), zeroPoint: num(zeroPoint) }));

/**
 * `torch.quantize_per_tensor_dynamic`: quantizes with qparams chosen from the value's range
 * (float16: rounds to float16).
 */
export const quantizePerTensorDynamic = traceable('quantized.quantizePerTensorDynamic', (x: Tensor, dtype: DType, reduceRange = false): Tensor =>
  quantizeDynamicOp(x, dtype, reduceRange));

/** Every op above (keeps them registered where bundlers drop unused exports). */
export const QUANTIZED_OPS = [
  add, addRelu, mul, mulRelu, matmul, linear, linearRelu, conv, convRelu, linearDynamic, linearReluDynamic, hardswish, elu, leakyRelu,
  quantizePerTensorDynamic,
] as const;
