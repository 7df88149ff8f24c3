// AVX2 INT8 GEMM (see QGemmRangeAvx2 in kernels.h). Exact for full-range u8: both operands
// are widened to int16 and multiplied with vpmaddwd (vpmaddubsw would saturate its int16 pair
// sums for u8 > 127 with s8 weights). The input zero point is folded into the widened
// activations (a - za), the weight zero points are applied per block as zw[j] * rowSum(a - za),
// so no compensation pass over C is needed.
//
// Large M (GotoBLAS): A block rows are widened once per K block, each 16-column strip of B is
// widened to int16 in k-pair order ([k/2][16][2]: one ymm = 8 columns x 2 k) and stays in L1
// while 6-row tiles stream over it: per k pair, 2 B loads + 6 broadcasts feed 12 vpmaddwd into
// 12 int32 column accumulators (no horizontal fold). Small M (weight-streaming bound): B is
// read once as int8 and widened in registers.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "qtorch/kernels.h"

namespace qtorch {
namespace {

constexpr size_t kKc = kQGemmKc;  // k per block, multiple of 4
constexpr size_t kMc = kQGemmMc;  // rows per widened A block
constexpr size_t kMr = 6;         // rows per register tile
constexpr size_t kNr = 16;        // columns per strip / register tile
constexpr size_t kPanelQuadBytes = kQPanel * kQuad;  // bytes of one quad row of a panel
// Up to this many rows, B is streamed as int8 (widening a strip costs more than it saves).
constexpr size_t kDirectMaxRows = 2;
constexpr size_t kDirectPrefetch = 16;  // quad rows ahead

static_assert(kKc % kQuad == 0 && kMc % kMr == 0 && kQPanel % kNr == 0, "blocking");

// rows x kPad int16 at w (row stride kKc): a - za for t < kLen, 0 up to kPad (a multiple of 4,
// the packed quads' padding, so the pad multiplies whatever B holds there by 0).
// rowSum[r] = sum of the row's widened values (int32, wrapping).
void WidenA(const uint8_t* a, size_t lda, size_t rows, size_t kLen, size_t kPad, int32_t za, int16_t* w, int32_t* rowSum) {
  const __m256i zav = _mm256_set1_epi16(static_cast<int16_t>(za));
  const __m256i ones = _mm256_set1_epi16(1);
  for (size_t r = 0; r < rows; ++r) {
    const uint8_t* ar = a + r * lda;
    int16_t* wr = w + r * kKc;
    if (r + 1 < rows)  // rows are lda apart: a stride the prefetchers do not follow
      for (size_t t = 0; t < kLen; t += 64) _mm_prefetch(reinterpret_cast<const char*>(ar + lda + t), _MM_HINT_T0);
    __m256i sum = _mm256_setzero_si256();
    size_t t = 0;
    for (; t + 16 <= kLen; t += 16) {
      const __m256i v = _mm256_sub_epi16(_mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(ar + t))), zav);
      _mm256_store_si256(reinterpret_cast<__m256i*>(wr + t), v);
      sum = _mm256_add_epi32(sum, _mm256_madd_epi16(v, ones));
    }
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(sum), _mm256_extracti128_si256(sum, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
    uint32_t tail = static_cast<uint32_t>(_mm_cvtsi128_si32(s));
    for (; t < kLen; ++t) {
      wr[t] = static_cast<int16_t>(ar[t] - za);
      tail += static_cast<uint32_t>(wr[t]);
    }
    for (; t < kPad; ++t) wr[t] = 0;
    rowSum[r] = static_cast<int32_t>(tail);
  }
}

// One 16-column strip of a packed K block (nq quad rows, kPanelQuadBytes apart) to int16 in
// k-pair order: w[p * 32 + h * 16 + 2 * c + e] = B[col 8h + c, k = 2p + e].
void WidenB(const int8_t* b, size_t nq, int16_t* w) {
  // Per 128-bit lane (4 columns x 4 k): the k pair (0,1) of each column, then the pair (2,3).
  const __m256i pairs = _mm256_setr_epi8(0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15,
                                         0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15);
  for (size_t q = 0; q < nq; ++q) {
    const int8_t* bq = b + q * kPanelQuadBytes;
    int16_t* w0 = w + q * 64;  // k pair 2q; k pair 2q + 1 follows 32 values later
    for (size_t h = 0; h < 2; ++h) {
      __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bq + 32 * h));
      // qwords [pair0 c0-3, pair1 c0-3, pair0 c4-7, pair1 c4-7] -> [pair0 c0-7, pair1 c0-7]
      v = _mm256_permute4x64_epi64(_mm256_shuffle_epi8(v, pairs), 0xD8);
      _mm256_store_si256(reinterpret_cast<__m256i*>(w0 + 16 * h), _mm256_cvtepi8_epi16(_mm256_castsi256_si128(v)));
      _mm256_store_si256(reinterpret_cast<__m256i*>(w0 + 32 + 16 * h), _mm256_cvtepi8_epi16(_mm256_extracti128_si256(v, 1)));
    }
  }
}

