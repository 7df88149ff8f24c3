// Per-ISA micro-kernels. This is the ONLY project header the ISA translation units include
// (with <immintrin.h>, <cstddef>, <cstdint>): declarations and plain structs only, no inline
// functions or templates, so no COMDAT copy compiled with -mavx512* can leak into baseline code.
#pragma once

#include <cstddef>
#include <cstdint>

namespace qtorch {

// Packed INT8 weight layout shared by every ISA: N is split into panels of kQPanel columns
// (zero padded), K into quads (zero padded to a multiple of 4). Panel p holds
// [K/4][kQPanel][4] int8: for each quad of k, the 4 consecutive weights of each column, the
// operand order of vpdpbusd (u8 activations x s8 weights, 4 products summed per int32 lane).
enum : size_t { kQPanel = 64, kQuad = 4 };

// C[m, n] (+)= sum_k A[m, k] * B[n, k] over one K block, every panel. A is u8, row-major with
// lda >= kq * 4 readable bytes per row (zero padded). B points at the block's first quad of
// panel 0; panel p starts at b + p * panelStride. C is row-major int32 with ldc >= panels * 64.
struct QGemmBlock {
  const uint8_t* a;
  size_t m;
  size_t lda;
  size_t kq;  // number of k quads in this block
  const int8_t* b;
  size_t panels;
  size_t panelStride;  // bytes between panels
  int32_t* c;
  size_t ldc;
  int accumulate;  // 0: C = ..., 1: C += ...
};

void QGemmScalar(const QGemmBlock& blk);
void QGemmAvx512(const QGemmBlock& blk);      // AVX-512BW, int16 widening + vpmaddwd: exact
void QGemmAvx512Vnni(const QGemmBlock& blk);  // vpdpbusd: exact (no int16 intermediate)
// AArch64 (kernels_neon*.cc; NEON is architectural there, the dot product an extension):
void QGemmNeon(const QGemmBlock& blk);     // int16 widening + vmlal_s16: exact
void QGemmNeonDot(const QGemmBlock& blk);  // sdot of (a - 128) and w, + 128 * column sums: exact
void QGemmNeonI8mm(const QGemmBlock& blk); // usdot (u8 x s8): exact

// The AVX2 GEMM works on a whole range of rows and panels at once, zero points included:
//   C[i, j] = sum_{k < K} (A[i, k] - za) * (B[j, k] - zw[j])   (int32, wrapping)
// for i < m, j < n, written (not accumulated) with leading dimension ldc. A is u8, K readable
// bytes per row (lda apart); b points at quad 0 of the range's first panel, panels
// panelStride bytes apart; n counts the valid columns from there (the range's last panel may
// be partial). Exact for za in [-32512, 32767] (a - za must fit int16). GotoBLAS blocking:
// per K block of kQGemmKc, A rows (kQGemmMc at a time) and then each 16-column strip of B are
// widened to int16 into `work` (kQGemmWorkElems int16, 64-byte aligned, one per thread).
// An A block whose values lie within lo..lo + 128 (fbgemm's reduce_range activations are
// 0..127, as are dynamically quantized ones with reduce_range) instead runs on vpmaddubsw with
// a - lo in 0..128, where no pair sum can saturate int16 (2 * 128 * [-128, 127] =
// [-32768, 32512]), and B stays int8; the shift comes back as (lo - za) * colSum, which needs
// blockColSums (per K block of kQGemmKc, per column: the sum of B over that block, row kb at
// blockColSums + kb * blockColSumStride, the range's first column at index 0).
enum : size_t { kQGemmKc = 512, kQGemmMc = 144 };
// The dynamic linear's float output stage (qgemm.h FloatOutputStage) as a GEMM's epilogue:
// y[i * ldy + j] = f32(f32(f32(C[i, j]) * scale[j]) + bias[j]), then 0 where relu and y < 0
// (NaN and -0 pass). scale, bias and y start at the GEMM range's first column.
struct QGemmFloatOut {
  const float* scale;
  const float* bias;
  int relu;
  float* y;
  size_t ldy;
};
enum : size_t { kQGemmWorkElems = kQGemmMc * kQGemmKc + kQGemmKc * 16 };
struct QGemmRangeArgs {
  const uint8_t* a;
  size_t lda;
  size_t m;
  int32_t za;
  const int8_t* b;
  size_t k;   // logical K (kq = ceil(K / 4) quads are packed per panel)
  size_t panelStride;
  size_t n;
  const int32_t* zw;  // n per-column weight zero points, or null when all are 0
  const int32_t* blockColSums;
  size_t blockColSumStride;
  int32_t* c;
  size_t ldc;
  int16_t* work;
  // Optional: the last K block's sums leave through this float stage instead of into C (C then
  // holds only the earlier blocks' partial sums, when K > kQGemmKc, and serves as scratch).
  const QGemmFloatOut* floatOut = nullptr;
};
void QGemmRangeAvx2(const QGemmRangeArgs& args);  // int16 widening + vpmaddwd: exact for full-range u8

// FP32 GEMM (driver: sgemm.cc). The driver packs one K block of op(A) into row panels of MR
// rows ([kc][MR] floats each, rows past M zero) and of op(B) into column panels of NR columns
// ([kc][NR], columns past N zero); a kernel multiplies every (row panel, column panel) pair:
//   C[i, j] = alpha * sum_k A[i, k] * B[k, j]  (+ beta * C[i, j] unless beta == 0: C not read)
//           (+ bias[j] when bias is set)
// for the m x n valid part only. Each element is alpha * acc, then + beta * C, then + bias,
// every step rounded separately (no FMA) whether the tile is full or at an edge, so results
// do not depend on where a tile starts (any thread split gives the same floats). The K sum
// order differs per ISA: results are close, not bit-identical, across ISAs.
struct SGemmBlock {
  const float* a;  // packed row panels, kc * MR floats each
  const float* b;  // packed column panels of kc x NR floats, panelStride floats apart
  size_t panelStride;  // kc * NR for the driver's per-call packing; K * NR for a prepacked B
  size_t kc;       // >= 1
  size_t m, n;     // valid rows / columns of the block
  float* c;
  size_t ldc;
  float alpha, beta;
  const float* bias;  // null, or the block's n column values
};

// Register tile (MR x NR) of each kernel; the driver packs to match.
enum : size_t {
  kSGemmMrScalar = 4, kSGemmNrScalar = 8,
  kSGemmMrAvx2 = 6, kSGemmNrAvx2 = 16,      // 12 ymm accumulators
  kSGemmMrAvx512 = 6, kSGemmNrAvx512 = 32,  // the AVX2 tile at twice the width (12 zmm)
};

void SGemmScalar(const SGemmBlock& blk);
void SGemmAvx2(const SGemmBlock& blk);
void SGemmAvx512(const SGemmBlock& blk);

// Whole-tensor elementwise kernels with qtensor's reference numerics (qops.h / numerics.h):
// the baseline versions are compiler-vectorized loops in elementwise.cc, these the explicit
// AVX2 ones (also used at the AVX-512 levels). 8-bit data is uint8 (isSigned = 0) or int8.
// Every result is bit-identical to the baseline loop.

// q[i] = clamp(v = zp + rint(x[i] * inv); NaN / inf / |v| >= 2^63 -> qmin) for i < n.
struct QuantizeArgs {
  const float* x;
  size_t n;
  float inv, zp, qmin, qmax;
  void* q;
  int isSigned;
};
void QuantizeAvx2(const QuantizeArgs& args);

// y[i] = f32(q[i] - zp) * scale.
struct DequantizeArgs {
  const void* q;
  size_t n;
  int isSigned;
  int32_t zp;
  float scale;
  float* y;
};
void DequantizeAvx2(const DequantizeArgs& args);

// y[i] = quantize(v < floor ? 0 : v), v = f32(a[i] - za) * sa + f32(b[i] - zb) * sb, with
// (inv, zo, qmin, qmax) as QuantizeArgs; floor is 0 (relu) or -inf.
struct QAddArgs {
  const void* a;
  const void* b;
  void* y;
  size_t n;
  int isSigned;
  int32_t za, zb;
  float sa, sb, floor, inv, zo, qmin, qmax;
};
void QAddAvx2(const QAddArgs& args);

// acc[i] += (x[i] - zx) * w for i < n: one row of the direct (depthwise) convolution, stride 1.
struct ConvRowArgs {
  int32_t* acc;
  const void* x;
  size_t n;
  int isSigned;
  int32_t zx, w;
};
void ConvRowAvx2(const ConvRowArgs& args);

// quantized::mul(_relu): y[i] = zo + clamp(rint(f32((a[i] - za) * (b[i] - zb)) * m), lo, hi)
// (lo / hi relative to zo; NaN, from an infinite m times 0, gives 0 as the reference's store).
struct QMulArgs {
  const void* a;
  const void* b;
  void* y;
  size_t n;
  int isSigned;
  int32_t za, zb;
  float m, lo, hi;
  int32_t zo;
};
void QMulAvx2(const QMulArgs& args);

// y[i] = table[x[i]] for i < n: a 256-entry byte table (16 shuffles of 16-entry slices).
void LutAvx2(const uint8_t* x, size_t n, const uint8_t* table, uint8_t* y);

// Max pooling rows: y[i] = max(y[i], x[i]) for i < n (8-bit, signed or not).
void MaxRowAvx2(void* y, const void* x, size_t n, int isSigned);

// Recurrent cell gates of one batch row (rnn.cc drives them): ig / hg hold the row's gate
// pre-activations x W_ih^T + b_ih and h W_hh^T + b_hh, `gates` blocks of n (LSTM i, f, g, o;
// GRU r, z, n; Elman: one). Adds and products in float32 as the reference; sigmoid and tanh
// are f32_math.h's float32 algorithm, which the reference also runs: bit for bit.
struct RnnGatesArgs {
  const float* ig;
  const float* hg;
  const float* h;  // GRU: the previous hidden state (n values)
  float* c;        // LSTM: the cell state (n values), updated in place
  float* hOut;     // n values
  size_t n;
};
void LstmGatesAvx2(const RnnGatesArgs& args);
void GruGatesAvx2(const RnnGatesArgs& args);
void TanhGatesAvx2(const RnnGatesArgs& args);  // Elman: tanh(ig + hg)

// float32 sigmoid / tanh of n values, the gates' functions on their own (qtensor's float32
// sigmoid and tanh, bit for bit). y may be x (in place), not a partial overlap.
void SigmoidF32Avx2(const float* x, size_t n, float* y);
void TanhF32Avx2(const float* x, size_t n, float* y);

}  // namespace qtorch
