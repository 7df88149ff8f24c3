// FP32 GEMM: packed panels, cache blocking and the intra-op pool over the active ISA's kernel.
#pragma once

#include <cstddef>

namespace qtorch {

// C = alpha * op(A) * op(B) + beta * C + bias (row-major, BLAS conventions). op(A) is m x k:
// A[i * lda + p], or A[p * lda + i] when transA; op(B) is k x n: B[p * ldb + j], or
// B[j * ldb + p] when transB. beta == 0 overwrites C without reading it (NaN there is ignored);
// bias is null or n values added to every row. C must not overlap A, B or bias. Results are
// the same floats for every thread count; they differ across ISAs by summation order only.
struct SGemmProblem {
  bool transA = false, transB = false;
  size_t m = 0, n = 0, k = 0;
  float alpha = 1.0f;
  const float* a = nullptr;
  size_t lda = 0;
  const float* b = nullptr;
  size_t ldb = 0;
  float beta = 0.0f;
  float* c = nullptr;
  size_t ldc = 0;
  const float* bias = nullptr;
};

void SGemmEx(const SGemmProblem& p);

// C (m x n) = A (m x k) * B^T (B: n x k) + bias, all contiguous.
void SGemm(const float* a, const float* b, const float* bias, float* c, size_t m, size_t n, size_t k);

// B^T packed once for many products (a linear layer's weight at inference): the column panels
// a kernel reads, for all of K ([panel][K][nr] floats, columns past n zero), so SGemmPrepacked
// skips the per-call packing (128 x 1024 x 1024: 4 MB of weights read and written per call,
// a sixth of its time). The same floats as SGemm with the same B on the same ISA.
size_t SGemmPanelWidth();                               // nr of the active ISA's kernel
size_t SGemmPackedSize(size_t n, size_t k, size_t nr);  // floats of a packed B
bool SGemmPanelWidthSupported(size_t nr);               // whether this CPU has a kernel for panels nr wide
// b: n x k contiguous; packed: SGemmPackedSize(n, k, SGemmPanelWidth()) floats.
void SGemmPackBT(const float* b, size_t n, size_t k, float* packed);
// C (m x n) = A (m x k) * B^T + bias, B packed by SGemmPackBT for panels nr wide (supported).
void SGemmPrepacked(const float* a, const float* packed, size_t nr, const float* bias, float* c, size_t m, size_t n, size_t k);

}  // namespace qtorch

namespace qtorch {

// The im2col matrix of one group of one batch item for a convolution in 3-d form (1-d and 2-d
// convs pad their geometry with size-1 dims), qtensor's conv_core.ts layout: row (c, kd, kh, kw)
// for c < cg, column (od, oh, ow); positions in the padding read 0. cols holds
// cg * kernel-volume rows of small-volume floats. A pure copy: the same floats on every ISA.
struct Im2ColF32Args {
  const float* src;  // [cg][big[0]][big[1]][big[2]]
  size_t cg;
  size_t big[3], small[3], kernel[3], stride[3], pad[3], dilation[3];
  float* cols;
};

void Im2ColF32(const Im2ColF32Args& a);

}  // namespace qtorch
