/**
 * Data types of qtorch tensors, mirroring `torch.dtype`.
 *
 * Storage choices (why): typed arrays give zero-copy hand-off to native kernels.
 * `float16` is stored as raw IEEE half bits in a `Uint16Array` and converted on read;
 * `int64` is stored in a `Float64Array` (exact for |x| <= 2^53, which covers every index
 * and count a model produces) so element access never mixes `bigint` and `number`.
 */
export type DTypeName =
  | 'float32' | 'float64' | 'float16'
  | 'int8' | 'uint8' | 'int16' | 'int32' | 'int64' | 'bool'
  | 'quint8' | 'qint8' | 'qint32' | 'quint4x2';

/** The typed arrays that back tensor storage (int64 is held in a Float64Array; float16 as its bits in a Uint16Array). */
export type TypedArray =
  | Float32Array | Float64Array | Uint16Array | Int8Array | Uint8Array | Int16Array | Int32Array;

type ArrayCtor = { new (n: number): TypedArray; new (buf: ArrayBufferLike, byteOffset?: number, length?: number): TypedArray; BYTES_PER_ELEMENT: number };

/** A tensor element type. Compare by identity (`t.dtype === float32`). */
export class DType {
  /** @internal */
  constructor(
    /** qtorch name, e.g. `'float32'`. */
    readonly name: DTypeName,
    /** Bytes per element in storage. */
    readonly itemsize: number,
    /** The typed array class that stores elements. */
    readonly ArrayType: ArrayCtor,
    /** Whether the dtype holds floating-point values (float16, float32, float64). */
    readonly isFloatingPoint: boolean,
    /** Whether the dtype is quantized (quint8, qint8, qint32, quint4x2). */
    readonly isQuantized: boolean,
    /** Whether the dtype's values (or quantized integers) can be negative. */
    readonly isSigned: boolean,
    /** Rank for type promotion (bool < ints < floats). */
    readonly promotionRank: number,
  ) {}
  /** PyTorch's spelling, e.g. `torch.float32`. */
  get torchName(): string {
    return `torch.${this.name}`;
  }
  /** PyTorch's spelling, `torch.float32`. */
  toString(): string {
    return this.torchName;
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.torchName;
  }
}

/** Booleans, one byte each (`torch.bool`). */
export const bool = new DType('bool', 1, Uint8Array, false, false, false, 0);
/** Unsigned 8-bit integers (`torch.uint8`). */
export const uint8 = new DType('uint8', 1, Uint8Array, false, false, false, 1);
/** Signed 8-bit integers (`torch.int8`). */
export const int8 = new DType('int8', 1, Int8Array, false, false, true, 2);
/** Signed 16-bit integers (`torch.int16`). */
export const int16 = new DType('int16', 2, Int16Array, false, false, true, 3);
/** Signed 32-bit integers (`torch.int32`). */
export const int32 = new DType('int32', 4, Int32Array, false, false, true, 4);
/** 64-bit integers (`torch.int64`), held as doubles: exact up to 2^53. */
export const int64 = new DType('int64', 8, Float64Array, false, false, true, 5);
/** IEEE half precision (`torch.float16`), stored as its 16-bit patterns. */
export const float16 = new DType('float16', 2, Uint16Array, true, false, true, 6);
/** IEEE single precision (`torch.float32`), the default float dtype. */
export const float32 = new DType('float32', 4, Float32Array, true, false, true, 7);
/** IEEE double precision (`torch.float64`). */
export const float64 = new DType('float64', 8, Float64Array, true, false, true, 8);
/** Quantized unsigned 8-bit (activations). */
export const quint8 = new DType('quint8', 1, Uint8Array, false, true, false, -1);
/** Quantized signed 8-bit (weights). */
export const qint8 = new DType('qint8', 1, Int8Array, false, true, true, -1);
/** Quantized signed 32-bit (bias / accumulators). */
export const qint32 = new DType('qint32', 4, Int32Array, false, true, true, -1);
/** Two unsigned 4-bit values per byte (embedding weights). */
export const quint4x2 = new DType('quint4x2', 1, Uint8Array, false, true, false, -1);

/** Aliases PyTorch users know. */
export const float = float32;
/** Alias of {@link float64} (`torch.double`). */
export const double = float64;
/** Alias of {@link float16} (`torch.half`). */
export const half = float16;
/** Alias of {@link int64} (`torch.long`). */
export const long = int64;
/** Alias of {@link int32} (`torch.int`). */
export const int = int32;

/** Every dtype, plain then quantized. */
export const ALL_DTYPES: readonly DType[] = [
  bool, uint8, int8, int16, int32, int64, float16, float32, float64, quint8, qint8, qint32, quint4x2,
];

/** Look a dtype up by qtorch name or PyTorch name (`'float32'`, `'torch.qint8'`). */
export function dtypeFromName(name: string): DType {
  const bare = name.startsWith('torch.') ? name.slice(6) : name;
  const aliases: Record<string, DType> = { float, double, half, long, int };
  const found = ALL_DTYPES.find((d) => d.name === bare) ?? aliases[bare];
  if (!found) throw new TypeError(`dtypeFromName(): unknown dtype '${name}'`);
  return found;
}

/** Integer range [qmin, qmax] of a quantized dtype (or of a plain integer dtype). */
export function dtypeRange(dtype: DType): [number, number] {
  switch (dtype.name) {
    case 'quint8': case 'uint8': return [0, 255];
    case 'qint8': case 'int8': return [-128, 127];
    case 'qint32': case 'int32': return [-2147483648, 2147483647];
    case 'quint4x2': return [0, 15];
    case 'int16': return [-32768, 32767];
    case 'bool': return [0, 1];
    default: throw new TypeError(`dtypeRange(): ${dtype.torchName} is not an integer type`);
  }
}

/** The plain integer dtype that holds a quantized dtype's integer representation (`int_repr`). */
export function underlyingIntDtype(dtype: DType): DType {
  switch (dtype.name) {
    case 'quint8': case 'quint4x2': return uint8;
    case 'qint8': return int8;
    case 'qint32': return int32;
    default: throw new TypeError(`underlyingIntDtype(): ${dtype.torchName} is not a quantized dtype`);
  }
}

/**
 * Result dtype of a binary op between two tensors (PyTorch's category-based promotion
 * for tensors of the same dimension category). Quantized dtypes never promote.
 */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === b) return a;
  if (a.isQuantized || b.isQuantized) {
    throw new TypeError(`promoteTypes(): cannot promote ${a.torchName} with ${b.torchName}`);
  }
  // uint8 with a signed int promotes to the next signed type that holds both (int16), as in PyTorch.
  if ((a === uint8 && b === int8) || (a === int8 && b === uint8)) return int16;
  return a.promotionRank >= b.promotionRank ? a : b;
}
