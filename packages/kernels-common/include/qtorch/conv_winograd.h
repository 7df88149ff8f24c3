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

// Bands of whole tiles (2x2 outputs): a GEMM row block of enough tiles to reuse each weight
// from cache, and few enough that the transformed band stays in L2.
struct WinoBand {
  size_t ty0, tileRows, tx0, tileCols;
};
std::vector<WinoBand> WinogradBands(const Conv2dShape& s);

// The int32 accumulators of band b's outputs (rows 2 * ty0.., columns 2 * tx0.., those inside
// oh x ow) into acc[(r * outCols + c) * ldAcc + j], outCols = min(2 * tileCols, ow - 2 * tx0),
// ldAcc >= coutPad, from the channels-last u8 input xcl (zero point zx, 16 readable bytes
// past its end).
void WinogradBand(const uint8_t* xcl, int32_t zx, const Conv2dShape& s, const WinoWeights& ww, const WinoBand& b,
                  WinoScratch* scratch, int32_t* acc, size_t ldAcc);

}  // namespace qtorch
