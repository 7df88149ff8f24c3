// Quantized 2-d convolution (see qops.h). Three paths, the same integers (the accumulator is an
// exact int32 sum, so summation order does not matter):
//  - Winograd F(2x2, 3x3) for ungrouped 3x3 / stride 1 convs (AVX2, conv_winograd.h): exact
//    integer transforms, int16 GEMMs, 2.25x fewer multiplies; bands of tiles requantized into
//    the NCHW output.
//  - GEMM: the batch item is transposed to channels-last u8 once; each output pixel's row of
//    A is then kh * kw runs of cin_g contiguous bytes (one run per kernel row when ungrouped),
//    or for a 1x1 / stride 1 / unpadded conv the transposed input itself (no im2col). Rows are
//    processed in chunks that stay in cache; the int32 results are requantized straight into
//    the NCHW output.
//  - direct: grouped convs with few outputs per group (depthwise). With AVX2, when every
//    partial sum provably fits float32 exactly (|sum| <= 2^24), the float direct kernel
//    (kernels_avx2_conv.cc): zero-padded float planes of x - zx, FMA over the taps, fused
//    requantization. Otherwise, per output channel, an int32 plane accumulates
//    (x - zx) * (w - zw) over the window, then one requantization pass.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <type_traits>
#include <vector>

#include "qtorch/conv_winograd.h"
#include "qtorch/cpu.h"
#include "qtorch/kernels.h"
#include "qtorch/kernels_conv.h"
#include "qtorch/parallel.h"
#include "qtorch/qops.h"
#include "qtorch/scratch.h"

#if defined(__x86_64__) || defined(_M_X64)
#define QTORCH_X86_64 1
#endif

