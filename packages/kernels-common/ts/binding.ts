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
  /** Frees the native memory now (idempotent); afterwards every use of the weights throws. */
  dispose(): void;
  /** Whether `dispose()` was called. */
  readonly disposed: boolean;
  /** Native memory held, as reported to V8's external-memory count (so GC sees it); 0 once disposed. */
  readonly bytes: number;
}

/** Scales of the weights: one per tensor or one per output row (doubles, as qtensor keeps them). */
export type WeightScales = Float32Array | Float64Array;

/** Geometry of `qconv2d`: [batch, cin, ih, iw, kh, kw, strideH, strideW, padH, padW, dilH, dilW]. */
export type Conv2dGeometry = readonly [number, number, number, number, number, number, number, number, number, number, number, number];

/** Activations `qactivation` computes through a 256-entry table (see qops_elementwise.h). */
export type ActivationKind = 'hardswish' | 'hardsigmoid' | 'sigmoid' | 'tanh' | 'leaky_relu' | 'elu' | 'celu' | 'threshold' | 'clamp' | 'relu6';

/** Geometry of `qmaxPool2d`: [planes, ih, iw, kh, kw, strideH, strideW, padH, padW, dilH, dilW]. */
export type MaxPool2dGeometry = readonly [number, number, number, number, number, number, number, number, number, number, number];
/** Geometry of `qavgPool2d`: [planes, ih, iw, kh, kw, strideH, strideW, padH, padW]. */
export type AvgPool2dGeometry = readonly [number, number, number, number, number, number, number, number, number];

