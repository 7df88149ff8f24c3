/**
 * The part of @qtorch/qtensor the native ops use, as structural types. kernels-common does not
 * depend on qtensor (it ships C++ only); each addon passes qtensor's module in, and TypeScript
 * checks there that it fits these shapes.
 */
import type { Engine } from './binding.js';

/** Storage of a tensor (qtensor's `TypedArray`). */
export type TypedArray = Float32Array | Float64Array | Uint16Array | Int8Array | Uint8Array | Int16Array | Int32Array;

/** A dtype object (`quint8`, `qint8`, `float32`); the native ops compare names. */
export interface QDType {
  readonly name: string;
}

/** A quantizer; per-tensor ones carry `scale` and `zeroPoint`. */
export interface QQuantizer {
  readonly qscheme: string;
  readonly scale?: number;
  readonly zeroPoint?: number;
}

/** What the ops read of a tensor and set on their outputs. */
export interface QTensor {
  readonly shape: readonly number[];
  readonly dtype: QDType;
  quantizer: QQuantizer | null;
  /** Row-major storage values (integer representation of a quantized tensor). */
  rawValues(): TypedArray;
}

/** A qint8 weight as qtensor's packed params hold it (`PackedWeight`). */
export interface PackedWeightLike {
  readonly q: Int8Array;
  readonly shape: readonly number[];
  /** One per output channel (per-tensor weights repeat the scale). */
  readonly scales: Float64Array;
  readonly zeroPoints: Float64Array;
}

/** qtensor's `LinearPackedParams`. */
export interface LinearPackedLike {
  readonly engine: Engine;
  readonly weight: PackedWeightLike;
  readonly bias: Float32Array | null;
  readonly inFeatures: number;
  readonly outFeatures: number;
}

/** qtensor's `LinearFp16PackedParams`: the fp16-rounded weight held as float32. */
export interface LinearFp16PackedLike {
  readonly weight: Float32Array;
  /** `[N, K]`. */
  readonly shape: readonly [number, number];
  readonly bias: Float32Array | null;
}

/** qtensor's `ConvPackedParams`. */
export interface ConvPackedLike {
  readonly engine: Engine;
  readonly weight: PackedWeightLike;
  readonly bias: Float32Array | null;
  readonly geometry: {
    readonly stride: readonly number[];
    readonly padding: readonly number[];
    readonly dilation: readonly number[];
    readonly groups: number;
    readonly transposed: boolean;
  };
  readonly spatialDims: number;
  readonly outChannels: number;
}

/** A registered kernel (qtensor's `KernelConfig`). */
export interface KernelEntry {
  readonly op: string;
  readonly engine: Engine;
  readonly source: 'reference' | 'native';
  readonly impl: (...args: never[]) => unknown;
}

/** qtensor's `registerKernel`. */
export type RegisterKernelFn = (
  config: { op: string; engine: Engine; source: 'native'; impl: (...args: never[]) => unknown },
  opts: { replace: boolean },
) => void;

/** The qtensor exports the native ops need (pass `import * as qt from '@qtorch/qtensor'`). */
export interface QtensorApi {
  registerKernel: RegisterKernelFn;
  listKernels(): readonly KernelEntry[];
  // Method syntax on purpose: its parameters are checked bivariantly, so qtensor's functions,
  // which take the `DType` class, fit these declarations over the structural `QDType`.
  Tensor: {
    /** Wraps a typed array as a contiguous tensor (no copy). */
    fromTypedArray(data: TypedArray, shape: readonly number[], dtype?: QDType): QTensor;
  };
  readonly float32: QDType;
  chooseQuantizationParams(min: number, max: number, qmin: number, qmax: number, opts?: { reduceRange?: boolean }): { scale: number; zeroPoint: number };
  quantizePerTensor(x: QTensor, scale: number, zeroPoint: number, dtype: QDType): QTensor;
  dequantize(x: QTensor): QTensor;
  /** PyTorch's pooling output size along one dim (ceil mode included). */
  poolOutputSize(inputSize: number, kernel: number, padL: number, padR: number, stride: number, dilation: number, ceilMode: boolean): number;
  /** Runs `hook` on each packed-params object's `dispose()` (absent in older qtensor builds). */
  onPackedParamsDispose?(hook: (params: object) => void): () => void;
}
