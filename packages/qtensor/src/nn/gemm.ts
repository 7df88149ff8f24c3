/**
 * Dense matrix products on row-major typed arrays, the kernels under matmul, linear and
 * conv (im2col). All-float32 products of at least {@link NATIVE_GEMM_MIN_MACS} multiply-adds
 * go to the native float32 GEMM when an addon registered one (native_gemm.ts: float32 sums,
 * so results differ from the loops below by float32 rounding); the rest, and every float64
 * product, run the TypeScript loops. Those keep the innermost access contiguous (i-k-j for
 * A·B and Aᵀ·B, row dot products for A·Bᵀ) and accumulate in float64 before one store into C.
 */
import type { FloatArray } from './float_io.js';
import { nativeFloatGemm } from './native_gemm.js';

/**
 * Multiply-adds from which a float32 product calls the native GEMM: below it the call's fixed
 * cost (argument checks, packing) exceeds what the loops spend.
 */
export const NATIVE_GEMM_MIN_MACS = 4096;

/**
 * Runs C = op(A)·op(B) (+ C when accumulating) (+ bias) natively when every array is float32,
 * the product is large enough and a kernel is registered; false when the caller must loop.
 * `lda` / `ldb` are the stored operands' row lengths.
 */
function tryNative(
  transA: boolean, transB: boolean, M: number, N: number, K: number,
  A: ArrayLike<number>, aOff: number, lda: number, B: ArrayLike<number>, bOff: number, ldb: number,
  C: FloatArray, cOff: number, accumulate: boolean, bias: ArrayLike<number> | null,
): boolean {
  if (M * N * K < NATIVE_GEMM_MIN_MACS || !(C instanceof Float32Array) || !(A instanceof Float32Array) || !(B instanceof Float32Array)) return false;
  if (bias && !(bias instanceof Float32Array)) return false;
  // the native kernel refuses a C that shares memory with an operand; the loops handle it
  if (C.buffer === A.buffer || C.buffer === B.buffer || C.buffer === bias?.buffer) return false;
  const kernel = nativeFloatGemm();
  if (!kernel) return false;
  kernel(transA, transB, M, N, K, 1, A, aOff, lda, B, bOff, ldb, accumulate ? 1 : 0, C, cOff, N, bias);
  return true;
}

let rowBuf = new Float64Array(0);
function accRow(n: number): Float64Array {
  if (rowBuf.length < n) rowBuf = new Float64Array(n);
  rowBuf.fill(0, 0, n);
  return rowBuf;
}

/**
 * C[M, N] (+)= A[M, K] · B[K, N]. `A` is read at `aOff + i * K + k`, `B` at `bOff + k * N + j`
 * and C written at `cOff + i * N + j`; `accumulate` adds into C instead of overwriting.
 */
export function gemmNN(
  M: number, N: number, K: number,
  A: ArrayLike<number>, aOff: number, B: ArrayLike<number>, bOff: number,
  C: FloatArray, cOff: number, accumulate = false,
): void {
  if (tryNative(false, false, M, N, K, A, aOff, K, B, bOff, N, C, cOff, accumulate, null)) return;
  gemmRowsByB(M, N, K, A, aOff, K, 1, B, bOff, C, cOff, accumulate);
}

/** C[M, N] (+)= Aᵀ · B with A stored as [K, M] and B as [K, N]. */
export function gemmTN(
  M: number, N: number, K: number,
  A: ArrayLike<number>, aOff: number, B: ArrayLike<number>, bOff: number,
  C: FloatArray, cOff: number, accumulate = false,
): void {
  if (tryNative(true, false, M, N, K, A, aOff, M, B, bOff, N, C, cOff, accumulate, null)) return;
  gemmRowsByB(M, N, K, A, aOff, 1, M, B, bOff, C, cOff, accumulate);
}

/**
 * The i-k-j loop of `gemmNN` / `gemmTN`: element (i, k) of the left operand is read at
 * `aOff + i * aRowStride + k * aColStride`, so one loop serves A and Aᵀ.
 */
function gemmRowsByB(
  M: number, N: number, K: number,
  A: ArrayLike<number>, aOff: number, aRowStride: number, aColStride: number, B: ArrayLike<number>, bOff: number,
  C: FloatArray, cOff: number, accumulate: boolean,
): void {
  for (let i = 0; i < M; i++) {
    const acc = accRow(N);
    const aRow = aOff + i * aRowStride;
    for (let k = 0; k < K; k++) {
      const a = A[aRow + k * aColStride]!;
      if (a === 0) continue;
      const bRow = bOff + k * N;
      for (let j = 0; j < N; j++) acc[j]! += a * B[bRow + j]!;
    }
    storeRow(C, cOff + i * N, acc, N, accumulate);
  }
}

/**
 * C[M, N] (+)= A · Bᵀ (+ bias) with A stored as [M, K], B as [N, K] (row dot products) and
 * `bias` (N values) added to every row after the product is stored (F.linear).
 */
export function gemmNT(
  M: number, N: number, K: number,
  A: ArrayLike<number>, aOff: number, B: ArrayLike<number>, bOff: number,
  C: FloatArray, cOff: number, accumulate = false, bias: ArrayLike<number> | null = null,
): void {
  if (tryNative(false, true, M, N, K, A, aOff, K, B, bOff, K, C, cOff, accumulate, bias)) return;
  for (let i = 0; i < M; i++) {
    const aRow = aOff + i * K;
    const cRow = cOff + i * N;
    for (let j = 0; j < N; j++) {
      const bRow = bOff + j * K;
      let s = 0;
      for (let k = 0; k < K; k++) s += A[aRow + k]! * B[bRow + k]!;
      C[cRow + j] = accumulate ? C[cRow + j]! + s : s;
    }
  }
  if (bias) for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) C[cOff + i * N + j]! += bias[j]!;
}

function storeRow(C: FloatArray, off: number, acc: Float64Array, n: number, accumulate: boolean): void {
  if (accumulate) for (let j = 0; j < n; j++) C[off + j]! += acc[j]!;
  else for (let j = 0; j < n; j++) C[off + j] = acc[j]!;
}
