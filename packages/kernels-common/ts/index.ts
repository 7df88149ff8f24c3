/**
 * The TypeScript face of the shared native kernels. Each addon imports this file by relative
 * path and tsup bundles it into the addon's dist (it is not published as part of
 * kernels-common, which ships C++ only): loading with fallback, typed wrappers over the N-API functions, and
 * registration into qtensor's kernel registry. The addons only supply their package root and
 * engine, so the two stay identical by construction.
 */

/** The quantized engine an addon implements (qtensor's `Engine`). */
export type Engine = 'fbgemm' | 'qnnpack';

/** qtensor's `registerKernel`, passed in so this file needs no import of qtensor. */
export type RegisterKernelFn = (
  config: { op: string; engine: Engine; source: 'native'; impl: (...args: never[]) => unknown },
  opts: { replace: boolean },
) => void;

/** ISA levels of the x86 kernels, lowest first. */
export type Isa = 'scalar' | 'avx2' | 'avx512' | 'avx512vnni';

/** Opaque weights packed once for the INT8 GEMM (N x K int8, per-tensor or per-channel zero points). */
export interface PackedWeights {
  /** Output features (rows of the PyTorch Linear weight). */
  readonly n: number;
  /** Input features. */
  readonly k: number;
  /** The weight zero point of each output column. */
  readonly zeroPoints: Int32Array;
  /** The plain N x K weights back. */
  unpack(): Int8Array;
}

/** What the compiled addon exports (validated again in C++: TypeError / RangeError). */
export interface NativeBinding {
  readonly engine: Engine;
  PackedWeights: new (weight: Int8Array, n: number, k: number, zeroPoints: Int32Array) => PackedWeights;
  qgemmS32(input: Uint8Array, m: number, inputZeroPoint: number, packed: PackedWeights): Int32Array;
  qlinear(input: Uint8Array, m: number, inputZeroPoint: number, packed: PackedWeights, inputScale: number,
    weightScales: Float32Array, bias: Float32Array | null, outputScale: number, outputZeroPoint: number, relu: boolean): Uint8Array;
  qlinearDynamic(input: Uint8Array, m: number, inputZeroPoint: number, packed: PackedWeights, inputScale: number,
    weightScales: Float32Array, bias: Float32Array | null): Float32Array;
  sgemm(a: Float32Array, m: number, k: number, b: Float32Array, n: number, bias: Float32Array | null): Float32Array;
  isa(): Isa;
  detectedIsa(): Isa;
  setIsa(isa: Isa): Isa;
}

/** Result of trying to load the addon: the binding, or null and why. */
export interface LoadResult {
  binding: NativeBinding | null;
  reason: string | null;
}

/** Loads `root`'s addon with node-gyp-build (build/Release, then prebuilds/<platform>-<arch>/). */
export function loadNativeFrom(root: string, requireFn: (id: string) => unknown, env: NodeJS.ProcessEnv = process.env): LoadResult {
  if (env.QTORCH_DISABLE_NATIVE === '1') return { binding: null, reason: 'QTORCH_DISABLE_NATIVE=1' };
  try {
    const load = requireFn('node-gyp-build') as (dir: string) => NativeBinding;
    return { binding: load(root), reason: null };
  } catch (err) {
    return { binding: null, reason: err instanceof Error ? err.message : String(err) };
  }
}

/** Which path serves the kernels and why. */
export interface BackendInfo {
  engine: Engine;
  native: boolean;
  /** Active ISA level, null without the addon. */
  isa: Isa | null;
  /** Why the addon is not used (null when it is). */
  reason: string | null;
}

/** Options of {@link KernelsApi.qlinear} (PyTorch's quantized::linear qparams). */
export interface QLinearOptions {
  inputScale: number;
  inputZeroPoint: number;
  /** One scale (per tensor) or one per output column (per channel). */
  weightScales: Float32Array | number;
  bias?: Float32Array | null;
  outputScale: number;
  outputZeroPoint: number;
  relu?: boolean;
}

/** Options of {@link KernelsApi.qlinearDynamic}. */
export interface QLinearDynamicOptions {
  inputScale: number;
  inputZeroPoint: number;
  weightScales: Float32Array | number;
  bias?: Float32Array | null;
}

