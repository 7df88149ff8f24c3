// AVX2 recurrent-cell gates declared in kernels.h (LSTM, GRU, Elman tanh), and their sigmoid /
// tanh on their own: 8 float32 lanes of f32_math.h's sigmoid and tanh (the reference's float32
// algorithm, bit for bit), float32 adds and products in the reference's order.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "qtorch/f32_math.h"
#include "qtorch/kernels.h"
#include "qtorch/scratch.h"

namespace qtorch {
namespace {

// The float32 operations of f32_math.h on 8 lanes.
struct Avx2Ops {
  using V = __m256;
  static V Set(float v) { return _mm256_set1_ps(v); }
  static V Add(V a, V b) { return _mm256_add_ps(a, b); }
  static V Sub(V a, V b) { return _mm256_sub_ps(a, b); }
  static V Mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static V Div(V a, V b) { return _mm256_div_ps(a, b); }
  static V Max(V limit, V v) { return _mm256_max_ps(limit, v); }  // the second operand when either is NaN
  static V Min(V limit, V v) { return _mm256_min_ps(limit, v); }
  static V Abs(V v) { return _mm256_andnot_ps(SignBit(), v); }
  static V Neg(V v) { return _mm256_xor_ps(SignBit(), v); }
  static V Floor(V v) { return _mm256_floor_ps(v); }
  // 2^k from the exponent bits (k integral in [-75, 0]; a NaN lane gives a finite value, and the
  // product it scales is NaN already)
  static V Pow2(V k) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(k), _mm256_set1_epi32(127)), 23));
  }
  static V GreaterEq(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_GE_OQ); }
  static V Select(V m, V a, V b) { return _mm256_blendv_ps(b, a, m); }
  static V CopySign(V magnitude, V sign) { return _mm256_or_ps(Abs(magnitude), _mm256_and_ps(SignBit(), sign)); }
  // the sign bit (a function, not a global: no AVX code may run in static initialization)
  static V SignBit() { return _mm256_set1_ps(-0.0f); }
};

__attribute__((always_inline)) inline __m256 Sigmoid8(__m256 x) { return f32math::Sigmoid<Avx2Ops>(x); }
__attribute__((always_inline)) inline __m256 Tanh8(__m256 x) { return f32math::Tanh<Avx2Ops>(x); }

// Gate block g's pre-activation, 8 lanes: f32(ig + hg).
__attribute__((always_inline)) inline __m256 Pre(const float* ig, const float* hg, size_t n, int g) {
  return _mm256_add_ps(_mm256_loadu_ps(ig + g * n), _mm256_loadu_ps(hg + g * n));
}

// 8 hidden units of each cell; pointers are offset to the first unit, n is the gate block stride.
struct Gru {
  static constexpr int kGates = 3;
  __attribute__((always_inline)) static void Run(const float* ig, const float* hg, size_t n, const float* hx, float*, float* h) {
    const __m256 r = Sigmoid8(Pre(ig, hg, n, 0)), z = Sigmoid8(Pre(ig, hg, n, 1));
    const __m256 nn = Tanh8(_mm256_add_ps(_mm256_loadu_ps(ig + 2 * n), _mm256_mul_ps(r, _mm256_loadu_ps(hg + 2 * n))));
    _mm256_storeu_ps(h, _mm256_add_ps(nn, _mm256_mul_ps(z, _mm256_sub_ps(_mm256_loadu_ps(hx), nn))));
  }
};

struct Tanh {
  static constexpr int kGates = 1;
  __attribute__((always_inline)) static void Run(const float* ig, const float* hg, size_t n, const float*, float*, float* h) {
    _mm256_storeu_ps(h, Tanh8(Pre(ig, hg, n, 0)));
  }
};

