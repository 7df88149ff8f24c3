// AVX2 + FMA kernels. INT8 is exact for full-range u8: both operands are widened to int16 and
// multiplied with vpmaddwd, because vpmaddubsw saturates its int16 pair sums for u8 > 127 with
// s8 weights (fbgemm's reduce_range 0..127 is what makes vpmaddubsw safe there).
// INT8 micro-tile: up to 2 rows x 16 columns (8 accumulators of per-column pair sums).
// Also the FP32 GEMM and the elementwise kernels (quantize, dequantize, add, direct-conv rows)
// declared in kernels.h, bit-identical to their baseline loops.
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

float HorizontalSum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// --- elementwise (see kernels.h) --------------------------------------------------------

// 8 bytes -> 8 int32 lanes (zero- or sign-extended).
__attribute__((always_inline)) inline __m256i Widen8(const uint8_t* p, int isSigned) {
  const __m128i v = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p));
  return isSigned ? _mm256_cvtepi8_epi32(v) : _mm256_cvtepu8_epi32(v);
}

// quantize_val on 8 floats: the integer results as float lanes (exact).
__attribute__((always_inline)) inline __m256 Quantize8(__m256 x, __m256 inv, __m256 zp, __m256 qmin, __m256 qmax) {
  const __m256 r = _mm256_round_ps(_mm256_mul_ps(x, inv), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 v = _mm256_add_ps(zp, r);
  const __m256 absv = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), v);
  const __m256 ok = _mm256_cmp_ps(absv, _mm256_set1_ps(9223372036854775808.0f), _CMP_LT_OQ);  // false for NaN
  v = _mm256_blendv_ps(qmin, v, ok);
  return _mm256_min_ps(_mm256_max_ps(v, qmin), qmax);
}

// 4 x 8 in-range integer floats -> 32 bytes in order.
__attribute__((always_inline)) inline void Store32(uint8_t* q, __m256 a, __m256 b, __m256 c, __m256 d, int isSigned) {
  const __m256i ab = _mm256_packs_epi32(_mm256_cvttps_epi32(a), _mm256_cvttps_epi32(b));
  const __m256i cd = _mm256_packs_epi32(_mm256_cvttps_epi32(c), _mm256_cvttps_epi32(d));
  const __m256i bytes = isSigned ? _mm256_packs_epi16(ab, cd) : _mm256_packus_epi16(ab, cd);
  // the packs interleave 128-bit lanes: dwords [a0-3 b0-3 c0-3 d0-3 | a4-7 b4-7 c4-7 d4-7]
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(q), _mm256_permutevar8x32_epi32(bytes, order));
}

constexpr size_t kBlock = 32;

// Runs `body(offset, src pointers...)` on whole blocks of 32, and on the tail through padded
// copies (so the tail needs no scalar code path of its own).
template <typename Body>
__attribute__((always_inline)) inline void Blocks(size_t n, Body body) {
  size_t i = 0;
  for (; i + kBlock <= n; i += kBlock) body(i, false);
  if (i < n) body(i, true);
}

}  // namespace

void QuantizeAvx2(const QuantizeArgs& g) {
  const __m256 inv = _mm256_set1_ps(g.inv), zp = _mm256_set1_ps(g.zp), lo = _mm256_set1_ps(g.qmin), hi = _mm256_set1_ps(g.qmax);
  uint8_t* q = static_cast<uint8_t*>(g.q);
  Blocks(g.n, [&](size_t i, bool tail) {
    float xt[kBlock] = {};
    uint8_t qt[kBlock];
    const size_t len = tail ? g.n - i : kBlock;
    const float* x = g.x + i;
    if (tail) {
      __builtin_memcpy(xt, x, len * sizeof(float));
      x = xt;
    }
    uint8_t* out = tail ? qt : q + i;
    Store32(out, Quantize8(_mm256_loadu_ps(x), inv, zp, lo, hi), Quantize8(_mm256_loadu_ps(x + 8), inv, zp, lo, hi),
            Quantize8(_mm256_loadu_ps(x + 16), inv, zp, lo, hi), Quantize8(_mm256_loadu_ps(x + 24), inv, zp, lo, hi), g.isSigned);
    if (tail) __builtin_memcpy(q + i, qt, len);
  });
}

