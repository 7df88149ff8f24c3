// AVX2 convolution kernels declared in kernels_conv.h: the NCHW requantization of GEMM tiles,
// the channels-last transpose, and the float direct (depthwise) convolution. Bit-identical to
// the baseline code of conv.cc / requant.cc (float32 ops are the same IEEE operations, no
// contraction: kernels.gyp compiles with -ffp-contract=off; the only FMAs are the exact ones of
// the float direct kernel, whose sums are integers below 2^24).
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "qtorch/kernels_conv.h"

namespace qtorch {
namespace {

#define QT_INLINE __attribute__((always_inline)) inline

// One output stage over 8 lanes: one column broadcast, or 8 consecutive columns.
struct Stage8 {
  __m256 mult, fbias, lo, hi;
  __m256i qbias, zp;
  bool floatBias;  // v = (f32(acc) + fbias) * mult; else f32(acc + qbias) * mult
  bool maybeNan;   // a bias or multiplier is not finite, so v may be NaN (which gives 0)
};

QT_INLINE bool Finite(float v) { return v - v == 0.0f; }  // false for inf and NaN

QT_INLINE Stage8 BaseStage(const ConvStageArgs& s) {
  Stage8 r;
  r.fbias = _mm256_setzero_ps();
  r.qbias = _mm256_setzero_si256();
  r.lo = _mm256_set1_ps(s.loRel);
  r.hi = _mm256_set1_ps(s.hiRel);
  r.zp = _mm256_set1_epi32(s.zp);
  r.floatBias = s.fbgemm != 0;
  r.maybeNan = false;
  return r;
}

// Column j broadcast, for sums of magnitude <= 2^24 (the float direct kernel). A qnnpack bias
// of magnitude <= 2^24 is then added in float: both operands and their int32 sum are exact
// integers (no wrap), so f32(acc + qbias) is the rounded float sum.
QT_INLINE Stage8 ColumnStage(const ConvStageArgs& s, size_t j) {
  Stage8 r = BaseStage(s);
  const float mult = s.mult[j];
  float fb = 0.0f;
  if (s.fbgemm) {
    fb = s.fbias[j];
  } else if (s.qbias[j] >= -(1 << 24) && s.qbias[j] <= (1 << 24)) {
    fb = static_cast<float>(s.qbias[j]);
    r.floatBias = true;
  } else {
    r.qbias = _mm256_set1_epi32(s.qbias[j]);
  }
  r.mult = _mm256_set1_ps(mult);
  r.fbias = _mm256_set1_ps(fb);
  r.maybeNan = !Finite(mult) || !Finite(fb);
  return r;
}

// Whether a multiplier or float bias of columns [j0, j1) is not finite (the stage may then make NaN).
QT_INLINE bool AnyNonFinite(const ConvStageArgs& s, size_t j0, size_t j1) {
  const auto bad = [](__m256 v) { return _mm256_cmp_ps(_mm256_sub_ps(v, v), _mm256_setzero_ps(), _CMP_NEQ_UQ); };  // inf, NaN
  __m256 any = _mm256_setzero_ps();
  size_t c = j0;
  for (; c + 8 <= j1; c += 8) {
    any = _mm256_or_ps(any, bad(_mm256_loadu_ps(s.mult + c)));
    if (s.fbgemm) any = _mm256_or_ps(any, bad(_mm256_loadu_ps(s.fbias + c)));
  }
  bool tail = false;
  for (; c < j1; ++c) tail = tail || !Finite(s.mult[c]) || (s.fbgemm && !Finite(s.fbias[c]));
  return tail || _mm256_movemask_ps(any) != 0;
}

// Columns j .. j + 7, for any int32 accumulators; maybeNan as AnyNonFinite says of them (or of more).
QT_INLINE Stage8 ColumnsStage(const ConvStageArgs& s, size_t j, bool maybeNan) {
  Stage8 r = BaseStage(s);
  r.mult = _mm256_loadu_ps(s.mult + j);
  r.maybeNan = maybeNan;
  if (s.fbgemm) {
    r.fbias = _mm256_loadu_ps(s.fbias + j);
  } else {
    r.qbias = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s.qbias + j));
  }
  return r;
}
QT_INLINE Stage8 ColumnsStage(const ConvStageArgs& s, size_t j) { return ColumnsStage(s, j, AnyNonFinite(s, j, j + 8)); }

