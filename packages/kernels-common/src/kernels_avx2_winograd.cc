// AVX2 Winograd F(2x2, 3x3) kernels declared in kernels_conv.h: input transform, the 16
// int16 GEMMs (vpmaddwd) and the output transform. Integer arithmetic only: the results are
// the exact int32 accumulators of the convolution (see kernels_conv.h for the bounds).
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "qtorch/kernels_conv.h"

namespace qtorch {
namespace {

#define QT_INLINE __attribute__((always_inline)) inline

QT_INLINE __m256i Load(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }
QT_INLINE void Store(void* p, __m256i v) { _mm256_storeu_si256(static_cast<__m256i*>(p), v); }

}  // namespace

void WinoInputAvx2(const WinoInputArgs& g) {
  const __m256i zx = _mm256_set1_epi16(static_cast<int16_t>(g.zx));
  const size_t tiles = g.tileRows * g.tileCols, plane = tiles * g.cinPad;  // int16 per transform position
  const ptrdiff_t ih = static_cast<ptrdiff_t>(g.ih), iw = static_cast<ptrdiff_t>(g.iw);
  for (size_t t = 0; t < tiles; ++t) {
    const ptrdiff_t yc = g.y0 + 2 * static_cast<ptrdiff_t>(t / g.tileCols), xc = g.x0 + 2 * static_cast<ptrdiff_t>(t % g.tileCols);
    for (size_t c0 = 0; c0 < g.cinPad; c0 += 16) {
      __m256i d[4][4];
      for (int i = 0; i < 4; ++i) {
        const ptrdiff_t iy = yc + i;
        for (int j = 0; j < 4; ++j) {
          const ptrdiff_t ix = xc + j;
          if (iy < 0 || iy >= ih || ix < 0 || ix >= iw) {
            d[i][j] = _mm256_setzero_si256();  // padding: x = zx
          } else {
            const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(g.xcl + (iy * iw + ix) * static_cast<ptrdiff_t>(g.cin) + c0));
            d[i][j] = _mm256_sub_epi16(_mm256_cvtepu8_epi16(b), zx);
          }
        }
      }
      // T = B^T d (rows), then U = T B (columns); B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
      __m256i tr[4][4];
      for (int j = 0; j < 4; ++j) {
        tr[0][j] = _mm256_sub_epi16(d[0][j], d[2][j]);
        tr[1][j] = _mm256_add_epi16(d[1][j], d[2][j]);
        tr[2][j] = _mm256_sub_epi16(d[2][j], d[1][j]);
        tr[3][j] = _mm256_sub_epi16(d[1][j], d[3][j]);
      }
      int16_t* out = g.u + t * g.cinPad + c0;
      for (int i = 0; i < 4; ++i) {
        Store(out + (4 * i + 0) * plane, _mm256_sub_epi16(tr[i][0], tr[i][2]));
        Store(out + (4 * i + 1) * plane, _mm256_add_epi16(tr[i][1], tr[i][2]));
        Store(out + (4 * i + 2) * plane, _mm256_sub_epi16(tr[i][2], tr[i][1]));
        Store(out + (4 * i + 3) * plane, _mm256_sub_epi16(tr[i][1], tr[i][3]));
      }
    }
  }
}

