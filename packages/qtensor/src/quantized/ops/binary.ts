/**
 * Quantized elementwise binary ops with requested output qparams (`quantized::add`, `add_relu`,
 * `mul`, `mul_relu`, with broadcasting), the scalar variants whose output qparams PyTorch
 * derives from the input (`add_scalar`, `mul_scalar` (+relu)), and `quantized::matmul`.
 * Both engines compute the same (golden binary.json is identical on qnnpack and onednn).
 */
import { QTorchShapeError, QTorchTypeError, QTorchValueError, fmtShape } from '../../errors.js';
import { getKernel } from '../../registry.js';
import { broadcastShapes, broadcastStrides, shapeNumel } from '../../shape.js';
import { gatherStrided } from '../../strided.js';
import type { Tensor } from '../../tensor.js';
import { dequantizeValue, inverseScale, quantizeValue } from '../numerics.js';
import { check8bit, checkOutputQparams, clampInt, f32, makeQTensor, readPerTensor, rint, type QInput } from './requantize.js';

/** Kernel signature of `quantized::add` / `mul` (+relu) / `matmul`. */
export type QBinaryKernel = (a: Tensor, b: Tensor, outScale: number, outZeroPoint: number) => Tensor;
/** Kernel signature of `quantized::add_scalar` / `mul_scalar` (+relu). */
export type QScalarKernel = (a: Tensor, other: number) => Tensor;

/** `x`'s integer values broadcast to `shape`, row-major. */
function broadcastInts(x: Tensor, shape: readonly number[]): ArrayLike<number> {
  if (x.shape.length === shape.length && x.shape.every((s, i) => s === shape[i])) return x.rawValues();
  const out = new Int32Array(shapeNumel(shape));
  gatherStrided(x.data, shape, broadcastStrides(x.shape, x.strides, shape, 'quantized::add'), x.offset, out);
  return out;
}

function checkPair(a: Tensor, b: Tensor, op: string, broadcast = true): [QInput, QInput, number[]] {
  const ai = readPerTensor(a, op), bi = readPerTensor(b, op);
  check8bit(ai, op);
  if (a.dtype !== b.dtype) throw new QTorchTypeError(`${op}(): both inputs must have the same dtype, got ${a.dtype.torchName} and ${b.dtype.torchName}`);
  return [ai, bi, broadcast ? broadcastShapes(a.shape, b.shape, op) : [...a.shape]];
}

/** Reference `quantized::add` (`relu`: `add_relu`): dequantize both, add in float32, requantize. */
export function addKernel(relu: boolean): QBinaryKernel {
  return (a, b, outScale, outZeroPoint) => {
    const [ai, bi, shape] = checkPair(a, b, relu ? 'quantized::add_relu' : 'quantized::add');
    const av = broadcastInts(a, shape), bv = broadcastInts(b, shape);
    const sa = f32(ai.scale), sb = f32(bi.scale), inv = inverseScale(outScale);
    const y = makeQTensor(shape, a.dtype, outScale, outZeroPoint);
    const out = y.data;
    for (let i = 0; i < out.length; i++) {
      let v = f32(dequantizeValue(av[i]!, sa, ai.zeroPoint) + dequantizeValue(bv[i]!, sb, bi.zeroPoint));
      if (relu && v < 0) v = 0;
      out[i] = quantizeValue(v, inv, outZeroPoint, ai.qmin, ai.qmax);
    }
    return y;
  };
}

