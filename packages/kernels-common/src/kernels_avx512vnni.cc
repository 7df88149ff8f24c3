// AVX-512 VNNI INT8 kernel: vpdpbusd multiplies u8 x s8 and sums 4 products into an int32 lane
// with no int16 intermediate, so full-range activations (0..255) are exact.
// Micro-tile: up to 6 rows x 64 columns (24 zmm accumulators + 4 weight vectors).
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "qtorch/kernels.h"

namespace qtorch {
namespace {

int32_t LoadQuad(const uint8_t* p) {
  int32_t v;
  __builtin_memcpy(&v, p, 4);  // unaligned 4-byte load
  return v;
}

// One row's 64 accumulators. Named locals (not an array indexed in loops): GCC keeps an array
// of vectors in memory and stores it every iteration, a 4x slowdown measured here.
struct Row {
  __m512i v0, v1, v2, v3;
};

__attribute__((always_inline)) inline void Load(Row& x, const QGemmBlock& blk, const int32_t* c) {
  if (blk.accumulate) {
    x.v0 = _mm512_loadu_si512(c);
    x.v1 = _mm512_loadu_si512(c + 16);
    x.v2 = _mm512_loadu_si512(c + 32);
    x.v3 = _mm512_loadu_si512(c + 48);
  } else {
    x.v0 = x.v1 = x.v2 = x.v3 = _mm512_setzero_si512();
  }
}

__attribute__((always_inline)) inline void Step(Row& x, const uint8_t* a, __m512i b0, __m512i b1, __m512i b2, __m512i b3) {
  const __m512i av = _mm512_set1_epi32(LoadQuad(a));
  x.v0 = _mm512_dpbusd_epi32(x.v0, av, b0);
  x.v1 = _mm512_dpbusd_epi32(x.v1, av, b1);
  x.v2 = _mm512_dpbusd_epi32(x.v2, av, b2);
  x.v3 = _mm512_dpbusd_epi32(x.v3, av, b3);
}

__attribute__((always_inline)) inline void Store(const Row& x, int32_t* c) {
  _mm512_storeu_si512(c, x.v0);
  _mm512_storeu_si512(c + 16, x.v1);
  _mm512_storeu_si512(c + 32, x.v2);
  _mm512_storeu_si512(c + 48, x.v3);
}

template <int R>
void Tile(const QGemmBlock& blk, const uint8_t* a, const int8_t* bp, int32_t* c) {
  const size_t lda = blk.lda, ldc = blk.ldc;
  Row x0, x1, x2, x3, x4, x5;
  Load(x0, blk, c);
  if (R > 1) Load(x1, blk, c + ldc);
  if (R > 2) Load(x2, blk, c + 2 * ldc);
  if (R > 3) Load(x3, blk, c + 3 * ldc);
  if (R > 4) Load(x4, blk, c + 4 * ldc);
  if (R > 5) Load(x5, blk, c + 5 * ldc);
  for (size_t q = 0; q < blk.kq; ++q) {
    const int8_t* bq = bp + q * kQPanel * kQuad;
    const __m512i b0 = _mm512_loadu_si512(bq);
    const __m512i b1 = _mm512_loadu_si512(bq + 64);
    const __m512i b2 = _mm512_loadu_si512(bq + 128);
    const __m512i b3 = _mm512_loadu_si512(bq + 192);
    const uint8_t* aq = a + q * kQuad;
    Step(x0, aq, b0, b1, b2, b3);
    if (R > 1) Step(x1, aq + lda, b0, b1, b2, b3);
    if (R > 2) Step(x2, aq + 2 * lda, b0, b1, b2, b3);
    if (R > 3) Step(x3, aq + 3 * lda, b0, b1, b2, b3);
    if (R > 4) Step(x4, aq + 4 * lda, b0, b1, b2, b3);
    if (R > 5) Step(x5, aq + 5 * lda, b0, b1, b2, b3);
  }
  Store(x0, c);
  if (R > 1) Store(x1, c + ldc);
  if (R > 2) Store(x2, c + 2 * ldc);
  if (R > 3) Store(x3, c + 3 * ldc);
  if (R > 4) Store(x4, c + 4 * ldc);
  if (R > 5) Store(x5, c + 5 * ldc);
}

}  // namespace

void QGemmAvx512Vnni(const QGemmBlock& blk) {
  constexpr size_t kRows = 6;
  for (size_t p = 0; p < blk.panels; ++p) {
    const int8_t* bp = blk.b + p * blk.panelStride;
    size_t i = 0;
    for (; i + kRows <= blk.m; i += kRows) Tile<6>(blk, blk.a + i * blk.lda, bp, blk.c + i * blk.ldc + p * kQPanel);
    const uint8_t* a = blk.a + i * blk.lda;
    int32_t* c = blk.c + i * blk.ldc + p * kQPanel;
    switch (blk.m - i) {
      case 5: Tile<5>(blk, a, bp, c); break;
      case 4: Tile<4>(blk, a, bp, c); break;
      case 3: Tile<3>(blk, a, bp, c); break;
      case 2: Tile<2>(blk, a, bp, c); break;
      case 1: Tile<1>(blk, a, bp, c); break;
      default: break;
    }
  }
}

}  // namespace qtorch