namespace {

// R rows x one 16-column panel: acc += u[r][2p..2p+1] . v[p][col][0..1] over the k pairs.
template <int R>
QT_INLINE void GemmRows(const int16_t* u, size_t ldu, const int16_t* v, size_t pairs, int32_t* m, size_t ldm) {
  __m256i acc[R][2];
#pragma GCC unroll 6
  for (int r = 0; r < R; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_si256();
  for (size_t p = 0; p < pairs; ++p) {
    const __m256i b0 = Load(v + 32 * p), b1 = Load(v + 32 * p + 16);
#pragma GCC unroll 6
    for (int r = 0; r < R; ++r) {
      const __m256i a = _mm256_broadcastd_epi32(_mm_loadu_si32(u + r * ldu + 2 * p));  // the k pair
      acc[r][0] = _mm256_add_epi32(acc[r][0], _mm256_madd_epi16(a, b0));
      acc[r][1] = _mm256_add_epi32(acc[r][1], _mm256_madd_epi16(a, b1));
    }
  }
#pragma GCC unroll 6
  for (int r = 0; r < R; ++r) {
    Store(m + r * ldm, acc[r][0]);
    Store(m + r * ldm + 8, acc[r][1]);
  }
}

template <int R>
void GemmRowsN(const int16_t* u, size_t ldu, const int16_t* v, size_t pairs, int32_t* m, size_t ldm) {
  GemmRows<R>(u, ldu, v, pairs, m, ldm);
}
using GemmRowsFn = void (*)(const int16_t*, size_t, const int16_t*, size_t, int32_t*, size_t);
constexpr GemmRowsFn kGemmRows[7] = {nullptr, GemmRowsN<1>, GemmRowsN<2>, GemmRowsN<3>, GemmRowsN<4>, GemmRowsN<5>, GemmRowsN<6>};

}  // namespace

void WinoGemmAvx2(const WinoGemmArgs& g) {
  const size_t pairs = g.cinPad / 2;
  for (size_t t = 0; t < 16; ++t) {
    const int16_t* ut = g.u + t * g.rows * g.cinPad;
    const int16_t* vt = g.v + t * g.coutPad * g.cinPad;
    int32_t* mt = g.m + t * g.rows * g.coutPad;
    for (size_t j0 = 0; j0 < g.coutPad; j0 += 16) {
      const int16_t* vp = vt + j0 * g.cinPad;  // the panel: pairs x 16 columns x 2
      for (size_t r0 = 0; r0 < g.rows; r0 += 6) {
        const size_t r = g.rows - r0 < 6 ? g.rows - r0 : 6;
        kGemmRows[r](ut + r0 * g.cinPad, g.cinPad, vp, pairs, mt + r0 * g.coutPad + j0, g.coutPad);
      }
    }
  }
}

void WinoOutputAvx2(const WinoOutputArgs& g) {
  const size_t tiles = g.tileRows * g.tileCols, plane = tiles * g.coutPad;
  for (size_t t = 0; t < tiles; ++t) {
    const size_t oy = 2 * (t / g.tileCols), ox = 2 * (t % g.tileCols);
    for (size_t j0 = 0; j0 < g.coutPad; j0 += 8) {
      const int32_t* mt = g.m + t * g.coutPad + j0;
      __m256i s[2][4];
      // S = A^T M (rows), then Y = S A (columns); A^T = [1 1 1 0; 0 1 -1 -1]
      for (int j = 0; j < 4; ++j) {
        const __m256i m0 = Load(mt + (0 + j) * plane), m1 = Load(mt + (4 + j) * plane);
        const __m256i m2 = Load(mt + (8 + j) * plane), m3 = Load(mt + (12 + j) * plane);
        s[0][j] = _mm256_add_epi32(_mm256_add_epi32(m0, m1), m2);
        s[1][j] = _mm256_sub_epi32(_mm256_sub_epi32(m1, m2), m3);
      }
      for (size_t r = 0; r < 2 && oy + r < g.outRows; ++r) {
        // 4Y is exact: the shift divides exactly
        const __m256i y0 = _mm256_srai_epi32(_mm256_add_epi32(_mm256_add_epi32(s[r][0], s[r][1]), s[r][2]), 2);
        const __m256i y1 = _mm256_srai_epi32(_mm256_sub_epi32(_mm256_sub_epi32(s[r][1], s[r][2]), s[r][3]), 2);
        int32_t* px = g.acc + ((oy + r) * g.outCols + ox) * g.ldAcc + j0;
        Store(px, y0);
        if (ox + 1 < g.outCols) Store(px + g.ldAcc, y1);
      }
    }
  }
}

}  // namespace qtorch
