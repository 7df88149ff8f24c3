// Per-ISA convolution kernels (declarations and plain structs only, like kernels.h: the ISA
// translation units include nothing else of the project). Every kernel reproduces the
// baseline numerics of conv.cc / requant.cc bit for bit.
#pragma once

#include <cstddef>
#include <cstdint>

namespace qtorch {

// The output stage of qgemm.h (OutputStage) as plain pointers, for columns [col0, ...):
//   fbgemm:  y = clamp(zp + rint((f32(acc) + fbias[j]) * mult[j]))
//   qnnpack: y = clamp(zp + rint(f32(acc + qbias[j]) * mult[j]))
// clamp to [loRel, hiRel] relative to zp; NaN gives 0. Output int8 when isSigned, else uint8.
struct ConvStageArgs {
  const float* mult;
  const float* fbias;    // used when fbgemm
  const int32_t* qbias;  // used when !fbgemm
  float loRel, hiRel;
  int32_t zp;
  int fbgemm;
  int isSigned;
};

// A row-major int32 block of a GEMM (acc, m rows x n columns, ldAcc apart; n a multiple of 8,
// the caller does the other columns with the baseline stage) requantized with `stage` into y:
//   RequantNchwAvx2: y[j * yStride + i], the NCHW planes of a convolution (rows = output pixels;
//                    m a multiple of 8 too);
//   RequantRowsAvx2: y[i * yStride + j], row-major (a linear's rows).
struct RequantBlockArgs {
  const int32_t* acc;
  size_t m, n, ldAcc;
  ConvStageArgs stage;
  void* y;
  size_t yStride;
};
void RequantNchwAvx2(const RequantBlockArgs& args);
void RequantRowsAvx2(const RequantBlockArgs& args);

// Pixels [0, pixels) of c planes (hw bytes apart) -> channels-last [pixels][c] as uint8 (int8
// input is shifted by 128: x ^ 0x80, the GEMM's unsigned view). With c < 16 it may write 16
// bytes past pixels * c (the caller's slack); with c >= 16 it writes only its own bytes.
struct ChannelsLastArgs {
  const void* x;
  size_t c, hw, pixels;
  int isSigned;
  uint8_t* out;
};
void ChannelsLastAvx2(const ChannelsLastArgs& args);

// Zero-padded float input planes of the float direct convolution: one input channel [ih][iw]
// of 8-bit values -> planes[phase][row][j] = x[row - padH][phase + j * strideW - padW] - zx
// for the in-image positions (phase < strideW, row < rows, the column split by stride phase so
// a strided conv reads contiguous floats). Positions outside the image are not written (the
// caller zeroes the buffer once; they stay zero for every channel of the same geometry).
struct FloatPlaneArgs {
  const void* x;
  size_t ih, iw;
  int isSigned;
  int32_t zx;
  size_t padH, padW, strideW;
  size_t rows;       // padded rows held (rows - padH of them may be in the image)
  size_t cols;       // padded columns held before the phase split
  size_t rowStride;  // floats per row of a phase plane
  size_t phaseStride;  // floats per phase plane
  float* planes;
};
void FloatPlaneAvx2(const FloatPlaneArgs& args);

// One output plane of the float direct convolution: for each output (oy, ox)
//   sum = sum_t w[t] * in[oy * rowStep + ox + tapOffset[t]]
// over taps t (every input channel of the group and kernel position), w[t] = w - zw and the
// inputs x - zx as floats. The caller guarantees every partial sum is an integer of magnitude
// <= 2^24 (sum_t |w[t]| * 255 <= 2^24), so float accumulation (FMA) is exact and equals the
// int32 sum. Then the stage of column 0 of `stage`; y is the [oh][ow] plane.
struct FloatDirectArgs {
  const float* in;
  const float* w;
  const ptrdiff_t* tapOffset;
  size_t taps;
  size_t oh, ow, rowStep;  // rowStep: floats between output rows' first inputs (strideH rows)
  ConvStageArgs stage;
  void* y;
};
void FloatDirectAvx2(const FloatDirectArgs& args);

// Winograd F(2x2, 3x3) in exact int16 / int32 arithmetic (conv_winograd.cc): each 2x2 output
// tile is Y = A' [(G' g G'^T) . (B^T d B)] A / 4 with G' = 2G, so every transform is integer;
// |B^T d B| <= 4 * 255 and |G' g G'^T| <= 9 * 255 fit int16, products and sums are int32
// (wrapping: the final 4Y is exact when it fits int32, which the caller checks).

// A band of tileRows x tileCols tiles (row-major): d = x - zx of the 4x4 input patches (0
// outside the image) from the channels-last u8 input, transformed, into
// u[16][tiles][cinPad] (int16, cinPad a multiple of 16; the lanes past cin hold arbitrary
// values: their weights are zero). Reads up to 15 bytes past the input (the caller's slack).
struct WinoInputArgs {
  const uint8_t* xcl;
  size_t cin, ih, iw;
  ptrdiff_t y0;  // input row of the first tile's first patch row (2 * first tile row - padH)
  ptrdiff_t x0;  // input column of the first tile's first patch column (2 * first tile col - padW)
  size_t tileRows, tileCols, cinPad;
  int32_t zx;
  int16_t* u;
};
void WinoInputAvx2(const WinoInputArgs& args);

// m[t][rows][coutPad] = u[t][rows][cinPad] x v[t] for the 16 transform positions t: v[t] packed
// as [coutPad / 16][cinPad / 2][16 columns][2] int16 (pairs of k per column, vpmaddwd's order).
struct WinoGemmArgs {
  const int16_t* u;
  const int16_t* v;
  size_t rows, cinPad, coutPad;
  int32_t* m;
};
void WinoGemmAvx2(const WinoGemmArgs& args);

// The output transform of a band of tiles (as WinoInputArgs): acc[(r * outCols + c) * ldAcc + j]
// for the band's output rows r < outRows (<= 2 * tileRows) and columns c < outCols
// (<= 2 * tileCols), j < coutPad (a multiple of 8).
struct WinoOutputArgs {
  const int32_t* m;
  size_t tileRows, tileCols, coutPad, outRows, outCols, ldAcc;
  int32_t* acc;
};
void WinoOutputAvx2(const WinoOutputArgs& args);

}  // namespace qtorch