/** Reference `quantized::mul` (+relu): `zp + rint(f32((a - za)(b - zb) * f32(sa * sb / so)))`. */
export function mulKernel(relu: boolean): QBinaryKernel {
  return (a, b, outScale, outZeroPoint) => {
    const [ai, bi, shape] = checkPair(a, b, relu ? 'quantized::mul_relu' : 'quantized::mul');
    const av = broadcastInts(a, shape), bv = broadcastInts(b, shape);
    const m = f32(f32(f32(ai.scale) * f32(bi.scale)) * inverseScale(outScale));
    const lo = relu ? Math.max(outZeroPoint, ai.qmin) : ai.qmin;
    const y = makeQTensor(shape, a.dtype, outScale, outZeroPoint);
    const out = y.data;
    for (let i = 0; i < out.length; i++) {
      const p = (av[i]! - ai.zeroPoint) * (bv[i]! - bi.zeroPoint);
      out[i] = clampInt(outZeroPoint + rint(f32(p * m)), lo, ai.qmax);
    }
    return y;
  };
}

/**
 * Reference `quantized::add_scalar` (+relu). PyTorch shifts the zero point by
 * `c_q = rint(other / scale)` and keeps the scale; when the shifted zero point leaves the
 * range it pins it at qmin/qmax, widens the scale and requantizes `(a - za + c_q)`.
 */
export function addScalarKernel(relu: boolean): QScalarKernel {
  return (a, other) => {
    const ai = readPerTensor(a, 'quantized::add_scalar');
    const { qmin, qmax, scale: s, zeroPoint: z } = ai;
    const cq = rint(other / s);
    const y = makeQTensor(a.shape, a.dtype, s, z - cq);
    const out = y.data;
    if (z - cq >= qmin && z - cq <= qmax) {
      for (let i = 0; i < out.length; i++) out[i] = relu ? Math.max(ai.q[i]!, z - cq) : ai.q[i]!;
      return y;
    }
    const below = z - cq < qmin;
    const sPrime = below ? ((qmax - (z - cq)) / (qmax - qmin)) * s : ((z - cq - qmin) / (qmax - qmin)) * s;
    const zPrime = below ? qmin : qmax;
    y.quantizer = { qscheme: 'per_tensor_affine', scale: sPrime, zeroPoint: zPrime };
    const m = f32(f32(s) * inverseScale(sPrime));
    for (let i = 0; i < out.length; i++) {
      const r = clampInt(zPrime + rint(f32((ai.q[i]! - z + cq) * m)), qmin, qmax);
      out[i] = relu ? Math.max(r, zPrime) : r;
    }
    return y;
  };
}

/**
 * Reference `quantized::mul_scalar` (+relu): no arithmetic on the values; the output reuses
 * the ints with scale `|c| * s` (negative c mirrors the ints: `qmax - (q - qmin)`), and
 * `c == 0` gives zeros with scale 1, zero point 0.
 */
export function mulScalarKernel(relu: boolean): QScalarKernel {
  return (a, other) => {
    const ai = readPerTensor(a, 'quantized::mul_scalar');
    const { qmin, qmax, scale: s, zeroPoint: z } = ai;
    if (other === 0) return makeQTensor(a.shape, a.dtype, 1, 0);
    const neg = other < 0;
    const zPrime = neg ? qmax - (z - qmin) : z;
    const y = makeQTensor(a.shape, a.dtype, Math.abs(other) * s, zPrime);
    const out = y.data;
    for (let i = 0; i < out.length; i++) {
      const q = neg ? qmax - (ai.q[i]! - qmin) : ai.q[i]!;
      out[i] = relu ? Math.max(q, zPrime) : q;
    }
    return y;
  };
}

/**
 * Reference `quantized::matmul(a, b, scale, zp)`: PyTorch 1.13 dequantizes, runs the float
 * matmul (float32 sums) and quantizes. Batched over leading dims (same batch shape).
 */
