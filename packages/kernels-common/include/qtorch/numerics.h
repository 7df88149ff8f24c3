// Scalar float32 numerics of qtensor's reference kernels (packages/qtensor/src/quantized/
// numerics.ts), written so the compiler vectorizes loops over them at the baseline ISA.
// Baseline code only: the ISA translation units include nothing but kernels.h.
//
// Every function reproduces one reference formula bit for bit; float32 arithmetic throughout
// (kernels.gyp compiles with -ffp-contract=off, so a * b + c never becomes an FMA).
#pragma once

#include <cstdint>

namespace qtorch {

// Round half to even for |x| < 2^22: adding 1.5 * 2^23 moves x into [2^23, 2^24), where the
// float spacing is 1, so the add itself rounds (ties to even: the constant is even). Larger |x|
// come back within 1 of rint(x) and NaN / inf unchanged; callers only use it where such values
// are clamped to an 8-bit range afterwards (or are >= 2^24 and therefore already integers).
inline float RoundEven(float x) {
  const float magic = 12582912.0f;  // 1.5 * 2^23
  return (x + magic) - magic;
}

// PyTorch's quantize_val to an 8-bit range: clamp(int64(f32(zp + rint(f32(x * inv))))).
// x86 turns NaN, inf and |v| >= 2^63 into INT64_MIN, i.e. qmin after the clamp; the reference
// reproduces that artifact, so do we. Returns the integer as a float (exact).
inline float QuantizeVal8(float x, float inv, float zp, float qmin, float qmax) {
  float v = zp + RoundEven(x * inv);
  const float av = v < 0 ? -v : v;
  v = av < 9223372036854775808.0f ? v : qmin;  // NaN compares false: qmin
  v = v < qmin ? qmin : v;
  return v > qmax ? qmax : v;
}

// The end of every requantization: zp + rint(v) clamped to [lo, hi], as an integer. v is the
// float32 requantized value; NaN gives 0 (the reference stores NaN into a typed array: 0).
// lo / hi are relative to zp (lo - zp, hi - zp), so the clamp happens before the add.
inline int32_t FinishRequant(float v, float loRel, float hiRel, int32_t zp) {
  const bool nan = v != v;
  float r = RoundEven(v);
  r = r > loRel ? r : loRel;
  r = r < hiRel ? r : hiRel;
  return nan ? 0 : static_cast<int32_t>(r) + zp;
}

}  // namespace qtorch
