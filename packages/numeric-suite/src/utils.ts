/**
 * Error metrics between a reference (float) tensor and an approximation (quantized, or the
 * output of a quantized model): torch.ao.ns.fx.utils' compute_sqnr,
 * compute_normalized_l2_error and compute_cosine_similarity.
 *
 * As in PyTorch, quantized arguments are dequantized first and lists / tuples of tensors are
 * compared element-wise (returning a list). The arithmetic runs in float64, so results agree
 * with PyTorch's float32 ones to far better than the 1e-3 dB the numeric suite needs.
 */
import { QTorchShapeError, QTorchTypeError, Tensor, fmtShape } from '@qtorch/qtensor';

/** A tensor, or a (nested) list of tensors compared pairwise. */
export type TensorOrList = Tensor | readonly TensorOrList[];
/** The result for a `TensorOrList`: a number per tensor pair, nested like the inputs. */
export type MetricResult<T> = T extends Tensor ? number : MetricList;
/** A nested list of metric values. */
export type MetricList = Array<number | MetricList>;

/** Float values of `t` (dequantized if quantized) as float64. @internal */
export function floatValues(t: Tensor): Float64Array {
  if (!(t instanceof Tensor)) throw new QTorchTypeError(`numeric suite: expected a Tensor, got ${describe(t)}`);
  const src = t.isQuantized ? t.dequantize().values() : t.values();
  return Float64Array.from(src as ArrayLike<number>);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return typeof v;
}

/** Sums over a pair of equally-sized float arrays (the three metrics' ingredients). */
interface PairSums {
  /** sum x^2 */
  xx: number;
  /** sum y^2 */
  yy: number;
  /** sum x*y */
  xy: number;
  /** sum (x - y)^2 */
  dd: number;
}

/** The sums of two value arrays of equal length. @internal */
export function pairSums(x: ArrayLike<number>, y: ArrayLike<number>): PairSums {
  let xx = 0, yy = 0, xy = 0, dd = 0;
  for (let i = 0; i < x.length; i++) {
    const a = x[i]!, b = y[i]!;
    xx += a * a;
    yy += b * b;
    xy += a * b;
    dd += (a - b) * (a - b);
  }
  return { xx, yy, xy, dd };
}

/** SQNR in dB from the sums: 20 log10(||x|| / ||x - y||) (Infinity when identical). @internal */
export function sqnrFromSums(s: PairSums): number {
  return 20 * Math.log10(Math.sqrt(s.xx) / Math.sqrt(s.dd));
}

/** sqrt(sum (x - y)^2 / sum x^2). @internal */
export function normalizedL2FromSums(s: PairSums): number {
  return Math.sqrt(s.dd / s.xx);
}

// torch.nn.functional.cosine_similarity's default eps: each norm is clamped to at least eps.
const COSINE_EPS = 1e-8;

/** x.y / (max(||x||, eps) * max(||y||, eps)). @internal */
export function cosineFromSums(s: PairSums): number {
  return s.xy / (Math.max(Math.sqrt(s.xx), COSINE_EPS) * Math.max(Math.sqrt(s.yy), COSINE_EPS));
}

/** Applies a pair metric to two tensors, or pairwise to two (nested) lists. */
function pairwise(op: string, fromSums: (s: PairSums) => number, x: TensorOrList, y: TensorOrList): number | MetricList {
  if (Array.isArray(x) || Array.isArray(y)) {
    if (!Array.isArray(x) || !Array.isArray(y)) {
      throw new QTorchTypeError(`${op}(): both arguments must be tensors or both lists of tensors, got ${describe(x)} and ${describe(y)}`);
    }
    if (x.length !== y.length) throw new QTorchShapeError(`${op}(): lists of different lengths: ${x.length} and ${y.length}`);
    return x.map((xi, i) => pairwise(op, fromSums, xi, y[i]!));
  }
  const a = x as Tensor, b = y as Tensor;
  if (!(a instanceof Tensor) || !(b instanceof Tensor)) {
    throw new QTorchTypeError(`${op}(): expected tensors, got ${describe(a)} and ${describe(b)}`);
  }
  if (a.numel() !== b.numel()) {
    throw new QTorchShapeError(`${op}(): the tensors must have the same number of elements, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  return fromSums(pairSums(floatValues(a), floatValues(b)));
}

/**
 * Signal to quantization noise ratio in dB, `20 * log10(||x|| / ||x - y||)`, with `x` the
 * reference (float) and `y` the approximation (quantized tensors are dequantized).
 * Identical tensors give `Infinity`. Lists are compared pairwise.
 * @example computeSqnr(floatOut, quantizedOut) // 42.18
 */
export function computeSqnr<T extends TensorOrList>(x: T, y: TensorOrList): MetricResult<T> {
  return pairwise('computeSqnr', sqnrFromSums, x, y) as MetricResult<T>;
}

/**
 * Normalized L2 error, `sqrt(sum((x - y)^2) / sum(x^2))`, with `x` the reference.
 * Lists are compared pairwise.
 * @example computeNormalizedL2Error(floatOut, quantizedOut) // 0.0078
 */
export function computeNormalizedL2Error<T extends TensorOrList>(x: T, y: TensorOrList): MetricResult<T> {
  return pairwise('computeNormalizedL2Error', normalizedL2FromSums, x, y) as MetricResult<T>;
}

/**
 * Cosine similarity of the two tensors flattened to vectors (PyTorch reshapes to `(1, -1)`
 * and calls `F.cosine_similarity`). Lists are compared pairwise.
 * @example computeCosineSimilarity(floatOut, quantizedOut) // 0.99997
 */
export function computeCosineSimilarity<T extends TensorOrList>(x: T, y: TensorOrList): MetricResult<T> {
  return pairwise('computeCosineSimilarity', cosineFromSums, x, y) as MetricResult<T>;
}
