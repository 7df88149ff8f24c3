// AVX2 INT8 GEMM (see QGemmRangeAvx2 in kernels.h), two exact paths chosen per A block:
//
// Wide (any u8): both operands are widened to int16 and multiplied with vpmaddwd (vpmaddubsw
// would saturate its int16 pair sums for u8 > 128 with s8 weights). The input zero point is
// folded into the widened activations (a - za), the weight zero points are applied per block
// as zw[j] * rowSum(a - za), so no compensation pass over C is needed.
//
// Narrow (the block's activations within lo..lo + 128, e.g. fbgemm's reduce_range 0..127):
// a - lo as u8 against int8 B with vpmaddubsw + vpmaddwd by ones, which cannot saturate there;
// the shift returns as (lo - za) * the block's column sums, added per column at the store.
//
// Large M (GotoBLAS): A block rows are packed once per K block, each 16-column strip of B is
// widened to int16 in k-pair order ([k/2][16][2]: one ymm = 8 columns x 2 k) or copied as int8
// quads, and stays in L1 while 6-row tiles stream over it: per step, 2 B loads + 6 broadcasts
// feed 12 column-accumulator updates (no horizontal fold). Small M (weight-streaming bound): B
// is read straight from the packed weights.
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
// The narrow path reads int8 B as packed, so up to this many rows it skips the strip copy and
// reads the weights in place (8 rows, the LSTM's batch: 1.2x; 32 rows: a tie).
constexpr size_t kNarrowDirectMaxRows = 16;
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

// The float stage's terms for a strip: its first column's scale and bias, relu, y's row stride.
struct FloatCols {
  const float* scale;
  const float* bias;
  bool relu;
  size_t ldy;
};

// Where a 16-column register tile goes: c (ldc), `valid` columns (1..16), whether to add to C
// (K blocks after the first), the strip's weight zero points (16, zero padded) or null, and
// a per-column term added to every row (16, the narrow path's shift) or null. With y set
// (the last K block of a float-output GEMM), the rows go through the float stage into y
// instead (C, when accumulating, still supplies the earlier blocks' sums).
struct TileOut {  // passed by value: kept small
  int32_t* c;
  size_t ldc;
  size_t valid;
  bool accumulate;
  const int32_t* zw;
  const int32_t* colTerm;
  float* y = nullptr;
  const FloatCols* fc = nullptr;
};

// The tile r rows further down.
__attribute__((always_inline)) inline void NextRows(TileOut& o, size_t r) {
  o.c += r * o.ldc;
  if (o.y) o.y += r * o.fc->ldy;
}

// c[0..16) = (accumulate ? c : 0) + (lo: columns 0-7, hi: 8-15); only the first `valid` columns
// are touched (a partial strip's masked loads / stores never reach the columns past n).
__attribute__((always_inline)) inline void PutRow(int32_t* c, size_t valid, __m256i lo, __m256i hi, bool accumulate) {
  __m256i* d0 = reinterpret_cast<__m256i*>(c);
  __m256i* d1 = reinterpret_cast<__m256i*>(c + 8);
  if (valid == kNr) {
    if (accumulate) {
      lo = _mm256_add_epi32(lo, _mm256_loadu_si256(d0));
      hi = _mm256_add_epi32(hi, _mm256_loadu_si256(d1));
    }
    _mm256_storeu_si256(d0, lo);
    _mm256_storeu_si256(d1, hi);
    return;
  }
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i n = _mm256_set1_epi32(static_cast<int32_t>(valid));
  const __m256i m0 = _mm256_cmpgt_epi32(n, lane);
  const __m256i m1 = _mm256_cmpgt_epi32(n, _mm256_add_epi32(lane, _mm256_set1_epi32(8)));
  if (accumulate) {
    lo = _mm256_add_epi32(lo, _mm256_maskload_epi32(c, m0));
    hi = _mm256_add_epi32(hi, _mm256_maskload_epi32(c + 8, m1));
  }
  _mm256_maskstore_epi32(c, m0, lo);
  _mm256_maskstore_epi32(c + 8, m1, hi);
}

// Row r of a float-output tile: lo = columns 0-7, hi = 8-15 (plus C's partial sums when
// accumulating) through QGemmFloatOut's stage into y. A partial strip's columns past n are
// neither read (scale, bias, C) nor written: masked loads and stores (slow on AMD: only there).
__attribute__((always_inline)) inline void FloatRow(__m256i lo, __m256i hi, const TileOut& o, size_t r) {
  const int32_t* c = o.c + r * o.ldc;
  const FloatCols& fc = *o.fc;
  float* y = o.y + r * fc.ldy;
  const auto stage = [&](__m256i v, __m256 scale, __m256 bias) {
    const __m256 f = _mm256_add_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(v), scale), bias);
    return fc.relu ? _mm256_andnot_ps(_mm256_cmp_ps(f, _mm256_setzero_ps(), _CMP_LT_OQ), f) : f;  // y < 0 -> 0; NaN stays
  };
  if (o.valid == kNr) {
    if (o.accumulate) {
      lo = _mm256_add_epi32(lo, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(c)));
      hi = _mm256_add_epi32(hi, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(c + 8)));
    }
    _mm256_storeu_ps(y, stage(lo, _mm256_loadu_ps(fc.scale), _mm256_loadu_ps(fc.bias)));
    _mm256_storeu_ps(y + 8, stage(hi, _mm256_loadu_ps(fc.scale + 8), _mm256_loadu_ps(fc.bias + 8)));
    return;
  }
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i n = _mm256_set1_epi32(static_cast<int32_t>(o.valid));
  const __m256i m0 = _mm256_cmpgt_epi32(n, lane);
  const __m256i m1 = _mm256_cmpgt_epi32(n, _mm256_add_epi32(lane, _mm256_set1_epi32(8)));
  if (o.accumulate) {
    lo = _mm256_add_epi32(lo, _mm256_maskload_epi32(c, m0));
    hi = _mm256_add_epi32(hi, _mm256_maskload_epi32(c + 8, m1));
  }
  _mm256_maskstore_ps(y, m0, stage(lo, _mm256_maskload_ps(fc.scale, m0), _mm256_maskload_ps(fc.bias, m0)));
  _mm256_maskstore_ps(y + 8, m1, stage(hi, _mm256_maskload_ps(fc.scale + 8, m1), _mm256_maskload_ps(fc.bias + 8, m1)));
}

