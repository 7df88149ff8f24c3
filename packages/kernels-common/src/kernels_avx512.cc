// AVX-512BW INT8 kernel, exact for full-range u8: vpmaddubsw would saturate its int16 pair sums
// (255*-128*2 < -32768; fbgemm's reduce_range 0..127 exists to avoid that), so both operands
// are widened to int16 and multiplied with vpmaddwd (int16 x int16 pair sums into int32: exact).
// Micro-tile: up to 4 rows x 32 columns; accumulators hold per-column pair sums until the end.
// Also the FP32 GEMM with AVX-512F FMA.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "qtorch/kernels.h"

namespace qtorch {
namespace {

// The 4 u8 activations of quad q, zero-extended to int16 and broadcast to all 8 qword lanes.
__m512i BroadcastQuad16(const uint8_t* p) {
  int32_t v;
  __builtin_memcpy(&v, p, 4);
  const __m128i w = _mm_cvtepu8_epi16(_mm_cvtsi32_si128(v));
  return _mm512_broadcastq_epi64(w);
}

// Pair-sum lanes (2j, 2j+1) of lo then hi: 8 columns each -> 16 columns in order.
__m512i FoldPairs(__m512i lo, __m512i hi) {
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i odd = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
  return _mm512_add_epi32(_mm512_permutex2var_epi32(lo, even, hi), _mm512_permutex2var_epi32(lo, odd, hi));
}

// One row's accumulators for 32 columns: vh holds columns 8h..8h+7, two partial sums each.
// Named locals, not an array: GCC keeps arrays of vectors in memory (stores every iteration).
struct Row {
  __m512i v0, v1, v2, v3;
};

__attribute__((always_inline)) inline void Step(Row& x, const uint8_t* a, __m512i b0, __m512i b1, __m512i b2, __m512i b3) {
  const __m512i av = BroadcastQuad16(a);
  x.v0 = _mm512_add_epi32(x.v0, _mm512_madd_epi16(av, b0));
  x.v1 = _mm512_add_epi32(x.v1, _mm512_madd_epi16(av, b1));
  x.v2 = _mm512_add_epi32(x.v2, _mm512_madd_epi16(av, b2));
  x.v3 = _mm512_add_epi32(x.v3, _mm512_madd_epi16(av, b3));
}

__attribute__((always_inline)) inline void Store(const Row& x, const QGemmBlock& blk, int32_t* c) {
  __m512i lo = FoldPairs(x.v0, x.v1), hi = FoldPairs(x.v2, x.v3);
  if (blk.accumulate) {
    lo = _mm512_add_epi32(lo, _mm512_loadu_si512(c));
    hi = _mm512_add_epi32(hi, _mm512_loadu_si512(c + 16));
  }
  _mm512_storeu_si512(c, lo);
  _mm512_storeu_si512(c + 16, hi);
}

__m512i LoadWeights16(const int8_t* p) {
  return _mm512_cvtepi8_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}

template <int R>
void Tile(const QGemmBlock& blk, const uint8_t* a, const int8_t* bp, int32_t* c) {
  const size_t lda = blk.lda, ldc = blk.ldc;
  const __m512i z = _mm512_setzero_si512();
  Row x0{z, z, z, z}, x1{z, z, z, z}, x2{z, z, z, z}, x3{z, z, z, z};
  for (size_t q = 0; q < blk.kq; ++q) {
    const int8_t* bq = bp + q * kQPanel * kQuad;
    const __m512i b0 = LoadWeights16(bq), b1 = LoadWeights16(bq + 32), b2 = LoadWeights16(bq + 64), b3 = LoadWeights16(bq + 96);
    const uint8_t* aq = a + q * kQuad;
    Step(x0, aq, b0, b1, b2, b3);
    if (R > 1) Step(x1, aq + lda, b0, b1, b2, b3);
    if (R > 2) Step(x2, aq + 2 * lda, b0, b1, b2, b3);
    if (R > 3) Step(x3, aq + 3 * lda, b0, b1, b2, b3);
  }
  Store(x0, blk, c);
  if (R > 1) Store(x1, blk, c + ldc);
  if (R > 2) Store(x2, blk, c + 2 * ldc);
  if (R > 3) Store(x3, blk, c + 3 * ldc);
}

}  // namespace

void QGemmAvx512(const QGemmBlock& blk) {
  constexpr size_t kRows = 4;
  for (size_t p = 0; p < blk.panels; ++p) {
    for (size_t half = 0; half < kQPanel; half += 32) {
      const int8_t* bp = blk.b + p * blk.panelStride + half * kQuad;
      size_t i = 0;
      for (; i + kRows <= blk.m; i += kRows) Tile<4>(blk, blk.a + i * blk.lda, bp, blk.c + i * blk.ldc + p * kQPanel + half);
      const uint8_t* a = blk.a + i * blk.lda;
      int32_t* c = blk.c + i * blk.ldc + p * kQPanel + half;
      switch (blk.m - i) {
        case 3: Tile<3>(blk, a, bp, c); break;
        case 2: Tile<2>(blk, a, bp, c); break;
        case 1: Tile<1>(blk, a, bp, c); break;
        default: break;
      }
    }
  }
}

// FP32: 4 x 4 dot products along K, 16 floats at a time; the K tail uses masked loads.
void SGemmAvx512(const SGemmArgs& g) {
  const size_t kTail = g.k % 16, kMain = g.k - kTail;
  const __mmask16 tailMask = static_cast<__mmask16>((1u << kTail) - 1u);
  for (size_t i0 = 0; i0 < g.m; i0 += 4) {
    const size_t ri = g.m - i0 < 4 ? g.m - i0 : 4;
    for (size_t j0 = 0; j0 < g.n; j0 += 4) {
      const size_t rj = g.n - j0 < 4 ? g.n - j0 : 4;
      __m512 acc[4][4];
      for (int r = 0; r < 4; ++r)
        for (int s = 0; s < 4; ++s) acc[r][s] = _mm512_setzero_ps();
      // Rows/cols past the edge reuse the last valid one; their results are not stored.
      const float* ap[4];
      const float* bpp[4];
      for (size_t r = 0; r < 4; ++r) ap[r] = g.a + (i0 + (r < ri ? r : ri - 1)) * g.lda;
      for (size_t s = 0; s < 4; ++s) bpp[s] = g.b + (j0 + (s < rj ? s : rj - 1)) * g.ldb;
      for (size_t t = 0; t < kMain; t += 16) {
        __m512 bv[4];
        for (int s = 0; s < 4; ++s) bv[s] = _mm512_loadu_ps(bpp[s] + t);
        for (int r = 0; r < 4; ++r) {
          const __m512 av = _mm512_loadu_ps(ap[r] + t);
          for (int s = 0; s < 4; ++s) acc[r][s] = _mm512_fmadd_ps(av, bv[s], acc[r][s]);
        }
      }
      if (kTail) {
        __m512 bv[4];
        for (int s = 0; s < 4; ++s) bv[s] = _mm512_maskz_loadu_ps(tailMask, bpp[s] + kMain);
        for (int r = 0; r < 4; ++r) {
          const __m512 av = _mm512_maskz_loadu_ps(tailMask, ap[r] + kMain);
          for (int s = 0; s < 4; ++s) acc[r][s] = _mm512_fmadd_ps(av, bv[s], acc[r][s]);
        }
      }
      for (size_t r = 0; r < ri; ++r)
        for (size_t s = 0; s < rj; ++s) {
          const float v = _mm512_reduce_add_ps(acc[r][s]);
          float* c = g.c + (i0 + r) * g.ldc + j0 + s;
          *c = (g.accumulate ? *c : g.bias ? g.bias[j0 + s] : 0.0f) + v;
        }
    }
  }
}

}  // namespace qtorch
