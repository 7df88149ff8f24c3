// The float32 im2col of qtensor's convolutions (sgemm.h): the same runs as conv_core.ts's
// forEachRun, as plain loops (unit-stride runs are memcpy) over the intra-op pool.
#include <algorithm>
#include <cstdint>
#include <cstring>

#include "qtorch/parallel.h"
#include "qtorch/sgemm.h"

namespace qtorch {
namespace {

// floor(a / b) for b > 0
int64_t FloorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// Floats per parallel range below which the copy stays on one thread.
constexpr size_t kGrainFloats = size_t{1} << 16;

}  // namespace

void Im2ColF32(const Im2ColF32Args& a) {
  const int64_t D = static_cast<int64_t>(a.big[0]), H = static_cast<int64_t>(a.big[1]), W = static_cast<int64_t>(a.big[2]);
  const size_t oD = a.small[0], oH = a.small[1], oW = a.small[2];
  const size_t kD = a.kernel[0], kH = a.kernel[1], kW = a.kernel[2];
  const int64_t sd = static_cast<int64_t>(a.stride[0]), sh = static_cast<int64_t>(a.stride[1]), sw = static_cast<int64_t>(a.stride[2]);
  const int64_t pd = static_cast<int64_t>(a.pad[0]), ph = static_cast<int64_t>(a.pad[1]), pw = static_cast<int64_t>(a.pad[2]);
  const int64_t dd = static_cast<int64_t>(a.dilation[0]), dh = static_cast<int64_t>(a.dilation[1]), dw = static_cast<int64_t>(a.dilation[2]);
  const size_t L = oD * oH * oW, rows = a.cg * kD * kH * kW;
  if (L == 0 || rows == 0) return;
  ParallelFor(rows, std::max<size_t>(1, kGrainFloats / L), [&](size_t r0, size_t r1) {
    for (size_t row = r0; row < r1; ++row) {
      const size_t kw = row % kW, kh = row / kW % kH, kd = row / (kW * kH) % kD, c = row / (kW * kH * kD);
      // iw = ow * sw + shift must lie in [0, W): ow in [lo, hi)
      const int64_t shift = static_cast<int64_t>(kw) * dw - pw;
      const int64_t lo = std::max<int64_t>(0, -FloorDiv(shift, sw));
      const int64_t hi = std::max(lo, std::min<int64_t>(static_cast<int64_t>(oW), FloorDiv(W - 1 - shift, sw) + 1));
      float* col = a.cols + row * L;
      for (size_t od = 0; od < oD; ++od) {
        const int64_t id = static_cast<int64_t>(od) * sd - pd + static_cast<int64_t>(kd) * dd;
        for (size_t oh = 0; oh < oH; ++oh, col += oW) {
          const int64_t ih = static_cast<int64_t>(oh) * sh - ph + static_cast<int64_t>(kh) * dh;
          if (id < 0 || id >= D || ih < 0 || ih >= H) {
            std::memset(col, 0, oW * sizeof(float));
            continue;
          }
          const int64_t base = ((static_cast<int64_t>(c) * D + id) * H + ih) * W + shift;  // of ow = 0 (may be < 0)
          std::memset(col, 0, static_cast<size_t>(lo) * sizeof(float));
          if (sw == 1) {
            std::memcpy(col + lo, a.src + base + lo, static_cast<size_t>(hi - lo) * sizeof(float));
          } else {
            for (int64_t ow = lo; ow < hi; ++ow) col[ow] = a.src[base + ow * sw];
          }
          std::memset(col + hi, 0, (oW - static_cast<size_t>(hi)) * sizeof(float));
        }
      }
    }
  });
}

}  // namespace qtorch
