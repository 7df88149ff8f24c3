// INT8 GEMM front end (baseline code): weight prepacking, zero-point compensation, ISA
// dispatch and the engines' output pipelines.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace qtorch {

// Weights packed once (see kernels.h for the layout) plus what compensation needs.
struct PackedWeights {
  size_t n = 0, k = 0;      // logical N x K
  size_t kq = 0;            // ceil(K / 4)
  size_t panels = 0;        // ceil(N / 64)
  std::vector<int8_t> data; // panels * kq * 64 * 4 bytes
  std::vector<int32_t> colSums;    // sum_k w[n, k] (raw int8 values)
  std::vector<int32_t> zeroPoints; // per column (a per-tensor zero point is repeated)
  bool zeroPointsAllZero = true;
};

// w: N x K row-major int8; zeroPoints: 1 (per tensor) or N (per channel) values.
void PackWeights(const int8_t* w, size_t n, size_t k, const int32_t* zeroPoints, size_t zpCount,
                 PackedWeights* out);

// Inverse of PackWeights: writes the plain N x K weights.
void UnpackWeights(const PackedWeights& pw, int8_t* w);

// acc[m, n] = sum_k (a[m, k] - za) * (w[n, k] - zw[n]), int32, row-major M x N.
// Computed as sum(a*w) - zw*sum_k(a) - za*sum_k(w) + K*za*zw with the active ISA's kernel.
void QGemmS32(const uint8_t* a, size_t m, int32_t za, const PackedWeights& pw, int32_t* acc);

// The engines' numerics, per output element, with s = f32(f32(sx) * f32(sw[n])) and
// mult[n] = f32(s / f32(s_out)) (float32 arithmetic throughout, rint = round half to even):
//   fbgemm (onednn numerics, golden "Numerics"): y = clamp(zp + rint(f32(f32(acc) * mult) + f32(b / s_out)))
//   qnnpack: qb = rint(f32(b) * f32(1 / s)) as int32; y = clamp(zp + rint(f32(acc + qb) * mult))
// clamp to [relu ? max(zp, qmin) : qmin, qmax].
enum class Engine { Fbgemm, Qnnpack };

struct RequantParams {
  Engine engine = Engine::Fbgemm;
  float inScale = 1.0f;
  const float* weightScales = nullptr;  // 1 or N values
  size_t weightScaleCount = 1;
  const float* bias = nullptr;          // N values or null
  float outScale = 1.0f;
  int32_t outZeroPoint = 0;
  int32_t qmin = 0, qmax = 255;
  bool relu = false;
};

// Fused static linear: GEMM + compensation + requantization to uint8.
void QLinearU8(const uint8_t* a, size_t m, int32_t za, const PackedWeights& pw,
               const RequantParams& p, uint8_t* y);

// Dynamic linear output: y = f32(f32(acc) * s[n]) + bias[n] (float32), s as above.
void QLinearF32(const uint8_t* a, size_t m, int32_t za, const PackedWeights& pw, float inScale,
                const float* weightScales, size_t weightScaleCount, const float* bias, float* y);

// Output pipelines on given accumulators (exported for tests of the numerics alone).
void RequantizeU8(const int32_t* acc, size_t m, size_t n, const RequantParams& p, uint8_t* y);
void DequantizeAccF32(const int32_t* acc, size_t m, size_t n, float inScale, const float* weightScales,
                      size_t weightScaleCount, const float* bias, float* y);

// C = A * B^T + bias (float32) with the active ISA.
void SGemm(const float* a, const float* b, const float* bias, float* c, size_t m, size_t n, size_t k);

}  // namespace qtorch
