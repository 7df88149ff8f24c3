/**
 * Float activations (torch.nn.functional: relu, gelu, sigmoid, hardswish, ...) with autograd.
 * Each maps a scalar formula from `scalar_math.ts` over the input's typed array; the
 * backward multiplies the incoming gradient by the formula's derivative at the saved input.
 * In-place variants (`relu_`, ...) exist where PyTorch has them and refuse tensors autograd tracks.
 */
import { checkInplaceAllowed, recordOp } from '../autograd.js';
import { QTorchShapeError, QTorchValueError, fmtShape } from '../errors.js';
import { shapeNumel } from '../shape.js';
import { Tensor } from '../tensor.js';
import { allocFloat, allocGrad, checkFloat, floatTensor, gradTensor, resultDtype, writeValues } from './float_io.js';
import * as S from './scalar_math.js';
import { sigmoidF32, tanhF32 } from './f32_math.js';
import { type DType, float32, float64 } from '../dtype.js';
import { checkOptions } from '../args.js';
import * as Q from '../quantized/ops/activation.js';
import { QUANTIZED_ACTIVATIONS as QA, quantizedVariant } from './quantized_dispatch.js';
import { nativeFloatActivation } from './native_gemm.js';

type Fn = (v: number) => number;

/**
 * A forward formula per precision: float64 tensors in double, float32 (and float16) ones in
 * float32 as PyTorch computes them (f32_math.ts; the native kernels reproduce it bit for bit).
 */
interface ByPrecision {
  f64: Fn;
  f32: Fn;
  /** The native kernel (`kernels::float_activation`) computing `f32` over a whole float32 array, if any. */
  native?: 'sigmoid' | 'tanh';
}

/** The forward formula for a tensor of `dtype` (chosen once its input is checked). */
const formulaFor = (f: Fn | ByPrecision, dtype: DType): Fn => (typeof f === 'function' ? f : dtype === float64 ? f.f64 : f.f32);

/** Computes `forward`'s float32 formula over `xv` into `out` on its native kernel; false when there is none to use. */
function nativeForward(forward: Fn | ByPrecision, xv: ArrayLike<number>, out: ArrayLike<number>): boolean {
  if (typeof forward === 'function' || !forward.native || !(xv instanceof Float32Array) || !(out instanceof Float32Array)) return false;
  const kernel = nativeFloatActivation();
  if (!kernel) return false;
  kernel(forward.native, xv, out);
  return true;
}

/** A differentiable pointwise op: y = f(x), dx = g * df(x). */
function pointwise(name: string, op: string, x: Tensor, forward: Fn | ByPrecision, df: Fn): Tensor {
  checkFloat(x, op);
  const xv = x.values();
  const dtype = resultDtype(x);
  const out = allocFloat(xv.length, dtype);
  if (!nativeForward(forward, xv, out)) {
    const f = formulaFor(forward, dtype);
    for (let i = 0; i < xv.length; i++) out[i] = f(xv[i]!);
  }
  return recordOp(name, floatTensor(out, x.shape, dtype), [x], (g) => {
    const gv = g.values();
    const gx = allocGrad(x);
    for (let i = 0; i < gx.length; i++) gx[i] = gv[i]! * df(xv[i]!);
    return [gradTensor(gx, x)];
  });
}

/** The in-place form: overwrites `x` with f(x) and returns it. */
function pointwiseInplace(op: string, x: Tensor, forward: Fn | ByPrecision): Tensor {
  checkInplaceAllowed(x, op);
  checkFloat(x, op);
  // a contiguous float32 tensor's storage is its values: the kernel overwrites them in place
  if (x.dtype === float32 && x.isContiguous()) {
    const raw = x.rawValues();
    if (nativeForward(forward, raw, raw)) return x;
  }
  const f = formulaFor(forward, x.dtype);
  const xv = x.values();
  const out = new Float64Array(xv.length);
  for (let i = 0; i < xv.length; i++) out[i] = f(xv[i]!);
  writeValues(x, out);
  return x;
}

/** max(x, 0). */
export const relu = (x: Tensor): Tensor => quantizedVariant(x, 'relu', QA.relu) ?? pointwise('Relu', 'relu', x, S.reluScalar, S.reluGradScalar);
/** In-place `relu`. */
export const relu_ = (x: Tensor): Tensor => pointwiseInplace('relu_', x, S.reluScalar);

