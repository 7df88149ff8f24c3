// More whole-tensor quantized ops with qtensor's reference numerics (baseline code; AVX2
// kernels in kernels_avx2_elementwise.cc where they pay): activations as 256-entry tables,
// tensor-tensor mul, and NCHW pooling. T is uint8_t (quint8) or int8_t (qint8).
#pragma once

#include <cstddef>
#include <cstdint>

namespace qtorch {

// Activations that are a pure function of the 8-bit input given the qparams (qtensor
// src/quantized/ops/activation.ts): the output of every possible input is computed once with
// the reference's float steps, then applied as a lookup table.
enum class Activation {
  Hardswish,    // v * min(max(v + 3, 0), 6) / 6
  Hardsigmoid,  // min(max(v + 3, 0), 6) / 6
  Sigmoid,      // 1 / (1 + exp(-v))
  Tanh,         // tanh(v)
  LeakyRelu,    // v >= 0 ? v : f32(v * f32(a))                       (a: negative slope)
  Elu,          // v > 0 ? v : a * expm1(v)                             (a: alpha)
  Celu,         // v > 0 ? v : a * expm1(v / a)                         (a: alpha != 0)
  Threshold,    // v <= f32(a) ? b : v          (output qparams = input's; a: threshold, b: value)
  Clamp,        // integer clamp to [q(a), q(b)] with the input qparams (NaN a / b: no bound)
  Relu6,        // integer clamp to [max(zp, qmin), q(6)]
};

struct ActivationParams {
  Activation kind;
  double inScale;
  int32_t inZeroPoint;
  double outScale;  // ignored by the integer clamps (their output qparams are the input's)
  int32_t outZeroPoint;
  double a, b;  // op parameters, see Activation
};

// table[(uint8_t)q] = the activation's output for input q, for all 256 values of T.
template <typename T>
void BuildActivationTable(const ActivationParams& p, T* table);

// y[i] = table[(uint8_t)x[i]].
template <typename T>
void ApplyTable(const T* x, size_t n, const T* table, T* y);

// quantized::mul(_relu), same shapes: y = clamp(zo + rint(f32(f32((a - za) * (b - zb)) * m)),
// relu ? max(zo, qmin) : qmin, qmax) with m = f32(f32(f32(sa) * f32(sb)) * f32(1 / f32(so))).
template <typename T>
void QMul(const T* a, int32_t za, const T* b, int32_t zb, size_t n, float m, int32_t zo, bool relu, T* y);

// Geometry of a 2-d pool over `planes` NCHW planes (batch * channels).
struct Pool2dShape {
  size_t planes = 0, ih = 0, iw = 0;
  size_t kh = 1, kw = 1, strideH = 1, strideW = 1, padH = 0, padW = 0, dilH = 1, dilW = 1;
  size_t oh = 0, ow = 0;  // PyTorch's formula (ceil_mode included), computed by the caller
};

// quantized::max_pool2d: the integer max of each (dilated) window; padding never wins.
template <typename T>
void QMaxPool2d(const T* x, const Pool2dShape& s, T* y);

// How avg_pool2d divides and rounds a window sum (see pool.ts in qtensor).
struct AvgPoolOptions {
  int32_t zeroPoint;      // input = output zero point
  bool countIncludePad;   // divide by the padded window (clipped at pad) or by the valid part
  int64_t divisorOverride;  // > 0: divide by this instead
  bool qnnpack;           // qnnpack's path: always the kernel area, zp + rint(f32(acc * f32(1 / area)))
};

// quantized::avg_pool2d (no dilation): window sums of (x - zp), requantized.
template <typename T>
void QAvgPool2d(const T* x, const Pool2dShape& s, const AvgPoolOptions& o, T* y);

// quantized::adaptive_avg_pool2d: windows [floor(o * in / out), ceil((o + 1) * in / out)).
template <typename T>
void QAdaptiveAvgPool2d(const T* x, size_t planes, size_t ih, size_t iw, size_t oh, size_t ow, int32_t zeroPoint, T* y);

}  // namespace qtorch