// Stores one row of a tile: lo = columns 0-7, hi = 8-15; subtracts zw[j] * rowSum, adds colTerm.
__attribute__((always_inline)) inline void StoreRow(__m256i lo, __m256i hi, const TileOut& o, size_t r, int32_t rowSum) {
  int32_t* c = o.c + r * o.ldc;
  if (o.colTerm) {
    lo = _mm256_add_epi32(lo, _mm256_load_si256(reinterpret_cast<const __m256i*>(o.colTerm)));
    hi = _mm256_add_epi32(hi, _mm256_load_si256(reinterpret_cast<const __m256i*>(o.colTerm + 8)));
  }
  if (o.zw) {
    const __m256i rs = _mm256_set1_epi32(rowSum);
    lo = _mm256_sub_epi32(lo, _mm256_mullo_epi32(rs, _mm256_load_si256(reinterpret_cast<const __m256i*>(o.zw))));
    hi = _mm256_sub_epi32(hi, _mm256_mullo_epi32(rs, _mm256_load_si256(reinterpret_cast<const __m256i*>(o.zw + 8))));
  }
  if (o.y) return FloatRow(lo, hi, o, r);
  PutRow(c, o.valid, lo, hi, o.accumulate);
}

__attribute__((always_inline)) inline __m256i Broadcast32(const void* p) {
  int32_t v;
  __builtin_memcpy(&v, p, 4);
  return _mm256_set1_epi32(v);
}

// The two paths' arithmetic per step of a register tile: 4 bytes of an A row (one k pair of
// int16 on the wide path, one k quad of u8 on the narrow path) against one 32-byte B vector
// (8 columns), giving 8 int32 column sums.
struct WidePath {
  static constexpr size_t kRowBytes = kKc * sizeof(int16_t);  // between widened A rows
  __attribute__((always_inline)) static __m256i Dot(__m256i a, __m256i b) { return _mm256_madd_epi16(a, b); }
  static void Sums6x16(const void* a, const void* b, size_t steps, int32_t* c, size_t ldc, bool accumulate, const int32_t* colTerm);
  static void Sums6x16Float(const void* a, const void* b, size_t steps, const int32_t* colTerm, float* y, const FloatCols& fc);
};
struct NarrowPath {
  static constexpr size_t kRowBytes = kKc;  // between shifted u8 A rows
  // a - lo in 0..128 times s8: each int16 pair sum lies in [2 * 128 * -128, 2 * 128 * 127] =
  // [-32768, 32512], so vpmaddubsw never saturates
  __attribute__((always_inline)) static __m256i Dot(__m256i a, __m256i b) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(a, b), _mm256_set1_epi16(1));
  }
  static void Sums6x16(const void* a, const void* b, size_t steps, int32_t* c, size_t ldc, bool accumulate, const int32_t* colTerm);
  static void Sums6x16Float(const void* a, const void* b, size_t steps, const int32_t* colTerm, float* y, const FloatCols& fc);
};

// R x 16 tile over `steps` steps: a = packed rows (Path::kRowBytes apart), b = 64 bytes per
// step, bStride apart (64 for a packed strip; kPanelQuadBytes straight from the weights, with
// prefetching when kStream). Accumulators are named locals (GCC keeps arrays of vectors in memory).
template <class Path, size_t R, bool kStream = false>
void TileRows(const void* a, const void* b, size_t bStride, size_t steps, const TileOut& o, const int32_t* rowSum) {
  const char* ab = static_cast<const char*>(a);
  const char* bb = static_cast<const char*>(b);
  __m256i c00 = _mm256_setzero_si256(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  __m256i c30 = c00, c31 = c00, c40 = c00, c41 = c00;
#define QTORCH_ROW(r)                                                    \
  if (R > r) {                                                           \
    const __m256i av = Broadcast32(ab + r * Path::kRowBytes + 4 * p);    \
    c##r##0 = _mm256_add_epi32(c##r##0, Path::Dot(av, b0));              \
    c##r##1 = _mm256_add_epi32(c##r##1, Path::Dot(av, b1));              \
  }
  for (size_t p = 0; p < steps; ++p) {
    const char* bp = bb + p * bStride;
    // weight streaming is this loop's bound: one line per step, bStride apart
    if (kStream) _mm_prefetch(bp + kDirectPrefetch * bStride, _MM_HINT_T0);
    const __m256i b0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bp));
    const __m256i b1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bp + 32));
    QTORCH_ROW(0) QTORCH_ROW(1) QTORCH_ROW(2) QTORCH_ROW(3) QTORCH_ROW(4)
  }
#undef QTORCH_ROW
  StoreRow(c00, c01, o, 0, rowSum[0]);
  if (R > 1) StoreRow(c10, c11, o, 1, rowSum[1]);
  if (R > 2) StoreRow(c20, c21, o, 2, rowSum[2]);
  if (R > 3) StoreRow(c30, c31, o, 3, rowSum[3]);
  if (R > 4) StoreRow(c40, c41, o, 4, rowSum[4]);
}

