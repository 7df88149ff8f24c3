// float32 sigmoid and tanh as qtensor's reference computes them (qtensor src/nn/f32_math.ts):
// Cephes' expf reduction and polynomial, each step one IEEE float32 operation and no fused
// multiply-add (-ffp-contract=off), so every lane width gives the reference's bits. Written once
// over an operations type `O` (scalar float here, 8 AVX2 lanes in kernels_avx2_rnn.cc):
//   V = O::V; Set(float); Add Sub Mul Div; Max(limit, v) / Min(limit, v) returning v when v is
//   NaN; Abs; Neg; Floor; Pow2(k) = 2^k for integral k in [-75, 0] (NaN -> NaN);
//   GreaterEq(a, b) mask; Select(mask, a, b) = mask ? a : b; CopySign(magnitude, sign).
#ifndef QTORCH_F32_MATH_H_
#define QTORCH_F32_MATH_H_

#include <cmath>
#include <cstddef>

namespace qtorch {
namespace f32math {

// Constants as the reference spells them: a double literal rounded to float32 (Math.fround).
constexpr float kLog2e = static_cast<float>(1.44269504088896341);
constexpr float kLn2Hi = static_cast<float>(0.693359375);
constexpr float kLn2Lo = static_cast<float>(-2.12194440e-4);
// Polynomial coefficients, lowest degree first
constexpr float kExpPoly[] = {static_cast<float>(5.0000001201e-1), static_cast<float>(1.6666665459e-1),
                              static_cast<float>(4.1665795894e-2), static_cast<float>(8.3334519073e-3),
                              static_cast<float>(1.3981999507e-3), static_cast<float>(1.9875691500e-4)};
constexpr float kExpArgMin = -104.0f;   // exp(-104) is below half the least subnormal
constexpr float kTanhArgMax = 20.0f;    // tanh is exactly +-1 in float32 from here

// Polynomials by Estrin's scheme (pairs c[2i] + c[2i+1] x, then pairs of those in x^2, ...):
// fewer dependent steps than Horner's.
template <typename O>
inline typename O::V MulAdd(typename O::V a, typename O::V b, typename O::V c) { return O::Add(c, O::Mul(a, b)); }

// c0 + c1 x + ... + c5 x^5
template <typename O>
inline typename O::V Estrin6(const float (&c)[6], typename O::V x) {
  using V = typename O::V;
  const V x2 = O::Mul(x, x);
  const V q0 = MulAdd<O>(O::Set(c[1]), x, O::Set(c[0])), q1 = MulAdd<O>(O::Set(c[3]), x, O::Set(c[2]));
  const V q2 = MulAdd<O>(O::Set(c[5]), x, O::Set(c[4]));
  return MulAdd<O>(q2, O::Mul(x2, x2), MulAdd<O>(q1, x2, q0));
}

// y = k ln2 + r (k integral, |r| <= ln2 / 2) and m = expm1(r) by Cephes' polynomial.
template <typename O>
struct ExpReduced {  // over O, not O::V: a vector type's attributes would be dropped from a template argument
  typename O::V k, m;
};
template <typename O>
inline ExpReduced<O> ExpReduce(typename O::V y) {
  using V = typename O::V;
  const V k = O::Floor(O::Add(O::Mul(y, O::Set(kLog2e)), O::Set(0.5f)));
  const V r = O::Sub(O::Sub(y, O::Mul(k, O::Set(kLn2Hi))), O::Mul(k, O::Set(kLn2Lo)));
  return {k, O::Add(O::Mul(Estrin6<O>(kExpPoly, r), O::Mul(r, r)), r)};
}

// exp(y) for y <= 0 (NaN propagates): 2^k (1 + m), the 2^k in two exact halves so that results
// down to the subnormals round once.
template <typename O>
inline typename O::V ExpNonPositive(typename O::V y) {
  using V = typename O::V;
  const ExpReduced<O> e = ExpReduce<O>(O::Max(O::Set(kExpArgMin), y));
  const V k1 = O::Floor(O::Mul(e.k, O::Set(0.5f)));
  return O::Mul(O::Mul(O::Add(e.m, O::Set(1.0f)), O::Pow2(k1)), O::Pow2(O::Sub(e.k, k1)));
}

// sigmoid: 1 / (1 + e) for x >= 0, e / (1 + e) below, e = exp(-|x|).
template <typename O>
inline typename O::V Sigmoid(typename O::V x) {
  using V = typename O::V;
  const V e = ExpNonPositive<O>(O::Neg(O::Abs(x)));
  const V d = O::Add(O::Set(1.0f), e);
  return O::Div(O::Select(O::GreaterEq(x, O::Set(0.0f)), O::Set(1.0f), e), d);
}

// tanh|x| = -t / (t + 2) with t = expm1(-2|x|) = 2^k m + (2^k - 1) (accurate near 0, where
// 1 - exp would cancel); x's sign put back on the magnitude. |x| >= 20 gives exactly 1.
template <typename O>
inline typename O::V Tanh(typename O::V x) {
  using V = typename O::V;
  const ExpReduced<O> e = ExpReduce<O>(O::Mul(O::Set(-2.0f), O::Min(O::Set(kTanhArgMax), O::Abs(x))));
  const V scale = O::Pow2(e.k);  // k >= -58
  const V t = O::Add(O::Mul(scale, e.m), O::Sub(scale, O::Set(1.0f)));
  return O::CopySign(O::Div(O::Neg(t), O::Add(t, O::Set(2.0f))), x);
}

// The scalar operations (the baseline and AArch64 gates).
struct ScalarOps {
  using V = float;
  static V Set(float v) { return v; }
  static V Add(V a, V b) { return a + b; }
  static V Sub(V a, V b) { return a - b; }
  static V Mul(V a, V b) { return a * b; }
  static V Div(V a, V b) { return a / b; }
  static V Max(V limit, V v) { return limit > v ? limit : v; }  // NaN: v
  static V Min(V limit, V v) { return limit < v ? limit : v; }
  static V Abs(V v) { return std::fabs(v); }
  static V Neg(V v) { return -v; }
  static V Floor(V v) { return std::floor(v); }
  static V Pow2(V k) { return k == k ? std::ldexp(1.0f, static_cast<int>(k)) : k; }
  static bool GreaterEq(V a, V b) { return a >= b; }
  static V Select(bool m, V a, V b) { return m ? a : b; }
  static V CopySign(V magnitude, V sign) { return std::copysign(magnitude, sign); }
};

inline float SigmoidScalar(float x) { return Sigmoid<ScalarOps>(x); }
inline float TanhScalar(float x) { return Tanh<ScalarOps>(x); }

}  // namespace f32math
}  // namespace qtorch

#endif  // QTORCH_F32_MATH_H_