// numerics.h FinishRequant on 8 lanes: zp + clamp(rint(v)), NaN -> 0. The clamp comes first
// here: rint is monotonic and the bounds are integers, so clamp(rint(v)) = rint(clamp(v)) (and
// RoundEven's approximation for |v| >= 2^22 only ever meets clamped values). cvtps rounds
// half to even, as the reference's magic-number add does.
QT_INLINE __m256i Finish(__m256 v, const Stage8& s) {
  const __m256 c = _mm256_min_ps(_mm256_max_ps(v, s.lo), s.hi);  // NaN -> lo, masked below
  const __m256i q = _mm256_add_epi32(_mm256_cvtps_epi32(c), s.zp);
  if (!s.maybeNan) return q;
  return _mm256_andnot_si256(_mm256_castps_si256(_mm256_cmp_ps(v, v, _CMP_UNORD_Q)), q);
}

// The stage of int32 accumulators.
QT_INLINE __m256i StageInt(__m256i acc, const Stage8& s) {
  const __m256 v = s.floatBias ? _mm256_mul_ps(_mm256_add_ps(_mm256_cvtepi32_ps(acc), s.fbias), s.mult)
                               : _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_add_epi32(acc, s.qbias)), s.mult);
  return Finish(v, s);
}

// The stage of exact integer float sums of magnitude <= 2^24 (f32(acc) is the sum itself).
QT_INLINE __m256i StageFloat(__m256 sum, const Stage8& s) {
  if (s.floatBias) return Finish(_mm256_mul_ps(_mm256_add_ps(sum, s.fbias), s.mult), s);
  return StageInt(_mm256_cvtps_epi32(sum), s);
}

// 8 in-range int32 lanes -> 8 bytes (low half of the result).
QT_INLINE __m128i Pack8(__m256i q, int isSigned) {
  const __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1));
  return isSigned ? _mm_packs_epi16(w, w) : _mm_packus_epi16(w, w);
}

// 4 x 8 in-range int32 lanes -> 32 bytes in order.
QT_INLINE __m256i Pack32(__m256i a, __m256i b, __m256i c, __m256i d, int isSigned) {
  const __m256i ab = _mm256_packs_epi32(a, b), cd = _mm256_packs_epi32(c, d);
  const __m256i bytes = isSigned ? _mm256_packs_epi16(ab, cd) : _mm256_packus_epi16(ab, cd);
  // the packs interleave 128-bit lanes: dwords [a0-3 b0-3 c0-3 d0-3 | a4-7 b4-7 c4-7 d4-7]
  return _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

// 2 x 8 in-range int32 lanes -> 16 bytes in order.
QT_INLINE __m128i Pack16(__m256i a, __m256i b, int isSigned) {
  const __m256i ab = _mm256_permute4x64_epi64(_mm256_packs_epi32(a, b), 0xD8);  // a0-7 b0-7 as int16
  const __m128i lo = _mm256_castsi256_si128(ab), hi = _mm256_extracti128_si256(ab, 1);
  return isSigned ? _mm_packs_epi16(lo, hi) : _mm_packus_epi16(lo, hi);
}

QT_INLINE void Store8(uint8_t* y, __m128i bytes) { _mm_storel_epi64(reinterpret_cast<__m128i*>(y), bytes); }

// Rows r[0..7] of an 8x8 block of staged int32 (columns 0-7, each within the output type's
// range) -> each column's 8 bytes (rows 0-7) at y + column * yStride. Packed to bytes first, so
// the transpose moves 64 bytes (two shuffles and two unpacks) instead of 64 int32.
QT_INLINE void StoreTransposed8x8(const __m256i r[8], int isSigned, uint8_t* y, size_t yStride) {
  // packs work per 128-bit lane: int16 [r0 c0-3, r1 c0-3 | r0 c4-7, r1 c4-7], and so on
  const __m256i p01 = _mm256_packs_epi32(r[0], r[1]), p23 = _mm256_packs_epi32(r[2], r[3]);
  const __m256i p45 = _mm256_packs_epi32(r[4], r[5]), p67 = _mm256_packs_epi32(r[6], r[7]);
  // bytes: lane 0 = rows 0-3 (or 4-7) x columns 0-3 row by row, lane 1 = the same rows x columns 4-7
  const __m256i b0 = isSigned ? _mm256_packs_epi16(p01, p23) : _mm256_packus_epi16(p01, p23);
  const __m256i b1 = isSigned ? _mm256_packs_epi16(p45, p67) : _mm256_packus_epi16(p45, p67);
  // each lane's 4x4 bytes transposed: dword c = column c's 4 rows
  const __m256i t = _mm256_setr_epi8(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15,
                                     0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
  const __m256i t0 = _mm256_shuffle_epi8(b0, t), t1 = _mm256_shuffle_epi8(b1, t);
  // qwords: [column 0, column 1 | column 4, column 5] and [2, 3 | 6, 7], rows 0-7 each
  const __m256i c0145 = _mm256_unpacklo_epi32(t0, t1), c2367 = _mm256_unpackhi_epi32(t0, t1);
  const auto put = [&](__m128i two, size_t c) {  // columns c and c + 1
    Store8(y + c * yStride, two);
    _mm_storeh_pd(reinterpret_cast<double*>(y + (c + 1) * yStride), _mm_castsi128_pd(two));
  };
  put(_mm256_castsi256_si128(c0145), 0);
  put(_mm256_castsi256_si128(c2367), 2);
  put(_mm256_extracti128_si256(c0145, 1), 4);
  put(_mm256_extracti128_si256(c2367, 1), 6);
}

}  // namespace

void RequantNchwAvx2(const RequantBlockArgs& g) {
  uint8_t* y = static_cast<uint8_t*>(g.y);
  for (size_t j0 = 0; j0 + 8 <= g.n; j0 += 8) {
    const Stage8 s = ColumnsStage(g.stage, j0);
    for (size_t i0 = 0; i0 + 8 <= g.m; i0 += 8) {
      __m256i r[8];
      for (int k = 0; k < 8; ++k)
        r[k] = StageInt(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(g.acc + (i0 + k) * g.ldAcc + j0)), s);
      StoreTransposed8x8(r, g.stage.isSigned, y + j0 * g.yStride + i0, g.yStride);
    }
  }
}

