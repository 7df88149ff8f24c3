/**
 * The typed low-level API of one addon (GEMM entry points over plain typed arrays), the same
 * for both engines. Each function throws if the addon did not load.
 */
import type { Bytes8, Engine, Isa, NativeBinding, PackedWeights, WeightScales } from './binding.js';
import type { LoadResult } from './load.js';
import { type FloatActivationKind, floatActivation } from './ops/activation.js';
import { type RnnDynamicLayerResult, type RnnFloatLayerArgs, rnnFloatLayer } from './ops/rnn.js';

/** Which path serves the kernels and why. */
export interface BackendInfo {
  /** The engine whose numerics the kernels implement. */
  engine: Engine;
  /** Whether the native addon serves the kernels (false: qtensor's TypeScript reference does). */
  native: boolean;
  /** Active ISA level, null without the addon. */
  isa: Isa | null;
  /** Why the addon is not used (null when it is). */
  reason: string | null;
}

/** Options of {@link KernelsApi.qlinear} (PyTorch's quantized::linear qparams). */
export interface QLinearOptions {
  /** Scale of the quint8 input. */
  inputScale: number;
  /** Zero point of the quint8 input. */
  inputZeroPoint: number;
  /** One scale (per tensor) or one per output column (per channel). */
  weightScales: WeightScales | number;
  /** Float bias per output column, or null. */
  bias?: Float32Array | null;
  /** Scale of the quint8 output. */
  outputScale: number;
  /** Zero point of the quint8 output. */
  outputZeroPoint: number;
  /** Fuse a ReLU (clamp below at the output zero point); default false. */
  relu?: boolean;
}

/** Options of {@link KernelsApi.qlinearDynamic}. */
export interface QLinearDynamicOptions {
  /** Scale the input was quantized with. */
  inputScale: number;
  /** Zero point the input was quantized with. */
  inputZeroPoint: number;
  /** One scale (per tensor) or one per output column (per channel). */
  weightScales: WeightScales | number;
  /** Float bias per output column, or null. */
  bias?: Float32Array | null;
  /** Apply ReLU to the float output; default false. */
  relu?: boolean;
}

/** A float32 weight packed by {@link KernelsApi.sgemmPackBT} (qtensor's `FloatPackedWeight`). */
export interface SGemmPackedB {
  /** The column panels, `ceil(n / nr) * nr * k` floats. */
  readonly data: Float32Array;
  /** Panel width: the GEMM kernel the panels were packed for. */
  readonly nr: number;
}