// Where a 16-column register tile goes: c (ldc), `valid` columns (1..16), whether to add to C
// (K blocks after the first), and the strip's weight zero points (16, zero padded) or null.
struct TileOut {
  int32_t* c;
  size_t ldc;
  size_t valid;
  bool accumulate;
  const int32_t* zw;
};

// Stores one row of a tile: lo = columns 0-7, hi = 8-15; subtracts zw[j] * rowSum.
__attribute__((always_inline)) inline void StoreRow(__m256i lo, __m256i hi, const TileOut& o, size_t r, int32_t rowSum) {
  int32_t* c = o.c + r * o.ldc;
  if (o.zw) {
    const __m256i rs = _mm256_set1_epi32(rowSum);
    lo = _mm256_sub_epi32(lo, _mm256_mullo_epi32(rs, _mm256_load_si256(reinterpret_cast<const __m256i*>(o.zw))));
    hi = _mm256_sub_epi32(hi, _mm256_mullo_epi32(rs, _mm256_load_si256(reinterpret_cast<const __m256i*>(o.zw + 8))));
  }
  __m256i* d0 = reinterpret_cast<__m256i*>(c);
  __m256i* d1 = reinterpret_cast<__m256i*>(c + 8);
  if (o.valid == kNr) {
    if (o.accumulate) {
      lo = _mm256_add_epi32(lo, _mm256_loadu_si256(d0));
      hi = _mm256_add_epi32(hi, _mm256_loadu_si256(d1));
    }
    _mm256_storeu_si256(d0, lo);
    _mm256_storeu_si256(d1, hi);
    return;
  }
  // Partial strip: masked loads / stores never touch the columns past n.
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i n = _mm256_set1_epi32(static_cast<int32_t>(o.valid));
  const __m256i m0 = _mm256_cmpgt_epi32(n, lane);
  const __m256i m1 = _mm256_cmpgt_epi32(n, _mm256_add_epi32(lane, _mm256_set1_epi32(8)));
  if (o.accumulate) {
    lo = _mm256_add_epi32(lo, _mm256_maskload_epi32(c, m0));
    hi = _mm256_add_epi32(hi, _mm256_maskload_epi32(c + 8, m1));
  }
  _mm256_maskstore_epi32(c, m0, lo);
  _mm256_maskstore_epi32(c + 8, m1, hi);
}

__attribute__((always_inline)) inline __m256i Broadcast32(const int16_t* p) {
  int32_t v;
  __builtin_memcpy(&v, p, 4);
  return _mm256_set1_epi32(v);
}

// R x 16 tile over np k pairs: a = widened rows (stride kKc), b = widened strip.
// Accumulators are named locals (GCC keeps arrays of vectors in memory).
template <size_t R>
void TileWide(const int16_t* a, const int16_t* b, size_t np, const TileOut& o, const int32_t* rowSum) {
  __m256i c00 = _mm256_setzero_si256(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  __m256i c30 = c00, c31 = c00, c40 = c00, c41 = c00;
#define QTORCH_ROW(r)                                          \
  if (R > r) {                                                 \
    const __m256i av = Broadcast32(a + r * kKc + 2 * p);       \
    c##r##0 = _mm256_add_epi32(c##r##0, _mm256_madd_epi16(av, b0)); \
    c##r##1 = _mm256_add_epi32(c##r##1, _mm256_madd_epi16(av, b1)); \
  }
  for (size_t p = 0; p < np; ++p) {
    const __m256i b0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(b + p * 32));
    const __m256i b1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(b + p * 32 + 16));
    QTORCH_ROW(0) QTORCH_ROW(1) QTORCH_ROW(2) QTORCH_ROW(3) QTORCH_ROW(4)
  }