void RequantRowsAvx2(const RequantBlockArgs& g) {
  // Row by row (a column-group order strode the int32 rows, 4 KB apart at N = 1024, through the
  // same L1 sets), each 8-column stage loaded where it is used; locals, since the byte stores
  // could alias the argument struct.
  const ConvStageArgs st = g.stage;
  const bool maybeNan = AnyNonFinite(st, 0, g.n);
  const int32_t* acc = g.acc;
  uint8_t* y = static_cast<uint8_t*>(g.y);
  const size_t m = g.m, n = g.n, ldAcc = g.ldAcc, yStride = g.yStride;
  const auto staged = [&](const int32_t* row, size_t j) {
    return StageInt(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(row + j)), ColumnsStage(st, j, maybeNan));
  };
  for (size_t i = 0; i < m; ++i) {
    const int32_t* row = acc + i * ldAcc;
    uint8_t* out = y + i * yStride;
    size_t j = 0;
    for (; j + 32 <= n; j += 32)  // one 32-byte store per 32 columns
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + j),
                          Pack32(staged(row, j), staged(row, j + 8), staged(row, j + 16), staged(row, j + 24), st.isSigned));
    for (; j + 8 <= n; j += 8) Store8(out + j, Pack8(staged(row, j), st.isSigned));
  }
}

namespace {

// Rows r[0..15] of a 16 x 32 byte block (two 16x16 blocks side by side in the 128-bit lanes)
// -> r[k] holds column k in lane 0 and column 16 + k in lane 1. Four rounds of the perfect
// shuffle (row i with row i + 8) transpose a 16x16 byte matrix.
QT_INLINE void Transpose16x16x2(__m256i r[16]) {
  for (int round = 0; round < 4; ++round) {
    __m256i t[16];
    for (int i = 0; i < 8; ++i) {
      t[2 * i] = _mm256_unpacklo_epi8(r[i], r[i + 8]);
      t[2 * i + 1] = _mm256_unpackhi_epi8(r[i], r[i + 8]);
    }
    for (int i = 0; i < 16; ++i) r[i] = t[i];
  }
}

}  // namespace