export const matmulKernel: QBinaryKernel = (a, b, outScale, outZeroPoint) => {
  const op = 'quantized::matmul';
  const [ai, bi] = checkPair(a, b, op, false);
  if (a.ndim < 2 || b.ndim !== a.ndim || a.shape.slice(0, -2).some((s, i) => s !== b.shape[i]) || a.shape[a.ndim - 1] !== b.shape[b.ndim - 2]) {
    throw new QTorchShapeError(`${op}(): expected [..., M, K] and [..., K, N] with the same batch dims, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  const M = a.shape[a.ndim - 2]!, K = a.shape[a.ndim - 1]!, N = b.shape[b.ndim - 1]!;
  const batch = shapeNumel(a.shape.slice(0, -2));
  const sa = f32(ai.scale), sb = f32(bi.scale), inv = inverseScale(outScale);
  const y = makeQTensor([...a.shape.slice(0, -1), N], a.dtype, outScale, outZeroPoint);
  const out = y.data;
  for (let t = 0; t < batch; t++) {
    for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) {
      let acc = 0;
      for (let k = 0; k < K; k++) {
        const x = dequantizeValue(ai.q[(t * M + m) * K + k]!, sa, ai.zeroPoint);
        const w = dequantizeValue(bi.q[(t * K + k) * N + n]!, sb, bi.zeroPoint);
        acc = f32(acc + f32(x * w));
      }
      out[(t * M + m) * N + n] = quantizeValue(acc, inv, outZeroPoint, ai.qmin, ai.qmax);
    }
  }
  return y;
};

function runBinary(op: string, a: Tensor, b: Tensor, outScale: number, outZeroPoint: number): Tensor {
  checkPair(a, b, op, op !== 'quantized::matmul');
  checkOutputQparams(outScale, outZeroPoint, a.dtype, op);
  return getKernel<QBinaryKernel>(op)(a, b, outScale, outZeroPoint);
}

function runScalar(op: string, a: Tensor, other: number): Tensor {
  check8bit(readPerTensor(a, op), op);
  if (typeof other !== 'number' || !Number.isFinite(other)) throw new QTorchValueError(`${op}(): expected a finite number, got ${String(other)}`);
  return getKernel<QScalarKernel>(op)(a, other);
}

/** `torch.ops.quantized.add(a, b, scale, zero_point)`: `a + b` (broadcasting) requantized to the output qparams. */
export const quantizedAdd = (a: Tensor, b: Tensor, scale: number, zeroPoint: number): Tensor => runBinary('quantized::add', a, b, scale, zeroPoint);
/** `torch.ops.quantized.add_relu`. */
export const quantizedAddRelu = (a: Tensor, b: Tensor, scale: number, zeroPoint: number): Tensor => runBinary('quantized::add_relu', a, b, scale, zeroPoint);
/** `torch.ops.quantized.mul(a, b, scale, zero_point)`. */
export const quantizedMul = (a: Tensor, b: Tensor, scale: number, zeroPoint: number): Tensor => runBinary('quantized::mul', a, b, scale, zeroPoint);
/** `torch.ops.quantized.mul_relu`. */
export const quantizedMulRelu = (a: Tensor, b: Tensor, scale: number, zeroPoint: number): Tensor => runBinary('quantized::mul_relu', a, b, scale, zeroPoint);
/** `torch.ops.quantized.matmul(a, b, scale, zero_point)`. */
export const quantizedMatmul = (a: Tensor, b: Tensor, scale: number, zeroPoint: number): Tensor => runBinary('quantized::matmul', a, b, scale, zeroPoint);
/** `torch.ops.quantized.add_scalar(a, other)`: output qparams derived from the input. */
export const quantizedAddScalar = (a: Tensor, other: number): Tensor => runScalar('quantized::add_scalar', a, other);
/** `torch.ops.quantized.add_scalar_relu`. */
export const quantizedAddScalarRelu = (a: Tensor, other: number): Tensor => runScalar('quantized::add_scalar_relu', a, other);
/** `torch.ops.quantized.mul_scalar(a, other)`. */
export const quantizedMulScalar = (a: Tensor, other: number): Tensor => runScalar('quantized::mul_scalar', a, other);
/** `torch.ops.quantized.mul_scalar_relu`. */
export const quantizedMulScalarRelu = (a: Tensor, other: number): Tensor => runScalar('quantized::mul_scalar_relu', a, other);
