// Activations as 256-entry lookup tables (qops_elementwise.h). Each table entry runs the
// reference formula of qtensor's activation.ts for one input value, with the same steps:
// dequantize in float32, the function in double (as JavaScript's numbers), round to float32,
// quantize_val with the output qparams. Applying the table is then exact for any tensor size.
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "qtorch/cpu.h"
#include "qtorch/kernels.h"
#include "qtorch/numerics.h"
#include "qtorch/parallel.h"
#include "qtorch/qops.h"
#include "qtorch/qops_elementwise.h"

namespace qtorch {

namespace {

// quantize_val of a double as the reference's qOf: f32(x * inv) with x a double.
template <typename T>
int32_t QuantizeDouble(double x, float inv, int32_t zp) {
  const float lo = static_cast<float>(QRange<T>::kMin), hi = static_cast<float>(QRange<T>::kMax);
  return static_cast<int32_t>(QuantizeVal8(static_cast<float>(x * static_cast<double>(inv)), 1.0f, static_cast<float>(zp), lo, hi));
}

// The reference's f(v) on a dequantized (float32) value, in double.
double Apply(const ActivationParams& p, float v) {
  const double d = v;
  switch (p.kind) {
    case Activation::Hardsigmoid:
      return std::fmin(std::fmax(d + 3, 0.0), 6.0) / 6;
    case Activation::Hardswish:
      return d * (std::fmin(std::fmax(d + 3, 0.0), 6.0) / 6);
    case Activation::Sigmoid:
      return 1 / (1 + std::exp(-d));
    case Activation::Tanh:
      return std::tanh(d);
    case Activation::LeakyRelu:
      return v >= 0 ? d : static_cast<double>(v * static_cast<float>(p.a));
    case Activation::Elu:
      return v > 0 ? d : p.a * std::expm1(d);
    case Activation::Celu:
      return v > 0 ? d : p.a * std::expm1(d / p.a);
    case Activation::Threshold:
      return v <= static_cast<float>(p.a) ? p.b : d;
    default:
      return d;
  }
}

}  // namespace

template <typename T>
void BuildActivationTable(const ActivationParams& p, T* table) {
  constexpr int32_t qmin = QRange<T>::kMin, qmax = QRange<T>::kMax;
  const float inInv = 1.0f / static_cast<float>(p.inScale);
  if (p.kind == Activation::Clamp || p.kind == Activation::Relu6) {
    // integer clamps between bounds quantized with the input qparams
    int32_t lo = qmin, hi = qmax;
    if (p.kind == Activation::Relu6) {
      lo = p.inZeroPoint > qmin ? p.inZeroPoint : qmin;
      hi = QuantizeDouble<T>(6.0, inInv, p.inZeroPoint);
    } else {
      if (!std::isnan(p.a)) lo = QuantizeDouble<T>(p.a, inInv, p.inZeroPoint);
      if (!std::isnan(p.b)) hi = QuantizeDouble<T>(p.b, inInv, p.inZeroPoint);
    }
    for (int32_t q = qmin; q <= qmax; ++q) table[static_cast<uint8_t>(q)] = static_cast<T>(q < lo ? lo : q > hi ? hi : q);
    return;
  }
  const float s = static_cast<float>(p.inScale);
  const float outInv = 1.0f / static_cast<float>(p.outScale);
  const float zo = static_cast<float>(p.outZeroPoint);
  for (int32_t q = qmin; q <= qmax; ++q) {
    const float v = static_cast<float>(q - p.inZeroPoint) * s;
    const float y = static_cast<float>(Apply(p, v));
    table[static_cast<uint8_t>(q)] = static_cast<T>(static_cast<int32_t>(QuantizeVal8(y, outInv, zo, static_cast<float>(qmin), static_cast<float>(qmax))));
  }
}

template <typename T>
void ApplyTable(const T* x, size_t n, const T* table, T* y) {
  // Chunks split large tensors across threads (any split gives the same bytes).
  const uint8_t* in = reinterpret_cast<const uint8_t*>(x);
  const uint8_t* t = reinterpret_cast<const uint8_t*>(table);
  uint8_t* out = reinterpret_cast<uint8_t*>(y);
  ParallelFor(n, size_t{1} << 20, [&](size_t i0, size_t i1) {
#if defined(__x86_64__) || defined(_M_X64)
    if (ActiveIsa() >= Isa::Avx2) return LutAvx2(in + i0, i1 - i0, t, out + i0);
#endif
    for (size_t i = i0; i < i1; ++i) out[i] = t[in[i]];
  });
}

template void BuildActivationTable<uint8_t>(const ActivationParams&, uint8_t*);
template void BuildActivationTable<int8_t>(const ActivationParams&, int8_t*);
template void ApplyTable<uint8_t>(const uint8_t*, size_t, const uint8_t*, uint8_t*);
template void ApplyTable<int8_t>(const int8_t*, size_t, const int8_t*, int8_t*);

}  // namespace qtorch
