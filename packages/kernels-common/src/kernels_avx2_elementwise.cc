// AVX2 elementwise kernels declared in kernels.h (quantize, dequantize, add, direct-conv rows),
// bit-identical to their baseline loops in elementwise.cc.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "qtorch/kernels.h"

namespace qtorch {
namespace {


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

// Binary ops over 8-bit a and b: `lanes(pa, pb, v)` fills v[0..3] with 32 results (integer
// floats) from 32 bytes of each input; they are stored as 32 bytes of y. The tail goes
// through zero-padded copies.
template <typename Lanes>
__attribute__((always_inline)) inline void BinaryBlocks(const void* av, const void* bv, void* yv, size_t n, int isSigned, Lanes lanes) {
  const uint8_t* a = static_cast<const uint8_t*>(av);
  const uint8_t* b = static_cast<const uint8_t*>(bv);
  uint8_t* y = static_cast<uint8_t*>(yv);
  Blocks(n, [&](size_t i, bool tail) {
    uint8_t at[kBlock] = {}, bt[kBlock] = {}, yt[kBlock];
    const size_t len = tail ? n - i : kBlock;
    const uint8_t* pa = a + i;
    const uint8_t* pb = b + i;
    if (tail) {
      __builtin_memcpy(at, pa, len);
      __builtin_memcpy(bt, pb, len);
      pa = at;
      pb = bt;
    }
    __m256 v[4];
    lanes(pa, pb, v);
    uint8_t* out = tail ? yt : y + i;
    Store32(out, v[0], v[1], v[2], v[3], isSigned);
    if (tail) __builtin_memcpy(y + i, yt, len);
  });
}
}  // namespace

void QAddAvx2(const QAddArgs& g) {
  const __m256i za = _mm256_set1_epi32(g.za), zb = _mm256_set1_epi32(g.zb);
  const __m256 sa = _mm256_set1_ps(g.sa), sb = _mm256_set1_ps(g.sb), floor = _mm256_set1_ps(g.floor), zero = _mm256_setzero_ps();
  const __m256 inv = _mm256_set1_ps(g.inv), zo = _mm256_set1_ps(g.zo), lo = _mm256_set1_ps(g.qmin), hi = _mm256_set1_ps(g.qmax);
  BinaryBlocks(g.a, g.b, g.y, g.n, g.isSigned, [&](const uint8_t* pa, const uint8_t* pb, __m256* v) {
    for (int j = 0; j < 4; ++j) {
      const __m256 sum = _mm256_add_ps(Dequant8(pa + 8 * j, g.isSigned, za, sa), Dequant8(pb + 8 * j, g.isSigned, zb, sb));
      // v < floor ? 0 : v (ordered compare: NaN stays)
      v[j] = Quantize8(_mm256_blendv_ps(sum, zero, _mm256_cmp_ps(sum, floor, _CMP_LT_OQ)), inv, zo, lo, hi);
    }
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

void QMulAvx2(const QMulArgs& g) {
  const __m256i za = _mm256_set1_epi32(g.za), zb = _mm256_set1_epi32(g.zb);
  const __m256 m = _mm256_set1_ps(g.m), lo = _mm256_set1_ps(g.lo), hi = _mm256_set1_ps(g.hi);
  const __m256 zo = _mm256_set1_ps(static_cast<float>(g.zo));
  BinaryBlocks(g.a, g.b, g.y, g.n, g.isSigned, [&](const uint8_t* pa, const uint8_t* pb, __m256* v) {
    for (int j = 0; j < 4; ++j) {
      const __m256i p = _mm256_mullo_epi32(_mm256_sub_epi32(Widen8(pa + 8 * j, g.isSigned), za), _mm256_sub_epi32(Widen8(pb + 8 * j, g.isSigned), zb));
      const __m256 x = _mm256_mul_ps(_mm256_cvtepi32_ps(p), m);
      const __m256 nan = _mm256_cmp_ps(x, x, _CMP_UNORD_Q);
      const __m256 r = _mm256_round_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
      // max_ps returns its second operand for NaN: lo; the NaN lanes become 0 below
      const __m256 c = _mm256_add_ps(_mm256_min_ps(_mm256_max_ps(r, lo), hi), zo);
      v[j] = _mm256_andnot_ps(nan, c);
    }
  });
}

void MaxRowAvx2(void* yv, const void* xv, size_t n, int isSigned) {
  uint8_t* y = static_cast<uint8_t*>(yv);
  const uint8_t* x = static_cast<const uint8_t*>(xv);
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y + i));
    const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + i));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(y + i), isSigned ? _mm256_max_epi8(a, b) : _mm256_max_epu8(a, b));
  }
  for (; i < n; ++i) {
    if (isSigned) {
      const int8_t a = static_cast<int8_t>(y[i]), b = static_cast<int8_t>(x[i]);
      y[i] = static_cast<uint8_t>(a > b ? a : b);
    } else {
      y[i] = y[i] > x[i] ? y[i] : x[i];
    }
  }
}

