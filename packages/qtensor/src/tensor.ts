/**
 * The strided Tensor: a typed-array storage, a dtype, shape, strides and a storage offset.
 * Views share storage. Quantized tensors carry a `quantizer` (scale / zero point).
 *
 * Ops are plain functions in `ops/` and `nn/`; each file also adds its methods to
 * `Tensor.prototype` with a `declare module` augmentation (TF.js's chained-op pattern), so
 * one file owns one family of ops and its methods.
 */
import { type DType, type TypedArray, float32, float16, bool, int64 } from './dtype.js';
import { QTorchTypeError, QTorchValueError, fmtShape } from './errors.js';
import { halfBitsToFloat } from './half.js';
import { contiguousStrides, normalizeDim, shapeNumel } from './shape.js';
import { gatherStrided } from './strided.js';
import type { GradNode } from './autograd.js';
import type { Quantizer } from './quantizer.js';

/** Storage shared by a tensor and its views. `data` may be replaced by `resize_`. */
export interface Storage {
  /** The elements; views index it with their strides and offset. */
  data: TypedArray;
}

/**
 * An n-dimensional array (torch.Tensor): typed storage with a dtype, shape, strides and offset,
 * plus quantization parameters for quantized dtypes and autograd state. Views share storage.
 * Create tensors with `tensor`, `zeros`, `randn`, ... rather than this constructor.
 */
export class Tensor {
  /** Shared storage. */
  storage: Storage;
  /** Element type. */
  readonly dtype: DType;
  /** Sizes of each dimension. */
  shape: readonly number[];
  /** Storage steps per dimension, in elements. */
  strides: readonly number[];
  /** Index of the first element in storage. */
  offset: number;
  /** Quantization parameters of a quantized tensor; `null` for float/int tensors. */
  quantizer: Quantizer | null = null;
  /** Whether autograd records operations on this tensor. */
  requiresGrad = false;
  /** Accumulated gradient (leaf tensors, or tensors that called `retainGrad()`). */
  grad: Tensor | null = null;
  /** The autograd node that produced this tensor; `null` for leaves. */
  gradFn: GradNode | null = null;
  /** @internal set by retainGrad() */
  _retainsGrad = false;

  /**
   * @param storage - Storage to share, or a typed array to wrap (no copy).
   * @param dtype - The element type; the array must be of its `ArrayType`.
   * @param shape - Sizes of each dimension.
   * @param strides - Storage steps per dimension (default: contiguous).
   * @param offset - Index of the first element in storage (default 0).
   */
  constructor(storage: Storage | TypedArray, dtype: DType, shape: readonly number[], strides?: readonly number[], offset = 0) {
    this.storage = ArrayBuffer.isView(storage) ? { data: storage as TypedArray } : (storage as Storage);
    this.dtype = dtype;
    this.shape = Object.freeze([...shape]);
    this.strides = Object.freeze(strides ? [...strides] : contiguousStrides(shape));
    this.offset = offset;
  }

  /** Wraps a typed array (no copy) as a contiguous tensor. */
  static fromTypedArray(data: TypedArray, shape: readonly number[], dtype: DType = float32): Tensor {
    const n = shapeNumel(shape);
    if (data.length < n) {
      throw new QTorchValueError(`Tensor.fromTypedArray(): shape ${fmtShape(shape)} needs ${n} elements but the array has ${data.length}`);
    }
    if (data.constructor !== dtype.ArrayType) {
      throw new QTorchTypeError(`Tensor.fromTypedArray(): ${dtype.torchName} is stored in ${dtype.ArrayType.name}, got ${data.constructor.name}`);
    }
    return new Tensor(data, dtype, shape);
  }

  /** Allocates a zero-filled contiguous tensor. */
  static empty(shape: readonly number[], dtype: DType = float32): Tensor {
    return new Tensor(new dtype.ArrayType(shapeNumel(shape)), dtype, shape);
  }

