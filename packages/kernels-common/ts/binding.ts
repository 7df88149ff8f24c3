/**
 * Types of the compiled addon's exports (src/napi_addon.cc, src/napi_ops.cc). The C++ validates
 * every argument again: wrong types throw TypeError, wrong sizes or values RangeError.
 */

/** The quantized engine an addon implements (qtensor's `Engine`). */
export type Engine = 'fbgemm' | 'qnnpack';

/**
 * ISA levels of the kernels, lowest first per architecture: x86-64 `scalar < avx2 < avx512 <
 * avx512vnni`, AArch64 `scalar < neon < neondot < neoni8mm` (dot-product, then i8mm extensions).
 */
export type Isa = 'scalar' | 'avx2' | 'avx512' | 'avx512vnni' | 'neon' | 'neondot' | 'neoni8mm';

/** An 8-bit quantized buffer: quint8 (Uint8Array) or qint8 (Int8Array). */
export type Bytes8 = Uint8Array | Int8Array;

/**
 * Opaque int8 weights prepared once for the INT8 GEMM: `n` rows (output features / channels,
 * all groups) of `k` values (in features, or `cin / groups * spatial` of a convolution), with
 * per-tensor or per-channel zero points.
 */
export interface PackedWeights {
  /** Output features (rows of the PyTorch weight, all groups). */
  readonly n: number;
  /** Values per row. */
  readonly k: number;
  /** Convolution groups (1 for linear weights). */
  readonly groups: number;
  /** Kernel taps per input channel (kh * kw; 1 for linear weights). */
  readonly spatial: number;
  /** The weight zero point of each output row. */
  readonly zeroPoints: Int32Array;
  /** The plain n x k weights back, in the order they were given. */
  unpack(): Int8Array;
}

/** Scales of the weights: one per tensor or one per output row (doubles, as qtensor keeps them). */
export type WeightScales = Float32Array | Float64Array;

/** Geometry of `qconv2d`: [batch, cin, ih, iw, kh, kw, strideH, strideW, padH, padW, dilH, dilW]. */
export type Conv2dGeometry = readonly [number, number, number, number, number, number, number, number, number, number, number, number];

/** What the compiled addon exports. */
export interface NativeBinding {
  readonly engine: Engine;
  PackedWeights: new (weight: Int8Array, n: number, k: number, zeroPoints: Int32Array, groups?: number, spatial?: number) => PackedWeights;
  qgemmS32(input: Uint8Array, m: number, inputZeroPoint: number, packed: PackedWeights): Int32Array;
  qlinear<T extends Bytes8>(input: T, m: number, inputZeroPoint: number, packed: PackedWeights, inputScale: number,
    weightScales: WeightScales, bias: Float32Array | null, outputScale: number, outputZeroPoint: number, relu: boolean): T;
  qlinearDynamic(input: Uint8Array, m: number, inputZeroPoint: number, packed: PackedWeights, inputScale: number,
    weightScales: WeightScales, bias: Float32Array | null, relu?: boolean): Float32Array;
  /** Quantizes `input` with (inputScale, inputZeroPoint) to quint8, then `qlinearDynamic`. */
  linearDynamic(input: Float32Array, m: number, packed: PackedWeights, inputScale: number, inputZeroPoint: number,
    weightScales: WeightScales, bias: Float32Array | null, relu: boolean): Float32Array;
  qconv2d<T extends Bytes8>(input: T, geometry: Conv2dGeometry, inputZeroPoint: number, packed: PackedWeights, inputScale: number,
    weightScales: WeightScales, bias: Float32Array | null, outputScale: number, outputZeroPoint: number, relu: boolean): T;
  quantizePerTensor<T extends Bytes8>(input: Float32Array, scale: number, zeroPoint: number, out: T): T;
  dequantize(input: Bytes8, scale: number, zeroPoint: number, out: Float32Array): Float32Array;
  qadd<T extends Bytes8>(a: T, aScale: number, aZeroPoint: number, b: T, bScale: number, bZeroPoint: number,
    outScale: number, outZeroPoint: number, relu: boolean, out: T): T;
  qrelu<T extends Bytes8>(input: T, zeroPoint: number, out: T): T;
  /** `[min(x, 0), max(x, 0)]`, NaN ignored. */
  minMax(input: Float32Array): [number, number];
  sgemm(a: Float32Array, m: number, k: number, b: Float32Array, n: number, bias: Float32Array | null): Float32Array;
  isa(): Isa;
  detectedIsa(): Isa;
  setIsa(isa: Isa): Isa;
  /** Threads of the intra-op pool (the calling thread included). */
  numThreads(): number;
  /** Sets the pool's thread count (integer 1..1024); returns the previous one. */
  setNumThreads(threads: number): number;
}
