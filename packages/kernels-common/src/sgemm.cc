// FP32 GEMM driver in the GotoBLAS/BLIS shape: for each N block and K block, op(B) is packed
// into column panels once; for each M block, op(A) into row panels; the active ISA's kernel
// multiplies the packed block (kernels.h SGemmBlock). Transposes are absorbed by the packing.
#include "qtorch/sgemm.h"

#include <algorithm>
#include <cstdint>
#include <memory>

#include "qtorch/cpu.h"
#include "qtorch/kernels.h"
#include "qtorch/parallel.h"

#if defined(__x86_64__) || defined(_M_X64)
#define QTORCH_X86_64 1
#endif

namespace qtorch {
namespace {

struct Kernel {
  size_t mr, nr;
  void (*fn)(const SGemmBlock&);
};

Kernel KernelFor(Isa isa) {
#if defined(QTORCH_X86_64)
  switch (isa) {
    case Isa::Avx512Vnni:
    case Isa::Avx512: return {kSGemmMrAvx512, kSGemmNrAvx512, SGemmAvx512};
    case Isa::Avx2: return {kSGemmMrAvx2, kSGemmNrAvx2, SGemmAvx2};
    default: break;
  }
#else
  (void)isa;
#endif
  return {kSGemmMrScalar, kSGemmNrScalar, SGemmScalar};
}

Kernel SelectKernel() { return KernelFor(ActiveIsa()); }

// The kernel whose panels are nr wide, among those this CPU runs (the widest ISA first), or
// one with mr == 0.
Kernel KernelOfWidth(size_t nr) {
#if defined(QTORCH_X86_64)
  for (const Isa isa : {Isa::Avx512, Isa::Avx2})
    if (isa <= DetectedIsa() && KernelFor(isa).nr == nr) return KernelFor(isa);
#endif
  const Kernel scalar = KernelFor(Isa::Scalar);
  return scalar.nr == nr ? scalar : Kernel{0, 0, nullptr};
}

// Blocking (Zen 3: 32 KiB L1d, 512 KiB L2): a kc x NR panel of B (16 KiB for AVX2) stays in
// L1 while the mc x kc packed A block (<= 144 KiB) streams from L2; the kc x nc packed B block
// (1 MiB) is read once per M block. kMc is a multiple of every MR, kNc of every NR.
constexpr size_t kKc = 256, kMc = 144, kNc = 1024;

// Multiply-adds below which a part is not worth waking a pool thread for.
constexpr size_t kMinParallelWork = size_t{1} << 20;
// Floats a range of SGemmPackBT copies at least (a copy costs about what 16 multiply-adds do).
constexpr size_t kMinParallelCopies = kMinParallelWork / 16;

size_t RoundUp(size_t v, size_t to) { return (v + to - 1) / to * to; }

// Grow-only, 64-byte aligned packing buffer per thread (pool threads live as long as the
// process), so a call allocates nothing once warm.
class Scratch {
 public:
  float* Get(size_t count) {
    if (count > capacity_) {
      buf_.reset(new float[count + 16]);
      capacity_ = count;
    }
    const uintptr_t p = reinterpret_cast<uintptr_t>(buf_.get());
    return reinterpret_cast<float*>((p + 63) & ~uintptr_t{63});
  }

