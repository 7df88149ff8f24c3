// AVX2 INT8 GEMM micro-kernel. Exact for full-range u8: both operands are widened to int16 and
// multiplied with vpmaddwd, because vpmaddubsw saturates its int16 pair sums for u8 > 127 with
// s8 weights (fbgemm's reduce_range 0..127 is what makes vpmaddubsw safe there).
// Micro-tile: up to 2 rows x 16 columns (8 accumulators of per-column pair sums).
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "qtorch/kernels.h"

namespace qtorch {
namespace {

// The 4 u8 activations of one quad, zero-extended to int16, in all 4 qword lanes.
__m256i BroadcastQuad16(const uint8_t* p) {
  int32_t v;
  __builtin_memcpy(&v, p, 4);
  return _mm256_broadcastq_epi64(_mm_cvtepu8_epi16(_mm_cvtsi32_si128(v)));
}

// lo: columns 0-3, hi: columns 4-7, two partial sums each -> 8 column sums in order.
__m256i FoldPairs(__m256i lo, __m256i hi) {
  // hadd works per 128-bit lane: [c0 c1 c4 c5 | c2 c3 c6 c7]; restore order by qwords 0,2,1,3.
  return _mm256_permute4x64_epi64(_mm256_hadd_epi32(lo, hi), 0xD8);
}

// One row's accumulators for 16 columns: vh holds columns 4h..4h+3, two partial sums each.
// Named locals, not an array: GCC keeps arrays of vectors in memory (stores every iteration).
struct Row {
  __m256i v0, v1, v2, v3;
};

__attribute__((always_inline)) inline void Step(Row& x, const uint8_t* a, __m256i b0, __m256i b1, __m256i b2, __m256i b3) {
  const __m256i av = BroadcastQuad16(a);
  x.v0 = _mm256_add_epi32(x.v0, _mm256_madd_epi16(av, b0));
  x.v1 = _mm256_add_epi32(x.v1, _mm256_madd_epi16(av, b1));
  x.v2 = _mm256_add_epi32(x.v2, _mm256_madd_epi16(av, b2));
  x.v3 = _mm256_add_epi32(x.v3, _mm256_madd_epi16(av, b3));
}

__attribute__((always_inline)) inline void Store(const Row& x, const QGemmBlock& blk, int32_t* c) {
  __m256i lo = FoldPairs(x.v0, x.v1), hi = FoldPairs(x.v2, x.v3);
  __m256i* d0 = reinterpret_cast<__m256i*>(c);
  __m256i* d1 = reinterpret_cast<__m256i*>(c + 8);
  if (blk.accumulate) {
    lo = _mm256_add_epi32(lo, _mm256_loadu_si256(d0));
    hi = _mm256_add_epi32(hi, _mm256_loadu_si256(d1));
  }
  _mm256_storeu_si256(d0, lo);
  _mm256_storeu_si256(d1, hi);
}

__m256i LoadWeights16(const int8_t* p) {
  return _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

template <int R>
void Tile(const QGemmBlock& blk, const uint8_t* a, const int8_t* bp, int32_t* c) {
  const __m256i z = _mm256_setzero_si256();
  Row x0{z, z, z, z}, x1{z, z, z, z};
  for (size_t q = 0; q < blk.kq; ++q) {
    const int8_t* bq = bp + q * kQPanel * kQuad;
    const __m256i b0 = LoadWeights16(bq), b1 = LoadWeights16(bq + 16), b2 = LoadWeights16(bq + 32), b3 = LoadWeights16(bq + 48);
    const uint8_t* aq = a + q * kQuad;
    Step(x0, aq, b0, b1, b2, b3);
    if (R > 1) Step(x1, aq + blk.lda, b0, b1, b2, b3);
  }
  Store(x0, blk, c);
  if (R > 1) Store(x1, blk, c + blk.ldc);
}

}  // namespace

void QGemmAvx2(const QGemmBlock& blk) {
  for (size_t p = 0; p < blk.panels; ++p) {
    for (size_t col = 0; col < kQPanel; col += 16) {
      const int8_t* bp = blk.b + p * blk.panelStride + col * kQuad;
      size_t i = 0;
      for (; i + 2 <= blk.m; i += 2) Tile<2>(blk, blk.a + i * blk.lda, bp, blk.c + i * blk.ldc + p * kQPanel + col);
      if (i < blk.m) Tile<1>(blk, blk.a + i * blk.lda, bp, blk.c + i * blk.ldc + p * kQPanel + col);
    }
  }
}


}  // namespace qtorch
