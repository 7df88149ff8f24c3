// Internal to the AArch64 dot-product kernels (kernels_neon_dot.cc: sdot, kernels_neon_i8mm.cc:
// usdot), each compiled with its own -march: their shared 4-row x 16-column tile, parametrized
// by the dot step. Everything has internal linkage (anonymous namespace), so no copy compiled
// with one file's flags can be kept by the linker for another caller (the COMDAT trap of
// TOOLCHAIN.md section 4). The packed quads [col][4 k] are the dot instructions' operand
// layout: one accumulator lane per column.
#pragma once

#include <arm_neon.h>

#include <cstddef>
#include <cstdint>

#include "qtorch/kernels.h"

namespace qtorch {
namespace {

// One row's accumulators for 16 columns (vh: columns 4h..4h+3; named, not an array, so they
// stay in registers).
struct DotRow {
  int32x4_t v0, v1, v2, v3;
};

// The 4 bytes of one quad of A in all 4 lanes.
inline uint32x4_t BroadcastQuad(const uint8_t* p) {
  uint32_t v;
  __builtin_memcpy(&v, p, 4);
  return vdupq_n_u32(v);
}

template <typename Dot>
__attribute__((always_inline)) inline void DotStep(DotRow& x, const uint8_t* a, int8x16_t b0, int8x16_t b1, int8x16_t b2, int8x16_t b3) {
  const auto av = Dot::Activations(BroadcastQuad(a));
  x.v0 = Dot::Madd(x.v0, av, b0);
  x.v1 = Dot::Madd(x.v1, av, b1);
  x.v2 = Dot::Madd(x.v2, av, b2);
  x.v3 = Dot::Madd(x.v3, av, b3);
}

__attribute__((always_inline)) inline void DotStore(const DotRow& x, const QGemmBlock& blk, int32_t* c) {
  int32x4_t v0 = x.v0, v1 = x.v1, v2 = x.v2, v3 = x.v3;
  if (blk.accumulate) {
    v0 = vaddq_s32(v0, vld1q_s32(c));
    v1 = vaddq_s32(v1, vld1q_s32(c + 4));
    v2 = vaddq_s32(v2, vld1q_s32(c + 8));
    v3 = vaddq_s32(v3, vld1q_s32(c + 12));
  }
  vst1q_s32(c, v0);
  vst1q_s32(c + 4, v1);
  vst1q_s32(c + 8, v2);
  vst1q_s32(c + 12, v3);
}

// R rows x 16 columns; every accumulator starts at init[column] (a per-column correction).
template <int R, typename Dot>
void DotTile(const QGemmBlock& blk, const uint8_t* a, const int8_t* bp, const int32_t* init, int32_t* c) {
  const DotRow start{vld1q_s32(init), vld1q_s32(init + 4), vld1q_s32(init + 8), vld1q_s32(init + 12)};
  DotRow x0 = start, x1 = start, x2 = start, x3 = start;
  const size_t lda = blk.lda;
  for (size_t q = 0; q < blk.kq; ++q) {
    const int8_t* bq = bp + q * kQPanel * kQuad;
    const int8x16_t b0 = vld1q_s8(bq), b1 = vld1q_s8(bq + 16), b2 = vld1q_s8(bq + 32), b3 = vld1q_s8(bq + 48);
    const uint8_t* aq = a + q * kQuad;
    DotStep<Dot>(x0, aq, b0, b1, b2, b3);
    if (R > 1) DotStep<Dot>(x1, aq + lda, b0, b1, b2, b3);
    if (R > 2) DotStep<Dot>(x2, aq + 2 * lda, b0, b1, b2, b3);
    if (R > 3) DotStep<Dot>(x3, aq + 3 * lda, b0, b1, b2, b3);
  }
  DotStore(x0, blk, c);
  if (R > 1) DotStore(x1, blk, c + blk.ldc);
  if (R > 2) DotStore(x2, blk, c + 2 * blk.ldc);
  if (R > 3) DotStore(x3, blk, c + 3 * blk.ldc);
}

// The whole block: per panel, Dot::Init fills the 64 per-column start values, then the tiles.
template <typename Dot>
void DotGemm(const QGemmBlock& blk) {
  int32_t init[kQPanel];
  for (size_t p = 0; p < blk.panels; ++p) {
    const int8_t* panel = blk.b + p * blk.panelStride;
    Dot::Init(blk, panel, init);
    for (size_t col = 0; col < kQPanel; col += 16) {
      const int8_t* bp = panel + col * kQuad;
      int32_t* c = blk.c + p * kQPanel + col;
      size_t i = 0;
      for (; i + 4 <= blk.m; i += 4) DotTile<4, Dot>(blk, blk.a + i * blk.lda, bp, init + col, c + i * blk.ldc);
      switch (blk.m - i) {
        case 3: DotTile<3, Dot>(blk, blk.a + i * blk.lda, bp, init + col, c + i * blk.ldc); break;
        case 2: DotTile<2, Dot>(blk, blk.a + i * blk.lda, bp, init + col, c + i * blk.ldc); break;
        case 1: DotTile<1, Dot>(blk, blk.a + i * blk.lda, bp, init + col, c + i * blk.ldc); break;
        default: break;
      }
    }
  }
}

}  // namespace
}  // namespace qtorch
