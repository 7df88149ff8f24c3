/**
 * The hooks through which a native addon serves float32 GEMMs, convolution im2col, the time
 * loop of float recurrent layers and float32 sigmoid / tanh. qtensor
 * never imports an addon: an addon registers a {@link FloatGemmKernel} under
 * {@link FLOAT_GEMM_OP} (and a {@link FloatIm2colKernel} under {@link FLOAT_IM2COL_OP}) in the
 * kernel registry (source `'native'`, its own engine) when it loads, and gemm.ts / conv_core.ts
 * look them up per call, so `setNativeEnabled(false)` or `QTORCH_DISABLE_NATIVE=1` bring the TypeScript loops back.
 */
import { ENGINES, backends, findKernel } from '../registry.js';

/** Registry op name of the native float32 GEMM. */
export const FLOAT_GEMM_OP = 'kernels::sgemm_strided';

/**
 * BLAS `sgemm` on row-major strided views: `c = alpha * op(a) * op(b) + beta * c + bias`, written
 * in place. `op(a)` is m x k, element (i, p) at `a[aOffset + i * lda + p]`, or at
 * `a[aOffset + p * lda + i]` when `transA`; `op(b)` is k x n, (p, j) at `b[bOffset + p * ldb + j]`,
 * or `b[bOffset + j * ldb + p]` when `transB`; `c` (m x n) at `c[cOffset + i * ldc + j]`.
 * `beta = 0` ignores what `c` held (NaN included); `bias` (n values, or null) is added to each
 * row. `c` must not overlap the operands. Sums are float32 (results differ from a float64
 * loop by float32 rounding).
 */
export type FloatGemmKernel = (
  transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  a: Float32Array, aOffset: number, lda: number, b: Float32Array, bOffset: number, ldb: number,
  beta: number, c: Float32Array, cOffset: number, ldc: number, bias: Float32Array | null,
) => void;

/** Registry op name of the native packing of a float32 linear weight (see {@link FloatPackKernel}). */
export const FLOAT_PACK_OP = 'kernels::sgemm_pack_bt';
/** Registry op name of the native float32 product with a packed weight (see {@link FloatPrepackedGemmKernel}). */
export const FLOAT_PREPACKED_GEMM_OP = 'kernels::sgemm_prepacked';

/** A float32 `[n, k]` weight in a native GEMM kernel's column panels. */
export interface FloatPackedWeight {
  /** The panels (a copy of the weight, padded). */
  readonly data: Float32Array;
  /** Panel width: which kernel reads them (the product checks this CPU has it). */
  readonly nr: number;
}

/** Packs `b` (`[n, k]`, contiguous) once for {@link FloatPrepackedGemmKernel}. */
export type FloatPackKernel = (b: Float32Array, n: number, k: number) => FloatPackedWeight;

/**
 * `a [m, k] @ b^T + bias` with `b` packed by a {@link FloatPackKernel}: the same floats as
 * {@link FloatGemmKernel} gives for `a`, `b`, `bias` on the same ISA, without packing `b` again.
 */
export type FloatPrepackedGemmKernel = (
  a: Float32Array, m: number, k: number, packed: FloatPackedWeight, n: number, opts?: { bias?: Float32Array | null },
) => Float32Array;

/** Registry op name of the native float32 im2col of a convolution group. */
export const FLOAT_IM2COL_OP = 'kernels::im2col_f32';

/**
 * The im2col matrix of one group of one batch item (conv_core.ts's layout: row (c, kd, kh, kw),
 * column (od, oh, ow), padding reads 0) written into `cols`. `src[srcOffset]` is the group's
 * first input channel `[cg][D][H][W]`; `geometry` holds big, small, kernel, stride, pad and
 * dilation (3 ints each, 3-d form). A copy: the same floats as the TypeScript loop.
 */
export type FloatIm2colKernel = (src: Float32Array, srcOffset: number, cg: number, geometry: Int32Array, cols: Float32Array) => void;

/** Registry op name of the native float recurrent layer-direction (see {@link FloatRnnLayerKernel}). */
export const FLOAT_RNN_LAYER_OP = 'kernels::rnn_float_layer';

