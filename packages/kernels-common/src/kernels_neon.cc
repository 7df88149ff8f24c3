// AArch64 NEON INT8 GEMM micro-kernel. NEON is architectural on AArch64, so this file is
// baseline code there (no flags); it is not compiled on other architectures. Exact for
// full-range u8: activations and weights are widened to int16 and multiply-accumulated into
// int32 lanes with vmlal_s16 (no saturating step, unlike a u8 x s8 -> s16 product pair sum).
// Each accumulator holds one column's 4 partial sums (one per k of the quad), folded at the end.
// Micro-tile: up to 2 rows x 8 columns (16 accumulators).
// (The FP32 GEMM runs the packed scalar tile of kernels_scalar.cc on AArch64: its per-column
// accumulators vectorize without reassociation.)
#include <arm_neon.h>

#include <cstddef>
#include <cstdint>

#include "qtorch/kernels.h"

namespace qtorch {
namespace {

// The 4 u8 activations of one quad, zero-extended to int16, twice: [a0 a1 a2 a3 a0 a1 a2 a3].
int16x8_t BroadcastQuad16(const uint8_t* p) {
  uint32_t v;
  __builtin_memcpy(&v, p, 4);
  return vreinterpretq_s16_u16(vmovl_u8(vreinterpret_u8_u32(vdup_n_u32(v))));
}

// One row's accumulators for 8 columns (named locals: arrays of vectors tend to live in memory).
struct Row {
  int32x4_t v0, v1, v2, v3, v4, v5, v6, v7;
};

// w01 holds columns 0 and 1 (4 k each) as int16, and so on.
__attribute__((always_inline)) inline void Step(Row& x, int16x8_t a, int16x8_t w01, int16x8_t w23, int16x8_t w45, int16x8_t w67) {
  const int16x4_t al = vget_low_s16(a);
  x.v0 = vmlal_s16(x.v0, vget_low_s16(w01), al);
  x.v1 = vmlal_high_s16(x.v1, w01, a);
  x.v2 = vmlal_s16(x.v2, vget_low_s16(w23), al);
  x.v3 = vmlal_high_s16(x.v3, w23, a);
  x.v4 = vmlal_s16(x.v4, vget_low_s16(w45), al);
  x.v5 = vmlal_high_s16(x.v5, w45, a);
  x.v6 = vmlal_s16(x.v6, vget_low_s16(w67), al);
  x.v7 = vmlal_high_s16(x.v7, w67, a);
}

// Folds 4 columns' partial sums: vpaddq twice gives [sum v0, sum v1, sum v2, sum v3].
int32x4_t Fold4(int32x4_t v0, int32x4_t v1, int32x4_t v2, int32x4_t v3) {
  return vpaddq_s32(vpaddq_s32(v0, v1), vpaddq_s32(v2, v3));
}

__attribute__((always_inline)) inline void Store(const Row& x, const QGemmBlock& blk, int32_t* c) {
  int32x4_t lo = Fold4(x.v0, x.v1, x.v2, x.v3), hi = Fold4(x.v4, x.v5, x.v6, x.v7);
  if (blk.accumulate) {
    lo = vaddq_s32(lo, vld1q_s32(c));
    hi = vaddq_s32(hi, vld1q_s32(c + 4));
  }
  vst1q_s32(c, lo);
  vst1q_s32(c + 4, hi);
}

template <int R>
void Tile(const QGemmBlock& blk, const uint8_t* a, const int8_t* bp, int32_t* c) {
  const int32x4_t z = vdupq_n_s32(0);
  Row x0{z, z, z, z, z, z, z, z}, x1{z, z, z, z, z, z, z, z};
  for (size_t q = 0; q < blk.kq; ++q) {
    const int8_t* bq = bp + q * kQPanel * kQuad;
    const int8x16_t b0 = vld1q_s8(bq), b1 = vld1q_s8(bq + 16);
    const int16x8_t w01 = vmovl_s8(vget_low_s8(b0)), w23 = vmovl_high_s8(b0);
    const int16x8_t w45 = vmovl_s8(vget_low_s8(b1)), w67 = vmovl_high_s8(b1);
    const uint8_t* aq = a + q * kQuad;
    Step(x0, BroadcastQuad16(aq), w01, w23, w45, w67);
    if (R > 1) Step(x1, BroadcastQuad16(aq + blk.lda), w01, w23, w45, w67);
  }
  Store(x0, blk, c);
  if (R > 1) Store(x1, blk, c + blk.ldc);
}

}  // namespace

void QGemmNeon(const QGemmBlock& blk) {
  for (size_t p = 0; p < blk.panels; ++p) {
    for (size_t col = 0; col < kQPanel; col += 8) {
      const int8_t* bp = blk.b + p * blk.panelStride + col * kQuad;
      size_t i = 0;
      for (; i + 2 <= blk.m; i += 2) Tile<2>(blk, blk.a + i * blk.lda, bp, blk.c + i * blk.ldc + p * kQPanel + col);
      if (i < blk.m) Tile<1>(blk, blk.a + i * blk.lda, bp, blk.c + i * blk.ldc + p * kQPanel + col);
    }
  }
}

}  // namespace qtorch
