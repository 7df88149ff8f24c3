// AArch64 i8mm INT8 GEMM micro-kernel (compiled with -march=armv8.2-a+dotprod+i8mm, reached only
// when the CPU reports i8mm): usdot multiplies u8 activations by s8 weights directly, 4 products
// summed per int32 lane, exact; no correction needed. Tile: kernels_neon_dot_tile.h.
#include "kernels_neon_dot_tile.h"

namespace qtorch {
namespace {

struct Usdot {
  static uint8x16_t Activations(uint32x4_t quad) { return vreinterpretq_u8_u32(quad); }
  static int32x4_t Madd(int32x4_t acc, uint8x16_t a, int8x16_t b) { return vusdotq_s32(acc, a, b); }
  static void Init(const QGemmBlock&, const int8_t*, int32_t* init) {
    for (size_t j = 0; j < kQPanel; ++j) init[j] = 0;
  }
};

}  // namespace

void QGemmNeonI8mm(const QGemmBlock& blk) { DotGemm<Usdot>(blk); }

}  // namespace qtorch
