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

template <int R>
void Tile(const QGemmBlock& blk, const uint8_t* a, const int8_t* bp, int32_t* c) {
  // acc[r][h]: columns 8h..8h+7 of the 32, two int32 partial sums per column.
  __m512i acc[R][4];
  for (int r = 0; r < R; ++r)
    for (int h = 0; h < 4; ++h) acc[r][h] = _mm512_setzero_si512();
  for (size_t q = 0; q < blk.kq; ++q) {
    const int8_t* bq = bp + q * kQPanel * kQuad;
    __m512i b[4];
    for (int h = 0; h < 4; ++h) b[h] = _mm512_cvtepi8_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(bq + h * 32)));
    for (int r = 0; r < R; ++r) {
      const __m512i av = BroadcastQuad16(a + r * blk.lda + q * kQuad);
      for (int h = 0; h < 4; ++h) acc[r][h] = _mm512_add_epi32(acc[r][h], _mm512_madd_epi16(av, b[h]));
    }
  }
  for (int r = 0; r < R; ++r) {
    int32_t* cr = c + r * blk.ldc;
    for (int h = 0; h < 2; ++h) {
      __m512i v = FoldPairs(acc[r][2 * h], acc[r][2 * h + 1]);
      if (blk.accumulate) v = _mm512_add_epi32(v, _mm512_loadu_si512(cr + h * 16));
      _mm512_storeu_si512(cr + h * 16, v);
    }
  }
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
      for (size_t r = 0; r < 4; ++r) ap[r] = g.a + (i0 + (r < ri ? r : ri - 1)) * g.k;
      for (size_t s = 0; s < 4; ++s) bpp[s] = g.b + (j0 + (s < rj ? s : rj - 1)) * g.k;
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
          g.c[(i0 + r) * g.n + j0 + s] = g.bias ? v + g.bias[j0 + s] : v;
        }
    }
  }
}

}  // namespace qtorch
