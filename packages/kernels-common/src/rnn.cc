// The recurrent layers (rnn.h): per step the hidden projection (the dynamic layer: h quantized,
// the INT8 GEMM with a float output; the float layer: the float32 GEMM), then the gates, per
// batch row, with the active ISA's kernel.
#include "qtorch/rnn.h"

#include <algorithm>
#include <vector>

#include "qtorch/cpu.h"
#include "qtorch/f32_math.h"
#include "qtorch/kernels.h"
#include "qtorch/parallel.h"
#include "qtorch/qops.h"
#include "qtorch/qparams.h"
#include "qtorch/scratch.h"
#include "qtorch/sgemm.h"

namespace qtorch {
namespace {

using f32math::SigmoidScalar;
using f32math::TanhScalar;

// Baseline gates: the AVX2 kernels' formulas a lane at a time (f32_math.h; float32 adds and products).
void LstmGatesScalar(const RnnGatesArgs& a) {
  const size_t n = a.n;
  for (size_t j = 0; j < n; ++j) {
    const float i = SigmoidScalar(a.ig[j] + a.hg[j]), f = SigmoidScalar(a.ig[n + j] + a.hg[n + j]);
    const float g = TanhScalar(a.ig[2 * n + j] + a.hg[2 * n + j]), o = SigmoidScalar(a.ig[3 * n + j] + a.hg[3 * n + j]);
    const float cy = f * a.c[j] + i * g;  // -ffp-contract=off: two products, one sum, each rounded
    a.c[j] = cy;
    a.hOut[j] = o * TanhScalar(cy);
  }
}

void GruGatesScalar(const RnnGatesArgs& a) {
  const size_t n = a.n;
  for (size_t j = 0; j < n; ++j) {
    const float r = SigmoidScalar(a.ig[j] + a.hg[j]), z = SigmoidScalar(a.ig[n + j] + a.hg[n + j]);
    const float nn = TanhScalar(a.ig[2 * n + j] + r * a.hg[2 * n + j]);
    a.hOut[j] = nn + z * (a.h[j] - nn);
  }
}

void TanhGatesScalar(const RnnGatesArgs& a) {
  for (size_t j = 0; j < a.n; ++j) a.hOut[j] = TanhScalar(a.ig[j] + a.hg[j]);
}

// relu as the reference's reluScalar: v <= 0 ? 0 : v (NaN propagates). Vectorized by the compiler.
void ReluGates(const RnnGatesArgs& a) {
  for (size_t j = 0; j < a.n; ++j) {
    const float v = a.ig[j] + a.hg[j];
    a.hOut[j] = v <= 0 ? 0.0f : v;
  }
}

using GatesFn = void (*)(const RnnGatesArgs&);

GatesFn SelectGates(RnnCell cell) {
#if defined(__x86_64__) || defined(_M_X64)
  if (ActiveIsa() >= Isa::Avx2) {
    switch (cell) {
      case RnnCell::Lstm: return LstmGatesAvx2;
      case RnnCell::Gru: return GruGatesAvx2;
      case RnnCell::Tanh: return TanhGatesAvx2;
      case RnnCell::Relu: break;
    }
  }
#endif
  switch (cell) {
    case RnnCell::Lstm: return LstmGatesScalar;
    case RnnCell::Gru: return GruGatesScalar;
    case RnnCell::Tanh: return TanhGatesScalar;
    case RnnCell::Relu: break;
  }
  return ReluGates;
}

}  // namespace

void RunRnnGates(RnnCell cell, const RnnGatesArgs& args) { SelectGates(cell)(args); }

size_t RnnGateCount(RnnCell cell) {
  switch (cell) {
    case RnnCell::Lstm: return 4;
    case RnnCell::Gru: return 3;
    default: return 1;
  }
}

namespace {

// Hidden units per thread below which the gates are not worth waking a pool thread for (an LSTM
// unit costs ~4.5 ns on AVX2: 5 float32 transcendentals; a chunk of 2048 ~9 µs).
constexpr size_t kMinParallelUnits = 2048;

// The gates of one step for every batch row: hOut (and c, in place) = cell(igates, hg). Batch
// rows are independent: split over the pool (each row's results do not depend on the split).
void RunGatesRows(const RnnLayer& l, const float* h, const float* igates, const float* hg, float* hOut) {
  const size_t gh = RnnGateCount(l.cell) * l.hidden;
  const GatesFn gates = SelectGates(l.cell);
  ParallelFor(l.batch, std::max<size_t>(1, kMinParallelUnits / l.hidden), [&](size_t b0, size_t b1) {
    for (size_t b = b0; b < b1; ++b) {
      RnnGatesArgs a;
      a.ig = igates + b * gh;
      a.hg = hg + b * gh;
      a.h = h + b * l.hidden;
      a.c = l.c ? l.c + b * l.hidden : nullptr;
      a.hOut = hOut + b * l.hidden;
      a.n = l.hidden;
      gates(a);
    }
  });
}

// The time loop both layers run: per step `project(h, hg)` writes h's hidden projection (batch x
// gates*hidden, into this thread's scratch: a layer's steps allocate nothing) or returns false
// to stop there; the gates then write the step's h into the output. Returns the steps run.
template <class Project>
size_t RunSteps(const RnnLayer& l, Project project) {
  const size_t hn = l.batch * l.hidden, gn = RnnGateCount(l.cell) * hn;
  if (hn == 0) return l.steps;  // nothing to compute (an empty output)
  float* hg = ThreadScratch<float, kScratchRnnHidden>(gn);
  const float* h = l.h0;
  for (size_t i = 0; i < l.steps; ++i) {
    const size_t t = l.reverse ? l.steps - 1 - i : i;
    if (!project(h, hg)) return i;
    float* hOut = l.output + t * hn;
    RunGatesRows(l, h, l.igates + t * gn, hg, hOut);
    h = hOut;
  }
  return l.steps;
}

}  // namespace

size_t RunDynamicRnnLayer(const DynamicRnnLayer& l) {
  const size_t hn = l.batch * l.hidden;
  return RunSteps(l, [&](const float* h, float* hg) {
    float lo = 0, hi = 0;
    MinMaxF32(h, hn, &lo, &hi);
    Qparams qp;
    if (!ChooseQparamsU8(lo, hi, l.reduceRange, &qp)) return false;
    uint8_t* hq = ThreadScratch<uint8_t, kScratchRnnQuant>(hn);
    LinearDynamicF32(h, l.batch, qp.scale, qp.zeroPoint, *l.whh, l.weightScales, l.weightScaleCount, l.bias, false, hq, hg);
    return true;
  });
}

void RunFloatRnnLayer(const FloatRnnLayer& l) {
  const size_t gh = RnnGateCount(l.cell) * l.hidden, nr = SGemmPanelWidth();
  if (l.batch * l.hidden == 0) return;
  // W_hh packed once for every step: per-step packing of 4 MiB of weights costs more than an
  // 8-row product. One step (a cell) packs as it goes instead: a whole packed copy would double
  // the weight's memory traffic. The same floats either way.
  std::vector<float> packed(l.steps > 1 ? SGemmPackedSize(gh, l.hidden, nr) : 0);
  if (!packed.empty()) SGemmPackBT(l.whh, gh, l.hidden, packed.data());
  RunSteps(l, [&](const float* h, float* hg) {
    if (packed.empty()) SGemm(h, l.whh, l.bias, hg, l.batch, gh, l.hidden);
    else SGemmPrepacked(h, packed.data(), nr, l.bias, hg, l.batch, gh, l.hidden);
    return true;
  });
}

namespace {

using ActivationFn = void (*)(const float* x, size_t n, float* y);

void SigmoidF32Scalar(const float* x, size_t n, float* y) {
  for (size_t i = 0; i < n; ++i) y[i] = SigmoidScalar(x[i]);
}
void TanhF32Scalar(const float* x, size_t n, float* y) {
  for (size_t i = 0; i < n; ++i) y[i] = TanhScalar(x[i]);
}

ActivationFn SelectActivation(FloatActivation kind) {
  const bool sigmoid = kind == FloatActivation::Sigmoid;
#if defined(__x86_64__) || defined(_M_X64)
  if (ActiveIsa() >= Isa::Avx2) return sigmoid ? SigmoidF32Avx2 : TanhF32Avx2;
#endif
  return sigmoid ? SigmoidF32Scalar : TanhF32Scalar;
}

// Values per pool part: ~2 ns each on AVX2, so a part is tens of microseconds.
constexpr size_t kActivationGrain = size_t{1} << 14;

}  // namespace

void RunFloatActivation(FloatActivation kind, const float* x, size_t n, float* y) {
  const ActivationFn f = SelectActivation(kind);
  ParallelFor(n, kActivationGrain, [&](size_t i0, size_t i1) { f(x + i0, i1 - i0, y + i0); });
}

}  // namespace qtorch