// The full 6 x 16 tile: ymm0-11 = rows 0-5 x (columns 0-7, 8-15); GCC spills accumulators of
// the intrinsics version every iteration, so its loop is assembly with fixed registers. B is
// read as the multiplies' memory operands (loads issue on the load ports; a register copy of
// B would leave no room for the narrow path's ones, and its broadcasts and loads of those
// kept the tile at ~85% of the instruction mix's peak: ~90% this way, measured in isolation).
// Wide row: vpmaddwd of the broadcast k pair with each B vector (in ymm12, ymm13: measured
// faster here than memory operands).
#define QTORCH_WIDE_ROW(off, lo, hi)                           \
  "vpbroadcastd " #off "(%[a]), %%ymm14\n\t"                   \
  "vpmaddwd %%ymm12, %%ymm14, %%ymm15\n\t"                     \
  "vpaddd %%ymm15, %%ymm" #lo ", %%ymm" #lo "\n\t"              \
  "vpmaddwd %%ymm13, %%ymm14, %%ymm14\n\t"                     \
  "vpaddd %%ymm14, %%ymm" #hi ", %%ymm" #hi "\n\t"
// Narrow row: vpmaddubsw (u8 broadcast quad x s8 B) to int16 pair sums, vpmaddwd by the ones
// in ymm15.
#define QTORCH_NARROW_ROW(off, lo, hi)                         \
  "vpbroadcastd " #off "(%[a]), %%ymm13\n\t"                   \
  "vpmaddubsw (%[b]), %%ymm13, %%ymm14\n\t"                    \
  "vpmaddwd %%ymm15, %%ymm14, %%ymm14\n\t"                     \
  "vpaddd %%ymm14, %%ymm" #lo ", %%ymm" #lo "\n\t"              \
  "vpmaddubsw 32(%[b]), %%ymm13, %%ymm12\n\t"                  \
  "vpmaddwd %%ymm15, %%ymm12, %%ymm12\n\t"                     \
  "vpaddd %%ymm12, %%ymm" #hi ", %%ymm" #hi "\n\t"
static_assert(WidePath::kRowBytes == 1024 && NarrowPath::kRowBytes == 512, "row offsets of the tile loops");
#define QTORCH_LOOP6(ROWS)                                                                  \
  "test %[n], %[n]\n\t"                                                                     \
  "jz 2f\n\t"                                                                               \
  "vmovdqa (%[ones]), %%ymm15\n\t"                                                          \
  ".p2align 5\n"                                                                            \
  "1:\n\t"                                                                                  \
  ROWS                                                                                      \
  "add $4, %[a]\n\t"                                                                        \
  "add $64, %[b]\n\t"                                                                       \
  "dec %[n]\n\t"                                                                            \
  "jnz 1b\n"                                                                                \
  "2:\n\t"
#define QTORCH_WIDE_ROWS                                                                    \
  "vmovdqa (%[b]), %%ymm12\n\t"                                                             \
  "vmovdqa 32(%[b]), %%ymm13\n\t"                                                           \
  QTORCH_WIDE_ROW(0, 0, 1) QTORCH_WIDE_ROW(1024, 2, 3) QTORCH_WIDE_ROW(2048, 4, 5)          \
  QTORCH_WIDE_ROW(3072, 6, 7) QTORCH_WIDE_ROW(4096, 8, 9) QTORCH_WIDE_ROW(5120, 10, 11)
#define QTORCH_NARROW_ROWS                                                                  \
  QTORCH_NARROW_ROW(0, 0, 1) QTORCH_NARROW_ROW(512, 2, 3) QTORCH_NARROW_ROW(1024, 4, 5)     \
  QTORCH_NARROW_ROW(1536, 6, 7) QTORCH_NARROW_ROW(2048, 8, 9) QTORCH_NARROW_ROW(2560, 10, 11)
// The 12 accumulators from / to 6 rows of 16 int32 at r0, r0 + ld, r0 + 2 ld, r3, r3 + ld,
// r3 + 2 ld (ld in bytes).
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
// The start of every row: the 16 column terms (init) or C plus them (accumulate).
#define QTORCH_INIT6 \
  "vmovdqa (%[ct]), %%ymm0\n\t" \
  "vmovdqa 32(%[ct]), %%ymm1\n\t" \
  "vmovdqa %%ymm0, %%ymm2\n\t" \
  "vmovdqa %%ymm1, %%ymm3\n\t" \
  "vmovdqa %%ymm0, %%ymm4\n\t" \
  "vmovdqa %%ymm1, %%ymm5\n\t" \
  "vmovdqa %%ymm0, %%ymm6\n\t" \
  "vmovdqa %%ymm1, %%ymm7\n\t" \
  "vmovdqa %%ymm0, %%ymm8\n\t" \
  "vmovdqa %%ymm1, %%ymm9\n\t" \
  "vmovdqa %%ymm0, %%ymm10\n\t" \
  "vmovdqa %%ymm1, %%ymm11\n\t"
#define QTORCH_ADD_TERMS6 \
  "vpaddd (%[ct]), %%ymm0, %%ymm0\n\t" \
  "vpaddd 32(%[ct]), %%ymm1, %%ymm1\n\t" \
  "vpaddd (%[ct]), %%ymm2, %%ymm2\n\t" \
  "vpaddd 32(%[ct]), %%ymm3, %%ymm3\n\t" \
  "vpaddd (%[ct]), %%ymm4, %%ymm4\n\t" \
  "vpaddd 32(%[ct]), %%ymm5, %%ymm5\n\t" \
  "vpaddd (%[ct]), %%ymm6, %%ymm6\n\t" \
  "vpaddd 32(%[ct]), %%ymm7, %%ymm7\n\t" \
  "vpaddd (%[ct]), %%ymm8, %%ymm8\n\t" \
  "vpaddd 32(%[ct]), %%ymm9, %%ymm9\n\t" \
  "vpaddd (%[ct]), %%ymm10, %%ymm10\n\t" \
  "vpaddd 32(%[ct]), %%ymm11, %%ymm11\n\t"
