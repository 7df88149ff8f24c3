// The engines' output pipelines (see qgemm.h for the exact formulas). Baseline code compiled
// without FMA, so float32 products and sums round separately, as the formulas state.
#include <algorithm>
#include <cmath>
#include <vector>

#include "qtorch/qgemm.h"

namespace qtorch {
namespace {
// f32(f32(sx) * f32(sw[n])): the float "act_times_w_scale" of PyTorch's kernels.
std::vector<float> ActTimesWeightScale(float inScale, const float* ws, size_t wsCount, size_t n) {
  std::vector<float> s(n);
  for (size_t j = 0; j < n; ++j) s[j] = inScale * ws[wsCount == 1 ? 0 : j];
  return s;
}
// Round half to even (nearbyint in the default mode) without a libm call: adding 1.5 * 2^23
// moves |x| < 2^22 into [2^23, 2^24), where the float spacing is 1, so the add rounds to an
// integer (half to even); larger |x| stay far outside [qmin, qmax] and are clamped anyway.
inline float RoundEven(float x) {
  const float magic = 12582912.0f;  // 1.5 * 2^23
  return (x + magic) - magic;
}

// Clamp (relative to the zero point) then add it. NaN (a NaN bias) goes to lo.
inline uint8_t Finish(float v, float lo, float hi, int32_t zp) {
  v = v > lo ? v : lo;
  v = v < hi ? v : hi;
  return static_cast<uint8_t>(static_cast<int32_t>(v) + zp);
}
}  // namespace

void RequantizeU8(const int32_t* acc, size_t m, size_t n, const RequantParams& p, uint8_t* y) {
  const std::vector<float> s = ActTimesWeightScale(p.inScale, p.weightScales, p.weightScaleCount, n);
  std::vector<float> mult(n), fbias(n, 0.0f);
  std::vector<int32_t> qbias(n, 0);
  for (size_t j = 0; j < n; ++j) {
    mult[j] = s[j] / p.outScale;
    if (!p.bias) continue;
    if (p.engine == Engine::Fbgemm) {
      fbias[j] = p.bias[j] / p.outScale;
    } else {
      const float inv = 1.0f / s[j];
      qbias[j] = static_cast<int32_t>(std::nearbyint(p.bias[j] * inv));
    }
  }
  const float lo = static_cast<float>(p.relu ? std::max(p.qmin, p.outZeroPoint) : p.qmin) - static_cast<float>(p.outZeroPoint);
  const float hi = static_cast<float>(p.qmax - p.outZeroPoint);
  // Branch-free loops per engine so the compiler vectorizes them at the baseline ISA.
  for (size_t i = 0; i < m; ++i) {
    const int32_t* ai = acc + i * n;
    uint8_t* yi = y + i * n;
    if (p.engine == Engine::Fbgemm) {
      for (size_t j = 0; j < n; ++j) yi[j] = Finish(RoundEven(static_cast<float>(ai[j]) * mult[j] + fbias[j]), lo, hi, p.outZeroPoint);
    } else {
      for (size_t j = 0; j < n; ++j) yi[j] = Finish(RoundEven(static_cast<float>(ai[j] + qbias[j]) * mult[j]), lo, hi, p.outZeroPoint);
    }
  }
}

void DequantizeAccF32(const int32_t* acc, size_t m, size_t n, float inScale, const float* weightScales,
                      size_t weightScaleCount, const float* bias, float* y) {
  const std::vector<float> s = ActTimesWeightScale(inScale, weightScales, weightScaleCount, n);
  for (size_t i = 0; i < m; ++i)
    for (size_t j = 0; j < n; ++j) {
      const float v = static_cast<float>(acc[i * n + j]) * s[j];
      y[i * n + j] = bias ? v + bias[j] : v;
    }
}

}  // namespace qtorch