/** min(max(x, 0), 6). */
export const relu6 = (x: Tensor): Tensor => quantizedVariant(x, 'relu6', QA.relu6) ?? pointwise('Hardtanh', 'relu6', x, S.relu6Scalar, S.relu6GradScalar);
/** In-place `relu6`. */
export const relu6_ = (x: Tensor): Tensor => pointwiseInplace('relu6_', x, S.relu6Scalar);

/** Options of `hardtanh`. */
export interface HardtanhOptions {
  /** Lower clamp (default -1). */
  minVal?: number;
  /** Upper clamp (default 1). */
  maxVal?: number;
}
function hardtanhArgs(opts: HardtanhOptions, op: string): [number, number] {
  const { minVal = -1, maxVal = 1 } = opts;
  if (minVal > maxVal) throw new QTorchValueError(`${op}(): minVal (${minVal}) must be less than or equal to maxVal (${maxVal})`);
  return [minVal, maxVal];
}
/** clamp(x, minVal, maxVal); the gradient passes strictly inside the interval. */
export function hardtanh(x: Tensor, opts: HardtanhOptions = {}): Tensor {
  checkOptions(opts, 'hardtanh');
  const [lo, hi] = hardtanhArgs(opts, 'hardtanh');
  return quantizedVariant(x, 'hardtanh', (q) => Q.quantizedHardtanh(q, lo, hi)) ?? pointwise('Hardtanh', 'hardtanh', x, (v) => S.hardtanhScalar(v, lo, hi), (v) => S.hardtanhGradScalar(v, lo, hi));
}
/** In-place `hardtanh`. */
export function hardtanh_(x: Tensor, opts: HardtanhOptions = {}): Tensor {
  checkOptions(opts, 'hardtanh_');
  const [lo, hi] = hardtanhArgs(opts, 'hardtanh_');
  return pointwiseInplace('hardtanh_', x, (v) => S.hardtanhScalar(v, lo, hi));
}

/** Options of `leakyRelu`. */
export interface LeakyReluOptions {
  /** Slope for x <= 0 (default 0.01). */
  negativeSlope?: number;
}
/** x if x > 0 else negativeSlope * x. */
export function leakyRelu(x: Tensor, opts: LeakyReluOptions = {}): Tensor {
  checkOptions(opts, 'leakyRelu');
  const s = opts.negativeSlope ?? 0.01;
  return quantizedVariant(x, 'leakyRelu', (q) => Q.quantizedLeakyRelu(q, s)) ?? pointwise('LeakyRelu', 'leakyRelu', x, (v) => S.leakyReluScalar(v, s), (v) => S.leakyReluGradScalar(v, s));
}
/** In-place `leakyRelu`. */
export function leakyRelu_(x: Tensor, opts: LeakyReluOptions = {}): Tensor {
  checkOptions(opts, 'leakyRelu_');
  const s = opts.negativeSlope ?? 0.01;
  return pointwiseInplace('leakyRelu_', x, (v) => S.leakyReluScalar(v, s));
}

/** Options of `elu` / `celu`. */
export interface AlphaOptions {
  /** alpha (default 1). */
  alpha?: number;
}
/** x if x > 0 else alpha * (exp(x) - 1). */
export function elu(x: Tensor, opts: AlphaOptions = {}): Tensor {
  checkOptions(opts, 'elu');
  const a = opts.alpha ?? 1;
  return pointwise('Elu', 'elu', x, (v) => S.eluScalar(v, a), (v) => S.eluGradScalar(v, a));
}
/** In-place `elu`. */
export function elu_(x: Tensor, opts: AlphaOptions = {}): Tensor {
  checkOptions(opts, 'elu_');
  const a = opts.alpha ?? 1;
  return pointwiseInplace('elu_', x, (v) => S.eluScalar(v, a));
}

/** scale * elu(x, alpha) with SELU's fixed constants. */
export const selu = (x: Tensor): Tensor => pointwise('Elu', 'selu', x, S.seluScalar, S.seluGradScalar);
/** In-place `selu`. */
export const selu_ = (x: Tensor): Tensor => pointwiseInplace('selu_', x, S.seluScalar);