// C[6][16] (ldc in elements) = (accumulate ? C : 0) + colTerm (16 values, 32-byte aligned, or
// null) + the tile's sums over `steps` steps.
#define QTORCH_SUMS6(ROWS)                                                                   \
  const size_t ld = ldc * sizeof(int32_t);                                                   \
  int32_t* r3 = c + 3 * ldc;                                                                 \
  alignas(32) static const int16_t ones[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}; \
  alignas(32) static const int32_t zeros[16] = {};                                           \
  const int32_t* ct = colTerm ? colTerm : zeros;                                             \
  if (accumulate) {                                                                          \
    __asm__ volatile(QTORCH_LOAD6 QTORCH_ADD_TERMS6 QTORCH_LOOP6(ROWS) QTORCH_STORE6         \
                     : [a] "+r"(a), [b] "+r"(b), [n] "+r"(steps)                             \
                     : [r0] "r"(c), [r3] "r"(r3), [ld] "r"(ld), [ones] "r"(ones), [ct] "r"(ct) \
                     : QTORCH_CLOBBER6);                                                     \
  } else {                                                                                   \
    __asm__ volatile(QTORCH_INIT6 QTORCH_LOOP6(ROWS) QTORCH_STORE6                           \
                     : [a] "+r"(a), [b] "+r"(b), [n] "+r"(steps)                             \
                     : [r0] "r"(c), [r3] "r"(r3), [ld] "r"(ld), [ones] "r"(ones), [ct] "r"(ct) \
                     : QTORCH_CLOBBER6);                                                     \
  }

// One row's 16 sums (ymm lo, hi) through the float stage into y row at `dst` (a memory operand
// expression): f32(acc) * scale + bias, then max(floor, v) with floor = 0 (relu: v < 0 -> +0,
// -0 and NaN pass as vmaxps returns its second source on ties and NaN) or -inf (identity).
#define QTORCH_FROW(lo, hi, dst, dst32)                          \
  "vcvtdq2ps %%ymm" #lo ", %%ymm" #lo "\n\t"                     \
  "vmulps (%[sc]), %%ymm" #lo ", %%ymm" #lo "\n\t"               \
  "vaddps (%[bi]), %%ymm" #lo ", %%ymm" #lo "\n\t"               \
  "vmaxps %%ymm" #lo ", %%ymm14, %%ymm" #lo "\n\t"               \
  "vmovups %%ymm" #lo ", " dst "\n\t"                           \
  "vcvtdq2ps %%ymm" #hi ", %%ymm" #hi "\n\t"                     \
  "vmulps 32(%[sc]), %%ymm" #hi ", %%ymm" #hi "\n\t"             \
  "vaddps 32(%[bi]), %%ymm" #hi ", %%ymm" #hi "\n\t"             \
  "vmaxps %%ymm" #hi ", %%ymm14, %%ymm" #hi "\n\t"               \
  "vmovups %%ymm" #hi ", " dst32 "\n\t"
#define QTORCH_FSTORE6                                                                       \
  "vbroadcastss (%[fl]), %%ymm14\n\t"                                                       \
  QTORCH_FROW(0, 1, "(%[y0])", "32(%[y0])") QTORCH_FROW(2, 3, "(%[y0],%[ldy])", "32(%[y0],%[ldy])") \
  QTORCH_FROW(4, 5, "(%[y0],%[ldy],2)", "32(%[y0],%[ldy],2)") QTORCH_FROW(6, 7, "(%[y3])", "32(%[y3])") \
  QTORCH_FROW(8, 9, "(%[y3],%[ldy])", "32(%[y3],%[ldy])") QTORCH_FROW(10, 11, "(%[y3],%[ldy],2)", "32(%[y3],%[ldy],2)")
// The float-output tile (single K block): colTerm (or 0) + the sums, through the float stage
// straight from the registers into 6 rows of y (fc.ldy apart): no int32 round trip.
#define QTORCH_SUMS6_FLOAT(ROWS)                                                             \
  alignas(32) static const int16_t ones[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}; \
  alignas(32) static const int32_t zeros[16] = {};                                           \
  static const float floors[2] = {-__builtin_inff(), 0.0f};                                  \
  const int32_t* ct = colTerm ? colTerm : zeros;                                             \
  const size_t ldy = fc.ldy * sizeof(float);                                                 \
  float* y3 = y + 3 * fc.ldy;                                                                \
  __asm__ volatile(QTORCH_INIT6 QTORCH_LOOP6(ROWS) QTORCH_FSTORE6                            \
                   : [a] "+r"(a), [b] "+r"(b), [n] "+r"(steps)                               \
                   : [y0] "r"(y), [y3] "r"(y3), [ldy] "r"(ldy), [ones] "r"(ones), [ct] "r"(ct), \
                     [sc] "r"(fc.scale), [bi] "r"(fc.bias), [fl] "r"(floors + (fc.relu ? 1 : 0)) \
                   : QTORCH_CLOBBER6);

void WidePath::Sums6x16(const void* a, const void* b, size_t steps, int32_t* c, size_t ldc, bool accumulate, const int32_t* colTerm) {
  QTORCH_SUMS6(QTORCH_WIDE_ROWS)
}
void NarrowPath::Sums6x16(const void* a, const void* b, size_t steps, int32_t* c, size_t ldc, bool accumulate, const int32_t* colTerm) {
  QTORCH_SUMS6(QTORCH_NARROW_ROWS)
}
void WidePath::Sums6x16Float(const void* a, const void* b, size_t steps, const int32_t* colTerm, float* y, const FloatCols& fc) {
  QTORCH_SUMS6_FLOAT(QTORCH_WIDE_ROWS)
}
void NarrowPath::Sums6x16Float(const void* a, const void* b, size_t steps, const int32_t* colTerm, float* y, const FloatCols& fc) {
  QTORCH_SUMS6_FLOAT(QTORCH_NARROW_ROWS)
}
#undef QTORCH_FROW
#undef QTORCH_FSTORE6
#undef QTORCH_SUMS6_FLOAT
#undef QTORCH_WIDE_ROW
#undef QTORCH_NARROW_ROW
#undef QTORCH_WIDE_ROWS
#undef QTORCH_NARROW_ROWS
#undef QTORCH_LOOP6
#undef QTORCH_INIT6
#undef QTORCH_ADD_TERMS6
#undef QTORCH_LOAD6
#undef QTORCH_STORE6
#undef QTORCH_CLOBBER6
#undef QTORCH_SUMS6

