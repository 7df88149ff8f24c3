// AArch64 dot-product INT8 GEMM micro-kernel (compiled with -march=armv8.2-a+dotprod, reached
// only when the CPU reports the extension). sdot multiplies s8 x s8 (udot u8 x u8), while the
// activations are u8 and the weights s8: it runs on (a - 128), which is a ^ 0x80 read as s8,
// and every column starts at 128 * sum_k w: sum (a - 128) w + 128 sum w = sum a w, exact in
// int32 (wrapping like the scalar kernel). Tile: kernels_neon_dot_tile.h.
#include "kernels_neon_dot_tile.h"

namespace qtorch {
namespace {

struct SdotMinus128 {
  static int8x16_t Activations(uint32x4_t quad) { return vreinterpretq_s8_u32(veorq_u32(quad, vdupq_n_u32(0x80808080u))); }
  static int32x4_t Madd(int32x4_t acc, int8x16_t a, int8x16_t b) { return vdotq_s32(acc, b, a); }

  // init[j] = 128 * sum_k w[j, k] over the block, for the panel's 64 columns.
  static void Init(const QGemmBlock& blk, const int8_t* panel, int32_t* init) {
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
      vst1q_s32(init + col, vshlq_n_s32(s0, 7));
      vst1q_s32(init + col + 4, vshlq_n_s32(s1, 7));
      vst1q_s32(init + col + 8, vshlq_n_s32(s2, 7));
      vst1q_s32(init + col + 12, vshlq_n_s32(s3, 7));
    }
  }
};

}  // namespace

void QGemmNeonDot(const QGemmBlock& blk) { DotGemm<SdotMinus128>(blk); }

}  // namespace qtorch