#undef QTORCH_ROW
  StoreRow(c00, c01, o, 0, rowSum[0]);
  if (R > 1) StoreRow(c10, c11, o, 1, rowSum[1]);
  if (R > 2) StoreRow(c20, c21, o, 2, rowSum[2]);
  if (R > 3) StoreRow(c30, c31, o, 3, rowSum[3]);
  if (R > 4) StoreRow(c40, c41, o, 4, rowSum[4]);
}

// The full 6 x 16 tile needs all 16 ymm registers (12 accumulators, 2 B, the broadcast and a
// product); GCC spills two accumulators of the intrinsics version every iteration, so its
// loop is assembly with fixed registers: ymm0-11 = rows 0-5 x (columns 0-7, 8-15).
#define QTORCH_ROW6(off, lo, hi)                               \
  "vpbroadcastd " #off "(%[a]), %%ymm14\n\t"                   \
  "vpmaddwd %%ymm12, %%ymm14, %%ymm15\n\t"                     \
  "vpaddd %%ymm15, %%ymm" #lo ", %%ymm" #lo "\n\t"              \
  "vpmaddwd %%ymm13, %%ymm14, %%ymm14\n\t"                     \
  "vpaddd %%ymm14, %%ymm" #hi ", %%ymm" #hi "\n\t"
static_assert(kKc * sizeof(int16_t) == 1024, "QTORCH_ROW6 offsets assume rows 1024 bytes apart");
#define QTORCH_LOOP6                                                                        \
  "test %[n], %[n]\n\t"                                                                     \
  "jz 2f\n\t"                                                                               \
  ".p2align 5\n"                                                                            \
  "1:\n\t"                                                                                  \
  "vmovdqa (%[b]), %%ymm12\n\t"                                                             \
  "vmovdqa 32(%[b]), %%ymm13\n\t"                                                           \
  QTORCH_ROW6(0, 0, 1) QTORCH_ROW6(1024, 2, 3) QTORCH_ROW6(2048, 4, 5)                     \
  QTORCH_ROW6(3072, 6, 7) QTORCH_ROW6(4096, 8, 9) QTORCH_ROW6(5120, 10, 11)                \
  "add $4, %[a]\n\t"                                                                        \
  "add $64, %[b]\n\t"                                                                       \
  "dec %[n]\n\t"                                                                            \
  "jnz 1b\n"                                                                                \
  "2:\n\t"
// The 12 accumulators from / to 6 rows of 16 int32 at r0, r0 + ld, r0 + 2 ld, r3, r3 + ld,
// r3 + 2 ld (ld in bytes).
#define QTORCH_ZERO6 \
  "vpxor %%xmm0, %%xmm0, %%xmm0\n\t" \
  "vpxor %%xmm1, %%xmm1, %%xmm1\n\t" \
  "vpxor %%xmm2, %%xmm2, %%xmm2\n\t" \
  "vpxor %%xmm3, %%xmm3, %%xmm3\n\t" \
  "vpxor %%xmm4, %%xmm4, %%xmm4\n\t" \
  "vpxor %%xmm5, %%xmm5, %%xmm5\n\t" \
  "vpxor %%xmm6, %%xmm6, %%xmm6\n\t" \
  "vpxor %%xmm7, %%xmm7, %%xmm7\n\t" \
  "vpxor %%xmm8, %%xmm8, %%xmm8\n\t" \
  "vpxor %%xmm9, %%xmm9, %%xmm9\n\t" \
  "vpxor %%xmm10, %%xmm10, %%xmm10\n\t" \
  "vpxor %%xmm11, %%xmm11, %%xmm11\n\t"