function celuAlpha(opts: AlphaOptions, op: string): number {
  const a = opts.alpha ?? 1;
  if (a === 0) throw new QTorchValueError(`${op}(): ZeroDivisionError: alpha cannot be 0 for CELU`);
  return a;
}
/** max(0, x) + min(0, alpha * (exp(x / alpha) - 1)). */
export function celu(x: Tensor, opts: AlphaOptions = {}): Tensor {
  checkOptions(opts, 'celu');
  const a = celuAlpha(opts, 'celu');
  return pointwise('Elu', 'celu', x, (v) => S.celuScalar(v, a), (v) => S.celuGradScalar(v, a));
}
/** In-place `celu`. */
export function celu_(x: Tensor, opts: AlphaOptions = {}): Tensor {
  checkOptions(opts, 'celu_');
  const a = celuAlpha(opts, 'celu_');
  return pointwiseInplace('celu_', x, (v) => S.celuScalar(v, a));
}

/** Options of `gelu`. */
export interface GeluOptions {
  /** 'none' (exact, erf based; default) or 'tanh' (the tanh approximation). */
  approximate?: 'none' | 'tanh';
}
/** x * Phi(x) (exact) or its tanh approximation. */
export function gelu(x: Tensor, opts: GeluOptions = {}): Tensor {
  checkOptions(opts, 'gelu');
  const approx = opts.approximate ?? 'none';
  if (approx !== 'none' && approx !== 'tanh') {
    throw new QTorchValueError(`gelu(): approximate argument must be either none or tanh, got '${String(approx)}'`);
  }
  const quantized = approx === 'none' ? QA.gelu : () => { throw new QTorchValueError("gelu(): a quantized input supports approximate 'none' only"); };
  return quantizedVariant(x, 'gelu', quantized) ?? pointwise('Gelu', 'gelu', x, (v) => S.geluScalar(v, approx), (v) => S.geluGradScalar(v, approx));
}

/** x * sigmoid(x) (a.k.a. swish). */
export const silu = (x: Tensor): Tensor => pointwise('Silu', 'silu', x, S.siluScalar, S.siluGradScalar);
/** In-place `silu`. */
export const silu_ = (x: Tensor): Tensor => pointwiseInplace('silu_', x, S.siluScalar);

/** x * tanh(softplus(x)). */
export const mish = (x: Tensor): Tensor => pointwise('Mish', 'mish', x, S.mishScalar, S.mishGradScalar);
/** In-place `mish`. */
export const mish_ = (x: Tensor): Tensor => pointwiseInplace('mish_', x, S.mishScalar);

const SIGMOID: ByPrecision = { f64: S.sigmoidScalar, f32: sigmoidF32, native: 'sigmoid' };
const TANH: ByPrecision = { f64: S.tanhScalar, f32: tanhF32, native: 'tanh' };

/** 1 / (1 + exp(-x)), in x's precision. */
export const sigmoid = (x: Tensor): Tensor => quantizedVariant(x, 'sigmoid', QA.sigmoid) ?? pointwise('Sigmoid', 'sigmoid', x, SIGMOID, S.sigmoidGradScalar);
/** In-place `sigmoid`. */
export const sigmoid_ = (x: Tensor): Tensor => pointwiseInplace('sigmoid_', x, SIGMOID);

/** Hyperbolic tangent, in x's precision. */
export const tanh = (x: Tensor): Tensor => quantizedVariant(x, 'tanh', QA.tanh) ?? pointwise('Tanh', 'tanh', x, TANH, S.tanhGradScalar);
/** In-place `tanh`. */
export const tanh_ = (x: Tensor): Tensor => pointwiseInplace('tanh_', x, TANH);

/** log(sigmoid(x)), computed without overflow. */
export const logsigmoid = (x: Tensor): Tensor => pointwise('LogSigmoid', 'logsigmoid', x, S.logsigmoidScalar, S.logsigmoidGradScalar);

/** relu6(x + 3) / 6. */
export const hardsigmoid = (x: Tensor): Tensor => quantizedVariant(x, 'hardsigmoid', QA.hardsigmoid) ?? pointwise('Hardsigmoid', 'hardsigmoid', x, S.hardsigmoidScalar, S.hardsigmoidGradScalar);
/** In-place `hardsigmoid`. */
export const hardsigmoid_ = (x: Tensor): Tensor => pointwiseInplace('hardsigmoid_', x, S.hardsigmoidScalar);

/** x * relu6(x + 3) / 6. */
export const hardswish = (x: Tensor): Tensor => pointwise('Hardswish', 'hardswish', x, S.hardswishScalar, S.hardswishGradScalar);
/** In-place `hardswish`. */
export const hardswish_ = (x: Tensor): Tensor => pointwiseInplace('hardswish_', x, S.hardswishScalar);

