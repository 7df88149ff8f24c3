// Whole-tensor quantized ops with qtensor's reference numerics (baseline code, loops the
// compiler vectorizes): quantize / dequantize, add, relu, the min/max scan of dynamic
// quantization, and 2-d convolution (im2col + GEMM, 1x1 as a plain GEMM, a direct kernel for
// depthwise and other narrow groups). T is uint8_t (quint8) or int8_t (qint8).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "qtorch/qgemm.h"

namespace qtorch {

// The integer range of an 8-bit quantized dtype.
template <typename T>
struct QRange;
template <>
struct QRange<uint8_t> {
  static constexpr int32_t kMin = 0, kMax = 255;
};
template <>
struct QRange<int8_t> {
  static constexpr int32_t kMin = -128, kMax = 127;
};

// q[i] = quantize_val(x[i]) with inv = f32(1 / f32(scale)) (qtensor quantizePerTensor).
template <typename T>
void QuantizePerTensor(const float* x, size_t n, double scale, int32_t zp, T* q);

// y[i] = f32(f32(q[i] - zp) * f32(scale)) (qtensor dequantize, per tensor).
template <typename T>
void DequantizePerTensor(const T* q, size_t n, double scale, int32_t zp, float* y);

// quantized::add(_relu): y = quantize_val(relu?(f32(deq(a) + deq(b)))) with the output qparams.
template <typename T>
void QAdd(const T* a, double sa, int32_t za, const T* b, double sb, int32_t zb, size_t n, double so, int32_t zo,
          bool relu, T* y);

// quantized::relu: y = max(x, max(zp, qmin)) (qparams unchanged).
template <typename T>
void QRelu(const T* x, size_t n, int32_t zp, T* y);

// min and max of x and 0 (dynamic quantization's range); a NaN in x comes back as both (the first one).
void MinMaxF32(const float* x, size_t n, float* lo, float* hi);

// Hint (Linux) that a large output buffer about to be written for the first time be backed by
// huge pages: fresh 4 KiB page faults can cost more than the op itself. No-op below 4 MiB.
void AdviseHugePages(void* p, size_t bytes);

// acc[i] += (x[i] - zx) * w: one output row of the direct convolution (stride 1), per ISA.
template <typename T>
void ConvRowAccumulate(int32_t* acc, const T* x, size_t n, int32_t zx, int32_t w);

// Weights of a linear or (grouped) convolution, prepared once. `n` output rows (all groups),
// each `k` = cin_g * spatial int8 values in PyTorch's order [cin_g][spatial].
//  - GEMM layout (default): one PackedWeights per group; K is permuted to [spatial][cin_g] so
//    that a convolution reads channels-last (NHWC) rows of cin_g contiguous bytes.
//  - direct layout (grouped convolutions with few outputs per group, e.g. depthwise): the
//    plain weights, read by the direct kernel.
// Winograd F(2x2, 3x3) weights (conv_winograd.h): G' (w - zw) G'^T per output / input channel,
// packed per transform position for WinoGemmAvx2. Empty unless the weights can use it.
struct WinoWeights {
  std::vector<int16_t> v;  // [16][coutPad / 16][cinPad / 2][16][2]
  size_t cinPad = 0, coutPad = 0;
  int64_t maxAbsSum = 0;  // max over output channels of sum |w - zw|
};

struct GroupedWeights {
  size_t n = 0, k = 0, groups = 1, spatial = 1;
  bool direct = false;
  std::vector<PackedWeights> packs;  // GEMM layout, one per group
  std::vector<int8_t> plain;         // direct layout: n x k as given
  std::vector<int32_t> zeroPoints;   // per output row
  WinoWeights wino;                  // ungrouped 9-tap weights on AVX2 machines
};

// Whether a grouped convolution runs the direct kernel (a GEMM would pad N to 64 columns).
bool UseDirectConv(size_t nPerGroup, size_t groups);

// w: n x k row-major int8 ([cout][cin_g][spatial] for a conv); n and k must be multiples of
// groups and spatial. zeroPoints: 1 or n values.
void PackGrouped(const int8_t* w, size_t n, size_t k, const int32_t* zeroPoints, size_t zpCount, size_t groups,
                 size_t spatial, GroupedWeights* out);

// The plain n x k weights back, in the order PackGrouped was given.
void UnpackGrouped(const GroupedWeights& gw, int8_t* w);

// Geometry of a 2-d convolution, NCHW in and out.
struct Conv2dShape {
  size_t batch = 0, cin = 0, ih = 0, iw = 0;
  size_t kh = 1, kw = 1, strideH = 1, strideW = 1, padH = 0, padW = 0, dilH = 1, dilW = 1;
  size_t oh = 0, ow = 0;  // derived by the caller (PyTorch's formula), >= 1
};

// quantized::conv2d(_relu): x [batch, cin, ih, iw], weights [cout, cin/groups, kh, kw]
// (GroupedWeights with spatial = kh * kw), y [batch, cout, oh, ow].
template <typename T>
void QConv2d(const T* x, int32_t zx, const Conv2dShape& s, const GroupedWeights& w, const RequantParams& p, T* y);

}  // namespace qtorch
