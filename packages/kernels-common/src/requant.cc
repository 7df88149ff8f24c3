// The engines' output pipelines (see qgemm.h for the exact formulas). Baseline code compiled
// without FMA and with -ffp-contract=off, so float32 products and sums round separately, as
// the reference computes them.
#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>

#include "qtorch/cpu.h"
#include "qtorch/kernels_conv.h"
#include "qtorch/numerics.h"
#include "qtorch/parallel.h"
#include "qtorch/qgemm.h"

#if defined(__x86_64__) || defined(_M_X64)
#define QTORCH_X86_64 1
#endif

namespace qtorch {
namespace {

inline double WeightScale(const double* ws, size_t count, size_t j) { return ws[count == 1 ? 0 : j]; }

// f32(f32(sx) * f32(sw[n])): the float "act_times_w_scale" of PyTorch's kernels.
inline float ActTimesWeightScale(double inScale, double ws) {
  return static_cast<float>(inScale) * static_cast<float>(ws);
}

// quantize_val(b, f32(1 / f32(sx * sw)), 0, qint32) with exact rounding (the int32 range needs
// it) and the reference's clamps: non-finite or |v| >= 2^63 give INT32_MIN.
int32_t QuantizeBiasInt32(float b, double sxTimesSw) {
  const float inv = 1.0f / static_cast<float>(sxTimesSw);
  const float v = 0.0f + std::nearbyint(b * inv);
  if (!(std::fabs(v) < 9223372036854775808.0f)) return INT32_MIN;
  if (v <= -2147483648.0f) return INT32_MIN;
  if (v >= 2147483647.0f) return INT32_MAX;
  return static_cast<int32_t>(v);
}

}  // namespace

OutputStage MakeOutputStage(const RequantParams& p, size_t n) {
  OutputStage st;
  st.engine = p.engine;
  st.mult.resize(n);
  st.fbias.assign(n, 0.0f);
  st.qbias.assign(n, 0);
  const float so = static_cast<float>(p.outScale);
  // Branch-free loops over columns (they vectorize: a 3072-column batch-1 linear spent 6% of
  // its time here dividing one lane at a time). mult holds s = f32(sx) * f32(sw[j]) first.
  float* s = st.mult.data();
  for (size_t j = 0; j < n; ++j) s[j] = ActTimesWeightScale(p.inScale, WeightScale(p.weightScales, p.weightScaleCount, j));
  if (p.bias && p.engine == Engine::Fbgemm) {
    for (size_t j = 0; j < n; ++j) st.fbias[j] = p.bias[j] / s[j];
  } else if (p.bias) {
    for (size_t j = 0; j < n; ++j) st.qbias[j] = QuantizeBiasInt32(p.bias[j], p.inScale * WeightScale(p.weightScales, p.weightScaleCount, j));
  }
  for (size_t j = 0; j < n; ++j) st.mult[j] = s[j] / so;
  const int32_t lo = p.relu ? std::max(p.qmin, p.outZeroPoint) : p.qmin;
  st.loRel = static_cast<float>(lo - p.outZeroPoint);
  st.hiRel = static_cast<float>(p.qmax - p.outZeroPoint);
  st.zp = p.outZeroPoint;
  return st;
}

ConvStageArgs StageArgs(const OutputStage& st, size_t col0, bool isSigned) {
  ConvStageArgs a;
  a.mult = st.mult.data() + col0;
  a.fbias = st.fbias.data() + col0;
  a.qbias = st.qbias.data() + col0;
  a.loRel = st.loRel;
  a.hiRel = st.hiRel;
  a.zp = st.zp;
  a.fbgemm = st.engine == Engine::Fbgemm;
  a.isSigned = isSigned;
  return a;
}

namespace {

// One output element; branch-free so the loops below vectorize.
inline int32_t StageFbgemm(int32_t acc, float fbias, float mult, const OutputStage& st) {
  return FinishRequant((static_cast<float>(acc) + fbias) * mult, st.loRel, st.hiRel, st.zp);
}
inline int32_t StageQnnpack(int32_t acc, int32_t qbias, float mult, const OutputStage& st) {
  return FinishRequant(static_cast<float>(acc + qbias) * mult, st.loRel, st.hiRel, st.zp);
}

template <typename T, bool kFbgemm>
void RequantizeImpl(const int32_t* acc, size_t m, size_t n, size_t ldAcc, const OutputStage& st, size_t col0, T* y,
                    size_t rowStride, size_t colStride) {
  const float* mult = st.mult.data() + col0;
  const float* fb = st.fbias.data() + col0;
  const int32_t* qb = st.qbias.data() + col0;
  auto one = [&](int32_t a, size_t j) {
    return static_cast<T>(kFbgemm ? StageFbgemm(a, fb[j], mult[j], st) : StageQnnpack(a, qb[j], mult[j], st));
  };
  if (colStride == 1 && n > 1) {
    for (size_t i = 0; i < m; ++i) {
      const int32_t* ai = acc + i * ldAcc;
      T* yi = y + i * rowStride;
      for (size_t j = 0; j < n; ++j) yi[j] = one(ai[j], j);
    }
  } else {
    // Column-major order: contiguous writes along i for the NCHW planes of a conv output (and
    // a vectorizable loop for a single column).
    for (size_t j = 0; j < n; ++j) {
      T* yj = y + j * colStride;
      for (size_t i = 0; i < m; ++i) yj[i * rowStride] = one(acc[i * ldAcc + j], j);
    }
  }
}

}  // namespace

// Elements per thread below which the output stage stays on one thread.
static constexpr size_t kStageGrain = size_t{1} << 16;

template <typename T>
void RequantizePart(const int32_t* acc, size_t ldAcc, const OutputStage& st, size_t col0, T* y, size_t rowStride,
                    size_t colStride, size_t i0, size_t i1, size_t j0, size_t j1) {
  const int32_t* a = acc + i0 * ldAcc + j0;
  T* out = y + i0 * rowStride + j0 * colStride;
#if defined(QTORCH_X86_64)
  // row-major output (a linear's): whole 8-column groups on AVX2 (the same float32 steps), the
  // rest below (a 32 x 1024 block took 2.5 cycles an element in the loop below)
  if (colStride == 1 && ActiveIsa() >= Isa::Avx2) {
    const size_t n8 = (j1 - j0) / 8 * 8;
    if (n8 > 0 && i1 > i0) RequantRowsAvx2({a, i1 - i0, n8, ldAcc, StageArgs(st, col0 + j0, std::is_signed<T>::value), out, rowStride});
    a += n8, out += n8, j0 += n8;
  }
#endif
  if (st.engine == Engine::Fbgemm) {
    RequantizeImpl<T, true>(a, i1 - i0, j1 - j0, ldAcc, st, col0 + j0, out, rowStride, colStride);
  } else {
    RequantizeImpl<T, false>(a, i1 - i0, j1 - j0, ldAcc, st, col0 + j0, out, rowStride, colStride);
  }
}

template <typename T>
void Requantize(const int32_t* acc, size_t m, size_t n, size_t ldAcc, const OutputStage& st, size_t col0, T* y,
                size_t rowStride, size_t colStride) {
  auto part = [&](size_t i0, size_t i1, size_t j0, size_t j1) {
    RequantizePart<T>(acc, ldAcc, st, col0, y, rowStride, colStride, i0, i1, j0, j1);
  };
  // Split along the loop order RequantizeImpl uses: rows when row-major, else columns.
  if (colStride == 1 && n > 1) {
    ParallelFor(m, std::max<size_t>(1, kStageGrain / n), [&](size_t i0, size_t i1) { part(i0, i1, 0, n); });
  } else {
    ParallelFor(n, std::max<size_t>(1, kStageGrain / std::max<size_t>(m, 1)), [&](size_t j0, size_t j1) { part(0, m, j0, j1); });
  }
}

template void Requantize<uint8_t>(const int32_t*, size_t, size_t, size_t, const OutputStage&, size_t, uint8_t*, size_t, size_t);
template void Requantize<int8_t>(const int32_t*, size_t, size_t, size_t, const OutputStage&, size_t, int8_t*, size_t, size_t);
template void RequantizePart<uint8_t>(const int32_t*, size_t, const OutputStage&, size_t, uint8_t*, size_t, size_t, size_t,
                                      size_t, size_t, size_t);
template void RequantizePart<int8_t>(const int32_t*, size_t, const OutputStage&, size_t, int8_t*, size_t, size_t, size_t,
                                     size_t, size_t, size_t);

FloatOutputStage MakeFloatOutputStage(double inScale, const double* weightScales, size_t weightScaleCount, const float* bias,
                                      bool relu, size_t n) {
  FloatOutputStage st;
  st.scale.resize(n);
  st.bias.assign(n, 0.0f);
  st.relu = relu;
  for (size_t j = 0; j < n; ++j) st.scale[j] = ActTimesWeightScale(inScale, WeightScale(weightScales, weightScaleCount, j));
  if (bias) std::copy(bias, bias + n, st.bias.begin());
  return st;
}

void DequantizePart(const int32_t* acc, size_t ldAcc, const FloatOutputStage& st, float* y, size_t ldy, size_t i0, size_t i1,
                    size_t j0, size_t j1) {
  const float* s = st.scale.data();
  const float* b = st.bias.data();
  const bool relu = st.relu;
  for (size_t i = i0; i < i1; ++i) {
    const int32_t* ai = acc + i * ldAcc;
    float* yi = y + i * ldy;
    for (size_t j = j0; j < j1; ++j) {
      const float v = static_cast<float>(ai[j]) * s[j] + b[j];
      yi[j] = relu && v < 0.0f ? 0.0f : v;
    }
  }
}

}  // namespace qtorch