/** Typed entry points of one addon; each throws if the addon did not load. */
export interface KernelsApi {
  /** Which path serves the kernels (engine, native or not, ISA) and why. */
  backendInfo(): BackendInfo;
  /** Forces an ISA level (RangeError if the CPU lacks it); returns the previous one. */
  setIsa(isa: Isa): Isa;
  /** Highest level this CPU supports. */
  detectedIsa(): Isa;
  /**
   * Threads of the intra-op pool, shared by both addons' kernels in the process (default:
   * `QTORCH_NUM_THREADS`, else the CPU count). Results are identical for any count.
   */
  numThreads(): number;
  /** Sets the intra-op thread count (1..1024; RangeError otherwise); returns the previous one. */
  setNumThreads(threads: number): number;
  /** Packs N x K int8 weights once; zero points per tensor (a number) or per channel. */
  packWeights(weight: Int8Array, n: number, k: number, zeroPoints?: Int32Array | number): PackedWeights;
  /** int32 accumulators `sum_k (x - zx) * (w - zw)`, M x N row-major. */
  qgemmS32(input: Uint8Array, m: number, inputZeroPoint: number, packed: PackedWeights): Int32Array;
  /** Static quantized linear, quint8 out, with this engine's requantization numerics. */
  qlinear(input: Uint8Array, m: number, packed: PackedWeights, opts: QLinearOptions): Uint8Array;
  /** Dynamic linear output: `f32(f32(acc) * f32(sx * sw)) + bias` (then ReLU), float32. */
  qlinearDynamic(input: Uint8Array, m: number, packed: PackedWeights, opts: QLinearDynamicOptions): Float32Array;
  /** float32 `a (m x k) * b^T (b: n x k) + bias`. */
  sgemm(a: Float32Array, m: number, k: number, b: Float32Array, n: number, opts?: { bias?: Float32Array | null }): Float32Array;
  /**
   * BLAS-style float32 GEMM in place: `c = alpha * op(a) * op(b) + beta * c + bias` on row-major
   * strided views (`op(a)` m x k is `a[aOffset + i * lda + p]`, or `a[aOffset + p * lda + i]` when
   * `transA`; likewise `op(b)` k x n; `beta = 0` ignores c's old values). Packed, cache-blocked,
   * on the intra-op pool; float32 sums (same floats for any thread count).
   */
  sgemmStrided(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    a: Float32Array, aOffset: number, lda: number, b: Float32Array, bOffset: number, ldb: number,
    beta: number, c: Float32Array, cOffset: number, ldc: number, bias: Float32Array | null): void;
  /**
   * `b` (n x k, a linear layer's weight) packed once for {@link KernelsApi.sgemmPrepacked}: the
   * column panels the active ISA's GEMM kernel reads, for all of K (a copy: later writes to `b`
   * are not seen). `nr` is the panel width, which the product checks.
   */
  sgemmPackBT(b: Float32Array, n: number, k: number): SGemmPackedB;
  /**
   * float32 `a (m x k) * b^T + bias` with b packed by {@link KernelsApi.sgemmPackBT}: the same
   * floats as `sgemm` with that b, without packing it again each call.
   */
  sgemmPrepacked(a: Float32Array, m: number, k: number, packed: SGemmPackedB, n: number, opts?: { bias?: Float32Array | null }): Float32Array;
  /**
   * The im2col matrix of one convolution group of one batch item, in 3-d form, into `cols`:
   * row (c, kd, kh, kw) for c < cg, column (od, oh, ow), padding read as 0. `src[srcOffset]` is
   * the group's first channel `[cg][D][H][W]`; `geometry` holds big, small, kernel, stride, pad
   * and dilation (3 ints each). What qtensor's float convolutions call (`kernels::im2col_f32`).
   */
  im2colF32(src: Float32Array, srcOffset: number, cg: number, geometry: Int32Array, cols: Float32Array): void;
  /**
   * One layer-direction of a float LSTM / GRU / Elman RNN at inference (what nn's recurrent
   * layers call as `kernels::rnn_float_layer`): per step h W_hh^T + b_hh on the float32 GEMM
   * (W_hh packed once for the call) and the gates, all steps in one native call.
   */
  rnnLayerFloat(args: RnnFloatLayerArgs): RnnDynamicLayerResult;
  /**
   * float32 `sigmoid` or `tanh` of every value of `x` into `out` (a fresh array by default; `x`
   * itself works in place), with qtensor's float32 algorithm, bit for bit: what qtensor's
   * `sigmoid` / `tanh` of a float32 tensor call (`kernels::float_activation`). Returns `out`.
   */
  floatActivation(kind: FloatActivationKind, x: Float32Array, out?: Float32Array): Float32Array;
  /**
   * `quantize_per_tensor` into a caller-provided output of the same length (quint8: Uint8Array,
   * qint8: Int8Array), with the reference's numerics; returns `out`. Reusing `out` skips the
   * allocation and first-touch page faults a fresh output costs.
   */
  quantizeInto<T extends Bytes8>(input: Float32Array, scale: number, zeroPoint: number, out: T): T;
  /** `dequantize` of 8-bit ints into a caller-provided Float32Array of the same length; returns `out`. */
  dequantizeInto(input: Bytes8, scale: number, zeroPoint: number, out: Float32Array): Float32Array;
}

const asScales = (s: WeightScales | number): WeightScales => (typeof s === 'number' ? Float64Array.of(s) : s);

/** A binding's thread-count control (its own intra-op pool). */
type PoolControl = Pick<NativeBinding, 'numThreads' | 'setNumThreads'>;

/**
 * Every loaded addon's pool, process-wide. Each addon binary is its own shared object with its
 * own pool, and tsup bundles this file into each addon separately, so the list lives on
 * globalThis: setNumThreads on one addon sets them all (else a bench pinned to 1 thread ran the
 * other addon's kernels on every CPU).
 */
function processPools(): Set<PoolControl> {
  const key = Symbol.for('@qtorch/kernels-common:pools');
  const g = globalThis as { [key]?: Set<PoolControl> };
  return (g[key] ??= new Set<PoolControl>());
}