#define QTORCH_LOAD6 \
  "vmovdqu (%[r0]), %%ymm0\n\t" \
  "vmovdqu 32(%[r0]), %%ymm1\n\t" \
  "vmovdqu (%[r0],%[ld]), %%ymm2\n\t" \
  "vmovdqu 32(%[r0],%[ld]), %%ymm3\n\t" \
  "vmovdqu (%[r0],%[ld],2), %%ymm4\n\t" \
  "vmovdqu 32(%[r0],%[ld],2), %%ymm5\n\t" \
  "vmovdqu (%[r3]), %%ymm6\n\t" \
  "vmovdqu 32(%[r3]), %%ymm7\n\t" \
  "vmovdqu (%[r3],%[ld]), %%ymm8\n\t" \
  "vmovdqu 32(%[r3],%[ld]), %%ymm9\n\t" \
  "vmovdqu (%[r3],%[ld],2), %%ymm10\n\t" \
  "vmovdqu 32(%[r3],%[ld],2), %%ymm11\n\t"
#define QTORCH_STORE6 \
  "vmovdqu %%ymm0, (%[r0])\n\t" \
  "vmovdqu %%ymm1, 32(%[r0])\n\t" \
  "vmovdqu %%ymm2, (%[r0],%[ld])\n\t" \
  "vmovdqu %%ymm3, 32(%[r0],%[ld])\n\t" \
  "vmovdqu %%ymm4, (%[r0],%[ld],2)\n\t" \
  "vmovdqu %%ymm5, 32(%[r0],%[ld],2)\n\t" \
  "vmovdqu %%ymm6, (%[r3])\n\t" \
  "vmovdqu %%ymm7, 32(%[r3])\n\t" \
  "vmovdqu %%ymm8, (%[r3],%[ld])\n\t" \
  "vmovdqu %%ymm9, 32(%[r3],%[ld])\n\t" \
  "vmovdqu %%ymm10, (%[r3],%[ld],2)\n\t" \
  "vmovdqu %%ymm11, 32(%[r3],%[ld],2)\n\t"
#define QTORCH_CLOBBER6                                                                                     \
  "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", \
      "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"

// C[6][16] (ldc in elements) = (accumulate ? C : 0) + the tile's sums over np k pairs.
void Sums6x16(const int16_t* a, const int16_t* b, size_t np, int32_t* c, size_t ldc, bool accumulate) {
  const size_t ld = ldc * sizeof(int32_t);
  int32_t* r3 = c + 3 * ldc;
  if (accumulate) {
    __asm__ volatile(QTORCH_LOAD6 QTORCH_LOOP6 QTORCH_STORE6
                     : [a] "+r"(a), [b] "+r"(b), [n] "+r"(np)
                     : [r0] "r"(c), [r3] "r"(r3), [ld] "r"(ld)
                     : QTORCH_CLOBBER6);
  } else {
    __asm__ volatile(QTORCH_ZERO6 QTORCH_LOOP6 QTORCH_STORE6
                     : [a] "+r"(a), [b] "+r"(b), [n] "+r"(np)
                     : [r0] "r"(c), [r3] "r"(r3), [ld] "r"(ld)
                     : QTORCH_CLOBBER6);
  }
}
#undef QTORCH_ROW6
#undef QTORCH_LOOP6
#undef QTORCH_ZERO6
#undef QTORCH_LOAD6
#undef QTORCH_STORE6
#undef QTORCH_CLOBBER6

