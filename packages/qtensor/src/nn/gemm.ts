/**
 * Dense matrix products on row-major typed arrays, the kernels under matmul, linear and
 * conv (im2col). Loops keep the innermost access contiguous (i-k-j for A·B and Aᵀ·B, row
 * dot products for A·Bᵀ) and accumulate in float64 before one store into C.
 */
import type { FloatArray } from './float_io.js';

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
  gemmRowsByB(M, N, K, A, aOff, K, 1, B, bOff, C, cOff, accumulate);
}

/** C[M, N] (+)= Aᵀ · B with A stored as [K, M] and B as [K, N]. */
export function gemmTN(
  M: number, N: number, K: number,
  A: ArrayLike<number>, aOff: number, B: ArrayLike<number>, bOff: number,
  C: FloatArray, cOff: number, accumulate = false,
): void {
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

/** C[M, N] (+)= A · Bᵀ with A stored as [M, K] and B as [N, K] (row dot products). */
export function gemmNT(
  M: number, N: number, K: number,
  A: ArrayLike<number>, aOff: number, B: ArrayLike<number>, bOff: number,
  C: FloatArray, cOff: number, accumulate = false,
): void {
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
}

function storeRow(C: FloatArray, off: number, acc: Float64Array, n: number, accumulate: boolean): void {
  if (accumulate) for (let j = 0; j < n; j++) C[off + j]! += acc[j]!;
  else for (let j = 0; j < n; j++) C[off + j] = acc[j]!;
}
