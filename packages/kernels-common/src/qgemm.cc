// INT8 GEMM driver: pads A to whole quads, blocks K for cache, dispatches to the active ISA's
// kernel and applies zero-point compensation.
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "qtorch/cpu.h"
#include "qtorch/kernels.h"
#include "qtorch/parallel.h"
#include "qtorch/qgemm.h"
#include "qtorch/qops.h"
#include "qtorch/scratch.h"

#if defined(__x86_64__) || defined(_M_X64)
#define QTORCH_X86_64 1
#endif

namespace qtorch {
namespace {

using QKernel = void (*)(const QGemmBlock&);

QKernel SelectQKernel() {
#if defined(QTORCH_X86_64)
  switch (ActiveIsa()) {
    case Isa::Avx512Vnni: return QGemmAvx512Vnni;
    case Isa::Avx512: return QGemmAvx512;
    default: break;
  }
#elif defined(__aarch64__) || defined(_M_ARM64)
  switch (ActiveIsa()) {
    case Isa::NeonI8mm: return QGemmNeonI8mm;
    case Isa::NeonDot: return QGemmNeonDot;
    case Isa::Neon: return QGemmNeon;
    default: break;
  }
#endif
  return QGemmScalar;
}

// K block (in quads): 512 quads = 2048 bytes of k; a 64-column panel block is then 128 KiB,
// which stays in L2 while every row tile of A streams over it.
constexpr size_t kKcQuads = 512;

}  // namespace

namespace {

// Rows [i0, i1) x panels [p0, p1) of the GEMM into c (ldc = np), then the zero-point
// compensation of those rows and panels' columns into acc. Every element depends only on its
// own row and column, so any split of the work gives the same integers.
void QGemmRange(const uint8_t* a, size_t lda, int32_t za, const PackedWeights& pw, int32_t* c, int32_t* acc,
                const int32_t* colTerm, size_t i0, size_t i1, size_t p0, size_t p1) {
  const size_t n = pw.n, k = pw.k, kq = pw.kq, np = pw.panels * kQPanel;
  const size_t j0 = p0 * kQPanel, j1 = std::min(n, p1 * kQPanel);
  const QKernel kernel = SelectQKernel();
  for (size_t q0 = 0; q0 < kq; q0 += kKcQuads) {
    QGemmBlock blk;
    blk.a = a + i0 * lda + q0 * kQuad;
    blk.m = i1 - i0;
    blk.lda = lda;
    blk.kq = std::min(kKcQuads, kq - q0);
    blk.panelStride = kq * kQPanel * kQuad;
    blk.b = pw.data.data() + p0 * blk.panelStride + q0 * kQPanel * kQuad;
    blk.panels = p1 - p0;
    blk.c = c + i0 * np + j0;
    blk.ldc = np;
    blk.accumulate = q0 > 0;
    kernel(blk);
  }
  // acc = sum(a*w) - zw*rowsum(a) - za*colsum(w) + K*za*zw. The column terms are one constant
  // per column; row sums are needed only when some zw != 0 (symmetric weights skip the pass).
  const int32_t* zw = pw.zeroPoints.data();
  for (size_t i = i0; i < i1; ++i) {
    const int32_t* ci = c + i * np;  // equals out when np == n: each element is read, then written
    int32_t* out = acc + i * n;
    if (pw.zeroPointsAllZero) {
      for (size_t j = j0; j < j1; ++j) out[j] = ci[j] + colTerm[j];
    } else {
      int32_t rowSum = 0;
      for (size_t t = 0; t < k; ++t) rowSum += a[i * lda + t];
      for (size_t j = j0; j < j1; ++j) out[j] = ci[j] - zw[j] * rowSum + colTerm[j];
    }
  }
}

// Multiply-adds below which a GEMM part is not worth waking a thread for.
constexpr size_t kMinParallelWork = size_t{1} << 20;
// Multiply-adds per thread above which a panel split uses one range per thread (~0.3 ms).
constexpr size_t kCoarseSplitWork = size_t{1} << 25;


// Calls run(i0, i1, p0, p1) on parts of rows x panels for the pool. Panels split when there
// are enough to go around (each thread then widens only its share of B, and the rows' int32
// results of a part are contiguous per row), rows otherwise (conv's im2col: many rows, few
// panels). Every element depends only on its own row and column, so any split gives the same
// integers.
template <typename F>
void SplitRowsOrPanels(size_t m, const PackedWeights& pw, F&& run) {
  const size_t np = pw.panels * kQPanel, k = std::max<size_t>(pw.k, 1);
  const size_t rowGrain = std::max<size_t>(12, (kMinParallelWork / (np * k) + 11) / 12 * 12);  // 12: every kernel's row tiles
  const bool panels = pw.panels >= 2 && (pw.panels >= 2 * NumThreads() || m < 2 * rowGrain);
  if (panels) {
    // Each range packs all of A again: a long job takes one range per thread (128x4096x1024 on
    // 2 threads: 4.2 vs 4.5 ms with 4 per thread); a short one keeps the pool's finer ranges,
    // which a worker woken late can still share.
    const size_t threads = NumThreads();
    const bool longJob = m * np * k / threads >= kCoarseSplitWork;
    const size_t minGrain = std::max<size_t>(1, kMinParallelWork / (m * kQPanel * k));
    const size_t panelGrain = longJob ? std::max(minGrain, (pw.panels + threads - 1) / threads) : minGrain;
    ParallelFor(pw.panels, panelGrain, [&](size_t p0, size_t p1) { run(0, m, p0, p1); });
  } else {
    ParallelFor(m, rowGrain, [&](size_t i0, size_t i1) { run(i0, i1, 0, pw.panels); });
  }
}

// m rows of k bytes (lda apart) copied into rows of `width` >= k bytes, zero padded.
std::vector<uint8_t> PadRows(const uint8_t* a, size_t lda, size_t m, size_t k, size_t width) {
  std::vector<uint8_t> out(m * width, 0);
  for (size_t i = 0; i < m; ++i) std::memcpy(&out[i * width], a + i * lda, k);
  return out;
}

// Scratch of the AVX2 GEMM (kernels.h): one 64-byte aligned buffer per thread, made on first
// use and kept (pool threads live as long as the process), or null if it cannot be allocated.
[[maybe_unused]] int16_t* ThreadWork() {  // the AVX2 kernel's (unused on other architectures)
  struct Buffer {
    void* p = nullptr;
    ~Buffer() { std::free(p); }
  };
  thread_local Buffer buf;
  constexpr size_t kBytes = (kQGemmWorkElems * sizeof(int16_t) + 63) / 64 * 64;
  if (!buf.p) buf.p = std::aligned_alloc(64, kBytes);
  return static_cast<int16_t*>(buf.p);
}

// Whether the fused AVX2 kernel serves this call (a - za must fit int16).
bool UseAvx2Range(int32_t za) {
#if defined(QTORCH_X86_64)
  return ActiveIsa() == Isa::Avx2 && za >= -32512 && za <= 32767;
#else
  (void)za;
  return false;
#endif
}

// The AVX2 path: zero points applied in the kernel, results straight into acc (ldc = n), or
// with fo through its float stage into fo->y (acc then only scratch for K > kQGemmKc).
// Returns false (nothing written) if a thread's scratch could not be allocated.
bool QGemmS32Avx2(const uint8_t* a, size_t lda, size_t m, int32_t za, const PackedWeights& pw, int32_t* acc,
                  const GemmPartFn* onPart, const QGemmFloatOut* fo = nullptr) {
#if defined(QTORCH_X86_64)
  const size_t n = pw.n, panelStride = pw.kq * kQPanel * kQuad;
  std::atomic<bool> ok{true};
  SplitRowsOrPanels(m, pw, [&](size_t i0, size_t i1, size_t p0, size_t p1) {
    int16_t* work = ThreadWork();
    if (!work) {
      ok.store(false, std::memory_order_relaxed);
      return;
    }
    const size_t j0 = p0 * kQPanel;
    QGemmRangeArgs g;
    g.a = a + i0 * lda;
    g.lda = lda;
    g.m = i1 - i0;
    g.za = za;
    g.b = pw.data.data() + p0 * panelStride;
    g.k = pw.k;
    g.panelStride = panelStride;
    g.n = std::min(n, p1 * kQPanel) - j0;
    g.zw = pw.zeroPointsAllZero ? nullptr : pw.zeroPoints.data() + j0;
    g.blockColSums = pw.blockColSums.data() + j0;
    g.blockColSumStride = n;
    g.c = acc + i0 * n + j0;
    g.ldc = n;
    g.work = work;
    QGemmFloatOut rangeOut;
    if (fo) {
      rangeOut = {fo->scale + j0, fo->bias + j0, fo->relu, fo->y + i0 * fo->ldy + j0, fo->ldy};
      g.floatOut = &rangeOut;
    }
    QGemmRangeAvx2(g);
    if (onPart) (*onPart)(i0, i1, j0, j0 + g.n);
  });
  return ok.load();
#else
  (void)a, (void)lda, (void)m, (void)za, (void)pw, (void)acc, (void)onPart;
  return false;
#endif
}

}  // namespace

void QGemmS32Strided(const uint8_t* a, size_t lda, size_t m, int32_t za, const PackedWeights& pw, int32_t* acc,
                     const GemmPartFn* onPart) {
  const size_t n = pw.n, k = pw.k, np = pw.panels * kQPanel;
  if (m == 0 || n == 0) return;
  if (k == 0) {  // empty sums
    std::fill(acc, acc + m * n, 0);
    if (onPart) (*onPart)(0, m, 0, n);
    return;
  }
  if (UseAvx2Range(za) && QGemmS32Avx2(a, lda, m, za, pw, acc, onPart)) return;
  // The per-block kernels read whole quads: rows of K bytes (from QGemmS32) get padded.
  if (lda < pw.kq * kQuad) {
    const std::vector<uint8_t> padded = PadRows(a, lda, m, k, pw.kq * kQuad);
    return QGemmS32Strided(padded.data(), pw.kq * kQuad, m, za, pw, acc, onPart);
  }
  // The per-block kernels write whole 64-column panels: straight into acc when N is a
  // multiple of 64, else into a scratch buffer (not zero-filled: every element is written).
  std::unique_ptr<int32_t[]> scratch;
  int32_t* c = acc;
  if (np != n) {
    scratch.reset(new int32_t[m * np]);
    c = scratch.get();
  }
  std::unique_ptr<int32_t[]> colTerm(new int32_t[n]);
  for (size_t j = 0; j < n; ++j) colTerm[j] = static_cast<int32_t>(k) * za * pw.zeroPoints[j] - za * pw.colSums[j];
  SplitRowsOrPanels(m, pw, [&](size_t i0, size_t i1, size_t p0, size_t p1) {
    QGemmRange(a, lda, za, pw, c, acc, colTerm.get(), i0, i1, p0, p1);
    if (onPart) (*onPart)(i0, i1, p0 * kQPanel, std::min(n, p1 * kQPanel));
  });
}

void QGemmS32(const uint8_t* a, size_t m, int32_t za, const PackedWeights& pw, int32_t* acc, const GemmPartFn* onPart) {
  // Rows of K bytes: QGemmS32Strided pads them (a copy) only for the kernels that read whole
  // quads, i.e. not for the AVX2 one.
  QGemmS32Strided(a, pw.k, m, za, pw, acc, onPart);
}

std::vector<uint8_t> ShiftToUnsigned(const int8_t* x, size_t count) {
  std::vector<uint8_t> u(count);
  for (size_t i = 0; i < count; ++i) u[i] = static_cast<uint8_t>(x[i]) ^ 0x80u;
  return u;
}

namespace {
template <typename T>
struct Unsigned;  // u8 view of the activations and the matching zero point
template <>
struct Unsigned<uint8_t> {
  const uint8_t* a;
  int32_t za;
  Unsigned(const uint8_t* x, size_t, int32_t z) : a(x), za(z) {}
};
template <>
struct Unsigned<int8_t> {
  std::vector<uint8_t> buf;
  const uint8_t* a;
  int32_t za;
  Unsigned(const int8_t* x, size_t count, int32_t z) : buf(ShiftToUnsigned(x, count)), a(buf.data()), za(z + 128) {}
};
}  // namespace

// Rows per block of the fused linear ops: the int32 block (<= 4 MiB, or 64 rows) is
// requantized while still in cache, and temporary memory stays bounded for any M.
static size_t LinearBlockRows(size_t n) { return std::max<size_t>(64, (size_t{1} << 20) / std::max<size_t>(n, 1)); }

// The fused linear ops' row blocks: block(acc, i0, rows) for each block of rows from i0, acc
// this thread's int32 scratch for one block (ldc = n); stops at the first block that returns false.
template <typename Block>
static bool ForRowBlocks(size_t m, const PackedWeights& pw, Block&& block) {
  const size_t rows = std::min(m, LinearBlockRows(pw.n));
  int32_t* acc = ThreadScratch<int32_t, kScratchLinearAcc>(rows * pw.n);
  for (size_t i0 = 0; i0 < m; i0 += rows) {
    if (!block(acc, i0, std::min(rows, m - i0))) return false;
  }
  return true;
}

// The fused linear ops' GEMM: row blocks into this thread's int32 scratch (ldc = n), each
// finished part handed on its thread, while in cache (no second dispatch), to
// stage(acc, i0: the block's first row, rows [p0, p1) and columns [j0, j1) of the block).
template <typename Stage>
static void BlockedLinear(const uint8_t* a, size_t m, int32_t za, const PackedWeights& pw, Stage&& stage) {
  ForRowBlocks(m, pw, [&](int32_t* acc, size_t i0, size_t rows) {
    const GemmPartFn part = [&](size_t p0, size_t p1, size_t j0, size_t j1) { stage(acc, i0, p0, p1, j0, j1); };
    QGemmS32(a + i0 * pw.k, rows, za, pw, acc, &part);
    return true;
  });
}

template <typename T>
void QLinear(const T* a, size_t m, int32_t za, const PackedWeights& pw, const RequantParams& p, T* y) {
  const Unsigned<T> u(a, m * pw.k, za);
  const OutputStage stage = MakeOutputStage(p, pw.n);
  BlockedLinear(u.a, m, u.za, pw, [&](const int32_t* acc, size_t i0, size_t p0, size_t p1, size_t j0, size_t j1) {
    RequantizePart<T>(acc, pw.n, stage, 0, y + i0 * pw.n, pw.n, 1, p0, p1, j0, j1);
  });
}

template void QLinear<uint8_t>(const uint8_t*, size_t, int32_t, const PackedWeights&, const RequantParams&, uint8_t*);
template void QLinear<int8_t>(const int8_t*, size_t, int32_t, const PackedWeights&, const RequantParams&, int8_t*);

void QLinearF32(const uint8_t* a, size_t m, int32_t za, const PackedWeights& pw, double inScale,
                const double* weightScales, size_t weightScaleCount, const float* bias, bool relu, float* y) {
  const FloatOutputStage stage = MakeFloatOutputStage(inScale, weightScales, weightScaleCount, bias, relu, pw.n);
  // the stage runs in the AVX2 kernel's epilogue: no int32 pass over memory (acc holds the
  // earlier K blocks' sums when K > kQGemmKc); false: a thread lacked scratch, the path below redoes it
  if (m > 0 && pw.n > 0 && pw.k > 0 && UseAvx2Range(za) && ForRowBlocks(m, pw, [&](int32_t* acc, size_t i0, size_t rows) {
        const QGemmFloatOut fo{stage.scale.data(), stage.bias.data(), relu ? 1 : 0, y + i0 * pw.n, pw.n};
        return QGemmS32Avx2(a + i0 * pw.k, pw.k, rows, za, pw, acc, nullptr, &fo);
      })) {
    return;
  }
  BlockedLinear(a, m, za, pw, [&](const int32_t* acc, size_t i0, size_t p0, size_t p1, size_t j0, size_t j1) {
    DequantizePart(acc, pw.n, stage, y + i0 * pw.n, pw.n, p0, p1, j0, j1);
  });
}

void LinearDynamicF32(const float* x, size_t m, double inScale, int32_t za, const PackedWeights& pw, const double* weightScales,
                      size_t weightScaleCount, const float* bias, bool relu, uint8_t* xq, float* y) {
  QuantizePerTensor<uint8_t>(x, m * pw.k, inScale, za, xq);
  QLinearF32(xq, m, za, pw, inScale, weightScales, weightScaleCount, bias, relu, y);
}

}  // namespace qtorch