/** Typed entry points of one addon; each throws if the addon did not load. */
export interface KernelsApi {
  backendInfo(): BackendInfo;
  /** Forces an ISA level (RangeError if the CPU lacks it); returns the previous one. */
  setIsa(isa: Isa): Isa;
  /** Highest level this CPU supports. */
  detectedIsa(): Isa;
  /** Packs N x K int8 weights once; zero points per tensor (a number) or per channel. */
  packWeights(weight: Int8Array, n: number, k: number, zeroPoints?: Int32Array | number): PackedWeights;
  /** int32 accumulators `sum_k (x - zx) * (w - zw)`, M x N row-major. */
  qgemmS32(input: Uint8Array, m: number, inputZeroPoint: number, packed: PackedWeights): Int32Array;
  /** Static quantized linear, quint8 out, with this engine's requantization numerics. */
  qlinear(input: Uint8Array, m: number, packed: PackedWeights, opts: QLinearOptions): Uint8Array;
  /** Dynamic linear output: `float(acc) * (sx * sw) + bias`, float32. */
  qlinearDynamic(input: Uint8Array, m: number, packed: PackedWeights, opts: QLinearDynamicOptions): Float32Array;
  /** float32 `a (m x k) * b^T (b: n x k) + bias`. */
  sgemm(a: Float32Array, m: number, k: number, b: Float32Array, n: number, opts?: { bias?: Float32Array | null }): Float32Array;
}

const asScales = (s: Float32Array | number): Float32Array => (typeof s === 'number' ? Float32Array.of(s) : s);

/** Builds the typed API over a load result. */
export function createKernelsApi(engine: Engine, load: LoadResult): KernelsApi {
  const need = (fn: string): NativeBinding => {
    if (load.binding) return load.binding;
    throw new Error(`${fn}(): the @qtorch/kernels-${engine} native addon is not loaded (${load.reason ?? 'unknown reason'})`);
  };
  return {
    backendInfo: () => ({ engine, native: load.binding !== null, isa: load.binding ? load.binding.isa() : null, reason: load.reason }),
    setIsa: (isa) => need('setIsa').setIsa(isa),
    detectedIsa: () => need('detectedIsa').detectedIsa(),
    packWeights: (weight, n, k, zeroPoints = 0) => {
      const b = need('packWeights');
      return new b.PackedWeights(weight, n, k, typeof zeroPoints === 'number' ? Int32Array.of(zeroPoints) : zeroPoints);
    },
    qgemmS32: (input, m, zx, packed) => need('qgemmS32').qgemmS32(input, m, zx, packed),
    qlinear: (input, m, packed, o) =>
      need('qlinear').qlinear(input, m, o.inputZeroPoint, packed, o.inputScale, asScales(o.weightScales), o.bias ?? null,
        o.outputScale, o.outputZeroPoint, o.relu ?? false),
    qlinearDynamic: (input, m, packed, o) =>
      need('qlinearDynamic').qlinearDynamic(input, m, o.inputZeroPoint, packed, o.inputScale, asScales(o.weightScales), o.bias ?? null),
    sgemm: (a, m, k, b, n, o = {}) => need('sgemm').sgemm(a, m, k, b, n, o.bias ?? null),
  };
}

/**
 * Low-level kernels this package registers (source 'native'). The quantized op contracts
 * (`quantized::linear` ...) are defined in qtensor; until they land, only these kernel-level
 * ops, whose contracts are the {@link KernelsApi} signatures, are registered.
 */
export const NATIVE_KERNEL_OPS = ['kernels::qgemm_s32', 'kernels::qlinear', 'kernels::qlinear_dynamic', 'kernels::sgemm'] as const;

/** Registers the native kernels into qtensor's registry (no-op without the addon). */
export function registerNativeKernels(registerKernel: RegisterKernelFn, engine: Engine, api: KernelsApi, load: LoadResult): void {
  if (!load.binding) return;
  const impls = [api.qgemmS32, api.qlinear, api.qlinearDynamic, api.sgemm];
  // replace: an ESM and a CJS copy of one addon in a process register the same kernels.
  NATIVE_KERNEL_OPS.forEach((op, i) => registerKernel({ op, engine, source: 'native', impl: impls[i] as (...args: never[]) => unknown }, { replace: true }));
}