/** Sets `own` (validating `n` there first), then every other loaded pool; returns own's previous count. */
function setAllPools(own: PoolControl, n: number): number {
  const prev = own.setNumThreads(n);
  for (const p of processPools()) if (p !== own) p.setNumThreads(n);
  return prev;
}

/** Binding functions a binary built from older sources lacks (optional in {@link NativeBinding}). */
type NewerFunction = 'sgemmPanelWidth' | 'sgemmPackBT' | 'sgemmPrepacked' | 'im2colF32' | 'rnnLayerFloat' | 'floatActivation';

/** Builds the typed API over a load result. */
export function createKernelsApi(engine: Engine, load: LoadResult): KernelsApi {
  if (load.binding) {
    // A newly loaded pool follows the count already set on the others.
    const pools = processPools();
    const first = pools.values().next().value;
    if (first) load.binding.setNumThreads(first.numThreads());
    pools.add(load.binding);
  }
  const need = (fn: string) => {
    if (load.binding) return load.binding;
    throw new Error(`${fn}(): the @qtorch/kernels-${engine} native addon is not loaded (${load.reason ?? 'unknown reason'})`);
  };
  // A binding function only newer binaries have (optional in NativeBinding), bound to its binding.
  const newer = <K extends NewerFunction>(api: string, fn: K): NonNullable<NativeBinding[K]> => {
    const b = need(api);
    const f = b[fn];
    if (typeof f !== 'function') throw new Error(`${api}(): the loaded @qtorch/kernels-${engine} binary predates it; rebuild the addon`);
    return (f as (...args: never[]) => unknown).bind(b) as NonNullable<NativeBinding[K]>;
  };
  return {
    backendInfo: () => ({ engine, native: load.binding !== null, isa: load.binding ? load.binding.isa() : null, reason: load.reason }),
    setIsa: (isa) => need('setIsa').setIsa(isa),
    detectedIsa: () => need('detectedIsa').detectedIsa(),
    numThreads: () => need('numThreads').numThreads(),
    setNumThreads: (n) => setAllPools(need('setNumThreads'), n),
    packWeights: (weight, n, k, zeroPoints = 0) => {
      const b = need('packWeights');
      return new b.PackedWeights(weight, n, k, typeof zeroPoints === 'number' ? Int32Array.of(zeroPoints) : zeroPoints);
    },
    qgemmS32: (input, m, zx, packed) => need('qgemmS32').qgemmS32(input, m, zx, packed),
    qlinear: (input, m, packed, o) =>
      need('qlinear').qlinear(input, m, o.inputZeroPoint, packed, o.inputScale, asScales(o.weightScales), o.bias ?? null,
        o.outputScale, o.outputZeroPoint, o.relu ?? false),
    qlinearDynamic: (input, m, packed, o) =>
      need('qlinearDynamic').qlinearDynamic(input, m, o.inputZeroPoint, packed, o.inputScale, asScales(o.weightScales), o.bias ?? null, o.relu ?? false),
    sgemm: (a, m, k, b, n, o = {}) => need('sgemm').sgemm(a, m, k, b, n, o.bias ?? null),
    sgemmStrided: (...args) => need('sgemmStrided').sgemmStrided(...args),
    sgemmPackBT: (b, n, k) => {
      const pack = newer('sgemmPackBT', 'sgemmPackBT'), width = newer('sgemmPackBT', 'sgemmPanelWidth');
      return { data: pack(b, n, k), nr: width() };
    },
    sgemmPrepacked: (a, m, k, packed, n, o = {}) => newer('sgemmPrepacked', 'sgemmPrepacked')(a, m, k, packed.data, n, packed.nr, o.bias ?? null),
    im2colF32: (...args) => newer('im2colF32', 'im2colF32')(...args),
    rnnLayerFloat: (args) => rnnFloatLayer(newer('rnnLayerFloat', 'rnnLayerFloat'), args),
    floatActivation: (kind, x, out) => floatActivation(newer('floatActivation', 'floatActivation'), kind, x, out),
    quantizeInto: (input, scale, zeroPoint, out) => need('quantizeInto').quantizePerTensor(input, scale, zeroPoint, out),
    dequantizeInto: (input, scale, zeroPoint, out) => need('dequantizeInto').dequantize(input, scale, zeroPoint, out),
  };
}