void ChannelsLastAvx2(const ChannelsLastArgs& g) {
  const uint8_t* x = static_cast<const uint8_t*>(g.x);
  const uint8_t flip = g.isSigned ? 0x80 : 0;
  const __m256i flipv = _mm256_set1_epi8(static_cast<char>(flip));
  const size_t p32 = g.pixels / 32 * 32;
  if (g.c < 16) {
    // Fewer than 16 channels (an RGB stem): one block of c rows (the rest zero); each pixel's
    // 16-byte store overruns into the next pixel's, which is stored after it (the last one
    // into the caller's slack).
    for (size_t p0 = 0; p0 < p32; p0 += 32) {
      __m256i r[16];
      for (size_t k = 0; k < 16; ++k)
        r[k] = k < g.c ? _mm256_xor_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + k * g.hw + p0)), flipv)
                       : _mm256_setzero_si256();
      Transpose16x16x2(r);
      for (int k = 0; k < 16; ++k) _mm_storeu_si128(reinterpret_cast<__m128i*>(g.out + (p0 + k) * g.c), _mm256_castsi256_si128(r[k]));
      for (int k = 0; k < 16; ++k)
        _mm_storeu_si128(reinterpret_cast<__m128i*>(g.out + (p0 + 16 + k) * g.c), _mm256_extracti128_si256(r[k], 1));
    }
  } else {
    const size_t c16 = g.c / 16 * 16;
    for (size_t p0 = 0; p0 < p32; p0 += 32) {
      for (size_t c0 = 0; c0 < c16; c0 += 16) {
        __m256i r[16];
        for (int k = 0; k < 16; ++k)
          r[k] = _mm256_xor_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + (c0 + k) * g.hw + p0)), flipv);
        Transpose16x16x2(r);
        for (int k = 0; k < 16; ++k) {
          _mm_storeu_si128(reinterpret_cast<__m128i*>(g.out + (p0 + k) * g.c + c0), _mm256_castsi256_si128(r[k]));
          _mm_storeu_si128(reinterpret_cast<__m128i*>(g.out + (p0 + 16 + k) * g.c + c0), _mm256_extracti128_si256(r[k], 1));
        }
      }
      // channels past the last multiple of 16
      for (size_t p = p0; p < p0 + 32; ++p)
        for (size_t c = c16; c < g.c; ++c) g.out[p * g.c + c] = x[c * g.hw + p] ^ flip;
    }
  }
  // pixels past the last multiple of 32
  for (size_t p = p32; p < g.pixels; ++p)
    for (size_t c = 0; c < g.c; ++c) g.out[p * g.c + c] = x[c * g.hw + p] ^ flip;
}

namespace {

// 8 bytes -> 8 floats x - zx (exact).
QT_INLINE __m256 Widen8F(__m128i bytes, int isSigned, __m256 zx) {
  const __m256i v = isSigned ? _mm256_cvtepi8_epi32(bytes) : _mm256_cvtepu8_epi32(bytes);
  return _mm256_sub_ps(_mm256_cvtepi32_ps(v), zx);
}

QT_INLINE float ScalarAt(const void* x, size_t i, int isSigned) {
  return isSigned ? static_cast<float>(static_cast<const int8_t*>(x)[i]) : static_cast<float>(static_cast<const uint8_t*>(x)[i]);
}

}  // namespace

void FloatPlaneAvx2(const FloatPlaneArgs& g) {
  if (g.cols <= g.padW) return;
  const size_t ixEnd = g.iw < g.cols - g.padW ? g.iw : g.cols - g.padW;  // image columns held
  const __m256 zx = _mm256_set1_ps(static_cast<float>(g.zx));
  const float zxf = static_cast<float>(g.zx);
  // even bytes to the low 8, odd bytes to the high 8
  const __m128i deinterleave = _mm_setr_epi8(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15);
  for (size_t iy = 0; iy < g.ih && iy + g.padH < g.rows; ++iy) {
    const uint8_t* xr = static_cast<const uint8_t*>(g.x) + iy * g.iw;
    float* row = g.planes + (iy + g.padH) * g.rowStride;
    size_t ix = 0;
    if (g.strideW == 1) {
      float* dst = row + g.padW;
      for (; ix + 8 <= ixEnd; ix += 8)
        _mm256_storeu_ps(dst + ix, Widen8F(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(xr + ix)), g.isSigned, zx));
    } else if (g.strideW == 2) {
      for (; ix + 16 <= ixEnd; ix += 16) {
        const __m128i b = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(xr + ix)), deinterleave);
        const size_t pe = ix + g.padW, po = pe + 1;  // padded columns of the first even / odd byte
        _mm256_storeu_ps(row + (pe % 2) * g.phaseStride + pe / 2, Widen8F(b, g.isSigned, zx));
        _mm256_storeu_ps(row + (po % 2) * g.phaseStride + po / 2, Widen8F(_mm_unpackhi_epi64(b, b), g.isSigned, zx));
      }
    }
    for (; ix < ixEnd; ++ix) {
      const size_t px = ix + g.padW;
      row[(px % g.strideW) * g.phaseStride + px / g.strideW] = ScalarAt(xr, ix, g.isSigned) - zxf;
    }
  }
}