namespace qtorch {

namespace {
// Outputs per group below which a grouped conv runs the direct kernel: the GEMM computes whole
// 64-column panels, so narrow groups would waste most of its work.
constexpr size_t kDirectMaxOutputsPerGroup = 16;
// Output pixels per GEMM chunk: the chunk's A rows and int32 results stay in L2 between im2col,
// GEMM and requantization, and a chunk is one A block of the AVX2 GEMM (a 192-row chunk ran as
// 144 + 48 rows, the second block on narrower tiles).
constexpr size_t kChunkRows = kQGemmMc;
}  // namespace

bool UseDirectConv(size_t nPerGroup, size_t groups) { return groups > 1 && nPerGroup < kDirectMaxOutputsPerGroup; }

void PackGrouped(const int8_t* w, size_t n, size_t k, const int32_t* zeroPoints, size_t zpCount, size_t groups,
                 size_t spatial, GroupedWeights* out) {
  out->n = n;
  out->k = k;
  out->groups = groups;
  out->spatial = spatial;
  out->zeroPoints.resize(n);
  for (size_t j = 0; j < n; ++j) out->zeroPoints[j] = zeroPoints[zpCount == 1 ? 0 : j];
  const size_t ng = n / groups, cin = k / spatial;
  out->direct = UseDirectConv(ng, groups);
  out->packs.clear();
  out->plain.clear();
  if (out->direct) {
    out->plain.assign(w, w + n * k);
    return;
  }
  // [cin][spatial] -> [spatial][cin]: the channels-last order of the conv's A rows.
  std::vector<int8_t> perm(ng * k);
  out->packs.resize(groups);
  for (size_t g = 0; g < groups; ++g) {
    for (size_t o = 0; o < ng; ++o) {
      const int8_t* src = w + (g * ng + o) * k;
      int8_t* dst = perm.data() + o * k;
      for (size_t c = 0; c < cin; ++c)
        for (size_t sp = 0; sp < spatial; ++sp) dst[sp * cin + c] = src[c * spatial + sp];
    }
    PackWeights(perm.data(), ng, k, out->zeroPoints.data() + g * ng, ng, &out->packs[g]);
  }
  // a 9-tap ungrouped kernel may be 3x3 (the call decides)
  out->wino = WinoWeights();
  if (groups == 1 && spatial == 9) PackWinograd(w, n, cin, out->zeroPoints.data(), &out->wino);
}

void UnpackGrouped(const GroupedWeights& gw, int8_t* w) {
  if (gw.direct) {
    std::copy(gw.plain.begin(), gw.plain.end(), w);
    return;
  }
  const size_t ng = gw.n / gw.groups, k = gw.k, cin = k / gw.spatial;
  std::vector<int8_t> perm(ng * k);
  for (size_t g = 0; g < gw.groups; ++g) {
    if (ng != 0 && k != 0) UnpackWeights(gw.packs[g], perm.data());
    for (size_t o = 0; o < ng; ++o) {
      const int8_t* src = perm.data() + o * k;
      int8_t* dst = w + (g * ng + o) * k;
      for (size_t c = 0; c < cin; ++c)
        for (size_t sp = 0; sp < gw.spatial; ++sp) dst[c * gw.spatial + sp] = src[sp * cin + c];
    }
  }
}

namespace {

inline uint8_t ToU8(uint8_t v) { return v; }
inline uint8_t ToU8(int8_t v) { return static_cast<uint8_t>(v) ^ 0x80u; }  // qint8: shift by 128

// Readable bytes past the channels-last input and the im2col rows: CopyOver reads and writes
// whole 16-byte pieces, and the GEMM reads whole quads past the last row's K.
constexpr size_t kSlack = 32;

// One batch item [cin][h][w] -> channels-last u8 [h][w][cin] (+ kSlack zero bytes) at o.
template <typename T>
void ToChannelsLast(const T* x, size_t cin, size_t hw, uint8_t* o) {
#if defined(QTORCH_X86_64)
  if (ActiveIsa() >= Isa::Avx2) {
    constexpr bool kSigned = std::is_signed<T>::value;
    if (cin < 16) {
      ChannelsLastAvx2({x, cin, hw, hw, kSigned, o});  // overlapping stores: one thread
    } else {
      // threads take ranges of whole 32-pixel blocks (64 KiB or more each)
      ParallelFor(hw, std::max<size_t>(32, ((size_t{1} << 16) / cin + 31) / 32 * 32), [&](size_t p0, size_t p1) {
        ChannelsLastAvx2({x + p0, cin, hw, p1 - p0, kSigned, o + p0 * cin});
      });
    }
    std::memset(o + hw * cin, 0, kSlack);  // after: the kernel may write into the slack
    return;
  }
#endif
  std::memset(o + hw * cin, 0, kSlack);
  // Blocked transpose: 16 pixels x all channels keeps both sides in cache.
  constexpr size_t kBlock = 16;
  for (size_t p0 = 0; p0 < hw; p0 += kBlock) {
    const size_t pe = std::min(hw, p0 + kBlock);
    for (size_t c = 0; c < cin; ++c) {
      const T* xc = x + c * hw;
      for (size_t p = p0; p < pe; ++p) o[p * cin + c] = ToU8(xc[p]);
    }
  }
}

struct GemmConvArgs {
  const Conv2dShape* s;
  const GroupedWeights* w;
  const OutputStage* stage;
  uint8_t zx;  // zero point of the u8 view
  size_t cout;
};

// Copies n bytes as whole 16-byte pieces (fixed-size memcpy: inlined moves, no call), so it
// may read and write up to 15 bytes past the end: callers order their writes by address and
// leave kSlack bytes after their buffers.
inline void CopyOver(uint8_t* dst, const uint8_t* src, size_t n) {
  for (size_t i = 0; i < n; i += 16) std::memcpy(dst + i, src + i, 16);
}

// [lo, hi): the output columns whose input column ox * stride + offset lies in [0, width).
void ValidRange(size_t width, size_t outW, size_t stride, ptrdiff_t offset, size_t* lo, size_t* hi) {
  // ix = ox * stride + offset >= 0  <=>  ox >= ceil(-offset / stride)
  const ptrdiff_t st = static_cast<ptrdiff_t>(stride);
  ptrdiff_t l = offset >= 0 ? 0 : (-offset + st - 1) / st;
  // ix < width  <=>  ox <= (width - 1 - offset) / stride
  const ptrdiff_t last = static_cast<ptrdiff_t>(width) - 1 - offset;
  ptrdiff_t h = last < 0 ? 0 : last / st + 1;
  h = std::min<ptrdiff_t>(h, static_cast<ptrdiff_t>(outW));
  l = std::min(l, h);
  *lo = static_cast<size_t>(l);
  *hi = static_cast<size_t>(h);
}

// One kernel row of one output pixel: kw taps of cin_g bytes at seg, from the channels-last
// input row xrow (group offset applied) starting at input column ix0. Taps outside the image
// read the zero point: (zx - zx) = 0.
void Im2ColSegment(uint8_t* seg, const uint8_t* xrow, ptrdiff_t ix0, const Conv2dShape& s, size_t cinG, bool rowRun,
                   uint8_t zx) {
  const ptrdiff_t iw = static_cast<ptrdiff_t>(s.iw);
  if (rowRun) {
    // dilation 1, ungrouped: taps [qlo, qhi) are one run of the input
    const ptrdiff_t kw = static_cast<ptrdiff_t>(s.kw), cin = static_cast<ptrdiff_t>(s.cin);
    const ptrdiff_t qlo = std::min(kw, std::max<ptrdiff_t>(0, -ix0)), qhi = std::max(qlo, std::min(kw, iw - ix0));
    if (qlo > 0) std::memset(seg, zx, static_cast<size_t>(qlo * cin));
    CopyOver(seg + qlo * cin, xrow + (ix0 + qlo) * cin, static_cast<size_t>((qhi - qlo) * cin));
    if (qhi < kw) std::memset(seg + qhi * cin, zx, static_cast<size_t>((kw - qhi) * cin));
    return;
  }
  for (size_t q = 0; q < s.kw; ++q) {
    const ptrdiff_t ix = ix0 + static_cast<ptrdiff_t>(q * s.dilW);
    uint8_t* dst = seg + q * cinG;
    if (ix < 0 || ix >= iw) {
      std::memset(dst, zx, cinG);
    } else {
      CopyOver(dst, xrow + ix * static_cast<ptrdiff_t>(s.cin), cinG);
    }
  }
}

// Rows [p0, p0 + rows) of group g's im2col matrix, channels-last order [kh][kw][cin_g], each row
// lda bytes (the tail past K zeroed). Written in address order, pixel by pixel (CopyOver's
// overrun is overwritten by what follows); interior pixels of an ungrouped kernel row of
// dilation 1 take one fixed-size copy.
void Im2ColChunk(const uint8_t* xcl, const Conv2dShape& s, size_t cinG, size_t g, size_t p0, size_t rows,
                 uint8_t zx, uint8_t* a, size_t lda) {
  const size_t k = s.kh * s.kw * cinG, run = s.kw * cinG;
  const bool rowRun = cinG == s.cin && s.dilW == 1;
  // interior output columns [oxA, oxB): every tap's input column is in the image
  size_t oxA, oxB, lo2, hi2;
  ValidRange(s.iw, s.ow, s.strideW, -static_cast<ptrdiff_t>(s.padW), &oxA, &oxB);
  ValidRange(s.iw, s.ow, s.strideW, static_cast<ptrdiff_t>((s.kw - 1) * s.dilW) - static_cast<ptrdiff_t>(s.padW), &lo2, &hi2);
  oxA = std::max(oxA, lo2);
  oxB = std::max(oxA, std::min(oxB, hi2));
  std::vector<const uint8_t*> xrows(s.kh);  // per kernel row: the input row, or null (padding)
  size_t rowOy = SIZE_MAX;
  for (size_t i = 0; i < rows; ++i) {
    const size_t p = p0 + i, oy = p / s.ow, ox = p % s.ow;
    if (oy != rowOy) {
      rowOy = oy;
      for (size_t r = 0; r < s.kh; ++r) {
        const ptrdiff_t iy = static_cast<ptrdiff_t>(oy * s.strideH + r * s.dilH) - static_cast<ptrdiff_t>(s.padH);
        xrows[r] = iy < 0 || iy >= static_cast<ptrdiff_t>(s.ih) ? nullptr : xcl + static_cast<size_t>(iy) * s.iw * s.cin + g * cinG;
      }
    }
    uint8_t* row = a + i * lda;
    const ptrdiff_t ix0 = static_cast<ptrdiff_t>(ox * s.strideW) - static_cast<ptrdiff_t>(s.padW);
    const bool interior = rowRun && ox >= oxA && ox < oxB;
    for (size_t r = 0; r < s.kh; ++r) {
      uint8_t* seg = row + r * run;
      if (!xrows[r]) {
        std::memset(seg, zx, run);
      } else if (interior && run <= 32) {
        std::memcpy(seg, xrows[r] + ix0 * static_cast<ptrdiff_t>(s.cin), 32);  // a 7x7 RGB row: 21 bytes
      } else if (interior) {
        CopyOver(seg, xrows[r] + ix0 * static_cast<ptrdiff_t>(s.cin), run);
      } else {
        Im2ColSegment(seg, xrows[r], ix0, s, cinG, rowRun, zx);
      }
    }
    for (size_t t = k; t < lda; ++t) row[t] = 0;
  }
}

// The int32 tile acc [rows][n] (output pixels p0.., columns col0..) into the NCHW planes at
// y (plane stride m): AVX2 on whole 8 x 8 blocks, the baseline stage on the rest.
template <typename T>
void RequantizeTile(const int32_t* acc, size_t rows, size_t n, size_t ldAcc, const OutputStage& st, size_t col0, T* y,
                    size_t m) {
  size_t r8 = 0, n8 = 0;
#if defined(QTORCH_X86_64)
  if (ActiveIsa() >= Isa::Avx2) {
    r8 = rows / 8 * 8;
    n8 = n / 8 * 8;
    if (r8 > 0 && n8 > 0) RequantNchwAvx2({acc, r8, n8, ldAcc, StageArgs(st, col0, std::is_signed<T>::value), y, m});
  }
#endif
  if (n8 < n) Requantize<T>(acc + n8, rows, n - n8, ldAcc, st, col0 + n8, y + n8 * m, 1, m);
  if (r8 < rows && n8 > 0) Requantize<T>(acc + r8 * ldAcc, rows - r8, n8, ldAcc, st, col0, y + r8, 1, m);
}

template <typename T>
void GemmConv(const T* x, const GemmConvArgs& c, T* y) {
  const Conv2dShape& s = *c.s;
  const size_t groups = c.w->groups, cinG = s.cin / groups, coutG = c.cout / groups;
  const size_t hw = s.ih * s.iw, m = s.oh * s.ow;
  const bool pointwise = s.kh == 1 && s.kw == 1 && s.strideH == 1 && s.strideW == 1 && s.padH == 0 && s.padW == 0;
  const size_t lda = c.w->packs.empty() ? 0 : c.w->packs[0].kq * kQuad;
  // Chunks of at most kChunkRows, as many per group as a multiple of the thread count (when the
  // groups alone do not split evenly), of equal multiples of 8 rows (the NCHW tiles).
  size_t chunks = (m + kChunkRows - 1) / kChunkRows;
  const size_t threads = NumThreads();
  if (threads > 1 && groups % threads != 0) chunks = (chunks + threads - 1) / threads * threads;
  const size_t rows0 = std::min(m, ((m + chunks - 1) / chunks + 7) / 8 * 8);
  chunks = (m + rows0 - 1) / rows0;
  uint8_t* xcl = ThreadScratch<uint8_t, kScratchChannelsLast>(hw * s.cin + kSlack);
  for (size_t b = 0; b < s.batch; ++b) {
    ToChannelsLast(x + b * s.cin * hw, s.cin, hw, xcl);
    T* yb = y + b * c.cout * m;
    // Threads take whole (group, chunk) tasks, each with its own A and int32 buffers.
    ParallelFor(groups * chunks, 1, [&](size_t t0, size_t t1) {
      uint8_t* a = pointwise ? nullptr : ThreadScratch<uint8_t, kScratchIm2col>(rows0 * lda + kSlack);
      int32_t* acc = ThreadScratch<int32_t, kScratchConvAcc>(rows0 * coutG);
      for (size_t task = t0; task < t1; ++task) {
        const size_t g = task / chunks, p0 = (task % chunks) * rows0, rows = std::min(rows0, m - p0);
        const PackedWeights& pw = c.w->packs[g];
        if (pointwise) {
          // 1x1: the channels-last rows are A (stride cin; reads past K hit the next pixel or
          // the slack, multiplied by zero-padded weights).
          QGemmS32Strided(xcl + p0 * s.cin + g * cinG, s.cin, rows, c.zx, pw, acc);
        } else {
          Im2ColChunk(xcl, s, cinG, g, p0, rows, c.zx, a, lda);
          QGemmS32Strided(a, lda, rows, c.zx, pw, acc);
        }
        RequantizeTile<T>(acc, rows, coutG, coutG, *c.stage, g * coutG, yb + g * coutG * m + p0, m);
      }
    });
  }
}

// Ungrouped 3x3 / stride 1 convs through Winograd F(2x2, 3x3) (conv_winograd.h): threads take
// bands of 2x2 tiles, each requantized into the NCHW output as soon as it is computed.
template <typename T>
void WinogradConv(const T* x, const GemmConvArgs& c, T* y) {
  const Conv2dShape& s = *c.s;
  const WinoWeights& ww = c.w->wino;
  const size_t hw = s.ih * s.iw, m = s.oh * s.ow;
  const std::vector<WinoBand> bands = WinogradBands(s);
  size_t maxOut = 0;
  for (const WinoBand& b : bands) maxOut = std::max(maxOut, 4 * b.tileRows * b.tileCols);
  uint8_t* xcl = ThreadScratch<uint8_t, kScratchChannelsLast>(hw * s.cin + kSlack);
  for (size_t b = 0; b < s.batch; ++b) {
    ToChannelsLast(x + b * s.cin * hw, s.cin, hw, xcl);
    T* yb = y + b * c.cout * m;
    ParallelFor(bands.size(), 1, [&](size_t t0, size_t t1) {
      thread_local WinoScratch scratch;  // grown on demand, kept: fresh buffers page-fault per call
      int32_t* acc = ThreadScratch<int32_t, kScratchConvAcc>(maxOut * ww.coutPad);
      for (size_t t = t0; t < t1; ++t) {
        const WinoBand& band = bands[t];
        WinogradBand(xcl, c.zx, s, ww, band, &scratch, acc, ww.coutPad);
        const size_t oy0 = 2 * band.ty0, ox0 = 2 * band.tx0;
        const size_t outRows = std::min(2 * band.tileRows, s.oh - oy0), outCols = std::min(2 * band.tileCols, s.ow - ox0);
        if (outCols == s.ow) {  // whole output rows: one contiguous pixel range
          RequantizeTile<T>(acc, outRows * outCols, c.cout, ww.coutPad, *c.stage, 0, yb + oy0 * s.ow, m);
          continue;
        }
        for (size_t r = 0; r < outRows; ++r)
          RequantizeTile<T>(acc + r * outCols * ww.coutPad, outCols, c.cout, ww.coutPad, *c.stage, 0,
                            yb + (oy0 + r) * s.ow + ox0, m);
      }
    });
  }
}

// The int32 direct kernel of one output plane (batch item b, output channel oc).
template <typename T>
void DirectPlaneInt32(const T* x, int32_t zx, const Conv2dShape& s, const GroupedWeights& w, const OutputStage& stage,
                      const size_t* colLo, const size_t* colHi, size_t b, size_t oc, int32_t* acc, T* y) {
  const size_t cinG = s.cin / w.groups, coutG = w.n / w.groups, hw = s.ih * s.iw, m = s.oh * s.ow;
  std::fill(acc, acc + m, 0);
  const size_t g = oc / coutG;
  const int32_t zw = w.zeroPoints[oc];
  for (size_t c = 0; c < cinG; ++c) {
    const T* xc = x + (b * s.cin + g * cinG + c) * hw;
    const int8_t* wc = w.plain.data() + (oc * cinG + c) * s.kh * s.kw;
    for (size_t r = 0; r < s.kh; ++r) {
      for (size_t oy = 0; oy < s.oh; ++oy) {
        const ptrdiff_t iy = static_cast<ptrdiff_t>(oy * s.strideH + r * s.dilH) - static_cast<ptrdiff_t>(s.padH);
        if (iy < 0 || iy >= static_cast<ptrdiff_t>(s.ih)) continue;
        const T* xrow = xc + static_cast<size_t>(iy) * s.iw;
        int32_t* arow = acc + oy * s.ow;
        for (size_t q = 0; q < s.kw; ++q) {
          const int32_t wv = static_cast<int32_t>(wc[r * s.kw + q]) - zw;
          const ptrdiff_t off = static_cast<ptrdiff_t>(q * s.dilW) - static_cast<ptrdiff_t>(s.padW);
          if (s.strideW == 1) {
            // input columns colLo + off .. colHi + off are in bounds
            if (colHi[q] > colLo[q])
              ConvRowAccumulate(arow + colLo[q], xrow + static_cast<ptrdiff_t>(colLo[q]) + off, colHi[q] - colLo[q], zx, wv);
          } else {
            for (size_t ox = colLo[q]; ox < colHi[q]; ++ox)
              arow[ox] += (static_cast<int32_t>(xrow[static_cast<ptrdiff_t>(ox * s.strideW) + off]) - zx) * wv;
          }
        }
      }
    }
  }
  Requantize<T>(acc, m, 1, 1, stage, oc, y, 1, 1);
}

// The float direct kernel (AVX2): each input channel becomes a zero-padded float plane of
// x - zx (split into stride phases), each output a sum of w * plane over the taps, exact when
// every partial sum is an integer of magnitude <= 2^24 (checked per output channel).
struct FloatDirectPlan {
  size_t rows = 0, cols = 0;  // padded rows and columns an output reads
  size_t rowStride = 0, phaseStride = 0, planeFloats = 0;
  std::vector<ptrdiff_t> tapOffset;  // per (c, r, q) of a group, in floats
  std::vector<float> w;              // w - zw per output channel and tap
  std::vector<char> exact;           // per output channel: 255 * sum |w - zw| <= 2^24
};

// Bytes of float planes a group may hold (larger groups run the int32 kernel).
constexpr size_t kMaxFloatPlaneBytes = size_t{16} << 20;

FloatDirectPlan PlanFloatDirect(const Conv2dShape& s, const GroupedWeights& w) {
  FloatDirectPlan p;
#if defined(QTORCH_X86_64)
  if (ActiveIsa() < Isa::Avx2) return p;
  const size_t cinG = s.cin / w.groups, taps = cinG * s.kh * s.kw;
  p.rows = (s.oh - 1) * s.strideH + (s.kh - 1) * s.dilH + 1;
  p.cols = (s.ow - 1) * s.strideW + (s.kw - 1) * s.dilW + 1;
  // whole vectors of outputs: the last one reads up to 7 floats past ow
  p.rowStride = (s.kw - 1) * s.dilW / s.strideW + (s.ow + 7) / 8 * 8;
  p.phaseStride = p.rows * p.rowStride;
  p.planeFloats = s.strideW * p.phaseStride;
  if (cinG * p.planeFloats * sizeof(float) > kMaxFloatPlaneBytes) return p;
  p.tapOffset.resize(taps);
  for (size_t c = 0; c < cinG; ++c)
    for (size_t r = 0; r < s.kh; ++r)
      for (size_t q = 0; q < s.kw; ++q) {
        const size_t px = q * s.dilW;  // padded column of output column 0
        p.tapOffset[(c * s.kh + r) * s.kw + q] =
            static_cast<ptrdiff_t>(c * p.planeFloats + (px % s.strideW) * p.phaseStride + r * s.dilH * p.rowStride + px / s.strideW);
      }
  p.w.resize(w.n * taps);
  p.exact.resize(w.n);
  for (size_t oc = 0; oc < w.n; ++oc) {
    int64_t sum = 0;
    for (size_t t = 0; t < taps; ++t) {
      const int32_t v = static_cast<int32_t>(w.plain[oc * taps + t]) - w.zeroPoints[oc];
      p.w[oc * taps + t] = static_cast<float>(v);
      sum += v < 0 ? -v : v;
    }
    // |x - zx| <= 255: every partial sum is an integer of magnitude <= 255 * sum |w - zw|
    p.exact[oc] = sum * 255 <= (int64_t{1} << 24);
  }
#else
  (void)s;
  (void)w;
#endif
  return p;
}

template <typename T>
void DirectConv(const T* x, int32_t zx, const Conv2dShape& s, const GroupedWeights& w, const OutputStage& stage,
                T* y) {
  const size_t cout = w.n, groups = w.groups, cinG = s.cin / groups, coutG = cout / groups;
  const size_t m = s.oh * s.ow;
  [[maybe_unused]] const size_t hw = s.ih * s.iw;  // the float planes (x86 only) read x by plane
  [[maybe_unused]] constexpr bool kSigned = std::is_signed<T>::value;
  std::vector<size_t> colLo(s.kw), colHi(s.kw);
  for (size_t q = 0; q < s.kw; ++q)
    ValidRange(s.iw, s.ow, s.strideW, static_cast<ptrdiff_t>(q * s.dilW) - static_cast<ptrdiff_t>(s.padW), &colLo[q], &colHi[q]);
  const FloatDirectPlan plan = PlanFloatDirect(s, w);
  const size_t taps = cinG * s.kh * s.kw;
  // Threads take whole groups of a batch item (their float planes are built once).
  const size_t work = coutG * m * taps + 1;
  ParallelFor(s.batch * groups, std::max<size_t>(1, (size_t{1} << 16) / work), [&](size_t t0, size_t t1) {
    std::vector<int32_t> acc;
    std::vector<float> planes;  // zeroed once: the padding positions are the same for every channel
    for (size_t task = t0; task < t1; ++task) {
      const size_t b = task / groups, g = task % groups;
      [[maybe_unused]] bool built = false;  // float planes of this group made (x86 only)
      for (size_t oc = g * coutG; oc < (g + 1) * coutG; ++oc) {
        T* yo = y + (b * cout + oc) * m;
        if (!plan.exact.empty() && plan.exact[oc]) {
#if defined(QTORCH_X86_64)
          if (!built) {
            if (planes.empty()) planes.assign(cinG * plan.planeFloats, 0.0f);
            for (size_t c = 0; c < cinG; ++c) {
              FloatPlaneAvx2({x + (b * s.cin + g * cinG + c) * hw, s.ih, s.iw, kSigned, zx, s.padH, s.padW, s.strideW,
                              plan.rows, plan.cols, plan.rowStride, plan.phaseStride, planes.data() + c * plan.planeFloats});
            }
            built = true;
          }
          FloatDirectArgs da{planes.data(), plan.w.data() + oc * taps, plan.tapOffset.data(), taps,
                             s.oh, s.ow, s.strideH * plan.rowStride, StageArgs(stage, oc, kSigned), yo};
          FloatDirectAvx2(da);
#endif
        } else {
          acc.resize(m);
          DirectPlaneInt32(x, zx, s, w, stage, colLo.data(), colHi.data(), b, oc, acc.data(), yo);
        }
      }
    }
  });
}

}  // namespace

template <typename T>
void QConv2d(const T* x, int32_t zx, const Conv2dShape& s, const GroupedWeights& w, const RequantParams& p, T* y) {
  if (s.batch == 0 || w.n == 0 || s.oh * s.ow == 0) return;
  const OutputStage stage = MakeOutputStage(p, w.n);
  if (w.direct) return DirectConv(x, zx, s, w, stage, y);
  const GemmConvArgs args{&s, &w, &stage, ToU8(static_cast<T>(zx)), w.n};
  if (UseWinograd(s, w)) return WinogradConv(x, args, y);
  GemmConv(x, args, y);
}

template void QConv2d<uint8_t>(const uint8_t*, int32_t, const Conv2dShape&, const GroupedWeights&, const RequantParams&, uint8_t*);
template void QConv2d<int8_t>(const int8_t*, int32_t, const Conv2dShape&, const GroupedWeights&, const RequantParams&, int8_t*);

}  // namespace qtorch
