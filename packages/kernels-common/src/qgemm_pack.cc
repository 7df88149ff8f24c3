// Weight prepacking into the panel/quad layout of kernels.h, and its inverse.
#include <cstring>

#include "qtorch/kernels.h"
#include "qtorch/qgemm.h"

namespace qtorch {
namespace {
// Byte offset of weight (n, k) in the packed buffer.
size_t PackedIndex(size_t n, size_t k, size_t kq) {
  const size_t panel = n / kQPanel, col = n % kQPanel;
  return panel * kq * kQPanel * kQuad + (k / kQuad) * kQPanel * kQuad + col * kQuad + k % kQuad;
}
}  // namespace

void PackWeights(const int8_t* w, size_t n, size_t k, const int32_t* zeroPoints, size_t zpCount,
                 PackedWeights* out) {
  out->n = n;
  out->k = k;
  out->kq = (k + kQuad - 1) / kQuad;
  out->panels = (n + kQPanel - 1) / kQPanel;
  out->data.assign(out->panels * out->kq * kQPanel * kQuad, 0);  // padding stays 0: adds nothing
  out->colSums.assign(n, 0);
  out->blockColSums.assign((k + kQGemmKc - 1) / kQGemmKc * n, 0);
  out->zeroPoints.assign(n, 0);
  out->zeroPointsAllZero = true;
  for (size_t j = 0; j < n; ++j) {
    int32_t sum = 0;
    for (size_t kk = 0; kk < k; ++kk) {
      const int8_t v = w[j * k + kk];
      out->data[PackedIndex(j, kk, out->kq)] = v;
      out->blockColSums[kk / kQGemmKc * n + j] += v;
      sum += v;
    }
    out->colSums[j] = sum;
    out->zeroPoints[j] = zeroPoints[zpCount == 1 ? 0 : j];
    if (out->zeroPoints[j] != 0) out->zeroPointsAllZero = false;
  }
}

void UnpackWeights(const PackedWeights& pw, int8_t* w) {
  for (size_t j = 0; j < pw.n; ++j)
    for (size_t kk = 0; kk < pw.k; ++kk) w[j * pw.k + kk] = pw.data[PackedIndex(j, kk, pw.kq)];
}

}  // namespace qtorch
