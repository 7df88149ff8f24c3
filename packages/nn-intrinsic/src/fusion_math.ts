/**
 * Batch-norm folding math (torch.nn.utils.fusion): `fuseConvBnWeights` and
 * `fuseLinearBnWeights` fold running statistics and the affine parameters of a BatchNorm into
 * the weight and bias of the preceding conv / linear, so `bn(conv(x)) == conv'(x)` in eval mode.
 *
 * The arithmetic replays PyTorch's float32 op sequence step by step (each intermediate
 * rounded to float32, `rsqrt(v) = 1 / sqrt(v)`), so folded weights are bit-identical to
 * PyTorch's, which the converted model's integer outputs depend on.
 */
import { QTorchShapeError, type Tensor, float32, float64, fmtShape, fromValues } from '@qtorch/qtensor';
import { Parameter } from '@qtorch/nn';

/** Options of `fuseConvBnWeights`. */
export interface FuseConvBnWeightsOptions {
  /** The conv is transposed (weight [in, out, *k]: scale along dim 1). Default false. */
  transpose?: boolean;
}

/** Per-channel arrays of a folding; missing affine parameters default as in PyTorch. */
interface BnStats {
  rm: ArrayLike<number>;
  rv: ArrayLike<number>;
  eps: number;
  w: ArrayLike<number> | null;
  b: ArrayLike<number> | null;
}

/** Rounds like one op of the tensors' dtype (float32 unless everything is float64). */
function rounding(...ts: Array<Tensor | null>): (v: number) => number {
  return ts.every((t) => t === null || t.dtype === float64) ? (v) => v : Math.fround;
}

function checkChannels(t: Tensor | null, c: number, op: string, name: string): void {
  if (t !== null && (t.ndim !== 1 || t.shape[0] !== c)) {
    throw new QTorchShapeError(`${op}(): ${name} must have shape (${c},) to match the weight's channels, got ${fmtShape(t.shape)}`);
  }
}

/** `rsqrt(rv + eps)` per channel, rounded as PyTorch's float ops round. */
function invStd(bn: BnStats, r: (v: number) => number): Float64Array {
  const out = new Float64Array(bn.rv.length);
  const eps = r(bn.eps);
  for (let c = 0; c < out.length; c++) out[c] = r(1 / r(Math.sqrt(r(bn.rv[c]! + eps))));
  return out;
}

function resultTensor(values: Float64Array, shape: readonly number[], like: Tensor, requiresGrad: boolean): Parameter {
  return new Parameter(fromValues(values, shape, like.dtype === float64 ? float64 : float32), requiresGrad);
}

/** Multiplies `w` by `scale[c]` where c is the index along `axis` (the channel dim). */
function scaleAlong(w: Tensor, axis: number, scale: Float64Array, r: (v: number) => number): Float64Array {
  const src = w.contiguous().values();
  const inner = w.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const C = w.shape[axis]!;
  const out = new Float64Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = r(src[i]! * scale[Math.floor(i / inner) % C]!);
  return out;
}

function bnArrays(op: string, c: number, rm: Tensor, rv: Tensor, eps: number, w: Tensor | null, b: Tensor | null): BnStats {
  checkChannels(rm, c, op, 'running_mean');
  checkChannels(rv, c, op, 'running_var');
  checkChannels(w, c, op, 'bn weight');
  checkChannels(b, c, op, 'bn bias');
  return { rm: rm.values(), rv: rv.values(), eps, w: w?.values() ?? null, b: b?.values() ?? null };
}

/**
 * Folds a BatchNorm into a conv's weight and bias (PyTorch's `fuse_conv_bn_weights`):
 * `w' = w * (gamma * rsqrt(var + eps))` per output channel,
 * `b' = (b - mean) * rsqrt(var + eps) * gamma + beta`. A null conv bias counts as zeros,
 * null gamma / beta as ones / zeros. Returns new Parameters (`requiresGrad` of the inputs).
 * @example const [w, b] = fuseConvBnWeights(conv.weight, conv.bias, bn.running_mean, bn.running_var, bn.eps, bn.weight, bn.bias);
 */
export function fuseConvBnWeights(
  convW: Tensor, convB: Tensor | null, bnRm: Tensor, bnRv: Tensor, bnEps: number, bnW: Tensor | null, bnB: Tensor | null,
  options: FuseConvBnWeightsOptions = {},
): [Parameter, Parameter] {
  const op = 'fuseConvBnWeights';
  const axis = options.transpose ? 1 : 0;
  if (convW.ndim < 2) throw new QTorchShapeError(`${op}(): conv weight must have at least 2 dims, got ${fmtShape(convW.shape)}`);
  const C = convW.shape[axis]!;
  checkChannels(convB, C, op, 'conv bias');
  const bn = bnArrays(op, C, bnRm, bnRv, bnEps, bnW, bnB);
  const r = rounding(convW, convB, bnRm, bnRv, bnW, bnB);
  const rs = invStd(bn, r);
  const wScale = new Float64Array(C);
  for (let c = 0; c < C; c++) wScale[c] = r((bn.w ? bn.w[c]! : 1) * rs[c]!);
  const cb = convB?.values();
  const bias = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    bias[c] = r(r(r(r((cb ? cb[c]! : 0) - bn.rm[c]!) * rs[c]!) * (bn.w ? bn.w[c]! : 1)) + (bn.b ? bn.b[c]! : 0));
  }
  return [
    resultTensor(scaleAlong(convW, axis, wScale, r), convW.shape, convW, convW.requiresGrad),
    resultTensor(bias, [C], convW, convB?.requiresGrad ?? false),
  ];
}

/**
 * Folds a BatchNorm1d into a linear layer (PyTorch's `fuse_linear_bn_weights`):
 * `s = gamma * rsqrt(var + eps)`, `w' = w * s[:, None]`, `b' = (b - mean) * s + beta`.
 * @example const [w, b] = fuseLinearBnWeights(fc.weight, fc.bias, bn.running_mean, bn.running_var, bn.eps, bn.weight, bn.bias);
 */
export function fuseLinearBnWeights(
  linearW: Tensor, linearB: Tensor | null, bnRm: Tensor, bnRv: Tensor, bnEps: number, bnW: Tensor, bnB: Tensor,
): [Parameter, Parameter] {
  const op = 'fuseLinearBnWeights';
  if (linearW.ndim !== 2) throw new QTorchShapeError(`${op}(): linear weight must be 2-d [out, in], got ${fmtShape(linearW.shape)}`);
  const C = linearW.shape[0]!;
  checkChannels(linearB, C, op, 'linear bias');
  const bn = bnArrays(op, C, bnRm, bnRv, bnEps, bnW, bnB);
  const r = rounding(linearW, linearB, bnRm, bnRv, bnW, bnB);
  const rs = invStd(bn, r);
  const scale = new Float64Array(C);
  for (let c = 0; c < C; c++) scale[c] = r(bn.w![c]! * rs[c]!);
  const lb = linearB?.values();
  const bias = new Float64Array(C);
  for (let c = 0; c < C; c++) bias[c] = r(r(r((lb ? lb[c]! : 0) - bn.rm[c]!) * scale[c]!) + bn.b![c]!);
  return [
    resultTensor(scaleAlong(linearW, 0, scale, r), linearW.shape, linearW, true),
    resultTensor(bias, [C], linearW, true),
  ];
}