namespace {

// Output columns [ox, ox + 8 * V) of one output row: V independent FMA chains over every tap
// (V up to 8 hides the FMA latency; one broadcast weight serves all V), then the stage. The
// last vector may stop at `valid` < 8 outputs (its inputs past ow are readable: the caller's
// row stride covers whole vectors).
// N vectors of in-range int32 lanes -> 8 * N bytes at y.
template <int N>
QT_INLINE void StoreRow(const __m256i* q, int isSigned, uint8_t* y) {
  int v = 0;
#pragma GCC unroll 2
  for (; v + 4 <= N; v += 4)
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(y + 8 * v), Pack32(q[v], q[v + 1], q[v + 2], q[v + 3], isSigned));
  if (N - v >= 2) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(y + 8 * v), Pack16(q[v], q[v + 1], isSigned));
    v += 2;
  }
  if (N - v == 1) Store8(y + 8 * v, Pack8(q[v], isSigned));
}

template <int V>
QT_INLINE void DirectBlock(const FloatDirectArgs& g, const Stage8& s, const float* base, size_t ox, size_t valid, uint8_t* yr) {
  __m256 acc[V];
#pragma GCC unroll 8
  for (int v = 0; v < V; ++v) acc[v] = _mm256_setzero_ps();
  // locals: the compiler cannot prove the args are not written through the stores below
  const size_t taps = g.taps;
  const float* wt = g.w;
  const ptrdiff_t* off = g.tapOffset;
  const float* in = base + ox;
  for (size_t t = 0; t < taps; ++t) {
    const __m256 w = _mm256_broadcast_ss(wt + t);
    const float* p = in + off[t];
#pragma GCC unroll 8
    for (int v = 0; v < V; ++v) acc[v] = _mm256_fmadd_ps(w, _mm256_loadu_ps(p + 8 * v), acc[v]);
  }
  __m256i q[V];
#pragma GCC unroll 8
  for (int v = 0; v < V; ++v) q[v] = StageFloat(acc[v], s);
  if (valid == 8) {
    StoreRow<V>(q, g.stage.isSigned, yr + ox);
  } else {
    // the last vector is partial: through a buffer
    StoreRow<V - 1>(q, g.stage.isSigned, yr + ox);
    alignas(16) uint8_t tmp[16];
    _mm_store_si128(reinterpret_cast<__m128i*>(tmp), Pack8(q[V - 1], g.stage.isSigned));
    for (size_t i = 0; i < valid; ++i) yr[ox + 8 * (V - 1) + i] = tmp[i];
  }
}

using DirectBlockFn = void (*)(const FloatDirectArgs&, const Stage8&, const float*, size_t, size_t, uint8_t*);
template <int V>
void DirectBlockN(const FloatDirectArgs& g, const Stage8& s, const float* base, size_t ox, size_t valid, uint8_t* yr) {
  DirectBlock<V>(g, s, base, ox, valid, yr);
}
constexpr DirectBlockFn kDirectBlocks[9] = {nullptr, DirectBlockN<1>, DirectBlockN<2>, DirectBlockN<3>, DirectBlockN<4>,
                                            DirectBlockN<5>, DirectBlockN<6>, DirectBlockN<7>, DirectBlockN<8>};

}  // namespace

void FloatDirectAvx2(const FloatDirectArgs& g) {
  const Stage8 s = ColumnStage(g.stage, 0);
  uint8_t* y = static_cast<uint8_t*>(g.y);
  const size_t vecs = (g.ow + 7) / 8;
  for (size_t oy = 0; oy < g.oh; ++oy) {
    const float* base = g.in + oy * g.rowStep;
    uint8_t* yr = y + oy * g.ow;
    // blocks of up to 8 vectors, as even as possible (7 vectors: one block, not 4 + 3)
    const size_t blocks = (vecs + 7) / 8;
    for (size_t bk = 0, v0 = 0; bk < blocks; ++bk) {
      const size_t v1 = vecs * (bk + 1) / blocks, ox = 8 * v0, end = 8 * v1 < g.ow ? 8 * v1 : g.ow;
      kDirectBlocks[v1 - v0](g, s, base, ox, end - 8 * (v1 - 1), yr);
      v0 = v1;
    }
  }
}

}  // namespace qtorch
