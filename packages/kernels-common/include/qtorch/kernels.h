// Per-ISA micro-kernels. This is the ONLY project header the ISA translation units include
// (with <immintrin.h>, <cstddef>, <cstdint>): declarations and plain structs only, no inline
// functions or templates, so no COMDAT copy compiled with -mavx512* can leak into baseline code.
#pragma once

#include <cstddef>
#include <cstdint>

namespace qtorch {

// Packed INT8 weight layout shared by every ISA: N is split into panels of kQPanel columns
// (zero padded), K into quads (zero padded to a multiple of 4). Panel p holds
// [K/4][kQPanel][4] int8: for each quad of k, the 4 consecutive weights of each column, the
// operand order of vpdpbusd (u8 activations x s8 weights, 4 products summed per int32 lane).
enum : size_t { kQPanel = 64, kQuad = 4 };

// C[m, n] (+)= sum_k A[m, k] * B[n, k] over one K block, every panel. A is u8, row-major with
// lda >= kq * 4 readable bytes per row (zero padded). B points at the block's first quad of
// panel 0; panel p starts at b + p * panelStride. C is row-major int32 with ldc >= panels * 64.
struct QGemmBlock {
  const uint8_t* a;
  size_t m;
  size_t lda;
  size_t kq;  // number of k quads in this block
  const int8_t* b;
  size_t panels;
  size_t panelStride;  // bytes between panels
  int32_t* c;
  size_t ldc;
  int accumulate;  // 0: C = ..., 1: C += ...
};

void QGemmScalar(const QGemmBlock& blk);
void QGemmAvx2(const QGemmBlock& blk);        // int16 widening + vpmaddwd: exact for full-range u8
void QGemmAvx512(const QGemmBlock& blk);      // AVX-512BW, int16 widening + vpmaddwd: exact
void QGemmAvx512Vnni(const QGemmBlock& blk);  // vpdpbusd: exact (no int16 intermediate)
// AArch64 (kernels_neon*.cc; NEON is architectural there, the dot product an extension):
void QGemmNeon(const QGemmBlock& blk);     // int16 widening + vmlal_s16: exact
void QGemmNeonDot(const QGemmBlock& blk);  // sdot of (a - 128) and w, + 128 * column sums: exact
void QGemmNeonI8mm(const QGemmBlock& blk); // usdot (u8 x s8): exact

// One K block of C = A * B^T + bias: C[m, n] = base + sum_k A[m, k] * B[n, k], where base is
// C[m, n] itself when accumulate, else bias[n] (or 0). Row-major with leading dimensions.
// Summation order differs per ISA (float results are close, not bit-identical).
struct SGemmArgs {
  const float* a;
  const float* b;
  const float* bias;  // may be null
  float* c;
  size_t m, n, k;
  size_t lda, ldb, ldc;
  int accumulate;
};

void SGemmScalar(const SGemmArgs& args);
void SGemmAvx2(const SGemmArgs& args);
void SGemmAvx512(const SGemmArgs& args);
void SGemmNeon(const SGemmArgs& args);  // AArch64 (kernels_neon.cc)

// Whole-tensor elementwise kernels with qtensor's reference numerics (qops.h / numerics.h):
// the baseline versions are compiler-vectorized loops in elementwise.cc, these the explicit
// AVX2 ones (also used at the AVX-512 levels). 8-bit data is uint8 (isSigned = 0) or int8.
// Every result is bit-identical to the baseline loop.

// q[i] = clamp(v = zp + rint(x[i] * inv); NaN / inf / |v| >= 2^63 -> qmin) for i < n.
struct QuantizeArgs {
  const float* x;
  size_t n;
  float inv, zp, qmin, qmax;
  void* q;
  int isSigned;
};
void QuantizeAvx2(const QuantizeArgs& args);

// y[i] = f32(q[i] - zp) * scale.
struct DequantizeArgs {
  const void* q;
  size_t n;
  int isSigned;
  int32_t zp;
  float scale;
  float* y;
};
void DequantizeAvx2(const DequantizeArgs& args);

// y[i] = quantize(v < floor ? 0 : v), v = f32(a[i] - za) * sa + f32(b[i] - zb) * sb, with
// (inv, zo, qmin, qmax) as QuantizeArgs; floor is 0 (relu) or -inf.
struct QAddArgs {
  const void* a;
  const void* b;
  void* y;
  size_t n;
  int isSigned;
  int32_t za, zb;
  float sa, sb, floor, inv, zo, qmin, qmax;
};
void QAddAvx2(const QAddArgs& args);

// acc[i] += (x[i] - zx) * w for i < n: one row of the direct (depthwise) convolution, stride 1.
struct ConvRowArgs {
  int32_t* acc;
  const void* x;
  size_t n;
  int isSigned;
  int32_t zx, w;
};
void ConvRowAvx2(const ConvRowArgs& args);

}  // namespace qtorch
