// AVX2 + FMA FP32 GEMM micro-kernel (see kernels.h SGemmArgs).
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "qtorch/kernels.h"

namespace qtorch {
namespace {

float HorizontalSum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}


}  // namespace

// FP32: 4 x 3 dot products along K, 8 floats at a time, scalar K tail.
void SGemmAvx2(const SGemmArgs& g) {
  constexpr size_t kR = 4, kS = 3;
  const size_t kMain = g.k - g.k % 8;
  for (size_t i0 = 0; i0 < g.m; i0 += kR) {
    const size_t ri = g.m - i0 < kR ? g.m - i0 : kR;
    for (size_t j0 = 0; j0 < g.n; j0 += kS) {
      const size_t rj = g.n - j0 < kS ? g.n - j0 : kS;
      const float* ap[kR];
      const float* bpp[kS];
      // Rows/cols past the edge reuse the last valid one; their results are not stored.
      for (size_t r = 0; r < kR; ++r) ap[r] = g.a + (i0 + (r < ri ? r : ri - 1)) * g.lda;
      for (size_t s = 0; s < kS; ++s) bpp[s] = g.b + (j0 + (s < rj ? s : rj - 1)) * g.ldb;
      __m256 acc[kR][kS];
      for (size_t r = 0; r < kR; ++r)
        for (size_t s = 0; s < kS; ++s) acc[r][s] = _mm256_setzero_ps();
      for (size_t t = 0; t < kMain; t += 8) {
        __m256 bv[kS];
        for (size_t s = 0; s < kS; ++s) bv[s] = _mm256_loadu_ps(bpp[s] + t);
        for (size_t r = 0; r < kR; ++r) {
          const __m256 av = _mm256_loadu_ps(ap[r] + t);
          for (size_t s = 0; s < kS; ++s) acc[r][s] = _mm256_fmadd_ps(av, bv[s], acc[r][s]);
        }
      }
      for (size_t r = 0; r < ri; ++r)
        for (size_t s = 0; s < rj; ++s) {
          float v = HorizontalSum(acc[r][s]);
          for (size_t t = kMain; t < g.k; ++t) v += ap[r][t] * bpp[s][t];
          float* c = g.c + (i0 + r) * g.ldc + j0 + s;
          *c = (g.accumulate ? *c : g.bias ? g.bias[j0 + s] : 0.0f) + v;
        }
    }
  }
}


}  // namespace qtorch
