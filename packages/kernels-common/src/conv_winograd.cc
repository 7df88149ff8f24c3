// Winograd F(2x2, 3x3) (see conv_winograd.h): the weight transform and the per-row driver.
#include "qtorch/conv_winograd.h"

#include <algorithm>
#include <cstdlib>

#include "qtorch/cpu.h"
#include "qtorch/kernels_conv.h"

#if defined(__x86_64__) || defined(_M_X64)
#define QTORCH_X86_64 1
#endif

namespace qtorch {

namespace {
// Below these channel counts the vectors (16 input channels, 16 output channels) run mostly
// padding: the GEMM path is faster.
constexpr size_t kMinChannels = 16;
}  // namespace

void PackWinograd(const int8_t* w, size_t n, size_t cin, const int32_t* zeroPoints, WinoWeights* out) {
  *out = WinoWeights();
#if defined(QTORCH_X86_64)
  if (DetectedIsa() < Isa::Avx2 || n < kMinChannels || cin < kMinChannels) return;
  out->cinPad = (cin + 15) / 16 * 16;
  out->coutPad = (n + 15) / 16 * 16;
  out->v.assign(16 * out->coutPad * out->cinPad, 0);
  const size_t pairs = out->cinPad / 2;
  for (size_t o = 0; o < n; ++o) {
    int64_t sum = 0;
    for (size_t c = 0; c < cin; ++c) {
      int32_t g[3][3];
      for (size_t t = 0; t < 9; ++t) {
        g[t / 3][t % 3] = static_cast<int32_t>(w[(o * cin + c) * 9 + t]) - zeroPoints[o];
        sum += std::abs(g[t / 3][t % 3]);
      }
      // H = G' g, V = H G'^T with G' = 2G = [2 0 0; 1 1 1; 1 -1 1; 0 0 2]: |V| <= 9 * 255
      int32_t h[4][3], v[4][4];
      for (int j = 0; j < 3; ++j) {
        h[0][j] = 2 * g[0][j];
        h[1][j] = g[0][j] + g[1][j] + g[2][j];
        h[2][j] = g[0][j] - g[1][j] + g[2][j];
        h[3][j] = 2 * g[2][j];
      }
      for (int i = 0; i < 4; ++i) {
        v[i][0] = 2 * h[i][0];
        v[i][1] = h[i][0] + h[i][1] + h[i][2];
        v[i][2] = h[i][0] - h[i][1] + h[i][2];
        v[i][3] = 2 * h[i][2];
      }
      // position t, panel o / 16, pair c / 2, column o % 16, element c % 2
      const size_t idx = ((o / 16) * pairs + c / 2) * 32 + (o % 16) * 2 + c % 2;
      for (size_t t = 0; t < 16; ++t) out->v[t * out->coutPad * out->cinPad + idx] = static_cast<int16_t>(v[t / 4][t % 4]);
    }
    out->maxAbsSum = std::max(out->maxAbsSum, sum);
  }
#else
  (void)w;
  (void)n;
  (void)cin;
  (void)zeroPoints;
#endif
}

bool UseWinograd(const Conv2dShape& s, const GroupedWeights& w) {
#if defined(QTORCH_X86_64)
  // |x - zx| <= 255, so |4 * acc| <= 4 * 255 * sum |w - zw|: the output transform's 4Y is exact
  const bool fits = 4 * 255 * w.wino.maxAbsSum < (int64_t{1} << 31);
  return ActiveIsa() >= Isa::Avx2 && !w.wino.v.empty() && w.groups == 1 && s.kh == 3 && s.kw == 3 &&
         s.strideH == 1 && s.strideW == 1 && s.dilH == 1 && s.dilW == 1 && fits;
#else
  (void)s;
  (void)w;
  return false;
#endif
}

std::vector<WinoBand> WinogradBands(const Conv2dShape& s) {
  // at least 32 tiles per band (2 rows of a 56-wide image), at most 64 tiles per band row
  constexpr size_t kMinTiles = 32, kMaxCols = 64;
  const size_t tileRows = (s.oh + 1) / 2, tileCols = (s.ow + 1) / 2;
  const size_t colBlocks = (tileCols + kMaxCols - 1) / kMaxCols, cols = (tileCols + colBlocks - 1) / colBlocks;
  const size_t rows = std::min(tileRows, (kMinTiles + cols - 1) / cols);
  std::vector<WinoBand> bands;
  for (size_t ty = 0; ty < tileRows; ty += rows)
    for (size_t tx = 0; tx < tileCols; tx += cols)
      bands.push_back({ty, std::min(rows, tileRows - ty), tx, std::min(cols, tileCols - tx)});
  return bands;
}

void WinogradBand(const uint8_t* xcl, int32_t zx, const Conv2dShape& s, const WinoWeights& ww, const WinoBand& b,
                  WinoScratch* sc, int32_t* acc, size_t ldAcc) {
#if defined(QTORCH_X86_64)
  const size_t tiles = b.tileRows * b.tileCols;
  if (sc->uSize < 16 * tiles * ww.cinPad) sc->u.reset(new int16_t[sc->uSize = 16 * tiles * ww.cinPad]);
  if (sc->mSize < 16 * tiles * ww.coutPad) sc->m.reset(new int32_t[sc->mSize = 16 * tiles * ww.coutPad]);
  const ptrdiff_t y0 = static_cast<ptrdiff_t>(2 * b.ty0) - static_cast<ptrdiff_t>(s.padH);
  const ptrdiff_t x0 = static_cast<ptrdiff_t>(2 * b.tx0) - static_cast<ptrdiff_t>(s.padW);
  WinoInputAvx2({xcl, s.cin, s.ih, s.iw, y0, x0, b.tileRows, b.tileCols, ww.cinPad, zx, sc->u.get()});
  WinoGemmAvx2({sc->u.get(), ww.v.data(), tiles, ww.cinPad, ww.coutPad, sc->m.get()});
  const size_t outRows = std::min(2 * b.tileRows, s.oh - 2 * b.ty0), outCols = std::min(2 * b.tileCols, s.ow - 2 * b.tx0);
  WinoOutputAvx2({sc->m.get(), b.tileRows, b.tileCols, ww.coutPad, outRows, outCols, ldAcc, acc});
#else
  (void)xcl, (void)zx, (void)s, (void)ww, (void)b, (void)sc, (void)acc, (void)ldAcc;
#endif
}

}  // namespace qtorch