template <class Path>
void Tile6(const void* a, const void* b, size_t steps, const TileOut& o, const int32_t* rowSum) {
  for (size_t r = 0; r < 6; ++r) {  // the output rows come in from L2 / L3 while the tile computes
    if (o.y) {
      _mm_prefetch(reinterpret_cast<const char*>(o.y + r * o.fc->ldy), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(o.y + r * o.fc->ldy + kNr - 1), _MM_HINT_T0);
      if (!o.accumulate) continue;
    }
    _mm_prefetch(reinterpret_cast<const char*>(o.c + r * o.ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(o.c + r * o.ldc + kNr - 1), _MM_HINT_T0);
  }
  if (o.valid == kNr && !o.zw) {  // the common cases, straight from the registers
    if (!o.y) return Path::Sums6x16(a, b, steps, o.c, o.ldc, o.accumulate, o.colTerm);
    if (!o.accumulate) return Path::Sums6x16Float(a, b, steps, o.colTerm, o.y, *o.fc);
  }
  alignas(32) int32_t sums[6 * kNr];
  Path::Sums6x16(a, b, steps, sums, kNr, false, nullptr);
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

// Wide R x 16 tile straight from the packed int8 strip (b: quad rows kPanelQuadBytes apart, 4
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

// Lines [from, to) of a packed strip (one per quad row) to L2.
void PrefetchStrip(const int8_t* b, size_t from, size_t to) {
  for (size_t q = from; q < to; ++q) _mm_prefetch(reinterpret_cast<const char*>(b + q * kPanelQuadBytes), _MM_HINT_T1);
}

// One TileRows tile of r (1..5) rows, the row count chosen at run time.
template <class Path, bool kStream = false>
void TileRowsOf(size_t r, const void* a, const void* b, size_t bStride, size_t steps, const TileOut& o, const int32_t* rowSum) {
  switch (r) {
    case 5: return TileRows<Path, 5, kStream>(a, b, bStride, steps, o, rowSum);
    case 4: return TileRows<Path, 4, kStream>(a, b, bStride, steps, o, rowSum);
    case 3: return TileRows<Path, 3, kStream>(a, b, bStride, steps, o, rowSum);
    case 2: return TileRows<Path, 2, kStream>(a, b, bStride, steps, o, rowSum);
    default: return TileRows<Path, 1, kStream>(a, b, bStride, steps, o, rowSum);
  }
}

// Rows of one packed A block against one packed strip (64 bytes per step): 6-row tiles, then
// the remainder. next: the packed strip prepared after this one (nq lines) or null; its lines
// are prefetched a few per tile, spread out (a burst of them stalls on the miss queue).
template <class Path>
void StripTiles(const char* a, size_t rows, const void* b, size_t steps, TileOut o, const int32_t* rowSum,
                const int8_t* next, size_t nq) {
  // 6-row tiles; a remainder of 1 or 2 rows (loads per multiply-add too high) takes 6 rows
  // from the last full tile and runs as 4 + 3 or 4 + 4.
  size_t full = rows / kMr;
  if (full > 0 && rows % kMr != 0 && rows % kMr <= 2) --full;
  const size_t per = next ? (nq + full) / (full + 1) : 0;
  size_t i = 0;
  for (size_t t = 0; t < full; ++t, i += kMr, NextRows(o, kMr)) {
    PrefetchStrip(next, t * per, t * per + per < nq ? t * per + per : nq);
    Tile6<Path>(a + i * Path::kRowBytes, b, steps, o, rowSum + i);
  }
  PrefetchStrip(next, full * per, nq);
  while (i < rows) {
    const size_t r = rows - i > 6 ? 4 : rows - i;  // 7 -> 4 + 3, 8 -> 4 + 4
    const char* ai = a + i * Path::kRowBytes;
    if (r == 6) {
      Tile6<Path>(ai, b, steps, o, rowSum + i);
    } else {
      TileRowsOf<Path>(r, ai, b, 64, steps, o, rowSum + i);
    }
    i += r;
    NextRows(o, r);
  }
}

void StripDirect(const int16_t* a, size_t rows, const int8_t* b, size_t nq, TileOut o, const int32_t* rowSum) {
  size_t i = 0;
  for (; i + 2 <= rows; i += 2, NextRows(o, 2)) TileDirect<2>(a + i * kKc, b, nq, o, rowSum + i);
  if (i < rows) TileDirect<1>(a + i * kKc, b, nq, o, rowSum + i);
}

// Narrow path, few rows: B read straight from the packed weights (quad rows kPanelQuadBytes
// apart) by tiles of up to 4 rows.
void StripDirectNarrow(const uint8_t* a, size_t rows, const int8_t* b, size_t nq, TileOut o, const int32_t* rowSum) {
  for (size_t i = 0; i < rows;) {
    const size_t r = rows - i >= 4 ? 4 : rows - i;
    TileRowsOf<NarrowPath, true>(r, a + i * kKc, b, kPanelQuadBytes, nq, o, rowSum + i);
    i += r;
    NextRows(o, r);
  }
}

// One row against a whole 64-column panel of one K block (nq quad rows), B read in place: the
// panel's quad rows are contiguous, so batch-1 weight streaming is one sequential read (a
// 16-column strip takes every 4th line). out: 8 vectors of 8 column sums.
void PanelRowNarrow(const uint8_t* a, const int8_t* b, size_t nq, __m256i* out) {
  __m256i c0 = _mm256_setzero_si256(), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
  for (size_t q = 0; q < nq; ++q) {
    const int8_t* bq = b + q * kPanelQuadBytes;
    const __m256i av = Broadcast32(a + 4 * q);
#define QTORCH_COLS(i) c##i = _mm256_add_epi32(c##i, NarrowPath::Dot(av, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bq + 32 * i))));
    QTORCH_COLS(0) QTORCH_COLS(1) QTORCH_COLS(2) QTORCH_COLS(3) QTORCH_COLS(4) QTORCH_COLS(5) QTORCH_COLS(6) QTORCH_COLS(7)
#undef QTORCH_COLS
  }
  out[0] = c0, out[1] = c1, out[2] = c2, out[3] = c3, out[4] = c4, out[5] = c5, out[6] = c6, out[7] = c7;
}

// ---- Narrow path packing ----

// Bytes 0..31 (a function, not a global: no AVX code may run in static initialization).
__attribute__((always_inline)) inline __m256i LaneIndex() {
  return _mm256_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31);
}

// Whether rows x kLen bytes of A (lda apart) lie within lo..lo + 128; *lo = their minimum.
bool NarrowRange(const uint8_t* a, size_t lda, size_t rows, size_t kLen, uint8_t* lo) {
  __m256i mn = _mm256_set1_epi8(-1), mx = _mm256_setzero_si256();
  uint8_t smn = 255, smx = 0;
  for (size_t r = 0; r < rows; ++r) {
    const uint8_t* ar = a + r * lda;
    size_t t = 0;
    for (; t + 32 <= kLen; t += 32) {
      const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ar + t));
      mn = _mm256_min_epu8(mn, v);
      mx = _mm256_max_epu8(mx, v);
    }
    if (t < kLen && kLen >= 32) {  // the tail as the row's last 32 bytes (rereading some is harmless here)
      const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ar + kLen - 32));
      mn = _mm256_min_epu8(mn, v);
      mx = _mm256_max_epu8(mx, v);
      t = kLen;
    }
    for (; t < kLen; ++t) {  // rows shorter than 32 bytes
      smn = ar[t] < smn ? ar[t] : smn;
      smx = ar[t] > smx ? ar[t] : smx;
    }
  }
  alignas(32) uint8_t vmn[32], vmx[32];
  _mm256_store_si256(reinterpret_cast<__m256i*>(vmn), mn);
  _mm256_store_si256(reinterpret_cast<__m256i*>(vmx), mx);
  for (size_t i = 0; i < 32; ++i) {
    smn = vmn[i] < smn ? vmn[i] : smn;
    smx = vmx[i] > smx ? vmx[i] : smx;
  }
  *lo = smn;
  return smx - smn <= 128;
}

