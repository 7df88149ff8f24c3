// Winograd F(2x2, 3x3) convolution for ungrouped 3x3 / stride 1 / dilation 1 convs (AVX2):
// 2.25x fewer multiplies than im2col + GEMM, in exact integer arithmetic (kernels_conv.h), so
// the accumulators are the GEMM's, bit for bit. Baseline code: weight transform, eligibility,
// and the driver of one row of tiles; the kernels are in kernels_avx2_winograd.cc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "qtorch/qops.h"

namespace qtorch {

// w: [n][cin][9] int8 (one group), zeroPoints per output channel. Fills out->v unless the CPU
// lacks AVX2 (then out stays empty).
void PackWinograd(const int8_t* w, size_t n, size_t cin, const int32_t* zeroPoints, WinoWeights* out);

// Whether QConv2d runs s with w through Winograd: AVX2 active, weights packed, 3x3, stride 1,
// dilation 1, one group, channels enough to fill the vectors, and 4 * the largest sum fits int32.
bool UseWinograd(const Conv2dShape& s, const GroupedWeights& w);

// Per-thread buffers of WinogradTileRow (uninitialized: every element used is written first).
struct WinoScratch {
  std::unique_ptr<int16_t[]> u;
  std::unique_ptr<int32_t[]> m;
  size_t uSize = 0, mSize = 0;
};

// The int32 accumulators of output rows 2 * ty and 2 * ty + 1 (those < oh) into
// acc[r * ow + ox][j] (ldAcc >= coutPad apart), from the channels-last u8 input xcl (zero point
// zx, 16 readable bytes past its end).
void WinogradTileRow(const uint8_t* xcl, int32_t zx, const Conv2dShape& s, const WinoWeights& ww, size_t ty,
                     WinoScratch* scratch, int32_t* acc, size_t ldAcc);

}  // namespace qtorch
