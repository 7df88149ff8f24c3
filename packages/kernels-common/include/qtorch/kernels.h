// Per-ISA micro-kernels. This is the ONLY project header the ISA translation units include
// (with <immintrin.h>, <cstddef>, <cstdint>): declarations and plain structs only, no inline
// functions or templates, so no COMDAT copy compiled with -mavx512* can leak into baseline code.
#pragma once

#include <cstddef>
#include <cstdint>

namespace qtorch {

// Packed INT8 weight layout shared by every ISA: N is split into panels of kQPanel columns
// (zero padded), K into quads (zero padded to a multiple of 4). Panel p holds
// [K/4][kQPanel][4] int8: for each quad of k, the 4 consecutive weights of each column, the
// operand order of vpdpbusd (u8 activations x s8 weights, 4 products summed per int32 lane).
enum : size_t { kQPanel = 64, kQuad = 4 };

// C[m, n] (+)= sum_k A[m, k] * B[n, k] over one K block, every panel. A is u8, row-major with
// lda >= kq * 4 readable bytes per row (zero padded). B points at the block's first quad of
// panel 0; panel p starts at b + p * panelStride. C is row-major int32 with ldc >= panels * 64.
struct QGemmBlock {
  const uint8_t* a;
  size_t m;
  size_t lda;
  size_t kq;  // number of k quads in this block
  const int8_t* b;
  size_t panels;
  size_t panelStride;  // bytes between panels
  int32_t* c;
  size_t ldc;
  int accumulate;  // 0: C = ..., 1: C += ...
};

void QGemmScalar(const QGemmBlock& blk);
void QGemmAvx2(const QGemmBlock& blk);        // int16 widening + vpmaddwd: exact for full-range u8
void QGemmAvx512(const QGemmBlock& blk);      // AVX-512BW, int16 widening + vpmaddwd: exact
void QGemmAvx512Vnni(const QGemmBlock& blk);  // vpdpbusd: exact (no int16 intermediate)

// One K block of C = A * B^T + bias: C[m, n] = base + sum_k A[m, k] * B[n, k], where base is
// C[m, n] itself when accumulate, else bias[n] (or 0). Row-major with leading dimensions.
// Summation order differs per ISA (float results are close, not bit-identical).
struct SGemmArgs {
  const float* a;
  const float* b;
  const float* bias;  // may be null
  float* c;
  size_t m, n, k;
  size_t lda, ldb, ldc;
  int accumulate;
};

void SGemmScalar(const SGemmArgs& args);
void SGemmAvx2(const SGemmArgs& args);
void SGemmAvx512(const SGemmArgs& args);

}  // namespace qtorch
