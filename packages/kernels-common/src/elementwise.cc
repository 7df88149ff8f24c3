// Whole-tensor quantize / dequantize / add / relu and the min/max scan (see qops.h). The
// baseline versions are branch-free loops over the scalar formulas of numerics.h that the
// compiler vectorizes (SSE2 on x86-64); from AVX2 up the explicit kernels of kernels_avx2.cc
// run instead (same results, twice the width, no SSE2 emulation of the conversions).
#include <cstddef>
#include <cstdint>
#include <type_traits>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "qtorch/cpu.h"
#include "qtorch/kernels.h"
#include "qtorch/numerics.h"
#include "qtorch/parallel.h"
#include "qtorch/qops.h"
#include "qtorch/qops_elementwise.h"

#if defined(__x86_64__) || defined(_M_X64)
#define QTORCH_X86_64 1
#include <emmintrin.h>  // SSE2: part of x86-64's baseline
#endif

namespace qtorch {

namespace {
[[maybe_unused]] bool UseAvx2() {  // unused where no AVX2 kernel is compiled (non-x86)
#if defined(QTORCH_X86_64)
  return ActiveIsa() >= Isa::Avx2;
#else
  return false;
#endif
}
template <typename T>
constexpr int kSigned = std::is_signed<T>::value ? 1 : 0;

// Elementwise ops are memory-bound: threads only pay off on large tensors, split in chunks of
// whole cache lines (every element is computed the same way whatever the split).
constexpr size_t kElementGrain = size_t{1} << 20;
template <typename F>
void ForChunks(size_t n, F body) {
  ParallelFor(n, kElementGrain, [&](size_t i0, size_t i1) { body(i0, i1 - i0); });
}
}  // namespace

void AdviseHugePages(void* p, size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  // Only large buffers (malloc maps the largest fresh): untouched pages then fault in 2 MiB at
  // a time (5x faster than 4 KiB faults here). The hint changes no data.
  constexpr size_t kMin = size_t{4} << 20, kHuge = size_t{2} << 20;
  if (bytes < kMin) return;
  const uintptr_t start = (reinterpret_cast<uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(p) + bytes) & ~(kHuge - 1);
  if (end > start) madvise(reinterpret_cast<void*>(start), end - start, MADV_HUGEPAGE);
#else
  (void)p;
  (void)bytes;
#endif
}

template <typename T>
void QuantizePerTensor(const float* x, size_t n, double scale, int32_t zp, T* q) {
  const float inv = 1.0f / static_cast<float>(scale);
  const float z = static_cast<float>(zp);
  const float lo = static_cast<float>(QRange<T>::kMin), hi = static_cast<float>(QRange<T>::kMax);
  ForChunks(n, [&](size_t i0, size_t len) {
#if defined(QTORCH_X86_64)
    if (UseAvx2()) return QuantizeAvx2({x + i0, len, inv, z, lo, hi, q + i0, kSigned<T>});
#endif
    // Locals, not the captured references: a store through T* (a char type) may alias them,
    // which keeps the compiler from vectorizing (AArch64, x86 scalar level).
    const float* xs = x + i0;
    T* qs = q + i0;
    const float inv_ = inv, z_ = z, lo_ = lo, hi_ = hi;
    for (size_t i = 0; i < len; ++i) qs[i] = static_cast<T>(static_cast<int32_t>(QuantizeVal8(xs[i], inv_, z_, lo_, hi_)));
  });
}

template <typename T>
void DequantizePerTensor(const T* q, size_t n, double scale, int32_t zp, float* y) {
  const float s = static_cast<float>(scale);
  ForChunks(n, [&](size_t i0, size_t len) {
#if defined(QTORCH_X86_64)
    if (UseAvx2()) return DequantizeAvx2({q + i0, len, kSigned<T>, zp, s, y + i0});
#endif
    for (size_t i = i0; i < i0 + len; ++i) y[i] = static_cast<float>(static_cast<int32_t>(q[i]) - zp) * s;
  });
}

template <typename T>
void QAdd(const T* a, double sa, int32_t za, const T* b, double sb, int32_t zb, size_t n, double so, int32_t zo,
          bool relu, T* y) {
  const float fa = static_cast<float>(sa), fb = static_cast<float>(sb);
  const float inv = 1.0f / static_cast<float>(so);
  const float z = static_cast<float>(zo);
  const float lo = static_cast<float>(QRange<T>::kMin), hi = static_cast<float>(QRange<T>::kMax);
  // relu: only v < 0 becomes 0 (NaN passes and is quantized to qmin, as in the reference).
  const float floor = relu ? 0.0f : -__builtin_inff();
  ForChunks(n, [&](size_t i0, size_t len) {
#if defined(QTORCH_X86_64)
    if (UseAvx2()) return QAddAvx2({a + i0, b + i0, y + i0, len, kSigned<T>, za, zb, fa, fb, floor, inv, z, lo, hi});
#endif
    // Locals, not the captured references (see QuantizePerTensor).
    const T* as = a + i0;
    const T* bs = b + i0;
    T* ys = y + i0;
    const int32_t za_ = za, zb_ = zb;
    const float fa_ = fa, fb_ = fb, floor_ = floor, inv_ = inv, z_ = z, lo_ = lo, hi_ = hi;
    for (size_t i = 0; i < len; ++i) {
      float v = static_cast<float>(static_cast<int32_t>(as[i]) - za_) * fa_ + static_cast<float>(static_cast<int32_t>(bs[i]) - zb_) * fb_;
      v = v < floor_ ? 0.0f : v;
      ys[i] = static_cast<T>(static_cast<int32_t>(QuantizeVal8(v, inv_, z_, lo_, hi_)));
    }
  });
}

template <typename T>
void QMul(const T* a, int32_t za, const T* b, int32_t zb, size_t n, float m, int32_t zo, bool relu, T* y) {
  // The clamp bounds relative to zo (FinishRequant clamps before adding the zero point).
  const float lo = static_cast<float>((relu && zo > QRange<T>::kMin ? zo : QRange<T>::kMin) - zo);
  const float hi = static_cast<float>(QRange<T>::kMax - zo);
  ForChunks(n, [&](size_t i0, size_t len) {
#if defined(QTORCH_X86_64)
    if (UseAvx2()) return QMulAvx2({a + i0, b + i0, y + i0, len, kSigned<T>, za, zb, m, lo, hi, zo});
#endif
    for (size_t i = i0; i < i0 + len; ++i) {
      // |product| <= 255 * 255 is exact in float32
      const float p = static_cast<float>((static_cast<int32_t>(a[i]) - za) * (static_cast<int32_t>(b[i]) - zb));
      y[i] = static_cast<T>(FinishRequant(p * m, lo, hi, zo));
    }
  });
}

template <typename T>
void QRelu(const T* x, size_t n, int32_t zp, T* y) {
  const T lo = static_cast<T>(zp > QRange<T>::kMin ? zp : QRange<T>::kMin);
  ForChunks(n, [&](size_t i0, size_t len) {
    const T* xs = x + i0;  // locals, not the captured references (see QuantizePerTensor)
    T* ys = y + i0;
    const T lo_ = lo;
    for (size_t i = 0; i < len; ++i) ys[i] = xs[i] < lo_ ? lo_ : xs[i];
  });
}

void MinMaxF32(const float* x, size_t n, float* lo, float* hi) {
  // min(x, 0) and max(x, 0) with `x < l ? x : l` / `x > h ? x : h` (so -0 never replaces +0),
  // 4 lanes at a time on x86 (minps / maxps are exactly those selects), NaN noted on the way;
  // a NaN propagates (the first one), as the reference's (and PyTorch's) min/max do, so choosing
  // qparams refuses it.
  float l = 0.0f, h = 0.0f;
  bool nan = false;
  size_t i = 0;
#if defined(QTORCH_X86_64)
  __m128 vl = _mm_setzero_ps(), vh = _mm_setzero_ps(), vnan = _mm_setzero_ps();
  for (; i + 4 <= n; i += 4) {
    const __m128 v = _mm_loadu_ps(x + i);
    vl = _mm_min_ps(v, vl);
    vh = _mm_max_ps(v, vh);
    vnan = _mm_or_ps(vnan, _mm_cmpunord_ps(v, v));
  }
  alignas(16) float ls[4], hs[4];
  _mm_store_ps(ls, vl);
  _mm_store_ps(hs, vh);
  for (size_t k = 0; k < 4; ++k) {
    l = ls[k] < l ? ls[k] : l;
    h = hs[k] > h ? hs[k] : h;
  }
  nan = _mm_movemask_ps(vnan) != 0;
#endif
  for (; i < n; ++i) {
    nan |= x[i] != x[i];
    l = x[i] < l ? x[i] : l;
    h = x[i] > h ? x[i] : h;
  }
  if (nan) {
    for (i = 0; x[i] == x[i]; ++i) {
    }
    l = h = x[i];
  }
  *lo = l;
  *hi = h;
}

template <typename T>
void ConvRowAccumulate(int32_t* acc, const T* x, size_t n, int32_t zx, int32_t w) {
#if defined(QTORCH_X86_64)
  if (UseAvx2()) return ConvRowAvx2({acc, x, n, kSigned<T>, zx, w});
#endif
  for (size_t i = 0; i < n; ++i) acc[i] += (static_cast<int32_t>(x[i]) - zx) * w;
}

#define QTORCH_INSTANTIATE_8BIT(T)                                                                        \
  template void QuantizePerTensor<T>(const float*, size_t, double, int32_t, T*);                           \
  template void DequantizePerTensor<T>(const T*, size_t, double, int32_t, float*);                         \
  template void QAdd<T>(const T*, double, int32_t, const T*, double, int32_t, size_t, double, int32_t, bool, \
                        T*);                                                                                \
  template void QRelu<T>(const T*, size_t, int32_t, T*);                                                  \
  template void QMul<T>(const T*, int32_t, const T*, int32_t, size_t, float, int32_t, bool, T*);          \
  template void ConvRowAccumulate<T>(int32_t*, const T*, size_t, int32_t, int32_t);

QTORCH_INSTANTIATE_8BIT(uint8_t)
QTORCH_INSTANTIATE_8BIT(int8_t)

}  // namespace qtorch
