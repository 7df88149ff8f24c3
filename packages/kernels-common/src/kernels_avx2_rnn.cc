// AVX2 recurrent-cell gates declared in kernels.h (LSTM, GRU, Elman tanh). The reference
// evaluates sigmoid and tanh in double (Math.exp / Math.tanh) and rounds to float32, so these
// do too: 4 double lanes, exp / expm1 from one range reduction and a degree-13 Taylor
// polynomial (relative error ~1e-16, far below float32's 6e-8), float32 adds and products.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "qtorch/kernels.h"
#include "qtorch/scratch.h"

namespace qtorch {
namespace {

// exp(y) = 2^k (1 + q): k = round(y / ln2), q = expm1(y - k ln2). Valid for y in [-708, 708].
struct ExpParts {
  __m256d scale;  // 2^k
  __m256d q;
};

__attribute__((always_inline)) inline ExpParts ExpSplit(__m256d y) {
  const __m256d magic = _mm256_set1_pd(6755399441055744.0);  // 1.5 * 2^52: adding it rounds to an integer
  const __m256d t = _mm256_fmadd_pd(y, _mm256_set1_pd(1.4426950408889634), magic);
  const __m256d k = _mm256_sub_pd(t, magic);
  // y - k ln2 in two parts (fdlibm's ln2_hi has 32 significant bits: k * ln2_hi is exact)
  __m256d r = _mm256_fnmadd_pd(k, _mm256_set1_pd(6.93147180369123816490e-01), y);
  r = _mm256_fnmadd_pd(k, _mm256_set1_pd(1.90821492927058770002e-10), r);
  // q = r p(r), p = 1 + r/2! + ... + r^12/13!: |r| <= ln2/2 leaves a truncation error below 2e-17.
  // Estrin's scheme (4 dependent steps instead of Horner's 12: the gates are latency bound).
  const auto c = [](double v) { return _mm256_set1_pd(v); };
  const __m256d r2 = _mm256_mul_pd(r, r), r4 = _mm256_mul_pd(r2, r2), r8 = _mm256_mul_pd(r4, r4);
  const __m256d p01 = _mm256_fmadd_pd(c(1.0 / 2), r, c(1.0)), p23 = _mm256_fmadd_pd(c(1.0 / 24), r, c(1.0 / 6));
  const __m256d p45 = _mm256_fmadd_pd(c(1.0 / 720), r, c(1.0 / 120)), p67 = _mm256_fmadd_pd(c(1.0 / 40320), r, c(1.0 / 5040));
  const __m256d p89 = _mm256_fmadd_pd(c(1.0 / 3628800), r, c(1.0 / 362880));
  const __m256d p1011 = _mm256_fmadd_pd(c(1.0 / 479001600), r, c(1.0 / 39916800));
  const __m256d p03 = _mm256_fmadd_pd(p23, r2, p01), p47 = _mm256_fmadd_pd(p67, r2, p45), p811 = _mm256_fmadd_pd(p1011, r2, p89);
  const __m256d p07 = _mm256_fmadd_pd(p47, r4, p03), p812 = _mm256_fmadd_pd(c(1.0 / 6227020800), r4, p811);
  const __m256d p = _mm256_fmadd_pd(p812, r8, p07);
  // 2^k from k's bits: t's low mantissa bits hold k, so (bits(t) + 1023) << 52 is the exponent
  const __m256i e = _mm256_slli_epi64(_mm256_add_epi64(_mm256_castpd_si256(t), _mm256_set1_epi64x(1023)), 52);
  return {_mm256_castsi256_pd(e), _mm256_mul_pd(p, r)};
}

// The sign bit (a function, not a global: no AVX code may run in static initialization).
__attribute__((always_inline)) inline __m256d SignBit() { return _mm256_set1_pd(-0.0); }

// The reference's sigmoid: x >= 0 ? 1 / (1 + exp(-x)) : e / (1 + e) with e = exp(x). NaN stays
// NaN (min/max return their second operand for NaN); |x| > 700 saturates as exp would.
__attribute__((always_inline)) inline __m256d SigmoidPd(__m256d x) {
  const __m256d a = _mm256_min_pd(_mm256_set1_pd(700.0), _mm256_andnot_pd(SignBit(), x));
  const ExpParts s = ExpSplit(_mm256_xor_pd(a, SignBit()));
  const __m256d e = _mm256_fmadd_pd(s.scale, s.q, s.scale);
  const __m256d one = _mm256_set1_pd(1.0);
  const __m256d num = _mm256_blendv_pd(e, one, _mm256_cmp_pd(x, _mm256_setzero_pd(), _CMP_GE_OQ));
  return _mm256_div_pd(num, _mm256_add_pd(one, e));
}

// tanh(x) = sign(x) * |t / (t + 2)|, t = expm1(-2|x|) (fdlibm's formula for |x| < 1, exact in
// form everywhere); |x| > 20 gives 1 in double as tanh does.
__attribute__((always_inline)) inline __m256d TanhPd(__m256d x) {
  const __m256d a = _mm256_min_pd(_mm256_set1_pd(20.0), _mm256_andnot_pd(SignBit(), x));
  const ExpParts s = ExpSplit(_mm256_mul_pd(a, _mm256_set1_pd(-2.0)));
  const __m256d t = _mm256_fmadd_pd(s.scale, s.q, _mm256_sub_pd(s.scale, _mm256_set1_pd(1.0)));
  const __m256d r = _mm256_div_pd(t, _mm256_add_pd(t, _mm256_set1_pd(2.0)));  // -tanh|x| (or +-0)
  return _mm256_or_pd(_mm256_andnot_pd(SignBit(), r), _mm256_and_pd(x, SignBit()));  // |r| with x's sign: tanh(+-0) = +-0
}

__attribute__((always_inline)) inline __m128 Sigmoid4(__m128 x) { return _mm256_cvtpd_ps(SigmoidPd(_mm256_cvtps_pd(x))); }
__attribute__((always_inline)) inline __m128 Tanh4(__m128 x) { return _mm256_cvtpd_ps(TanhPd(_mm256_cvtps_pd(x))); }

// Gate block g's pre-activation, 4 lanes: f32(ig + hg).
__attribute__((always_inline)) inline __m128 Pre(const float* ig, const float* hg, size_t n, int g) {
  return _mm_add_ps(_mm_loadu_ps(ig + g * n), _mm_loadu_ps(hg + g * n));
}

// 4 hidden units of each cell; pointers are offset to the first unit, n is the gate block stride.
struct Gru {
  static constexpr int kGates = 3;
  __attribute__((always_inline)) static void Run(const float* ig, const float* hg, size_t n, const float* hx, float*, float* h) {
    const __m128 r = Sigmoid4(Pre(ig, hg, n, 0)), z = Sigmoid4(Pre(ig, hg, n, 1));
    const __m128 nn = Tanh4(_mm_add_ps(_mm_loadu_ps(ig + 2 * n), _mm_mul_ps(r, _mm_loadu_ps(hg + 2 * n))));
    _mm_storeu_ps(h, _mm_add_ps(nn, _mm_mul_ps(z, _mm_sub_ps(_mm_loadu_ps(hx), nn))));
  }
};

struct Tanh {
  static constexpr int kGates = 1;
  __attribute__((always_inline)) static void Run(const float* ig, const float* hg, size_t n, const float*, float*, float* h) {
    _mm_storeu_ps(h, Tanh4(Pre(ig, hg, n, 0)));
  }
};

// Whole groups of 4 units in place; the last n % 4 through zero-padded copies (same code).
template <typename Cell>
void Row(const RnnGatesArgs& a) {
  const size_t n = a.n;
  size_t j = 0;
  const auto run = [&](size_t u) { Cell::Run(a.ig + u, a.hg + u, n, a.h ? a.h + u : nullptr, a.c ? a.c + u : nullptr, a.hOut + u); };
  for (; j + 8 <= n; j += 8) {  // two independent groups per iteration: more in flight
    run(j);
    run(j + 4);
  }
  for (; j + 4 <= n; j += 4) run(j);
  if (j == n) return;
  const size_t rest = n - j;
  float ig[4 * Cell::kGates] = {}, hg[4 * Cell::kGates] = {}, hx[4] = {}, c[4] = {}, h[4];
  for (int g = 0; g < Cell::kGates; ++g)
    for (size_t t = 0; t < rest; ++t) ig[g * 4 + t] = a.ig[g * n + j + t], hg[g * 4 + t] = a.hg[g * n + j + t];
  for (size_t t = 0; t < rest; ++t) {
    if (a.h) hx[t] = a.h[j + t];
    if (a.c) c[t] = a.c[j + t];
  }
  Cell::Run(ig, hg, 4, hx, c, h);
  for (size_t t = 0; t < rest; ++t) {
    if (a.c) a.c[j + t] = c[t];
    a.hOut[j + t] = h[t];
  }
}

// out[j] = f(x[j], y[j]) for j < len, 4 lanes at a time, the tail through padded copies. One
// transcendental per iteration and no dependence between iterations: the out-of-order core
// overlaps several (a whole LSTM cell per iteration, 5 chained transcendentals, fits fewer).
template <typename F>
__attribute__((always_inline)) inline void Map2(const float* x, const float* y, size_t len, float* out, F f) {
  size_t j = 0;
  for (; j + 4 <= len; j += 4) _mm_storeu_ps(out + j, f(_mm_loadu_ps(x + j), _mm_loadu_ps(y + j)));
  if (j == len) return;
  alignas(16) float px[4] = {}, py[4] = {}, po[4];
  for (size_t t = 0; j + t < len; ++t) px[t] = x[j + t], py[t] = y[j + t];
  _mm_store_ps(po, f(_mm_load_ps(px), _mm_load_ps(py)));
  for (size_t t = 0; j + t < len; ++t) out[j + t] = po[t];
}

}  // namespace

// LSTM, in passes: the four activations (i, f, g, o) into scratch, then c = f c + i g and
// h = o tanh(c); the same float32 operations in the same order as a cell at a time, ~15% faster.
void LstmGatesAvx2(const RnnGatesArgs& a) {
  const size_t n = a.n;
  float* act = ThreadScratch<float, kScratchLstmGates>(4 * n);
  const auto sigmoid = [](__m128 x, __m128 y) { return Sigmoid4(_mm_add_ps(x, y)); };
  Map2(a.ig, a.hg, 2 * n, act, sigmoid);  // i, f
  Map2(a.ig + 2 * n, a.hg + 2 * n, n, act + 2 * n, [](__m128 x, __m128 y) { return Tanh4(_mm_add_ps(x, y)); });  // g
  Map2(a.ig + 3 * n, a.hg + 3 * n, n, act + 3 * n, sigmoid);  // o
  for (size_t j = 0; j < n; ++j) a.c[j] = act[n + j] * a.c[j] + act[j] * act[2 * n + j];
  Map2(a.c, act + 3 * n, n, a.hOut, [](__m128 c, __m128 o) { return _mm_mul_ps(o, Tanh4(c)); });
}
void GruGatesAvx2(const RnnGatesArgs& args) { Row<Gru>(args); }
void TanhGatesAvx2(const RnnGatesArgs& args) { Row<Tanh>(args); }

}  // namespace qtorch