// Full-range activations through the narrow path: the block is packed clamped to a 129-value
// window [lo, lo + 128] and the few values outside it (randn-like activations: the tails) are
// corrected exactly afterwards, each adding (a - clamp(a)) * w[k, :] to its row. Worth it when
// the outliers are few (each costs about N / 2 cycles, the narrow tiles save ~N / 100 per
// value) and the strips are many (the window search reads the block once more).
struct Outlier {
  uint16_t row;  // within the A block
  uint16_t k;    // within the K block
  int32_t excess;  // a - clamp(a, lo, lo + 128), nonzero
};
constexpr size_t kOutlierShare = 64;  // at most 1 / 64 of a block's values
constexpr size_t kOutlierMaxEntries = kMc * kKc / kOutlierShare;
constexpr size_t kOutlierMinColumns = 128;
// From this many rows the window is chosen from every kWindowRowStep-th row's values: the
// histogram (scalar increments, ~1.5 cycles a byte) cost a full-range 1x1 conv ~8% of its time.
// Any window gives exact results (PackANarrow counts the true outliers); the sample only steers.
constexpr size_t kWindowSampleMinRows = 32;
constexpr size_t kWindowRowStep = 4;

// The 129-value window holding most of the block's values (estimated from a sample of its rows
// when tall): its low end, and about how many values lie outside it.
size_t BestWindow(const uint8_t* a, size_t lda, size_t rows, size_t kLen, uint8_t* lo) {
  const size_t step = rows >= kWindowSampleMinRows ? kWindowRowStep : 1;
  const size_t sampled = (rows + step - 1) / step;
  uint32_t hist[4][256] = {};  // 4 interleaved histograms: consecutive equal bytes do not serialize
  for (size_t r = 0; r < rows; r += step) {
    const uint8_t* ar = a + r * lda;
    size_t t = 0;
    for (; t + 4 <= kLen; t += 4) ++hist[0][ar[t]], ++hist[1][ar[t + 1]], ++hist[2][ar[t + 2]], ++hist[3][ar[t + 3]];
    for (; t < kLen; ++t) ++hist[0][ar[t]];
  }
  uint32_t count[256];
  for (size_t v = 0; v < 256; ++v) count[v] = hist[0][v] + hist[1][v] + hist[2][v] + hist[3][v];
  uint32_t inside = 0;
  for (size_t v = 0; v <= 128; ++v) inside += count[v];
  uint32_t best = inside;
  size_t bestLo = 0;
  for (size_t v = 1; v + 128 < 256; ++v) {  // slide [v, v + 128]
    inside += count[v + 128] - count[v - 1];
    if (inside > best) best = inside, bestLo = v;
  }
  *lo = static_cast<uint8_t>(bestLo);
  return (sampled * kLen - best) * rows / sampled;
}

