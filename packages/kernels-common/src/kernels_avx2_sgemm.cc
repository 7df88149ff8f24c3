// AVX2 + FMA FP32 GEMM micro-kernel: 6 x 16 tiles over packed panels (see kernels.h SGemmBlock).
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "qtorch/kernels.h"

namespace qtorch {
namespace {

constexpr size_t kMr = kSGemmMrAvx2, kNr = kSGemmNrAvx2, kVecs = kNr / 8;

// Epilogue of 8 columns: alpha * acc (+ beta * c) (+ bias), each step rounded on its own.
__m256 Finish(__m256 acc, const SGemmBlock& g, __m256 alpha, __m256 beta, const float* c, const float* bias) {
  __m256 v = _mm256_mul_ps(acc, alpha);
  if (g.beta != 0.0f) v = _mm256_add_ps(v, _mm256_mul_ps(beta, _mm256_loadu_ps(c)));
  if (bias) v = _mm256_add_ps(v, _mm256_loadu_ps(bias));
  return v;
}

// One tile of R rows (the first R of a packed 6-row A panel): the 2R accumulators stay in
// registers over the whole K block (per k: 2 loads of B, R broadcasts of A, 2R FMAs). R < 6
// serves the last rows: a full tile over zero-padded rows would spend its FMAs on zeros (for 8
// rows, a recurrent step's, a third of them). Each element sums its k in the same order
// whatever R, so results do not depend on the split.
template <size_t R>
void Tile(const SGemmBlock& g, const float* ap, const float* bp, size_t i0, size_t j0) {
  // The C tile is read only after the K loop: start fetching its rows now (C is usually
  // beyond L2 by the time a tile comes round again).
  const size_t rows = g.m - i0 < R ? g.m - i0 : R, cols = g.n - j0 < kNr ? g.n - j0 : kNr;
  for (size_t r = 0; r < rows; ++r) {
    const char* row = reinterpret_cast<const char*>(g.c + (i0 + r) * g.ldc + j0);
    _mm_prefetch(row, _MM_HINT_T0);
    _mm_prefetch(row + 60, _MM_HINT_T0);  // the line holding the tile row's last float
  }
  __m256 acc[R][kVecs];
  for (size_t r = 0; r < R; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
  const size_t kc = g.kc;
#pragma GCC unroll 4
  for (size_t p = 0; p < kc; ++p) {
    const __m256 b0 = _mm256_loadu_ps(bp + p * kNr), b1 = _mm256_loadu_ps(bp + p * kNr + 8);
    for (size_t r = 0; r < R; ++r) {
      // set1 of the value, not _mm256_broadcast_ss(pointer): with the latter GCC 12 stored
      // every accumulator to the stack on each k (3x slower).
      const __m256 a = _mm256_set1_ps(ap[p * kMr + r]);
      acc[r][0] = _mm256_fmadd_ps(a, b0, acc[r][0]);
      acc[r][1] = _mm256_fmadd_ps(a, b1, acc[r][1]);
    }
  }
  // Spill once through a fixed-index array: indexing acc by the run-time row count below
  // would make the compiler keep acc in memory inside the K loop.
  alignas(32) float sums[R][kNr];
  for (size_t r = 0; r < R; ++r)
    for (size_t v = 0; v < kVecs; ++v) _mm256_store_ps(sums[r] + 8 * v, acc[r][v]);
  const __m256 alpha = _mm256_set1_ps(g.alpha), beta = _mm256_set1_ps(g.beta);
  const float* bias = g.bias ? g.bias + j0 : nullptr;
  if (cols == kNr) {  // whole rows of 16: straight into C
    for (size_t r = 0; r < rows; ++r) {
      float* c = g.c + (i0 + r) * g.ldc + j0;
      for (size_t v = 0; v < kVecs; ++v) _mm256_storeu_ps(c + 8 * v, Finish(_mm256_load_ps(sums[r] + 8 * v), g, alpha, beta, c + 8 * v, bias ? bias + 8 * v : nullptr));
    }
    return;
  }
  // Right edge: the same epilogue through a padded copy of the C tile and bias. Plain copy
  // loops, not `j < cols ? c[j] : 0`: GCC turns that select into vmaskmovps, which qemu's
  // x86 emulation faults on for masked-off lanes past the end of a mapping.
  float cbuf[kNr] = {}, bbuf[kNr] = {}, out[kNr];
  if (bias)
    for (size_t j = 0; j < cols; ++j) bbuf[j] = bias[j];
  for (size_t r = 0; r < rows; ++r) {
    float* c = g.c + (i0 + r) * g.ldc + j0;
    if (g.beta != 0.0f)
      for (size_t j = 0; j < cols; ++j) cbuf[j] = c[j];
    for (size_t v = 0; v < kVecs; ++v) _mm256_storeu_ps(out + 8 * v, Finish(_mm256_load_ps(sums[r] + 8 * v), g, alpha, beta, cbuf + 8 * v, bias ? bbuf + 8 * v : nullptr));
    for (size_t j = 0; j < cols; ++j) c[j] = out[j];
  }
}

}  // namespace

// Column panels outer, row panels inner: one B panel (kc x 16, <= 16 KiB at kc = 256) stays in
// L1 while the packed A block streams from L2.
void SGemmAvx2(const SGemmBlock& g) {
  for (size_t j0 = 0; j0 < g.n; j0 += kNr) {
    const float* bp = g.b + (j0 / kNr) * g.panelStride;
    for (size_t i0 = 0; i0 < g.m; i0 += kMr) {
      const float* ap = g.a + (i0 / kMr) * g.kc * kMr;
      switch (g.m - i0 < kMr ? g.m - i0 : kMr) {
        case 1: Tile<1>(g, ap, bp, i0, j0); break;
        case 2: Tile<2>(g, ap, bp, i0, j0); break;
        case 3: Tile<3>(g, ap, bp, i0, j0); break;
        case 4: Tile<4>(g, ap, bp, i0, j0); break;
        case 5: Tile<5>(g, ap, bp, i0, j0); break;
        default: Tile<kMr>(g, ap, bp, i0, j0); break;
      }
    }
  }
}

}  // namespace qtorch
