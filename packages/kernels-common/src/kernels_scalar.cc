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

void SGemmScalar(const SGemmArgs& g) {
  for (size_t i = 0; i < g.m; ++i)
    for (size_t j = 0; j < g.n; ++j) {
      const float* a = g.a + i * g.lda;
      const float* b = g.b + j * g.ldb;
      float s = 0.0f;
      for (size_t t = 0; t < g.k; ++t) s += a[t] * b[t];
      float* c = g.c + i * g.ldc + j;
      *c = (g.accumulate ? *c : g.bias ? g.bias[j] : 0.0f) + s;
    }
}

}  // namespace qtorch
