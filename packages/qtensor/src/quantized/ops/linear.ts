/**
 * Quantized linear: `quantized::linear`, `linear_relu` (static: quantized in, quantized out),
 * `linear_dynamic`, `linear_relu_dynamic` (float in, activations quantized per call, float out)
 * and the fp16-weight dynamic linear. Public functions validate and dispatch through the
 * registry to the engine that packed the weights; `linearKernel(engine, relu)` etc. are the
 * TypeScript reference kernels registered by register_reference.ts.
 */
import { float32 } from '../../dtype.js';
import { QTorchEngineError, QTorchShapeError, QTorchTypeError, fmtShape } from '../../errors.js';
import { floatToHalfBits, halfBitsToFloat } from '../../half.js';
import { type Engine, backends, getKernel } from '../../registry.js';
import { shapeNumel } from '../../shape.js';
import { Tensor } from '../../tensor.js';
import { chooseQuantizationParams } from '../choose_qparams.js';
import { inverseScale, quantizeValue } from '../numerics.js';
import { makeFloatOutputStage, makeOutputStage, type OutputStage } from './output_stage.js';
import { LinearPackedParams, type PackedWeight } from './packed_params.js';
import { check8bit, checkOutputQparams, makeQTensor, readPerTensor } from './requantize.js';
import { assertTensor, checkOptions } from '../../args.js';

/** Kernel signature of `quantized::linear` / `linear_relu`. */
export type QLinearKernel = (x: Tensor, packed: LinearPackedParams, outScale: number, outZeroPoint: number) => Tensor;
/** Kernel signature of `quantized::linear_dynamic` / `linear_relu_dynamic`. */
export type QLinearDynamicKernel = (x: Tensor, packed: LinearPackedParams, reduceRange: boolean) => Tensor;

/**
 * int32 GEMM `acc[m, n] = sum_k (x[m, k] - zx) * (w[n, k] - zw[n])`, each result passed to
 * `stage(acc, n)`. |acc| stays below 2^31 for K up to 33025 with 8-bit operands.
 */
export function gemmRows(x: ArrayLike<number>, zx: number, M: number, K: number, w: PackedWeight, stage: OutputStage, out: { [i: number]: number }): void {
  const N = w.shape[0]!, wq = w.q, zw = w.zeroPoints;
  for (let m = 0; m < M; m++) {
    const xo = m * K;
    for (let n = 0; n < N; n++) {
      const wo = n * K, z = zw[n]!;
      let acc = 0;
      for (let k = 0; k < K; k++) acc += (x[xo + k]! - zx) * (wq[wo + k]! - z);
      out[m * N + n] = stage(acc | 0, n);
    }
  }
}

function checkLinearInput(x: Tensor, packed: LinearPackedParams, op: string): void {
  if (!(packed instanceof LinearPackedParams)) throw new QTorchTypeError(`${op}(): expected LinearPackedParams (from linearPrepack), got ${String(packed)}`);
  if (x.ndim < 1 || x.shape[x.ndim - 1] !== packed.inFeatures) {
    throw new QTorchShapeError(`${op}(): expected input [..., ${packed.inFeatures}] (in_features of the weight), got ${fmtShape(x.shape)}`);
  }
}

/** The reference static linear kernel of `engine`. */
export function linearKernel(engine: Engine, relu: boolean): QLinearKernel {
  return (x, packed, outScale, outZeroPoint) => {
    const op = relu ? 'quantized::linear_relu' : 'quantized::linear';
    const xi = readPerTensor(x, op);
    const K = packed.inFeatures, N = packed.outFeatures, M = K === 0 ? 0 : xi.q.length / K;
    const outShape = [...x.shape.slice(0, -1), N];
    const y = makeQTensor(outShape, x.dtype, outScale, outZeroPoint);
    const stage = makeOutputStage({
      engine, inputScale: xi.scale, weight: packed.weight, bias: packed.bias,
      outScale, outZeroPoint, qmin: xi.qmin, qmax: xi.qmax, relu,
    });
    gemmRows(xi.q, xi.zeroPoint, M, K, packed.weight, stage, y.data);
    return y;
  };
}

