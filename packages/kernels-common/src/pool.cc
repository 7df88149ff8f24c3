// NCHW quantized pooling (qops_elementwise.h) with qtensor's pool.ts numerics. Each output row
// first reduces its window's input rows into one row (max, or integer sums), so the inner loops
// run over contiguous memory; average windows then read prefix sums of that row. Planes are
// split across the intra-op pool (each plane's outputs are computed the same way whatever the
// split).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "qtorch/cpu.h"
#include "qtorch/kernels.h"
#include "qtorch/numerics.h"
#include "qtorch/parallel.h"
#include "qtorch/qops.h"
#include "qtorch/qops_elementwise.h"

#if defined(__x86_64__) || defined(_M_X64)
#define QTORCH_X86_64 1
#endif

namespace qtorch {

namespace {

// Planes per parallel range: about 64K input elements of work each.
size_t PlaneGrain(size_t planeElems) { return planeElems >= (size_t{1} << 16) ? 1 : (size_t{1} << 16) / (planeElems + 1) + 1; }

template <typename F>
void ForPlanes(size_t planes, size_t planeElems, F body) {
  ParallelFor(planes, PlaneGrain(planeElems), [&](size_t p0, size_t p1) { body(p0, p1); });
}

template <typename T>
void MaxRow(T* acc, const T* x, size_t n) {
#if defined(QTORCH_X86_64)
  if (ActiveIsa() >= Isa::Avx2) return MaxRowAvx2(acc, x, n, std::is_signed<T>::value ? 1 : 0);
#endif
  for (size_t i = 0; i < n; ++i) acc[i] = acc[i] > x[i] ? acc[i] : x[i];
}

// The first input index of output o along one dim (may be negative: padding).
inline int64_t WindowStart(size_t o, size_t stride, size_t pad) { return static_cast<int64_t>(o * stride) - static_cast<int64_t>(pad); }

// An average's requantization as pool.ts averageRequant: rint(f32(f32(acc * m) + zp)) with
// m = f32(1 / divisor) (the input and output scales are equal), clamped; in double where the
// reference computes in double, so every product rounds the same. RoundEven (exact below 2^22,
// within 1 above) instead of nearbyint, a slow libm call at the baseline ISA: larger values
// clamp to the same bound either way.
template <typename T>
T AverageRequant(int64_t acc, float m, int32_t zp) {
  const float t = static_cast<float>(static_cast<double>(acc) * m);
  const float r = RoundEven(static_cast<float>(static_cast<double>(t) + zp));
  return static_cast<T>(r < QRange<T>::kMin ? QRange<T>::kMin : r > QRange<T>::kMax ? QRange<T>::kMax : static_cast<int32_t>(r));
}

// qnnpack's: zp + rint(f32(acc * scale)), clamped.
template <typename T>
T QnnpackAverageRequant(int64_t acc, float scale, int32_t zp) {
  const double r = static_cast<double>(RoundEven(static_cast<float>(static_cast<double>(acc) * scale))) + zp;
  return static_cast<T>(r < QRange<T>::kMin ? QRange<T>::kMin : r > QRange<T>::kMax ? QRange<T>::kMax : static_cast<int32_t>(r));
}

// Sums of input rows [h0, h1) of one plane into prefix[1..iw] as prefix sums (prefix[0] = 0):
// the sum of columns [w0, w1) is prefix[w1] - prefix[w0].
template <typename T>
void RowPrefixSums(const T* plane, size_t iw, size_t h0, size_t h1, int64_t* prefix, int64_t* sums) {
  for (size_t w = 0; w < iw; ++w) sums[w] = 0;
  for (size_t h = h0; h < h1; ++h) {
    const T* row = plane + h * iw;
    for (size_t w = 0; w < iw; ++w) sums[w] += row[w];
  }
  prefix[0] = 0;
  for (size_t w = 0; w < iw; ++w) prefix[w + 1] = prefix[w] + sums[w];
}

}  // namespace

template <typename T>
void QMaxPool2d(const T* x, const Pool2dShape& s, T* y) {
  ForPlanes(s.planes, s.ih * s.iw, [&](size_t p0, size_t p1) {
    std::vector<T> rowMax(s.iw);
    for (size_t p = p0; p < p1; ++p) {
      const T* plane = x + p * s.ih * s.iw;
      T* out = y + p * s.oh * s.ow;
      for (size_t oh = 0; oh < s.oh; ++oh) {
        // max over the window's valid input rows, column by column
        bool any = false;
        for (size_t k = 0; k < s.kh; ++k) {
          const int64_t ih = WindowStart(oh, s.strideH, s.padH) + static_cast<int64_t>(k * s.dilH);
          if (ih < 0 || ih >= static_cast<int64_t>(s.ih)) continue;
          const T* row = plane + static_cast<size_t>(ih) * s.iw;
          if (!any) {
            for (size_t w = 0; w < s.iw; ++w) rowMax[w] = row[w];
            any = true;
          } else {
            MaxRow(rowMax.data(), row, s.iw);
          }
        }
        for (size_t ow = 0; ow < s.ow; ++ow) {
          // a window with no input element gives the reference's -Infinity, stored as 0
          bool found = false;
          T m = 0;
          for (size_t k = 0; any && k < s.kw; ++k) {
            const int64_t iw = WindowStart(ow, s.strideW, s.padW) + static_cast<int64_t>(k * s.dilW);
            if (iw < 0 || iw >= static_cast<int64_t>(s.iw)) continue;
            const T v = rowMax[static_cast<size_t>(iw)];
            m = !found || v > m ? v : m;
            found = true;
          }
          out[oh * s.ow + ow] = m;
        }
      }
    }
  });
}

template <typename T>
void QAvgPool2d(const T* x, const Pool2dShape& s, const AvgPoolOptions& o, T* y) {
  const float qnnScale = static_cast<float>(1.0 / static_cast<float>(s.kh * s.kw));
  const int64_t ih = static_cast<int64_t>(s.ih), iw = static_cast<int64_t>(s.iw);
  // Column windows, the same for every row and plane: padded width (clipped at the far
  // padding) and the valid part [ws, we).
  std::vector<size_t> ws(s.ow), we(s.ow);
  std::vector<int64_t> wPad(s.ow);
  for (size_t ow = 0; ow < s.ow; ++ow) {
    const int64_t w0 = WindowStart(ow, s.strideW, s.padW);
    const int64_t w1 = std::min<int64_t>(w0 + static_cast<int64_t>(s.kw), iw + static_cast<int64_t>(s.padW));
    ws[ow] = static_cast<size_t>(std::max<int64_t>(w0, 0));
    we[ow] = static_cast<size_t>(std::max<int64_t>(std::min<int64_t>(w1, iw), static_cast<int64_t>(ws[ow])));
    wPad[ow] = w1 - w0;
  }
  // Window sums below 2^24 are exact float32 integers: the reference's double steps then round
  // the same as float ones (the products of two 24-bit values are exact in double).
  const bool floatExact = static_cast<uint64_t>(s.kh) * s.kw * 256 < (uint64_t{1} << 24);
  const float zpf = static_cast<float>(o.zeroPoint);
  ForPlanes(s.planes, s.ih * s.iw, [&](size_t p0, size_t p1) {
    std::vector<int64_t> prefix(s.iw + 1), sums(s.iw), zpTerm(s.ow);
    std::vector<float> mult(s.ow);
    int64_t lastPad = -1, lastValid = -1;
    for (size_t p = p0; p < p1; ++p) {
      const T* plane = x + p * s.ih * s.iw;
      for (size_t oh = 0; oh < s.oh; ++oh) {
        // window rows: padded extent [h0, h1) (clipped at the far padding), valid part [hs, he)
        const int64_t h0 = WindowStart(oh, s.strideH, s.padH);
        const int64_t h1 = std::min<int64_t>(h0 + static_cast<int64_t>(s.kh), ih + static_cast<int64_t>(s.padH));
        const int64_t hs = std::max<int64_t>(h0, 0), he = std::max<int64_t>(std::min<int64_t>(h1, ih), hs);
        RowPrefixSums(plane, s.iw, static_cast<size_t>(hs), static_cast<size_t>(he), prefix.data(), sums.data());
        if (h1 - h0 != lastPad || he - hs != lastValid) {
          // the row's divisors (and zero-point terms) change only at the padded edges
          lastPad = h1 - h0, lastValid = he - hs;
          for (size_t ow = 0; ow < s.ow; ++ow) {
            const int64_t valid = lastValid * static_cast<int64_t>(we[ow] - ws[ow]);
            const int64_t divisor = o.divisorOverride > 0 ? o.divisorOverride : o.countIncludePad ? lastPad * wPad[ow] : valid;
            mult[ow] = static_cast<float>(1.0 / static_cast<double>(divisor));
            zpTerm[ow] = valid * o.zeroPoint;
          }
        }
        T* out = y + (p * s.oh + oh) * s.ow;
        for (size_t ow = 0; ow < s.ow; ++ow) {
          const int64_t acc = prefix[we[ow]] - prefix[ws[ow]] - zpTerm[ow];
          if (o.qnnpack) {
            out[ow] = QnnpackAverageRequant<T>(acc, qnnScale, o.zeroPoint);
          } else if (floatExact) {
            float r = RoundEven(static_cast<float>(acc) * mult[ow] + zpf);
            r = r < QRange<T>::kMin ? QRange<T>::kMin : r > QRange<T>::kMax ? QRange<T>::kMax : r;
            out[ow] = static_cast<T>(static_cast<int32_t>(r));
          } else {
            out[ow] = AverageRequant<T>(acc, mult[ow], o.zeroPoint);
          }
        }
      }
    }
  });
}

template <typename T>
void QAdaptiveAvgPool2d(const T* x, size_t planes, size_t ih, size_t iw, size_t oh, size_t ow, int32_t zeroPoint, T* y) {
  ForPlanes(planes, ih * iw, [&](size_t p0, size_t p1) {
    std::vector<int64_t> prefix(iw + 1);
    std::vector<int64_t> sums(iw);
    for (size_t p = p0; p < p1; ++p) {
      const T* plane = x + p * ih * iw;
      T* out = y + p * oh * ow;
      for (size_t r = 0; r < oh; ++r) {
        const size_t hs = r * ih / oh, he = ((r + 1) * ih + oh - 1) / oh;
        RowPrefixSums(plane, iw, hs, he, prefix.data(), sums.data());
        for (size_t c = 0; c < ow; ++c) {
          const size_t ws = c * iw / ow, we = ((c + 1) * iw + ow - 1) / ow;
          const int64_t count = static_cast<int64_t>((he - hs) * (we - ws));
          const int64_t acc = prefix[we] - prefix[ws] - count * zeroPoint;
          out[r * ow + c] = AverageRequant<T>(acc, static_cast<float>(1.0 / static_cast<double>(count)), zeroPoint);
        }
      }
    }
  });
}

#define QTORCH_INSTANTIATE_POOL(T)                                                              \
  template void QMaxPool2d<T>(const T*, const Pool2dShape&, T*);                                \
  template void QAvgPool2d<T>(const T*, const Pool2dShape&, const AvgPoolOptions&, T*);         \
  template void QAdaptiveAvgPool2d<T>(const T*, size_t, size_t, size_t, size_t, size_t, int32_t, T*);

QTORCH_INSTANTIATE_POOL(uint8_t)
QTORCH_INSTANTIATE_POOL(int8_t)

}  // namespace qtorch