// rows x kPad bytes at w (row stride kKc): clamp(a, lo, lo + 128) - lo for t < kLen, 0 up to
// kPad; the clamped-off parts go to `out` (in row order; none when the block lies within the
// window, as NarrowRange's does), their count is returned. rowSum[r] = sum of the true a - za
// over the row (int32, wrapping), what the weight zero points multiply. At most `capacity`
// outliers are recorded: a larger count returned means the block must take the wide path.
size_t PackANarrow(const uint8_t* a, size_t lda, size_t rows, size_t kLen, size_t kPad, uint8_t lo, int32_t za,
                   uint8_t* w, int32_t* rowSum, Outlier* out, size_t capacity) {
  const __m256i lov = _mm256_set1_epi8(static_cast<char>(lo));
  const uint8_t hi = lo > 127 ? 255 : static_cast<uint8_t>(lo + 128);  // the window's top, within u8
  const __m256i hiv = _mm256_set1_epi8(static_cast<char>(hi));
  const uint32_t shift = static_cast<uint32_t>(kLen) * static_cast<uint32_t>(static_cast<int32_t>(lo) - za);
  size_t count = 0;
  for (size_t r = 0; r < rows; ++r) {
    const uint8_t* ar = a + r * lda;
    uint8_t* wr = w + r * kKc;
    uint32_t total = 0;
    const auto record = [&](size_t t, uint8_t v, uint8_t clamped) {
      const int32_t e = static_cast<int32_t>(v) - static_cast<int32_t>(clamped);
      if (count < capacity) out[count] = Outlier{static_cast<uint16_t>(r), static_cast<uint16_t>(t), e};
      ++count;
      total += static_cast<uint32_t>(e);
    };
    __m256i sum = _mm256_setzero_si256();
    // 32 bytes from t, of which lanes >= skip are new (the tail overlaps what is done: its
    // stores repeat the same bytes, its sums and outliers skip the overlap)
    const auto chunk = [&](size_t t, uint32_t skip) {
      const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ar + t));
      const __m256i c = _mm256_min_epu8(_mm256_max_epu8(v, lov), hiv);
      const __m256i d = _mm256_sub_epi8(c, lov);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(wr + t), d);
      const uint32_t fresh = skip == 0 ? ~0u : ~0u << skip;
      const __m256i keep = _mm256_cmpgt_epi8(LaneIndex(), _mm256_set1_epi8(static_cast<char>(skip) - 1));
      sum = _mm256_add_epi64(sum, _mm256_sad_epu8(_mm256_and_si256(d, keep), _mm256_setzero_si256()));
      for (uint32_t m = ~static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, c))) & fresh; m; m &= m - 1) {
        const size_t i = static_cast<size_t>(__builtin_ctz(m));
        record(t + i, ar[t + i], wr[t + i] + lo);
      }
    };
    size_t t = 0;
    for (; t + 32 <= kLen; t += 32) chunk(t, 0);
    if (t < kLen && kLen >= 32) {
      chunk(kLen - 32, static_cast<uint32_t>(t - (kLen - 32)));
      t = kLen;
    }
    alignas(32) uint64_t parts[4];
    _mm256_store_si256(reinterpret_cast<__m256i*>(parts), sum);
    total += static_cast<uint32_t>(parts[0] + parts[1] + parts[2] + parts[3]);
    for (; t < kLen; ++t) {  // rows shorter than 32 bytes
      const uint8_t v = ar[t];
      const uint8_t c = v < lo ? lo : v > hi ? hi : v;
      wr[t] = static_cast<uint8_t>(c - lo);
      total += wr[t];
      if (c != v) record(t, v, c);
    }
    for (; t < kPad; ++t) wr[t] = 0;
    rowSum[r] = static_cast<int32_t>(total + shift);
  }
  return count;
}

// C[row, strip columns] += excess * w[k, strip columns] for each outlier; b is the strip copied
// by CopyStrip (64 bytes per quad row: column c's 4 k values at 4c).
void AddOutliers(const Outlier* out, size_t count, const int8_t* b, const TileOut& o) {
  for (size_t i = 0; i < count; ++i) {
    const Outlier& x = out[i];
    const int8_t* bq = b + (x.k / kQuad) * 64;
    // byte k % 4 of each column's dword, sign-extended: shift it to the top, then back down
    const __m128i up = _mm_cvtsi32_si128(static_cast<int>(24 - 8 * (x.k % kQuad)));
    const __m256i e = _mm256_set1_epi32(x.excess);
    const __m256i w0 = _mm256_sra_epi32(_mm256_sll_epi32(_mm256_load_si256(reinterpret_cast<const __m256i*>(bq)), up), _mm_cvtsi32_si128(24));
    const __m256i w1 = _mm256_sra_epi32(_mm256_sll_epi32(_mm256_load_si256(reinterpret_cast<const __m256i*>(bq + 32)), up), _mm_cvtsi32_si128(24));
    PutRow(o.c + x.row * o.ldc, o.valid, _mm256_mullo_epi32(e, w0), _mm256_mullo_epi32(e, w1), true);
  }
}

// The float stage of a strip whose final int32 sums are in C (rows x valid columns).
void FloatRowsFromC(size_t rows, TileOut o) {
  o.accumulate = true;  // FloatRow adds C to the (zero) sums
  for (size_t r = 0; r < rows; ++r) FloatRow(_mm256_setzero_si256(), _mm256_setzero_si256(), o, r);
}

// One 16-column strip of a packed K block (nq quad rows, kPanelQuadBytes apart) copied to
// contiguous 64-byte steps, so the tiles' B stays in few L1 sets.
void CopyStrip(const int8_t* b, size_t nq, int8_t* w) {
  for (size_t q = 0; q < nq; ++q) {
    const __m256i* src = reinterpret_cast<const __m256i*>(b + q * kPanelQuadBytes);
    __m256i* dst = reinterpret_cast<__m256i*>(w + q * 64);
    _mm256_store_si256(dst, _mm256_loadu_si256(src));
    _mm256_store_si256(dst + 1, _mm256_loadu_si256(src + 1));
  }
}

}  // namespace

