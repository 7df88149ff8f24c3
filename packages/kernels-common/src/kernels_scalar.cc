// Portable kernels (baseline ISA): the reference every SIMD path must match bit-exactly (INT8).
#include "qtorch/kernels.h"

namespace qtorch {

void QGemmScalar(const QGemmBlock& blk) {
  for (size_t p = 0; p < blk.panels; ++p) {
    const int8_t* bp = blk.b + p * blk.panelStride;
    for (size_t i = 0; i < blk.m; ++i) {
      int32_t acc[kQPanel];
      int32_t* c = blk.c + i * blk.ldc + p * kQPanel;
      for (size_t j = 0; j < kQPanel; ++j) acc[j] = blk.accumulate ? c[j] : 0;
      const uint8_t* a = blk.a + i * blk.lda;
      for (size_t q = 0; q < blk.kq; ++q) {
        const int8_t* bq = bp + q * kQPanel * kQuad;
        const int32_t a0 = a[q * 4], a1 = a[q * 4 + 1], a2 = a[q * 4 + 2], a3 = a[q * 4 + 3];
        for (size_t j = 0; j < kQPanel; ++j) {
          const int8_t* w = bq + j * kQuad;
          acc[j] += a0 * w[0] + a1 * w[1] + a2 * w[2] + a3 * w[3];
        }
      }
      for (size_t j = 0; j < kQPanel; ++j) c[j] = acc[j];
    }
  }
}

// FP32: 4 x 8 tiles of float accumulators (the compiler may vectorize them at the baseline ISA).
void SGemmScalar(const SGemmBlock& g) {
  constexpr size_t kMr = kSGemmMrScalar, kNr = kSGemmNrScalar;
  for (size_t j0 = 0; j0 < g.n; j0 += kNr) {
    const float* bp = g.b + (j0 / kNr) * g.panelStride;
    const size_t cols = g.n - j0 < kNr ? g.n - j0 : kNr;
    for (size_t i0 = 0; i0 < g.m; i0 += kMr) {
      const float* ap = g.a + (i0 / kMr) * g.kc * kMr;
      const size_t rows = g.m - i0 < kMr ? g.m - i0 : kMr;
      float acc[kMr][kNr] = {};
      for (size_t p = 0; p < g.kc; ++p)
        for (size_t r = 0; r < kMr; ++r)
          for (size_t j = 0; j < kNr; ++j) acc[r][j] += ap[p * kMr + r] * bp[p * kNr + j];
      for (size_t r = 0; r < rows; ++r) {
        float* c = g.c + (i0 + r) * g.ldc + j0;
        for (size_t j = 0; j < cols; ++j) {
          float v = g.alpha * acc[r][j];
          if (g.beta != 0.0f) v += g.beta * c[j];
          if (g.bias) v += g.bias[j0 + j];
          c[j] = v;
        }
      }
    }
  }
}

}  // namespace qtorch