// Whole groups of 8 units in place; the last n % 8 through zero-padded copies (same code).
template <typename Cell>
void Row(const RnnGatesArgs& a) {
  constexpr size_t kLanes = 8;
  const size_t n = a.n;
  size_t j = 0;
  for (; j + kLanes <= n; j += kLanes) Cell::Run(a.ig + j, a.hg + j, n, a.h ? a.h + j : nullptr, a.c ? a.c + j : nullptr, a.hOut + j);
  if (j == n) return;
  const size_t rest = n - j;
  float ig[kLanes * Cell::kGates] = {}, hg[kLanes * Cell::kGates] = {}, hx[kLanes] = {}, c[kLanes] = {}, h[kLanes];
  for (int g = 0; g < Cell::kGates; ++g)
    for (size_t t = 0; t < rest; ++t) ig[g * kLanes + t] = a.ig[g * n + j + t], hg[g * kLanes + t] = a.hg[g * n + j + t];
  for (size_t t = 0; t < rest; ++t) {
    if (a.h) hx[t] = a.h[j + t];
    if (a.c) c[t] = a.c[j + t];
  }
  Cell::Run(ig, hg, kLanes, hx, c, h);
  for (size_t t = 0; t < rest; ++t) {
    if (a.c) a.c[j + t] = c[t];
    a.hOut[j + t] = h[t];
  }
}

// out[j] = f(x[j], y[j]) for j < len, 8 lanes at a time, the tail through padded copies. One
// transcendental per iteration and no dependence between iterations: the out-of-order core
// overlaps several (a whole LSTM cell per iteration, 5 chained transcendentals, fits fewer).
template <typename F>
__attribute__((always_inline)) inline void Map2(const float* x, const float* y, size_t len, float* out, F f) {
  size_t j = 0;
  for (; j + 8 <= len; j += 8) _mm256_storeu_ps(out + j, f(_mm256_loadu_ps(x + j), _mm256_loadu_ps(y + j)));
  if (j == len) return;
  alignas(32) float px[8] = {}, py[8] = {}, po[8];
  for (size_t t = 0; j + t < len; ++t) px[t] = x[j + t], py[t] = y[j + t];
  _mm256_store_ps(po, f(_mm256_load_ps(px), _mm256_load_ps(py)));
  for (size_t t = 0; j + t < len; ++t) out[j + t] = po[t];
}

}  // namespace

// LSTM, in passes: the four activations (i, f, g, o) into scratch, then c = f c + i g and
// h = o tanh(c); the same float32 operations in the same order as a cell at a time, ~15% faster.
void LstmGatesAvx2(const RnnGatesArgs& a) {
  const size_t n = a.n;
  float* act = ThreadScratch<float, kScratchLstmGates>(4 * n);
  const auto sigmoid = [](__m256 x, __m256 y) { return Sigmoid8(_mm256_add_ps(x, y)); };
  Map2(a.ig, a.hg, 2 * n, act, sigmoid);  // i, f
  Map2(a.ig + 2 * n, a.hg + 2 * n, n, act + 2 * n, [](__m256 x, __m256 y) { return Tanh8(_mm256_add_ps(x, y)); });  // g
  Map2(a.ig + 3 * n, a.hg + 3 * n, n, act + 3 * n, sigmoid);  // o
  for (size_t j = 0; j < n; ++j) a.c[j] = act[n + j] * a.c[j] + act[j] * act[2 * n + j];
  Map2(a.c, act + 3 * n, n, a.hOut, [](__m256 c, __m256 o) { return _mm256_mul_ps(o, Tanh8(c)); });
}
void GruGatesAvx2(const RnnGatesArgs& args) { Row<Gru>(args); }
void SigmoidF32Avx2(const float* x, size_t n, float* y) { Map2(x, x, n, y, [](__m256 v, __m256) { return Sigmoid8(v); }); }
void TanhF32Avx2(const float* x, size_t n, float* y) { Map2(x, x, n, y, [](__m256 v, __m256) { return Tanh8(v); }); }
void TanhGatesAvx2(const RnnGatesArgs& args) { Row<Tanh>(args); }

}  // namespace qtorch