 private:
  std::unique_ptr<float[]> buf_;
  size_t capacity_ = 0;
};

thread_local Scratch tPackA, tPackB;

// Rows [i0, i0 + mc) x k [p0, p0 + kc) of op(A) into panels of mr rows: [kc][mr], zero padded.
void PackA(const SGemmProblem& q, size_t i0, size_t mc, size_t p0, size_t kc, size_t mr, float* dst) {
  for (size_t r0 = 0; r0 < mc; r0 += mr, dst += kc * mr) {
    const size_t rows = std::min(mr, mc - r0);
    if (q.transA) {  // A stored k-major: each k holds the panel's rows side by side
      for (size_t p = 0; p < kc; ++p) {
        const float* src = q.a + (p0 + p) * q.lda + i0 + r0;
        float* d = dst + p * mr;
        for (size_t r = 0; r < mr; ++r) d[r] = r < rows ? src[r] : 0.0f;
      }
    } else {
      for (size_t r = 0; r < mr; ++r) {
        const float* src = q.a + (i0 + r0 + r) * q.lda + p0;
        if (r < rows) {
          for (size_t p = 0; p < kc; ++p) dst[p * mr + r] = src[p];
        } else {
          for (size_t p = 0; p < kc; ++p) dst[p * mr + r] = 0.0f;
        }
      }
    }
  }
}

// One column panel of B^T (B n x k, the weights of a linear layer): dst[p * nr + c] =
// src[c * ldb + p] for c < cols (<= nr), p < kc; zero for columns cols..nr. The panel's rows
// are read side by side, 8 k at a time (a small transpose the compiler keeps in registers).
void PackPanelBT(const float* src, size_t ldb, size_t cols, size_t kc, size_t nr, float* dst) {
  constexpr size_t kSlice = 8;
  size_t p = 0;
  for (; p + kSlice <= kc; p += kSlice) {
    for (size_t c = 0; c < cols; ++c)
      for (size_t t = 0; t < kSlice; ++t) dst[(p + t) * nr + c] = src[c * ldb + p + t];
    for (size_t c = cols; c < nr; ++c)
      for (size_t t = 0; t < kSlice; ++t) dst[(p + t) * nr + c] = 0.0f;
  }
  for (; p < kc; ++p)
    for (size_t c = 0; c < nr; ++c) dst[p * nr + c] = c < cols ? src[c * ldb + p] : 0.0f;
}

// k [p0, p0 + kc) x columns [j0, j0 + nc) of op(B) into panels of nr columns: [kc][nr], zero
// padded. Both layouts are walked in short k slices across all panels, so reads run along
// B's rows and each slice's writes stay within a few cache lines per panel.
void PackB(const SGemmProblem& q, size_t p0, size_t kc, size_t j0, size_t nc, size_t nr, float* dst) {
  const size_t panels = (nc + nr - 1) / nr, tail = nc - (panels - 1) * nr;
  if (!q.transB) {  // row-major k x n: one contiguous row of B per k
    for (size_t p = 0; p < kc; ++p) {
      const float* src = q.b + (p0 + p) * q.ldb + j0;
      for (size_t panel = 0; panel < panels; ++panel) {
        float* d = dst + panel * kc * nr + p * nr;
        const float* s = src + panel * nr;
        const size_t cols = panel + 1 < panels ? nr : tail;
        for (size_t c = 0; c < cols; ++c) d[c] = s[c];
        for (size_t c = cols; c < nr; ++c) d[c] = 0.0f;
      }
    }
    return;
  }
  // n x k (the weights of a linear layer)
  for (size_t panel = 0; panel < panels; ++panel)
    PackPanelBT(q.b + (j0 + panel * nr) * q.ldb + p0, q.ldb, panel + 1 < panels ? nr : tail, kc, nr, dst + panel * kc * nr);
}

// The serial GEMM of rows [i0, i1) x columns [j0, j1) of C. Every element sums its K blocks in
// the same order whatever the sub-rectangle, so splits do not change results. `prepacked`: B
// packed by SGemmPackBT for kn (j0 a multiple of kn.nr), else B is packed here per K block.
void Run(const SGemmProblem& q, const Kernel& kn, size_t i0, size_t i1, size_t j0, size_t j1, const float* prepacked = nullptr) {
  float* bp = prepacked ? nullptr : tPackB.Get(kKc * RoundUp(std::min(kNc, j1 - j0), kn.nr));
  float* ap = tPackA.Get(RoundUp(std::min(kMc, i1 - i0), kn.mr) * kKc);
  for (size_t jc = j0; jc < j1; jc += kNc) {
    const size_t nc = std::min(kNc, j1 - jc);
    for (size_t pc = 0; pc < q.k; pc += kKc) {
      const size_t kc = std::min(kKc, q.k - pc);
      if (!prepacked) PackB(q, pc, kc, jc, nc, kn.nr, bp);
      for (size_t ic = i0; ic < i1; ic += kMc) {
        const size_t mc = std::min(kMc, i1 - ic);
        PackA(q, ic, mc, pc, kc, kn.mr, ap);
        SGemmBlock blk;
        blk.a = ap;
        blk.b = prepacked ? prepacked + (jc / kn.nr) * q.k * kn.nr + pc * kn.nr : bp;
        blk.panelStride = prepacked ? q.k * kn.nr : kc * kn.nr;
        blk.kc = kc;
        blk.m = mc;
        blk.n = nc;
        blk.c = q.c + ic * q.ldc + jc;
        blk.ldc = q.ldc;
        blk.alpha = q.alpha;
        blk.beta = pc == 0 ? q.beta : 1.0f;  // later K blocks add to the first one's result
        blk.bias = pc == 0 && q.bias ? q.bias + jc : nullptr;
        kn.fn(blk);
      }
    }
  }
}

// The product over the pool with kernel kn (prepacked: as Run).
void RunParallel(const SGemmProblem& q, const Kernel& kn, const float* prepacked) {
  const double work = static_cast<double>(q.m) * static_cast<double>(q.n) * static_cast<double>(q.k);  // no overflow
  const size_t parts = std::min(NumThreads(), static_cast<size_t>(std::max(1.0, std::min(work / kMinParallelWork, 1024.0))));
  const size_t rowPanels = (q.m + kn.mr - 1) / kn.mr, colPanels = (q.n + kn.nr - 1) / kn.nr;
  if (parts <= 1 || (rowPanels < 2 && colPanels < 2)) return Run(q, kn, 0, q.m, 0, q.n, prepacked);
  // Split the larger of C's dimensions in whole tiles: each part packs all of the other
  // operand, so splitting N repeats the (smaller) packing of A, and vice versa.
  if (colPanels >= 2 && (q.n >= q.m || rowPanels < 2)) {
    ParallelFor(colPanels, (colPanels + parts - 1) / parts,
                [&](size_t p0, size_t p1) { Run(q, kn, 0, q.m, p0 * kn.nr, std::min(q.n, p1 * kn.nr), prepacked); });
  } else {
    ParallelFor(rowPanels, (rowPanels + parts - 1) / parts,
                [&](size_t p0, size_t p1) { Run(q, kn, p0 * kn.mr, std::min(q.m, p1 * kn.mr), 0, q.n, prepacked); });
  }
}

// C = A * B^T + bias for contiguous operands (SGemm's form).
SGemmProblem ProductABT(const float* a, const float* b, const float* bias, float* c, size_t m, size_t n, size_t k) {
  SGemmProblem q;
  q.transB = true;
  q.m = m;
  q.n = n;
  q.k = k;
  q.a = a;
  q.lda = k;
  q.b = b;
  q.ldb = k;
  q.c = c;
  q.ldc = n;
  q.bias = bias;
  return q;
}

// C = beta * C + bias when K is empty.
void EmptySum(const SGemmProblem& q) {
  for (size_t i = 0; i < q.m; ++i)
    for (size_t j = 0; j < q.n; ++j) {
      float& c = q.c[i * q.ldc + j];
      c = (q.beta == 0.0f ? 0.0f : q.beta * c) + (q.bias ? q.bias[j] : 0.0f);
    }
}

}  // namespace

void SGemmEx(const SGemmProblem& q) {
  if (q.m == 0 || q.n == 0) return;
  if (q.k == 0) return EmptySum(q);
  RunParallel(q, SelectKernel(), nullptr);
}

void SGemm(const float* a, const float* b, const float* bias, float* c, size_t m, size_t n, size_t k) {
  SGemmEx(ProductABT(a, b, bias, c, m, n, k));
}

size_t SGemmPanelWidth() { return SelectKernel().nr; }

size_t SGemmPackedSize(size_t n, size_t k, size_t nr) { return RoundUp(n, nr) * k; }

bool SGemmPanelWidthSupported(size_t nr) { return KernelOfWidth(nr).fn != nullptr; }

void SGemmPackBT(const float* b, size_t n, size_t k, float* packed) {
  const size_t nr = SGemmPanelWidth();
  const size_t panels = (n + nr - 1) / nr;
  ParallelFor(panels, std::max<size_t>(1, kMinParallelCopies / (nr * std::max<size_t>(k, 1))), [&](size_t p0, size_t p1) {
    for (size_t p = p0; p < p1; ++p) PackPanelBT(b + p * nr * k, k, std::min(nr, n - p * nr), k, nr, packed + p * k * nr);
  });
}

void SGemmPrepacked(const float* a, const float* packed, size_t nr, const float* bias, float* c, size_t m, size_t n, size_t k) {
  const SGemmProblem q = ProductABT(a, nullptr, bias, c, m, n, k);  // B only through `packed`
  if (m == 0 || n == 0) return;
  if (k == 0) return EmptySum(q);
  RunParallel(q, KernelOfWidth(nr), packed);
}

}  // namespace qtorch