void QGemmRangeAvx2(const QGemmRangeArgs& g) {
  const size_t kPadded = (g.k + kQuad - 1) / kQuad * kQuad;
  const size_t strips = (g.n + kNr - 1) / kNr;
  const bool direct = g.m <= kDirectMaxRows;
  int16_t* aw = g.work;
  int16_t* bw = g.work + kMc * kKc;
  uint8_t* aNarrow = reinterpret_cast<uint8_t*>(aw);  // the narrow path's A block and strip share the buffers
  int8_t* bNarrow = reinterpret_cast<int8_t*>(bw);
  alignas(32) int32_t rowSum[kMc];
  alignas(32) int32_t zwStrip[kNr];
  alignas(32) int32_t colTerm[kNr];
  FloatCols floatCols;  // the current strip's (stripOut)
  Outlier outlierList[kOutlierMaxEntries];
  for (size_t k0 = 0; k0 < kPadded; k0 += kKc) {
    const size_t kLen = kPadded - k0 < kKc ? kPadded - k0 : kKc;  // multiple of 4
    const size_t kValid = g.k - k0 < kLen ? g.k - k0 : kLen;
    const int8_t* bBlock = g.b + (k0 / kQuad) * kPanelQuadBytes;
    const int32_t* colSums = g.blockColSums + (k0 / kKc) * g.blockColSumStride;
    const QGemmFloatOut* fo = k0 + kKc >= kPadded ? g.floatOut : nullptr;  // the last block's epilogue
    for (size_t i0 = 0; i0 < g.m; i0 += kMc) {
      const size_t rows = g.m - i0 < kMc ? g.m - i0 : kMc;
      const uint8_t* a = g.a + i0 * g.lda + k0;
      uint8_t lo = 0;
      // Narrow when the block fits one 129-value window, or when few values fall outside the best
      // one (their correction needs the copied strips, not the in-place small-M paths: > 16 rows)
      bool narrow = NarrowRange(a, g.lda, rows, kValid, &lo) ||
                    (rows > kNarrowDirectMaxRows && g.n >= kOutlierMinColumns &&
                     BestWindow(a, g.lda, rows, kValid, &lo) <= rows * kValid / kOutlierShare);
      size_t outliers = 0;
      if (narrow) {
        outliers = PackANarrow(a, g.lda, rows, kValid, kLen, lo, g.za, aNarrow, rowSum, outlierList, kOutlierMaxEntries);
        narrow = outliers <= kOutlierMaxEntries;  // more than the sample suggested: wide after all
      }
      if (!narrow) {
        WidenA(a, g.lda, rows, kValid, kLen, g.za, aw, rowSum);
      }
      // sum (a - za) b = sum (a - lo) b + (lo - za) * colSum(b)
      const uint32_t shift = static_cast<uint32_t>(static_cast<int32_t>(lo) - g.za);
      auto stripOut = [&](size_t col) {  // where the 16 columns from col go, with their terms
        TileOut o{g.c + i0 * g.ldc + col, g.ldc, g.n - col < kNr ? g.n - col : kNr, k0 > 0, nullptr, nullptr};
        if (g.zw) {
          for (size_t j = 0; j < kNr; ++j) zwStrip[j] = j < o.valid ? g.zw[col + j] : 0;
          o.zw = zwStrip;
        }
        if (narrow && shift != 0) {
          for (size_t j = 0; j < kNr; ++j)
            colTerm[j] = j < o.valid ? static_cast<int32_t>(shift * static_cast<uint32_t>(colSums[col + j])) : 0;
          o.colTerm = colTerm;
        }
        if (fo) {
          floatCols = {fo->scale + col, fo->bias + col, fo->relu != 0, fo->ldy};
          o.y = fo->y + i0 * fo->ldy + col;
          o.fc = &floatCols;
        }
        return o;
      };
      if (narrow && rows == 1) {
        for (size_t p = 0; p * kQPanel < g.n; ++p) {
          alignas(32) __m256i sums[2 * kQPanel / kNr];
          PanelRowNarrow(aNarrow, bBlock + p * g.panelStride, kLen / kQuad, sums);
          for (size_t col = p * kQPanel; col < g.n && col < (p + 1) * kQPanel; col += kNr) {
            const __m256i* v = sums + 2 * (col % kQPanel / kNr);
            StoreRow(v[0], v[1], stripOut(col), 0, rowSum[0]);
          }
        }
        continue;
      }
      for (size_t s = 0; s < strips; ++s) {
        const size_t col = s * kNr;
        const int8_t* bs = bBlock + (col / kQPanel) * g.panelStride + (col % kQPanel) * kQuad;
        const TileOut o = stripOut(col);
        const size_t next = col + kNr;  // its packed lines come in while these tiles run
        const int8_t* bn = s + 1 < strips ? bBlock + (next / kQPanel) * g.panelStride + (next % kQPanel) * kQuad : nullptr;
        if (narrow && g.m <= kNarrowDirectMaxRows) {
          StripDirectNarrow(aNarrow, rows, bs, kLen / kQuad, o, rowSum);
        } else if (narrow) {
          CopyStrip(bs, kLen / kQuad, bNarrow);
          if (!outliers) {
            StripTiles<NarrowPath>(reinterpret_cast<const char*>(aNarrow), rows, bNarrow, kLen / kQuad, o, rowSum, bn, kLen / kQuad);
          } else {  // the corrections go into the int32 sums, before any float stage
            TileOut sums = o;
            sums.y = nullptr;
            StripTiles<NarrowPath>(reinterpret_cast<const char*>(aNarrow), rows, bNarrow, kLen / kQuad, sums, rowSum, bn, kLen / kQuad);
            AddOutliers(outlierList, outliers, bNarrow, sums);
            if (o.y) FloatRowsFromC(rows, o);
          }
        } else if (direct) {
          StripDirect(aw, rows, bs, kLen / kQuad, o, rowSum);
        } else {
          WidenB(bs, kLen / kQuad, bw);
          StripTiles<WidePath>(reinterpret_cast<const char*>(aw), rows, bw, kLen / 2, o, rowSum, bn, kLen / kQuad);
        }
      }
    }
  }
}

}  // namespace qtorch
