// INT8 GEMM front end (baseline code): weight prepacking, zero-point compensation, ISA
// dispatch and the engines' output pipelines.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <new>
#include <vector>

namespace qtorch {

// Cache-line aligned storage: a panel's quad row (64 columns x 4 k = 256 bytes) and each
// 16-column strip of it then start on a line, so a strip read touches one line, not two.
template <typename T>
struct LineAligned {
  using value_type = T;
  LineAligned() = default;
  template <typename U>
  LineAligned(const LineAligned<U>&) {}
  T* allocate(size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t{64})); }
  void deallocate(T* p, size_t) { ::operator delete(p, std::align_val_t{64}); }
  template <typename U>
  bool operator==(const LineAligned<U>&) const { return true; }
  template <typename U>
  bool operator!=(const LineAligned<U>&) const { return false; }
};

// Weights packed once (see kernels.h for the layout) plus what compensation needs.
struct PackedWeights {
  size_t n = 0, k = 0;      // logical N x K
  size_t kq = 0;            // ceil(K / 4)
  size_t panels = 0;        // ceil(N / 64)
  std::vector<int8_t, LineAligned<int8_t>> data; // panels * kq * 64 * 4 bytes
  std::vector<int32_t> colSums;    // sum_k w[n, k] (raw int8 values)
  std::vector<int32_t> blockColSums;  // [ceil(K / kQGemmKc)][n]: colSums per K block (AVX2 narrow path)
  std::vector<int32_t> zeroPoints; // per column (a per-tensor zero point is repeated)
  bool zeroPointsAllZero = true;
};

// w: N x K row-major int8; zeroPoints: 1 (per tensor) or N (per channel) values.
void PackWeights(const int8_t* w, size_t n, size_t k, const int32_t* zeroPoints, size_t zpCount,
                 PackedWeights* out);

// Inverse of PackWeights: writes the plain N x K weights.
void UnpackWeights(const PackedWeights& pw, int8_t* w);

// Called for each finished part of a GEMM (rows [i0, i1), columns [j0, j1) of acc hold their
// final values) on the thread that computed it, while the part is still in cache: the fused
// ops' output stages run there instead of in a second pass (and a second pool dispatch). A part
// may be reported more than once (a fallback recomputes it): it must only read acc.
using GemmPartFn = std::function<void(size_t i0, size_t i1, size_t j0, size_t j1)>;

// acc[m, n] = sum_k (a[m, k] - za) * (w[n, k] - zw[n]), int32, row-major M x N.
// Computed as sum(a*w) - zw*sum_k(a) - za*sum_k(w) + K*za*zw with the active ISA's kernel.
void QGemmS32(const uint8_t* a, size_t m, int32_t za, const PackedWeights& pw, int32_t* acc, const GemmPartFn* onPart = nullptr);

// The same with rows of A lda bytes apart, lda >= K. The AVX2 kernel reads K bytes per row;
// the other ISAs' kernels read whole quads: with lda >= kq * 4 they read the bytes past K in
// place (their value does not matter: the packed weights are zero there), else from a padded
// copy. Callers that build A themselves (im2col) pad rows this way to avoid the copy.
void QGemmS32Strided(const uint8_t* a, size_t lda, size_t m, int32_t za, const PackedWeights& pw, int32_t* acc,
                     const GemmPartFn* onPart = nullptr);

// qint8 activations run on the u8 kernels shifted by 128: (x + 128) - (zx + 128) = x - zx.
std::vector<uint8_t> ShiftToUnsigned(const int8_t* x, size_t count);

// The engines' numerics: qtensor's reference output stage (src/quantized/ops/output_stage.ts),
// per output element, float32 arithmetic, rint = round half to even, with
//   s = f32(f32(sx) * f32(sw[n])), mult = f32(s / f32(so)):
//   fbgemm:  y = clamp(zp + rint(f32(f32(f32(acc) + f32(b / s)) * mult)))
//   qnnpack: qb = quantize_val(b, f32(1 / f32(sx * sw)), 0, int32) (sx * sw in double);
//            y = clamp(zp + rint(f32(f32(int32(acc + qb)) * mult)))
// clamp to [relu ? max(zp, qmin) : qmin, qmax]. Scales arrive as doubles, as qtensor keeps them.
enum class Engine { Fbgemm, Qnnpack };