/** Arguments of a {@link FloatRnnLayerKernel}: one layer-direction, from its input projection. */
export interface FloatRnnLayerArgs {
  /** The cell: its gates (LSTM 4, GRU 3, Elman 1) and their math, as nn's `lstmGates` / `gruGates` / `rnnGates`. */
  cell: 'lstm' | 'gru' | 'rnn_tanh' | 'rnn_relu';
  /** x W_ih^T + b_ih of every step: [steps, batch, gates * hidden], row-major. */
  igates: Float32Array;
  /** Time steps (L). */
  steps: number;
  /** Batch rows (N). */
  batch: number;
  /** Hidden features (H). */
  hidden: number;
  /** W_hh: [gates * hidden, hidden], row-major. */
  whh: Float32Array;
  /** b_hh ([gates * hidden]) or null. */
  bhh: Float32Array | null;
  /** Initial h: [batch, hidden]. */
  h0: Float32Array;
  /** Initial c of an LSTM ([batch, hidden]), else null. */
  c0: Float32Array | null;
  /** Run from the last step to the first. */
  reverse: boolean;
}

/**
 * The whole time loop of one float LSTM / GRU / Elman layer-direction at inference: per step
 * h W_hh^T + b_hh (the floats {@link FloatGemmKernel} gives) and nn's gate math (float32
 * sigmoid / tanh as qtensor computes them). Returns every step's h [steps, batch, hidden] in
 * time order and the final h (and c). No autograd: callers use it only when no gradient is needed.
 */
export type FloatRnnLayerKernel = (args: FloatRnnLayerArgs) => { output: Float32Array; h: Float32Array; c: Float32Array | null };

/** Registry op name of the native float32 sigmoid / tanh (see {@link FloatActivationKernel}). */
export const FLOAT_ACTIVATION_OP = 'kernels::float_activation';

/**
 * `out = sigmoid(x)` or `tanh(x)` for float32 values, with qtensor's float32 algorithm
 * (`f32_math.ts`) bit for bit; returns `out`.
 */
export type FloatActivationKernel = (kind: 'sigmoid' | 'tanh', x: Float32Array, out: Float32Array) => Float32Array;

/**
 * The native kernel registered as `op`, or null when no addon registered one (or native kernels
 * are off). Float math has no engine semantics, so any engine's registration serves; the
 * current engine's is preferred.
 */
function nativeFloatKernel<T>(op: string): T | null {
  const current = backends.quantized.engine;
  const own = findKernel(op, current);
  if (own?.source === 'native') return own.impl as T;
  for (const engine of ENGINES) {
    const k = engine === current ? undefined : findKernel(op, engine);
    if (k?.source === 'native') return k.impl as T;
  }
  return null;
}

/** The native float32 GEMM, or null when no addon registered one (or native kernels are off). */
export const nativeFloatGemm = (): FloatGemmKernel | null => nativeFloatKernel<FloatGemmKernel>(FLOAT_GEMM_OP);

/** The native float32 im2col, or null when no addon registered one (or native kernels are off). */
export const nativeFloatIm2col = (): FloatIm2colKernel | null => nativeFloatKernel<FloatIm2colKernel>(FLOAT_IM2COL_OP);

/** The native float32 weight packing, or null (no addon, native kernels off, or a binary that predates it). */
export const nativeFloatPack = (): FloatPackKernel | null => nativeFloatKernel<FloatPackKernel>(FLOAT_PACK_OP);

/** The native float32 product with a packed weight, or null. */
export const nativeFloatPrepackedGemm = (): FloatPrepackedGemmKernel | null => nativeFloatKernel<FloatPrepackedGemmKernel>(FLOAT_PREPACKED_GEMM_OP);

/** The native float recurrent layer-direction, or null (no addon, native kernels off, or an older binary). */
export const nativeFloatRnnLayer = (): FloatRnnLayerKernel | null => nativeFloatKernel<FloatRnnLayerKernel>(FLOAT_RNN_LAYER_OP);

/** The native float32 sigmoid / tanh, or null (no addon, native kernels off, or an older binary). */
export const nativeFloatActivation = (): FloatActivationKernel | null => nativeFloatKernel<FloatActivationKernel>(FLOAT_ACTIVATION_OP);