namespace {
// 32 table lookups. pshufb reads a 16-entry slice and gives 0 where the index byte is negative;
// subtracting 16 per slice turns on slice j exactly for indices >= 16 j among 0..127, so XOR
// deltas of consecutive slices telescope to the right entry. Indices 128..255 run the same on
// x ^ 0x80 with the upper slices, and a sign mask keeps each half's result.
__attribute__((always_inline)) inline __m256i Lut32(__m256i x, const __m256i* lo, const __m256i* hi) {
  const __m256i sixteen = _mm256_set1_epi8(16);
  __m256i a = x, b = _mm256_xor_si256(x, _mm256_set1_epi8(static_cast<char>(0x80)));
  __m256i ya = _mm256_shuffle_epi8(lo[0], a), yb = _mm256_shuffle_epi8(hi[0], b);
  for (int j = 1; j < 8; ++j) {
    a = _mm256_sub_epi8(a, sixteen);
    b = _mm256_sub_epi8(b, sixteen);
    ya = _mm256_xor_si256(ya, _mm256_shuffle_epi8(lo[j], a));
    yb = _mm256_xor_si256(yb, _mm256_shuffle_epi8(hi[j], b));
  }
  const __m256i low = _mm256_cmpgt_epi8(x, _mm256_set1_epi8(-1));  // x < 128
  return _mm256_or_si256(_mm256_and_si256(low, ya), _mm256_andnot_si256(low, yb));
}
}  // namespace

void LutAvx2(const uint8_t* x, size_t n, const uint8_t* table, uint8_t* y) {
  __m256i lo[8], hi[8];
  for (int j = 0; j < 8; ++j) {
    const __m128i t = _mm_loadu_si128(reinterpret_cast<const __m128i*>(table + 16 * j));
    const __m128i u = _mm_loadu_si128(reinterpret_cast<const __m128i*>(table + 128 + 16 * j));
    const __m128i tp = j ? _mm_loadu_si128(reinterpret_cast<const __m128i*>(table + 16 * (j - 1))) : _mm_setzero_si128();
    const __m128i up = j ? _mm_loadu_si128(reinterpret_cast<const __m128i*>(table + 128 + 16 * (j - 1))) : _mm_setzero_si128();
    lo[j] = _mm256_broadcastsi128_si256(_mm_xor_si128(t, tp));
    hi[j] = _mm256_broadcastsi128_si256(_mm_xor_si128(u, up));
  }
  size_t i = 0;
  for (; i + 32 <= n; i += 32)
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(y + i), Lut32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + i)), lo, hi));
  if (i < n) {
    uint8_t xt[32] = {}, yt[32];
    __builtin_memcpy(xt, x + i, n - i);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(yt), Lut32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(xt)), lo, hi));
    __builtin_memcpy(y + i, yt, n - i);
  }
}

}  // namespace qtorch