/**
 * The reference dynamic linear kernel of `engine`: the input is quantized to quint8 with
 * `chooseQuantizationParams(min, max, 0, 255)`; fbgemm honours `reduceRange` (0..127),
 * qnnpack ignores it (PyTorch 1.13).
 */
export function linearDynamicKernel(engine: Engine, relu: boolean): QLinearDynamicKernel {
  return (x, packed, reduceRange) => {
    const xv = x.values();
    let lo = 0, hi = 0;
    for (let i = 0; i < xv.length; i++) {
      const v = xv[i]!;
      // NaN propagates (as PyTorch's min/max do), so chooseQuantizationParams refuses it
      if (Number.isNaN(v)) { lo = hi = NaN; break; }
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const qp = chooseQuantizationParams(lo, hi, 0, 255, { reduceRange: reduceRange && engine === 'fbgemm' });
    const inv = inverseScale(qp.scale);
    const xq = new Uint8Array(xv.length);
    for (let i = 0; i < xv.length; i++) xq[i] = quantizeValue(xv[i]!, inv, qp.zeroPoint, 0, 255);
    const K = packed.inFeatures, N = packed.outFeatures, M = shapeNumel(x.shape.slice(0, -1));
    const y = new Tensor(new Float32Array(M * N), float32, [...x.shape.slice(0, -1), N]);
    gemmRows(xq, qp.zeroPoint, M, K, packed.weight, makeFloatOutputStage(qp.scale, packed.weight, packed.bias, relu), y.data);
    return y;
  };
}

/**
 * `torch.ops.quantized.linear(x, packed, outScale, outZeroPoint)`: y = x Wᵀ + b, requantized to
 * the output qparams (output dtype = input dtype). Runs on the engine that packed the weights.
 */
export function quantizedLinear(x: Tensor, packed: LinearPackedParams, outScale: number, outZeroPoint: number): Tensor {
  return runLinear('quantized::linear', x, packed, outScale, outZeroPoint);
}

/** `torch.ops.quantized.linear_relu`: `quantizedLinear` with a fused ReLU. */
export function quantizedLinearRelu(x: Tensor, packed: LinearPackedParams, outScale: number, outZeroPoint: number): Tensor {
  return runLinear('quantized::linear_relu', x, packed, outScale, outZeroPoint);
}

function runLinear(op: string, x: Tensor, packed: LinearPackedParams, outScale: number, outZeroPoint: number): Tensor {
  checkLinearInput(x, packed, op);
  const xi = readPerTensor(x, op);
  check8bit(xi, op);
  checkOutputQparams(outScale, outZeroPoint, x.dtype, op);
  return getKernel<QLinearKernel>(op, packed.engine)(x, packed, outScale, outZeroPoint);
}

/** Options of the dynamic linear ops. */
export interface LinearDynamicOptions {
  /** Quantize activations to 0..127 (fbgemm only; qnnpack ignores it, as PyTorch 1.13 does). */
  reduceRange?: boolean;
}

/** `torch.ops.quantized.linear_dynamic(x, packed, reduce_range)`: float in, float out. */
export function quantizedLinearDynamic(x: Tensor, packed: LinearPackedParams, opts: LinearDynamicOptions = {}): Tensor {
  checkOptions(opts, 'quantizedLinearDynamic');
  return runLinearDynamic('quantized::linear_dynamic', x, packed, opts);
}

/** `torch.ops.quantized.linear_relu_dynamic`: `quantizedLinearDynamic` with a fused ReLU. */
export function quantizedLinearReluDynamic(x: Tensor, packed: LinearPackedParams, opts: LinearDynamicOptions = {}): Tensor {
  checkOptions(opts, 'quantizedLinearReluDynamic');
  return runLinearDynamic('quantized::linear_relu_dynamic', x, packed, opts);
}

function runLinearDynamic(op: string, x: Tensor, packed: LinearPackedParams, opts: LinearDynamicOptions): Tensor {
  assertTensor(x, op);
  if (x.isQuantized || x.dtype !== float32) throw new QTorchTypeError(`${op}(): expected a float32 input, got ${x.dtype.torchName}`);
  checkLinearInput(x, packed, op);
  return getKernel<QLinearDynamicKernel>(op, packed.engine)(x, packed, opts.reduceRange ?? false);
}

/** Packed float16 weights of `linear_dynamic_fp16` (fbgemm only). */
export class LinearFp16PackedParams {
  /**
   * @param engine - The engine whose kernels run these params.
   * @param weight - Weight `[N, K]` rounded to float16, held as float32 values.
   * @param shape - `[N, K]`.
   * @param bias - Float bias `[N]`, or null.
   */
  constructor(
    /** The engine whose kernels run these params. */
    readonly engine: Engine,
    /** Weight `[N, K]` rounded to float16, held as float32 values. */
    readonly weight: Float32Array,
    /** `[N, K]`: output and input features. */
    readonly shape: readonly [number, number],
    /** Float bias `[N]`, or null. */
    readonly bias: Float32Array | null,
  ) {}
}

/** `torch.ops.quantized.linear_prepack_fp16(w, b)`: rounds a float weight to float16. */
export function linearPrepackFp16(w: Tensor, bias: Tensor | null = null): LinearFp16PackedParams {
  assertTensor(w, 'quantized::linear_prepack_fp16');
  const op = 'quantized::linear_prepack_fp16';
  const engine = backends.quantized.engine;
  if (engine !== 'fbgemm') throw new QTorchEngineError(`${op}(): float16 dynamic quantization is not supported by QNNPACK`);
  if (w.isQuantized || !w.dtype.isFloatingPoint || w.ndim !== 2) {
    throw new QTorchTypeError(`${op}(): expected a 2-d float weight, got ${w.dtype.torchName} ${fmtShape(w.shape)}`);
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== w.shape[0])) throw new QTorchShapeError(`${op}(): expected a bias of shape [${w.shape[0]}], got ${fmtShape(bias.shape)}`);
  const wv = w.values();
  const h = new Float32Array(wv.length);
  for (let i = 0; i < wv.length; i++) h[i] = halfBitsToFloat(floatToHalfBits(wv[i]!));
  return new LinearFp16PackedParams(engine, h, [w.shape[0]!, w.shape[1]!], bias ? Float32Array.from(bias.values()) : null);
}