/** Options of `softplus`. */
export interface SoftplusOptions {
  /** beta (default 1). */
  beta?: number;
  /** Above beta * x > threshold the op is the identity (default 20). */
  threshold?: number;
}
/** log(1 + exp(beta x)) / beta. */
export function softplus(x: Tensor, opts: SoftplusOptions = {}): Tensor {
  checkOptions(opts, 'softplus');
  const { beta = 1, threshold: th = 20 } = opts;
  return pointwise('Softplus', 'softplus', x, (v) => S.softplusScalar(v, beta, th), (v) => S.softplusGradScalar(v, beta, th));
}

/** x if x > threshold else value. */
export function threshold(x: Tensor, thresholdValue: number, value: number): Tensor {
  return quantizedVariant(x, 'threshold', (q) => Q.quantizedThreshold(q, thresholdValue, value)) ?? pointwise('Threshold', 'threshold', x, (v) => S.thresholdScalar(v, thresholdValue, value), (v) => S.thresholdGradScalar(v, thresholdValue));
}
/** In-place `threshold`. */
export function threshold_(x: Tensor, thresholdValue: number, value: number): Tensor {
  return pointwiseInplace('threshold_', x, (v) => S.thresholdScalar(v, thresholdValue, value));
}

/**
 * x if x > 0 else weight[c] * x, with one learnable slope per channel (dim 1) or a single one.
 * Gradients flow to the input and to `weight`.
 */
export function prelu(x: Tensor, weight: Tensor): Tensor {
  checkFloat(x, 'prelu');
  checkFloat(weight, 'prelu', 'weight');
  const channels = x.ndim >= 2 ? x.shape[1]! : 1;
  const nw = weight.numel();
  if (nw !== 1 && nw !== channels) {
    throw new QTorchShapeError(
      `prelu(): Mismatch of parameter numbers and input channel size. Found parameter numbers = ${nw} and channel size = ${channels} (input shape ${fmtShape(x.shape)}).`,
    );
  }
  const inner = x.ndim >= 2 ? shapeNumel(x.shape.slice(2)) : 1;
  const chanOf = (i: number): number => (nw === 1 ? 0 : Math.floor(i / inner) % channels);
  const xv = x.values(), wv = weight.values();
  const dtype = resultDtype(x, weight);
  const out = allocFloat(xv.length, dtype);
  for (let i = 0; i < xv.length; i++) out[i] = xv[i]! > 0 ? xv[i]! : wv[chanOf(i)]! * xv[i]!;
  return recordOp('Prelu', floatTensor(out, x.shape, dtype), [x, weight], (g) => {
    const gv = g.values();
    const gx = allocGrad(x), gw = allocGrad(weight);
    for (let i = 0; i < xv.length; i++) {
      const v = xv[i]!;
      if (v > 0) gx[i] = gv[i]!;
      else {
        const c = chanOf(i);
        gx[i] = gv[i]! * wv[c]!;
        gw[c]! += gv[i]! * v;
      }
    }
    return [gradTensor(gx, x), gradTensor(gw, weight)];
  });
}

declare module '../tensor.js' {
  interface Tensor {
    /** See `relu`. */
    relu(): Tensor;
    /** See `relu_`. */
    relu_(): Tensor;
    /** See `sigmoid`. */
    sigmoid(): Tensor;
    /** See `sigmoid_`. */
    sigmoid_(): Tensor;
    /** See `tanh`. */
    tanh(): Tensor;
    /** See `tanh_`. */
    tanh_(): Tensor;
    /** See `prelu`. */
    prelu(weight: Tensor): Tensor;
  }
}
Tensor.prototype.relu = function (this: Tensor) { return relu(this); };
Tensor.prototype.relu_ = function (this: Tensor) { return relu_(this); };
Tensor.prototype.sigmoid = function (this: Tensor) { return sigmoid(this); };
Tensor.prototype.sigmoid_ = function (this: Tensor) { return sigmoid_(this); };
Tensor.prototype.tanh = function (this: Tensor) { return tanh(this); };
Tensor.prototype.tanh_ = function (this: Tensor) { return tanh_(this); };
Tensor.prototype.prelu = function (this: Tensor, weight: Tensor) { return prelu(this, weight); };
