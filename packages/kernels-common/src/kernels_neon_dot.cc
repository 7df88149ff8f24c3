// AArch64 dot-product INT8 GEMM micro-kernel (compiled with -march=armv8.2-a+dotprod, reached
// only when the CPU reports the extension). sdot multiplies s8 x s8 (udot u8 x u8), while the
// activations are u8 and the weights s8: it runs on (a - 128), which is a ^ 0x80 read as s8,
// and adds 128 * sum_k w back per column: sum (a - 128) w + 128 sum w = sum a w, exact in
// int32 (wrapping like the scalar kernel). The packed quads [col][4 k] are sdot's operand
// layout: one accumulator lane per column.
// Micro-tile: up to 4 rows x 16 columns (16 accumulators).
#include <arm_neon.h>

#include <cstddef>
#include <cstdint>

#include "qtorch/kernels.h"

namespace qtorch {
namespace {

// The 4 activations of one quad minus 128, as s8, in all 4 lanes.
int8x16_t BroadcastQuadMinus128(const uint8_t* p) {
  uint32_t v;
  __builtin_memcpy(&v, p, 4);
  return vreinterpretq_s8_u32(veorq_u32(vdupq_n_u32(v), vdupq_n_u32(0x80808080u)));
}

// One row's accumulators for 16 columns (vh: columns 4h..4h+3).
struct Row {
  int32x4_t v0, v1, v2, v3;
};

__attribute__((always_inline)) inline void Step(Row& x, const uint8_t* a, int8x16_t b0, int8x16_t b1, int8x16_t b2, int8x16_t b3) {
  const int8x16_t av = BroadcastQuadMinus128(a);
  x.v0 = vdotq_s32(x.v0, b0, av);
  x.v1 = vdotq_s32(x.v1, b1, av);
  x.v2 = vdotq_s32(x.v2, b2, av);
  x.v3 = vdotq_s32(x.v3, b3, av);
}

__attribute__((always_inline)) inline void Store(const Row& x, const QGemmBlock& blk, int32_t* c) {
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

// comp[j] = 128 * sum_k w[j, k] over the block, for the panel's 64 columns: every row's
// accumulator starts there, which undoes the - 128 of the activations.
void Compensation(const QGemmBlock& blk, const int8_t* panel, int32_t* comp) {
  const int8x16_t ones = vdupq_n_s8(1);
  for (size_t col = 0; col < kQPanel; col += 16) {
    int32x4_t s0 = vdupq_n_s32(0), s1 = s0, s2 = s0, s3 = s0;
    for (size_t q = 0; q < blk.kq; ++q) {
      const int8_t* bq = panel + q * kQPanel * kQuad + col * kQuad;
      s0 = vdotq_s32(s0, vld1q_s8(bq), ones);
      s1 = vdotq_s32(s1, vld1q_s8(bq + 16), ones);
      s2 = vdotq_s32(s2, vld1q_s8(bq + 32), ones);
      s3 = vdotq_s32(s3, vld1q_s8(bq + 48), ones);
    }
    vst1q_s32(comp + col, vshlq_n_s32(s0, 7));
    vst1q_s32(comp + col + 4, vshlq_n_s32(s1, 7));
    vst1q_s32(comp + col + 8, vshlq_n_s32(s2, 7));
    vst1q_s32(comp + col + 12, vshlq_n_s32(s3, 7));
  }
}

template <int R>
void Tile(const QGemmBlock& blk, const uint8_t* a, const int8_t* bp, const int32_t* comp, int32_t* c) {
  const Row init{vld1q_s32(comp), vld1q_s32(comp + 4), vld1q_s32(comp + 8), vld1q_s32(comp + 12)};
  Row x0 = init, x1 = init, x2 = init, x3 = init;
  const size_t lda = blk.lda;
  for (size_t q = 0; q < blk.kq; ++q) {
    const int8_t* bq = bp + q * kQPanel * kQuad;
    const int8x16_t b0 = vld1q_s8(bq), b1 = vld1q_s8(bq + 16), b2 = vld1q_s8(bq + 32), b3 = vld1q_s8(bq + 48);
    const uint8_t* aq = a + q * kQuad;
    Step(x0, aq, b0, b1, b2, b3);
    if (R > 1) Step(x1, aq + lda, b0, b1, b2, b3);
    if (R > 2) Step(x2, aq + 2 * lda, b0, b1, b2, b3);
    if (R > 3) Step(x3, aq + 3 * lda, b0, b1, b2, b3);
  }
  Store(x0, blk, c);
  if (R > 1) Store(x1, blk, c + blk.ldc);
  if (R > 2) Store(x2, blk, c + 2 * blk.ldc);
  if (R > 3) Store(x3, blk, c + 3 * blk.ldc);
}

}  // namespace

void QGemmNeonDot(const QGemmBlock& blk) {
  int32_t comp[kQPanel];
  for (size_t p = 0; p < blk.panels; ++p) {
    const int8_t* panel = blk.b + p * blk.panelStride;
    Compensation(blk, panel, comp);
    for (size_t col = 0; col < kQPanel; col += 16) {
      const int8_t* bp = panel + col * kQuad;
      int32_t* c = blk.c + p * kQPanel + col;
      size_t i = 0;
      for (; i + 4 <= blk.m; i += 4) Tile<4>(blk, blk.a + i * blk.lda, bp, comp + col, c + i * blk.ldc);
      switch (blk.m - i) {
        case 3: Tile<3>(blk, blk.a + i * blk.lda, bp, comp + col, c + i * blk.ldc); break;
        case 2: Tile<2>(blk, blk.a + i * blk.lda, bp, comp + col, c + i * blk.ldc); break;
        case 1: Tile<1>(blk, blk.a + i * blk.lda, bp, comp + col, c + i * blk.ldc); break;
        default: break;
      }
    }
  }
}

}  // namespace qtorch
