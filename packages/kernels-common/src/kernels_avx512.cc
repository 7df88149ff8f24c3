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

// FP32: the AVX2 kernel's 6-row tile at zmm width (6 x 32, 12 accumulators; see
// kernels_avx2_sgemm.cc), with masked loads/stores at the right edge instead of a copy.
namespace {

constexpr size_t kSMr = kSGemmMrAvx512, kSNr = kSGemmNrAvx512;

void SGemmTile(const SGemmBlock& g, const float* ap, const float* bp, size_t i0, size_t j0) {
  const size_t rowsIn = g.m - i0 < kSMr ? g.m - i0 : kSMr;
  for (size_t r = 0; r < rowsIn; ++r) {  // fetch the C tile during the K loop (as the AVX2 kernel)
    const char* row = reinterpret_cast<const char*>(g.c + (i0 + r) * g.ldc + j0);
    _mm_prefetch(row, _MM_HINT_T0);
    _mm_prefetch(row + 64, _MM_HINT_T0);
    _mm_prefetch(row + 124, _MM_HINT_T0);
  }
  __m512 acc[kSMr][2];
  for (size_t r = 0; r < kSMr; ++r) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
  for (size_t p = 0; p < g.kc; ++p) {
    const __m512 b0 = _mm512_loadu_ps(bp + p * kSNr), b1 = _mm512_loadu_ps(bp + p * kSNr + 16);
    for (size_t r = 0; r < kSMr; ++r) {
      const __m512 a = _mm512_set1_ps(ap[p * kSMr + r]);
      acc[r][0] = _mm512_fmadd_ps(a, b0, acc[r][0]);
      acc[r][1] = _mm512_fmadd_ps(a, b1, acc[r][1]);
    }
  }
  // Spill once through a fixed-index array (run-time row indexing would keep acc in memory).
  alignas(64) float sums[kSMr][kSNr];
  for (size_t r = 0; r < kSMr; ++r)
    for (size_t v = 0; v < 2; ++v) _mm512_store_ps(sums[r] + 16 * v, acc[r][v]);
  const __m512 alpha = _mm512_set1_ps(g.alpha), beta = _mm512_set1_ps(g.beta);
  const size_t rows = g.m - i0 < kSMr ? g.m - i0 : kSMr, cols = g.n - j0 < kSNr ? g.n - j0 : kSNr;
  __mmask16 mask[2];  // valid columns of each 16-wide half
  for (size_t v = 0; v < 2; ++v) {
    const size_t valid = cols > 16 * v ? (cols - 16 * v < 16 ? cols - 16 * v : 16) : 0;
    mask[v] = static_cast<__mmask16>((1u << valid) - 1u);
  }
  for (size_t r = 0; r < rows; ++r) {
    float* c = g.c + (i0 + r) * g.ldc + j0;
    for (size_t v = 0; v < 2; ++v) {
      if (!mask[v]) continue;
      // alpha * acc (+ beta * c) (+ bias), each step rounded on its own (as the AVX2 kernel)
      __m512 y = _mm512_mul_ps(_mm512_load_ps(sums[r] + 16 * v), alpha);
      if (g.beta != 0.0f) y = _mm512_add_ps(y, _mm512_mul_ps(beta, _mm512_maskz_loadu_ps(mask[v], c + 16 * v)));
      if (g.bias) y = _mm512_add_ps(y, _mm512_maskz_loadu_ps(mask[v], g.bias + j0 + 16 * v));
      _mm512_mask_storeu_ps(c + 16 * v, mask[v], y);
    }
  }
}

}  // namespace

void SGemmAvx512(const SGemmBlock& g) {
  for (size_t j0 = 0; j0 < g.n; j0 += kSNr) {
    const float* bp = g.b + (j0 / kSNr) * g.panelStride;
    for (size_t i0 = 0; i0 < g.m; i0 += kSMr) SGemmTile(g, g.a + (i0 / kSMr) * g.kc * kSMr, bp, i0, j0);
  }
}

}  // namespace qtorch