struct RequantParams {
  Engine engine = Engine::Fbgemm;
  double inScale = 1.0;
  const double* weightScales = nullptr;  // 1 or N values
  size_t weightScaleCount = 1;
  const float* bias = nullptr;           // N values or null
  double outScale = 1.0;
  int32_t outZeroPoint = 0;
  int32_t qmin = 0, qmax = 255;
  bool relu = false;
};

// Per-column constants of a requantization, computed once per call.
struct OutputStage {
  Engine engine = Engine::Fbgemm;
  std::vector<float> mult;     // f32(s / f32(so))
  std::vector<float> fbias;    // fbgemm: f32(b / s) (0 without bias)
  std::vector<int32_t> qbias;  // qnnpack: the int32 bias (0 without bias)
  float loRel = 0, hiRel = 0;  // clamp bounds minus the zero point
  int32_t zp = 0;
};

OutputStage MakeOutputStage(const RequantParams& p, size_t n);

// The per-ISA kernels' view of an output stage (kernels_conv.h), from column col0.
struct ConvStageArgs;
ConvStageArgs StageArgs(const OutputStage& st, size_t col0, bool isSigned);

// y[i * rowStride + j * colStride] = stage(acc[i * ldAcc + j], column col0 + j), i < m, j < n.
// colStride == 1 is a row-major output (linear); rowStride == 1 the NCHW output of a conv.
// Instantiated for uint8_t (quint8) and int8_t (qint8).
template <typename T>
void Requantize(const int32_t* acc, size_t m, size_t n, size_t ldAcc, const OutputStage& st, size_t col0, T* y,
                size_t rowStride, size_t colStride);

// Requantize on the calling thread only, rows [i0, i1) and columns [j0, j1) (a GemmPartFn's part).
template <typename T>
void RequantizePart(const int32_t* acc, size_t ldAcc, const OutputStage& st, size_t col0, T* y, size_t rowStride,
                    size_t colStride, size_t i0, size_t i1, size_t j0, size_t j1);

// Fused static linear: GEMM + compensation + requantization (T: uint8_t or int8_t in and out).
template <typename T>
void QLinear(const T* a, size_t m, int32_t za, const PackedWeights& pw, const RequantParams& p, T* y);

// Dynamic linear output (qtensor's makeFloatOutputStage): y = f32(f32(f32(acc) * s[n]) + b[n]),
// then max(y, 0) when relu (only y < 0 becomes 0: NaN and -0 pass, as in the reference).
struct FloatOutputStage {
  std::vector<float> scale;  // f32(sx) * f32(sw[j])
  std::vector<float> bias;   // b[j], or 0 (added anyway: the reference's + 0 turns -0 into +0)
  bool relu = false;
};
FloatOutputStage MakeFloatOutputStage(double inScale, const double* weightScales, size_t weightScaleCount, const float* bias,
                                      bool relu, size_t n);
// y[i * ldy + j] = stage(acc[i * ldAcc + j], column j) for rows [i0, i1), columns [j0, j1).
void DequantizePart(const int32_t* acc, size_t ldAcc, const FloatOutputStage& st, float* y, size_t ldy, size_t i0, size_t i1,
                    size_t j0, size_t j1);

// GEMM of u8 activations with the float output stage (each GEMM part dequantized as it finishes).
void QLinearF32(const uint8_t* a, size_t m, int32_t za, const PackedWeights& pw, double inScale,
                const double* weightScales, size_t weightScaleCount, const float* bias, bool relu, float* y);

// quantized::linear_dynamic's native body: x (m x K floats) quantized to quint8 with (inScale,
// za) into xq (m * K bytes the caller provides), then QLinearF32. The op, the recurrent layer's
// input projection and its per-step hidden projection all run through here, so they agree.
void LinearDynamicF32(const float* x, size_t m, double inScale, int32_t za, const PackedWeights& pw, const double* weightScales,
                      size_t weightScaleCount, const float* bias, bool relu, uint8_t* xq, float* y);

}  // namespace qtorch
