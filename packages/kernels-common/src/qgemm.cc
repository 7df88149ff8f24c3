// INT8 GEMM driver: pads A to whole quads, blocks K for cache, dispatches to the active ISA's
// kernel and applies zero-point compensation.
#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "qtorch/cpu.h"
#include "qtorch/kernels.h"
#include "qtorch/qgemm.h"

#if defined(__x86_64__) || defined(_M_X64)
#define QTORCH_X86_64 1
#endif

namespace qtorch {
namespace {

using QKernel = void (*)(const QGemmBlock&);

QKernel SelectQKernel() {
#if defined(QTORCH_X86_64)
  switch (ActiveIsa()) {
    case Isa::Avx512Vnni: return QGemmAvx512Vnni;
    case Isa::Avx512: return QGemmAvx512;
    case Isa::Avx2: return QGemmAvx2;
    default: break;
  }
#endif
  return QGemmScalar;
}

// K block (in quads): 512 quads = 2048 bytes of k; a 64-column panel block is then 128 KiB,
// which stays in L2 while every row tile of A streams over it.
constexpr size_t kKcQuads = 512;

}  // namespace

void QGemmS32(const uint8_t* a, size_t m, int32_t za, const PackedWeights& pw, int32_t* acc) {
  const size_t n = pw.n, k = pw.k, kq = pw.kq, np = pw.panels * kQPanel;
  if (m == 0 || n == 0) return;
  // The kernels read whole quads: copy A only when K is not a multiple of 4.
  const size_t lda = kq * kQuad;
  std::vector<uint8_t> padded;
  const uint8_t* ap = a;
  if (lda != k) {
    padded.assign(m * lda, 0);
    for (size_t i = 0; i < m; ++i) std::memcpy(&padded[i * lda], a + i * k, k);
    ap = padded.data();
  }
  // The kernel writes whole 64-column panels: straight into acc when N is a multiple of 64,
  // else into a scratch buffer (not zero-filled: every element is written).
  std::unique_ptr<int32_t[]> scratch;
  int32_t* c = acc;
  if (np != n) {
    scratch.reset(new int32_t[m * np]);
    c = scratch.get();
  }
  const QKernel kernel = SelectQKernel();
  if (kq == 0) std::fill(c, c + m * np, 0);  // K = 0: no block runs, the sums are empty
  for (size_t q0 = 0; q0 < kq; q0 += kKcQuads) {
    QGemmBlock blk;
    blk.a = ap + q0 * kQuad;
    blk.m = m;
    blk.lda = lda;
    blk.kq = std::min(kKcQuads, kq - q0);
    blk.b = pw.data.data() + q0 * kQPanel * kQuad;
    blk.panels = pw.panels;
    blk.panelStride = kq * kQPanel * kQuad;
    blk.c = c;
    blk.ldc = np;
    blk.accumulate = q0 > 0;
    kernel(blk);
  }
  // acc = sum(a*w) - zw*rowsum(a) - za*colsum(w) + K*za*zw. The column terms are one constant
  // per column; row sums are needed only when some zw != 0 (symmetric weights skip the pass).
  std::unique_ptr<int32_t[]> colTerm(new int32_t[n]);
  for (size_t j = 0; j < n; ++j) colTerm[j] = static_cast<int32_t>(k) * za * pw.zeroPoints[j] - za * pw.colSums[j];
  const int32_t* zw = pw.zeroPoints.data();
  for (size_t i = 0; i < m; ++i) {
    const int32_t* ci = c + i * np;  // equals out when np == n: each element is read, then written
    int32_t* out = acc + i * n;
    if (pw.zeroPointsAllZero) {
      for (size_t j = 0; j < n; ++j) out[j] = ci[j] + colTerm[j];
    } else {
      int32_t rowSum = 0;
      for (size_t t = 0; t < k; ++t) rowSum += a[i * k + t];
      for (size_t j = 0; j < n; ++j) out[j] = ci[j] - zw[j] * rowSum + colTerm[j];
    }
  }
}

void QLinearU8(const uint8_t* a, size_t m, int32_t za, const PackedWeights& pw, const RequantParams& p,
               uint8_t* y) {
  std::unique_ptr<int32_t[]> acc(new int32_t[m * pw.n]);
  QGemmS32(a, m, za, pw, acc.get());
  RequantizeU8(acc.get(), m, pw.n, p, y);
}

void QLinearF32(const uint8_t* a, size_t m, int32_t za, const PackedWeights& pw, float inScale,
                const float* weightScales, size_t weightScaleCount, const float* bias, float* y) {
  std::unique_ptr<int32_t[]> acc(new int32_t[m * pw.n]);
  QGemmS32(a, m, za, pw, acc.get());
  DequantizeAccF32(acc.get(), m, pw.n, inScale, weightScales, weightScaleCount, bias, y);
}

void SGemm(const float* a, const float* b, const float* bias, float* c, size_t m, size_t n, size_t k) {
  using SKernel = void (*)(const SGemmArgs&);
  SKernel kernel = SGemmScalar;
#if defined(QTORCH_X86_64)
  switch (ActiveIsa()) {
    case Isa::Avx512Vnni:
    case Isa::Avx512: kernel = SGemmAvx512; break;
    case Isa::Avx2: kernel = SGemmAvx2; break;
    default: break;
  }
#endif
  // Cache blocks: 2048 k x 16 rows of B = 128 KiB stays in L2 while every row tile of A passes
  // over it (without blocking, 128x4096x1024 streamed B from memory per tile: 41 vs 88
  // GFLOP/s measured; 512 x 64 blocks cost K=1024 15% in extra reductions).
  constexpr size_t kKc = 2048, kNc = 16;
  if (k == 0) {  // no K block to run: C = bias (or 0)
    for (size_t i = 0; i < m; ++i)
      for (size_t j = 0; j < n; ++j) c[i * n + j] = bias ? bias[j] : 0.0f;
    return;
  }
  for (size_t k0 = 0; k0 < k; k0 += kKc)
    for (size_t n0 = 0; n0 < n; n0 += kNc) {
      SGemmArgs args;
      args.a = a + k0;
      args.b = b + n0 * k + k0;
      args.bias = bias ? bias + n0 : nullptr;
      args.c = c + n0;
      args.m = m;
      args.n = std::min(kNc, n - n0);
      args.k = std::min(kKc, k - k0);
      args.lda = k;
      args.ldb = k;
      args.ldc = n;
      args.accumulate = k0 > 0;
      kernel(args);
    }
}

}  // namespace qtorch