/** What the compiled addon exports. */
export interface NativeBinding {
  /** The engine whose numerics this binary implements. */
  readonly engine: Engine;
  /** Packs N x K int8 weights (with per-channel zero points; conv: groups and spatial size). */
  PackedWeights: new (weight: Int8Array, n: number, k: number, zeroPoints: Int32Array, groups?: number, spatial?: number) => PackedWeights;
  /** int32 accumulators `sum_k (x - zx) * (w - zw)`, M x N row-major. */
  qgemmS32(input: Uint8Array, m: number, inputZeroPoint: number, packed: PackedWeights): Int32Array;
  /** Static quantized linear (quint8 or qint8 in and out) with the engine's requantization. */
  qlinear<T extends Bytes8>(input: T, m: number, inputZeroPoint: number, packed: PackedWeights, inputScale: number,
    weightScales: WeightScales, bias: Float32Array | null, outputScale: number, outputZeroPoint: number, relu: boolean): T;
  /** Dynamic linear: float32 output from quint8 input and packed weights (then optional ReLU). */
  qlinearDynamic(input: Uint8Array, m: number, inputZeroPoint: number, packed: PackedWeights, inputScale: number,
    weightScales: WeightScales, bias: Float32Array | null, relu?: boolean): Float32Array;
  /** Quantizes `input` with (inputScale, inputZeroPoint) to quint8, then `qlinearDynamic`. */
  linearDynamic(input: Float32Array, m: number, packed: PackedWeights, inputScale: number, inputZeroPoint: number,
    weightScales: WeightScales, bias: Float32Array | null, relu: boolean): Float32Array;
  /** Quantized 2-d convolution (NCHW) with the engine's requantization. */
  qconv2d<T extends Bytes8>(input: T, geometry: Conv2dGeometry, inputZeroPoint: number, packed: PackedWeights, inputScale: number,
    weightScales: WeightScales, bias: Float32Array | null, outputScale: number, outputZeroPoint: number, relu: boolean): T;
  /** Quantizes float32 `input` into `out` (round half to even, saturating). */
  quantizePerTensor<T extends Bytes8>(input: Float32Array, scale: number, zeroPoint: number, out: T): T;
  /** Dequantizes `input` into `out`: `(q - zeroPoint) * scale`. */
  dequantize(input: Bytes8, scale: number, zeroPoint: number, out: Float32Array): Float32Array;
  /** Quantized add of two same-shape tensors, requantized to `(outScale, outZeroPoint)`. */
  qadd<T extends Bytes8>(a: T, aScale: number, aZeroPoint: number, b: T, bScale: number, bZeroPoint: number,
    outScale: number, outZeroPoint: number, relu: boolean, out: T): T;
  /** Quantized ReLU: `max(q, zeroPoint)`. */
  qrelu<T extends Bytes8>(input: T, zeroPoint: number, out: T): T;
  /** `[min(x, 0), max(x, 0)]`, NaN ignored. */
  minMax(input: Float32Array): [number, number];
  /** Float32 GEMM `a [M, K] @ b^T + bias`, b given as `[N, K]`. */
  sgemm(a: Float32Array, m: number, k: number, b: Float32Array, n: number, bias: Float32Array | null): Float32Array;
  /** `c = alpha * op(a) * op(b) + beta * c + bias` in place on strided views (qtensor's `FloatGemmKernel`). */
  sgemmStrided(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    a: Float32Array, aOffset: number, lda: number, b: Float32Array, bOffset: number, ldb: number,
    beta: number, c: Float32Array, cOffset: number, ldc: number, bias: Float32Array | null): void;
  /** Panel width (columns) `sgemmPackBT` packs for on the active ISA; absent in older binaries. */
  sgemmPanelWidth?(): number;
  /** `b` (n x k) transposed into the active ISA's column panels, `ceil(n / nr) * nr * k` floats (a copy). */
  sgemmPackBT?(b: Float32Array, n: number, k: number): Float32Array;
  /** `a [M, K] @ b^T + bias` with b packed by `sgemmPackBT` for panels `nr` wide (the same floats as `sgemm`). */
  sgemmPrepacked?(a: Float32Array, m: number, k: number, packed: Float32Array, n: number, nr: number, bias: Float32Array | null): Float32Array;
  /** The float32 im2col of one convolution group (qtensor's `FloatIm2colKernel`); absent in older binaries. */
  im2colF32?(src: Float32Array, srcOffset: number, cg: number, geometry: Int32Array, cols: Float32Array): void;
  /**
   * The time loop of one layer-direction of a dynamic quantized recurrent layer (cell 0 LSTM,
   * 1 GRU, 2 tanh, 3 relu): each step quantizes h to quint8 with qparams chosen from its range
   * (0..127 with `reduceRange`), projects it with `packed` (gates * hidden x hidden) and bias,
   * and applies the gates with that step's slice of `igates` ([steps, batch, gates * hidden]).
   * Writes every step's h into `output` ([steps, batch, hidden], time order) and, for LSTM, the
   * cell state into `c` in place (c0 in, the final c out). Returns the steps run: fewer than
   * `steps` when the next h has no finite range (the caller reports it).
   */
  rnnLayerDynamic(cell: number, igates: Float32Array, steps: number, batch: number, hidden: number, packed: PackedWeights,
    weightScales: WeightScales, bias: Float32Array | null, reduceRange: boolean, reverse: boolean, h0: Float32Array,
    c: Float32Array | null, output: Float32Array): number;
  /**
   * `rnnLayerDynamic` with the input projection computed natively: `x` ([steps, batch,
   * inputSize]) quantized with (`inScale`, `inZeroPoint`) and projected by `packedIh` (gates *
   * hidden x inputSize, its scales and bias) exactly as `linearDynamic` does, into memory the
   * layer owns (no array of every step's gates is allocated).
   */
  rnnLayerDynamicProjected(cell: number, x: Float32Array, inScale: number, inZeroPoint: number, packedIh: PackedWeights,
    ihWeightScales: WeightScales, ihBias: Float32Array | null, steps: number, batch: number, hidden: number, packed: PackedWeights,
    weightScales: WeightScales, bias: Float32Array | null, reduceRange: boolean, reverse: boolean, h0: Float32Array,
    c: Float32Array | null, output: Float32Array): number;
  /**
   * The time loop of one layer-direction of a float recurrent layer (cells as
   * `rnnLayerDynamic`): each step projects h with `whh` (gates * hidden x hidden, row-major)
   * and `bias` through the float32 GEMM (`whh` packed once for the call: the same floats as
   * `sgemm`), then applies the gates; writes `output` and `c` as `rnnLayerDynamic` does.
   * Absent in older binaries.
   */
  rnnLayerFloat?(cell: number, igates: Float32Array, steps: number, batch: number, hidden: number, whh: Float32Array,
    bias: Float32Array | null, reverse: boolean, h0: Float32Array, c: Float32Array | null, output: Float32Array): void;
  /**
   * `out = sigmoid(x)` (kind 0) or `tanh(x)` (kind 1) in float32, qtensor's algorithm bit for
   * bit; `out` (x's length) may be `x` itself. Absent in older binaries.
   */
  floatActivation?(kind: number, x: Float32Array, out: Float32Array): void;
  /** The layer's native quint8 qparams choice: `[scale, zeroPoint]`, or null for a non-finite range. */
  chooseQparamsU8(lo: number, hi: number, reduceRange: boolean): [number, number] | null;
  /** The active ISA level. */
  isa(): Isa;
  /** Highest ISA level this CPU supports. */
  detectedIsa(): Isa;
  /** Forces an ISA level (RangeError if the CPU lacks it); returns the previous one. */
  setIsa(isa: Isa): Isa;
  /** Threads of the intra-op pool (the calling thread included). */
  numThreads(): number;
  /** Sets the pool's thread count (integer 1..1024); returns the previous one. */
  setNumThreads(threads: number): number;
  /**
   * `f(dequantize(x))` quantized with the output qparams, for every element, through a table
   * built in C++ with the reference's float steps. `a`, `b`: the op's parameters (slope, alpha,
   * threshold / value, clamp bounds; null where unused or absent).
   */
  qactivation<T extends Bytes8>(input: T, kind: ActivationKind, inScale: number, inZeroPoint: number, outScale: number,
    outZeroPoint: number, a: number | null, b: number | null, out: T): T;
  /** `out[i] = table[byte of input[i]]` (table: 256 values of the input's type). */
  qlut<T extends Bytes8>(input: T, table: T, out: T): T;
  /** quantized::mul(_relu) of equal-length inputs. */
  qmul<T extends Bytes8>(a: T, aScale: number, aZeroPoint: number, b: T, bScale: number, bZeroPoint: number,
    outScale: number, outZeroPoint: number, relu: boolean, out: T): T;
  /** quantized::max_pool2d over NCHW planes; the output is planes x oh x ow. */
  qmaxPool2d<T extends Bytes8>(input: T, geometry: MaxPool2dGeometry, ceilMode: boolean): T;
  /** quantized::avg_pool2d over NCHW planes (divisorOverride 0: none; qnnpack: that engine's quint8 path). */
  qavgPool2d<T extends Bytes8>(input: T, geometry: AvgPool2dGeometry, ceilMode: boolean, zeroPoint: number, countIncludePad: boolean,
    divisorOverride: number, qnnpack: boolean): T;
  /** quantized::adaptive_avg_pool2d over NCHW planes: geometry [planes, ih, iw, oh, ow]. */
  qadaptiveAvgPool2d<T extends Bytes8>(input: T, geometry: readonly [number, number, number, number, number], zeroPoint: number): T;
}