  /** The raw storage array (shared with views; float16 holds half bits). */
  get data(): TypedArray {
    return this.storage.data;
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** Number of dimensions (PyTorch's `dim()`). */
  dim(): number {
    return this.shape.length;
  }

  /** Sizes, or the size of one dim. */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    if (dim === undefined) return [...this.shape];
    return this.shape[normalizeDim(dim, this.ndim, 'size')] ?? 1;
  }

  /** Strides, or the stride of one dim. */
  stride(): number[];
  stride(dim: number): number;
  stride(dim?: number): number[] | number {
    if (dim === undefined) return [...this.strides];
    return this.strides[normalizeDim(dim, this.ndim, 'stride')] ?? 1;
  }

  /** Number of elements. */
  numel(): number {
    return shapeNumel(this.shape);
  }

  /** Whether the elements are laid out row-major without gaps (size-1 dims ignored). */
  isContiguous(): boolean {
    let expected = 1;
    for (let i = this.shape.length - 1; i >= 0; i--) {
      const s = this.shape[i]!;
      if (s === 1) continue;
      if (s === 0) return true;
      if (this.strides[i] !== expected) return false;
      expected *= s;
    }
    return true;
  }

  /** Whether this is a quantized tensor. */
  get isQuantized(): boolean {
    return this.dtype.isQuantized;
  }

  /** Whether this tensor is a leaf of the autograd graph. */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** Whether the dtype is a floating point type. */
  isFloatingPoint(): boolean {
    return this.dtype.isFloatingPoint;
  }

  /**
   * The raw storage values in logical row-major order, without dtype conversion
   * (half bits for float16, integer representation for quantized tensors).
   * Returns the storage itself (or a subarray) when already contiguous: do not mutate.
   */
  rawValues(): TypedArray {
    const n = this.numel();
    if (this.isContiguous()) {
      const d = this.storage.data;
      return this.offset === 0 && d.length === n ? d : (d.subarray(this.offset, this.offset + n) as TypedArray);
    }
    const out = new this.dtype.ArrayType(n);
    gatherStrided(this.storage.data, this.shape, this.strides, this.offset, out);
    return out;
  }

  /**
   * Logical values as numbers in a fresh or shared array, float16 converted to float.
   * For quantized tensors this is the integer representation (use `dequantize()` for reals).
   */
  values(): TypedArray {
    const raw = this.rawValues();
    if (this.dtype !== float16) return raw;
    const out = new Float32Array(raw.length);
    for (let i = 0; i < raw.length; i++) out[i] = halfBitsToFloat(raw[i]!);
    return out;
  }

  /** The value of a one-element tensor as a JS number. */
  item(): number {
    if (this.numel() !== 1) {
      throw new QTorchValueError(`item(): a Tensor with ${this.numel()} elements cannot be converted to Scalar`);
    }
    if (this.quantizer) return (this as unknown as { dequantize(): Tensor }).dequantize().item();
    return this.values()[0]!;
  }

  /** Flat row-major values as a JS array (float16 converted, bool as 0/1, quantized dequantized). */
  toArray(): number[] {
    if (this.quantizer) return (this as unknown as { dequantize(): Tensor }).dequantize().toArray();
    return Array.from(this.values());
  }

  /** Nested JS arrays in the tensor's shape (PyTorch's `tolist()`); a number for 0-d tensors. */
  tolist(): unknown {
    const flat = this.toArray();
    const toBool = this.dtype === bool;
    const build = (d: number, start: number, step: number): unknown => {
      if (d === this.shape.length) return toBool ? flat[start] !== 0 : flat[start];
      const size = this.shape[d]!, inner = step / Math.max(size, 1);
      const out: unknown[] = [];
      for (let i = 0; i < size; i++) out.push(build(d + 1, start + i * inner, inner));
      return out;
    };
    return build(0, 0, flat.length);
  }

  /** Sets `requiresGrad` in place (floating point tensors only), returning this tensor. */
  requiresGrad_(requiresGrad = true): this {
    if (requiresGrad && !this.dtype.isFloatingPoint) {
      throw new QTorchTypeError(`requiresGrad_(): only Tensors of floating point dtype can require gradients, got ${this.dtype.torchName}`);
    }
    if (!requiresGrad && !this.isLeaf) {
      throw new QTorchValueError('requiresGrad_(): you can only change requires_grad flags of leaf variables.');
    }
    this.requiresGrad = requiresGrad;
    return this;
  }

  /** Keeps `.grad` for this non-leaf tensor during backward. */
  retainGrad(): void {
    if (!this.requiresGrad) throw new QTorchValueError("retainGrad(): can't retain_grad on Tensor that has requires_grad=False");
    this._retainsGrad = true;
  }

  /** A tensor sharing storage with this one, cut from the autograd graph. */
  detach(): Tensor {
    const t = new Tensor(this.storage, this.dtype, this.shape, this.strides, this.offset);
    t.quantizer = this.quantizer;
    return t;
  }

  /** Detaches this tensor in place. */
  detach_(): this {
    this.gradFn = null;
    this.requiresGrad = false;
    return this;
  }

  /** The int64 dtype the index-returning ops use (exposed for op files). @internal */
  static get indexDtype(): DType {
    return int64;
  }
}

/** Anything ops accept where PyTorch accepts a tensor or a Python scalar. */
export type TensorLike = Tensor | number;

/** Whether `x` is a Tensor (a type guard; `torch.is_tensor`). */
export function isTensor(x: unknown): x is Tensor {
  return x instanceof Tensor;
}