/**
 * The kernel of `quantized::linear_dynamic_fp16`: float32 `x` `[..., K]` times the fp16-rounded
 * weight, + bias (and ReLU) -> float32 `[..., N]`.
 */
export type QLinearDynamicFp16Kernel = (x: Tensor, packed: LinearFp16PackedParams, relu: boolean) => Tensor;

/** The reference kernel of `quantized::linear_dynamic_fp16`: sequential float32 sums per output. */
export const linearDynamicFp16Kernel: QLinearDynamicFp16Kernel = (x, packed, relu) => {
  const [N, K] = packed.shape;
  const xv = x.values();
  const M = K === 0 ? 0 : xv.length / K;
  const out = new Float32Array(M * N);
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let acc = 0;
      for (let k = 0; k < K; k++) acc = Math.fround(acc + Math.fround(xv[m * K + k]! * packed.weight[n * K + k]!));
      const v = Math.fround(acc + (packed.bias ? packed.bias[n]! : 0));
      out[m * N + n] = relu && v < 0 ? 0 : v;
    }
  }
  return new Tensor(out, float32, [...x.shape.slice(0, -1), N]);
};

/**
 * `torch.ops.quantized.linear_dynamic_fp16(x, packed)`: float GEMM with the fp16-rounded weight,
 * dispatched by `packed.engine` (a native addon's float32 GEMM when one is loaded: float32 sums
 * in another order, so within float32 rounding of the reference).
 */
export function quantizedLinearDynamicFp16(x: Tensor, packed: LinearFp16PackedParams, opts: { relu?: boolean } = {}): Tensor {
  checkOptions(opts, 'quantizedLinearDynamicFp16');
  assertTensor(x, 'quantized::linear_dynamic_fp16');
  const op = 'quantized::linear_dynamic_fp16';
  const K = packed.shape[1];
  if (x.isQuantized || x.dtype !== float32) throw new QTorchTypeError(`${op}(): expected a float32 input, got ${x.dtype.torchName}`);
  if (x.shape[x.ndim - 1] !== K) throw new QTorchShapeError(`${op}(): expected input [..., ${K}], got ${fmtShape(x.shape)}`);
  return getKernel<QLinearDynamicFp16Kernel>(op, packed.engine)(x, packed, opts.relu ?? false);
}