void Tile6(const int16_t* a, const int16_t* b, size_t np, const TileOut& o, const int32_t* rowSum) {
  for (size_t r = 0; r < 6; ++r) {  // C rows come in from L2 / L3 while the tile computes
    _mm_prefetch(reinterpret_cast<const char*>(o.c + r * o.ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(o.c + r * o.ldc + kNr - 1), _MM_HINT_T0);
  }
  if (o.valid == kNr && !o.zw) return Sums6x16(a, b, np, o.c, o.ldc, o.accumulate);  // the common case
  alignas(32) int32_t sums[6 * kNr];
  Sums6x16(a, b, np, sums, kNr, false);
  for (size_t r = 0; r < 6; ++r) {
    const __m256i* s = reinterpret_cast<const __m256i*>(sums + r * kNr);
    StoreRow(_mm256_load_si256(s), _mm256_load_si256(s + 1), o, r, rowSum[r]);
  }
}

// lo: columns 0-3, hi: columns 4-7, two partial sums each -> the 8 column sums in order.
__m256i FoldPairs(__m256i lo, __m256i hi) {
  // hadd works per 128-bit lane: [c0 c1 c4 c5 | c2 c3 c6 c7]; restore order by qwords 0,2,1,3.
  return _mm256_permute4x64_epi64(_mm256_hadd_epi32(lo, hi), 0xD8);
}

__attribute__((always_inline)) inline __m256i LoadWeights16(const int8_t* p) {
  return _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

// The 4 widened activations of one quad in all 4 qword lanes.
__attribute__((always_inline)) inline __m256i Broadcast64(const int16_t* p) {
  int64_t v;
  __builtin_memcpy(&v, p, 8);
  return _mm256_set1_epi64x(v);
}

// R x 16 tile straight from the packed int8 strip (b: quad rows kPanelQuadBytes apart, 4
// columns x 4 k per 16 bytes): per column two partial sums, folded at the end.
template <size_t R>
void TileDirect(const int16_t* a, const int8_t* b, size_t nq, const TileOut& o, const int32_t* rowSum) {
  __m256i x0 = _mm256_setzero_si256(), x1 = x0, x2 = x0, x3 = x0, y0 = x0, y1 = x0, y2 = x0, y3 = x0;
  for (size_t q = 0; q < nq; ++q) {
    const int8_t* bq = b + q * kPanelQuadBytes;
    // one line per quad row, kPanelQuadBytes apart: weight streaming is this loop's bound
    _mm_prefetch(reinterpret_cast<const char*>(bq + kDirectPrefetch * kPanelQuadBytes), _MM_HINT_T0);
    const __m256i b0 = LoadWeights16(bq), b1 = LoadWeights16(bq + 16), b2 = LoadWeights16(bq + 32), b3 = LoadWeights16(bq + 48);
    const __m256i a0 = Broadcast64(a + 4 * q);
    x0 = _mm256_add_epi32(x0, _mm256_madd_epi16(a0, b0));
    x1 = _mm256_add_epi32(x1, _mm256_madd_epi16(a0, b1));
    x2 = _mm256_add_epi32(x2, _mm256_madd_epi16(a0, b2));
    x3 = _mm256_add_epi32(x3, _mm256_madd_epi16(a0, b3));
    if (R > 1) {
      const __m256i a1 = Broadcast64(a + kKc + 4 * q);
      y0 = _mm256_add_epi32(y0, _mm256_madd_epi16(a1, b0));
      y1 = _mm256_add_epi32(y1, _mm256_madd_epi16(a1, b1));
      y2 = _mm256_add_epi32(y2, _mm256_madd_epi16(a1, b2));
      y3 = _mm256_add_epi32(y3, _mm256_madd_epi16(a1, b3));
    }
  }
  StoreRow(FoldPairs(x0, x1), FoldPairs(x2, x3), o, 0, rowSum[0]);
  if (R > 1) StoreRow(FoldPairs(y0, y1), FoldPairs(y2, y3), o, 1, rowSum[1]);
}

// Rows of one widened A block against one strip: 6-row tiles, then the remainder.
// Lines [from, to) of a packed strip (one per quad row) to L2.
void PrefetchStrip(const int8_t* b, size_t from, size_t to) {
  for (size_t q = from; q < to; ++q) _mm_prefetch(reinterpret_cast<const char*>(b + q * kPanelQuadBytes), _MM_HINT_T1);
}

// next: the packed strip widened after this one (nq lines) or null; its lines are prefetched a
// few per tile, spread out (a burst of them stalls on the miss queue).
void StripWide(const int16_t* a, size_t rows, const int16_t* b, size_t np, TileOut o, const int32_t* rowSum,
               const int8_t* next, size_t nq) {
  // 6-row tiles; a remainder of 1 or 2 rows (loads per multiply-add too high) takes 6 rows
  // from the last full tile and runs as 4 + 3 or 4 + 4.
  size_t full = rows / kMr;
  if (full > 0 && rows % kMr != 0 && rows % kMr <= 2) --full;
  const size_t per = next ? (nq + full) / (full + 1) : 0;
  size_t i = 0;
  for (size_t t = 0; t < full; ++t, i += kMr, o.c += kMr * o.ldc) {
    PrefetchStrip(next, t * per, t * per + per < nq ? t * per + per : nq);
    Tile6(a + i * kKc, b, np, o, rowSum + i);
  }
  PrefetchStrip(next, full * per, nq);
  while (i < rows) {
    const size_t r = rows - i > 6 ? 4 : rows - i;  // 7 -> 4 + 3, 8 -> 4 + 4
    const int16_t* ai = a + i * kKc;
    switch (r) {
      case 6: Tile6(ai, b, np, o, rowSum + i); break;
      case 5: TileWide<5>(ai, b, np, o, rowSum + i); break;
      case 4: TileWide<4>(ai, b, np, o, rowSum + i); break;
      case 3: TileWide<3>(ai, b, np, o, rowSum + i); break;
      case 2: TileWide<2>(ai, b, np, o, rowSum + i); break;
      default: TileWide<1>(ai, b, np, o, rowSum + i); break;
    }
    i += r;
    o.c += r * o.ldc;
  }
}

void StripDirect(const int16_t* a, size_t rows, const int8_t* b, size_t nq, TileOut o, const int32_t* rowSum) {
  size_t i = 0;
  for (; i + 2 <= rows; i += 2, o.c += 2 * o.ldc) TileDirect<2>(a + i * kKc, b, nq, o, rowSum + i);
  if (i < rows) TileDirect<1>(a + i * kKc, b, nq, o, rowSum + i);
}

}  // namespace

void QGemmRangeAvx2(const QGemmRangeArgs& g) {
  const size_t kPadded = (g.k + kQuad - 1) / kQuad * kQuad;
  const size_t strips = (g.n + kNr - 1) / kNr;
  const bool direct = g.m <= kDirectMaxRows;
  int16_t* aw = g.work;
  int16_t* bw = g.work + kMc * kKc;
  alignas(32) int32_t rowSum[kMc];
  alignas(32) int32_t zwStrip[kNr];
  for (size_t k0 = 0; k0 < kPadded; k0 += kKc) {
    const size_t kLen = kPadded - k0 < kKc ? kPadded - k0 : kKc;  // multiple of 4
    const size_t kValid = g.k - k0 < kLen ? g.k - k0 : kLen;
    const int8_t* bBlock = g.b + (k0 / kQuad) * kPanelQuadBytes;
    for (size_t i0 = 0; i0 < g.m; i0 += kMc) {
      const size_t rows = g.m - i0 < kMc ? g.m - i0 : kMc;
      WidenA(g.a + i0 * g.lda + k0, g.lda, rows, kValid, kLen, g.za, aw, rowSum);
      for (size_t s = 0; s < strips; ++s) {
        const size_t col = s * kNr;
        const int8_t* bs = bBlock + (col / kQPanel) * g.panelStride + (col % kQPanel) * kQuad;
        TileOut o{g.c + i0 * g.ldc + col, g.ldc, g.n - col < kNr ? g.n - col : kNr, k0 > 0, nullptr};
        if (g.zw) {
          for (size_t j = 0; j < kNr; ++j) zwStrip[j] = j < o.valid ? g.zw[col + j] : 0;
          o.zw = zwStrip;
        }
        if (direct) {
          StripDirect(aw, rows, bs, kLen / kQuad, o, rowSum);
        } else {
          WidenB(bs, kLen / kQuad, bw);
          const size_t next = col + kNr;  // its packed lines come in while these tiles run
          const int8_t* bn = s + 1 < strips ? bBlock + (next / kQPanel) * g.panelStride + (next % kQPanel) * kQuad : nullptr;
          StripWide(aw, rows, bw, kLen / 2, o, rowSum, bn, kLen / kQuad);
        }
      }
    }
  }
}

}  // namespace qtorch