void DequantizeAvx2(const DequantizeArgs& g) {
  const __m256i zp = _mm256_set1_epi32(g.zp);
  const __m256 s = _mm256_set1_ps(g.scale);
  const uint8_t* q = static_cast<const uint8_t*>(g.q);
  // Large outputs (4x the input, not read back soon) bypass the cache with streaming stores,
  // which also skip reading each output line first; they need 32-byte aligned addresses, so
  // the elements before the first aligned one go through the padded path.
  const bool stream = g.n * sizeof(float) >= (size_t{1} << 22);
  const size_t head = stream ? ((32 - reinterpret_cast<uintptr_t>(g.y) % 32) % 32) / sizeof(float) : 0;
  auto block = [&](size_t i, size_t len, bool nt) {
    uint8_t qt[kBlock] = {};
    float yt[kBlock];
    const uint8_t* src = q + i;
    if (len < kBlock) {
      __builtin_memcpy(qt, src, len);
      src = qt;
    }
    float* y = len < kBlock ? yt : g.y + i;
    for (size_t j = 0; j < kBlock; j += 8) {
      const __m256 v = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(Widen8(src + j, g.isSigned), zp)), s);
      if (nt) {
        _mm256_stream_ps(y + j, v);
      } else {
        _mm256_storeu_ps(y + j, v);
      }
    }
    if (len < kBlock) __builtin_memcpy(g.y + i, yt, len * sizeof(float));
  };
  size_t i = 0;
  if (head > 0 && head < g.n) {
    block(0, head, false);
    i = head;
  }
  for (; i + kBlock <= g.n; i += kBlock) block(i, kBlock, stream && (reinterpret_cast<uintptr_t>(g.y + i) % 32) == 0);
  if (i < g.n) block(i, g.n - i, false);
  if (stream) _mm_sfence();  // order the streaming stores before the result is used
}

namespace {
__attribute__((always_inline)) inline __m256 Dequant8(const uint8_t* p, int isSigned, __m256i zp, __m256 s) {
  return _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(Widen8(p, isSigned), zp)), s);
}
}  // namespace

void QAddAvx2(const QAddArgs& g) {
  const __m256i za = _mm256_set1_epi32(g.za), zb = _mm256_set1_epi32(g.zb);
  const __m256 sa = _mm256_set1_ps(g.sa), sb = _mm256_set1_ps(g.sb), floor = _mm256_set1_ps(g.floor), zero = _mm256_setzero_ps();
  const __m256 inv = _mm256_set1_ps(g.inv), zo = _mm256_set1_ps(g.zo), lo = _mm256_set1_ps(g.qmin), hi = _mm256_set1_ps(g.qmax);
  const uint8_t* a = static_cast<const uint8_t*>(g.a);
  const uint8_t* b = static_cast<const uint8_t*>(g.b);
  uint8_t* y = static_cast<uint8_t*>(g.y);
  Blocks(g.n, [&](size_t i, bool tail) {
    uint8_t at[kBlock] = {}, bt[kBlock] = {}, yt[kBlock];
    const size_t len = tail ? g.n - i : kBlock;
    const uint8_t* pa = a + i;
    const uint8_t* pb = b + i;
    if (tail) {
      __builtin_memcpy(at, pa, len);
      __builtin_memcpy(bt, pb, len);
      pa = at;
      pb = bt;
    }
    __m256 v[4];
    for (int j = 0; j < 4; ++j) {
      const __m256 sum = _mm256_add_ps(Dequant8(pa + 8 * j, g.isSigned, za, sa), Dequant8(pb + 8 * j, g.isSigned, zb, sb));
      // v < floor ? 0 : v (ordered compare: NaN stays)
      v[j] = Quantize8(_mm256_blendv_ps(sum, zero, _mm256_cmp_ps(sum, floor, _CMP_LT_OQ)), inv, zo, lo, hi);
    }
    uint8_t* out = tail ? yt : y + i;
    Store32(out, v[0], v[1], v[2], v[3], g.isSigned);
    if (tail) __builtin_memcpy(y + i, yt, len);
  });
}

void ConvRowAvx2(const ConvRowArgs& g) {
  const __m256i zx = _mm256_set1_epi32(g.zx), w = _mm256_set1_epi32(g.w);
  const uint8_t* x = static_cast<const uint8_t*>(g.x);
  size_t i = 0;
  for (; i + 8 <= g.n; i += 8) {
    __m256i* acc = reinterpret_cast<__m256i*>(g.acc + i);
    const __m256i d = _mm256_sub_epi32(Widen8(x + i, g.isSigned), zx);
    _mm256_storeu_si256(acc, _mm256_add_epi32(_mm256_loadu_si256(acc), _mm256_mullo_epi32(d, w)));
  }
  for (; i < g.n; ++i) {
    const int32_t v = g.isSigned ? static_cast<int32_t>(static_cast<int8_t>(x[i])) : static_cast<int32_t>(x[i]);
    g.acc[i] += (v - g.zx) * g.w;
  }
}

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
