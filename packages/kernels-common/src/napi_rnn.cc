// N-API entry point of the dynamic recurrent layer (rnn.h). Every argument is validated before
// any memory is touched (napi_args.h); outputs are written into arrays the caller owns, so a
// layer's time loop allocates nothing per step and never returns to JavaScript.
#include <cstdint>
#include <string>
#include <vector>

#include "napi_args.h"
#include "qtorch/qgemm.h"
#include "qtorch/qparams.h"
#include "qtorch/rnn.h"
#include "qtorch/scratch.h"

namespace qtorch {
namespace napi {
namespace {

// A Float32Array argument of exactly `want` elements. Nullable ones report null through
// `present` (an empty array's data pointer may be null too, so the pointer cannot tell).
float* FloatArg(const Ctx& c, size_t i, const char* name, uint64_t want, const char* what, bool* present = nullptr) {
  bool isNull = false;
  auto a = c.Array<float>(i, name, napi_float32_array, "Float32Array", present != nullptr, &isNull);
  if (present) *present = !isNull;
  if (isNull) return nullptr;
  c.Length(i, name, a.ElementLength(), want, what);
  return a.Data();
}

bool Overlap(const float* a, const float* b, uint64_t n, uint64_t m) { return a && b && a < b + m && b < a + n; }

// The arguments every form of the layer call shares: cell (index 0), and steps, batch, hidden,
// packed W_hh, its weight scales, bias|null, reduceRange, reverse, h0, c|null, output from index
// `at` on (read in two parts, so each form checks its input gates' arguments in between). `gn`
// is the element count the input gates have.
struct LayerArgs {
  DynamicRnnLayer l;
  std::vector<double> weightScales;
  uint64_t hn = 0, gn = 0, on = 0;
  size_t outputIndex = 0, cIndex = 0;
};

// The cell and the dims (steps, batch, hidden at `at`): what the input gates' size depends on.
LayerArgs ReadLayerDims(const Ctx& c, size_t at) {
  LayerArgs a;
  DynamicRnnLayer& l = a.l;
  l.cell = static_cast<RnnCell>(c.Int(0, "cell", 0, 3));
  l.steps = c.Dim(at, "steps");
  l.batch = c.Dim(at + 1, "batch");
  l.hidden = c.Dim(at + 2, "hidden");
  const size_t gates = RnnGateCount(l.cell);
  a.hn = CheckedElements(c.env(), c.fn, l.batch, l.hidden);
  a.gn = CheckedElements(c.env(), c.fn, CheckedElements(c.env(), c.fn, a.hn, gates), l.steps);
  a.on = CheckedElements(c.env(), c.fn, a.hn, l.steps);
  return a;
}

// The rest, from packed W_hh (at `at` + 3) to output, into `a`.
void ReadLayerRest(const Ctx& c, size_t at, LayerArgs& a) {
  DynamicRnnLayer& l = a.l;
  const size_t gates = RnnGateCount(l.cell);
  const PackedWeights& pw = ArgLinearPacked(c, at + 3);
  if (pw.n != gates * l.hidden || pw.k != l.hidden)
    ThrowRange(c.env(), c.Where(at + 3, "packed") + " must hold a " + std::to_string(gates * l.hidden) + " x " + std::to_string(l.hidden) +
                            " weight (gates * hidden x hidden), got " + std::to_string(pw.n) + " x " + std::to_string(pw.k));
  a.weightScales = ArgWeightScales(c, at + 4, pw.n);
  l.bias = ArgBias(c, at + 5, pw.n);
  l.reduceRange = c.Bool(at + 6, "reduceRange");
  l.reverse = c.Bool(at + 7, "reverse");
  l.h0 = FloatArg(c, at + 8, "h0", a.hn, "batch * hidden");
  const bool lstm = l.cell == RnnCell::Lstm;
  bool hasC = false;
  a.cIndex = at + 9;
  l.c = FloatArg(c, a.cIndex, "c", a.hn, "batch * hidden", &hasC);
  if (lstm && !hasC) ThrowType(c.env(), c.Where(a.cIndex, "c") + " must be a Float32Array for an LSTM cell");
  if (!lstm && hasC) ThrowType(c.env(), c.Where(a.cIndex, "c") + " must be null for a cell without a cell state");
  a.outputIndex = at + 10;
  l.output = FloatArg(c, a.outputIndex, "output", a.on, "steps * batch * hidden");
  if (Overlap(l.output, l.h0, a.on, a.hn) || Overlap(l.output, l.c, a.on, a.hn))
    ThrowRange(c.env(), c.Where(a.outputIndex, "output") + " must not share memory with h0 or c");
  if (Overlap(l.c, l.h0, a.hn, a.hn)) ThrowRange(c.env(), c.Where(a.cIndex, "c") + " must not share memory with h0");
  l.whh = &pw;
  l.weightScales = a.weightScales.data();
  l.weightScaleCount = a.weightScales.size();
}

// rnnLayerDynamic(cell: 0 LSTM | 1 GRU | 2 tanh | 3 relu, igates: Float32Array(steps * batch *
// G * hidden), steps, batch, hidden, packed (G * hidden x hidden), weightScales, bias|null,
// reduceRange, reverse, h0: Float32Array(batch * hidden), c: Float32Array(batch * hidden) for
// LSTM (c0 in, the final c out) else null, output: Float32Array(steps * batch * hidden)) ->
// the number of steps run (fewer than steps when an h has no finite range: the caller reports it).
Napi::Value RnnLayerDynamicJs(const Napi::CallbackInfo& info) {
  Ctx c{info, "rnnLayerDynamic"};
  LayerArgs a = ReadLayerDims(c, 2);
  const float* igates = FloatArg(c, 1, "igates", a.gn, "steps * batch * gates * hidden");
  ReadLayerRest(c, 2, a);
  if (Overlap(a.l.output, igates, a.on, a.gn)) ThrowRange(c.env(), c.Where(a.outputIndex, "output") + " must not share memory with igates");
  if (Overlap(a.l.c, igates, a.hn, a.gn)) ThrowRange(c.env(), c.Where(a.cIndex, "c") + " must not share memory with igates");
  a.l.igates = igates;
  return Napi::Number::New(info.Env(), static_cast<double>(RunDynamicRnnLayer(a.l)));
}

// Input projections up to this size live in the thread's scratch (kept for the next call);
// larger ones in a buffer of their own, freed when the call returns.
constexpr uint64_t kMaxScratchInputBytes = uint64_t{16} << 20;

// rnnLayerDynamicProjected(cell, x: Float32Array(steps * batch * inputSize), inScale,
// inZeroPoint, packedIh (G * hidden x inputSize), ihWeightScales, ihBias|null, then the
// arguments of rnnLayerDynamic from steps on) -> the number of steps run. The input projection
// is computed here, as linearDynamic computes it with the same (inScale, inZeroPoint) (the
// caller chooses them from x's range, as for that op), into memory the layer owns: no
// Float32Array of every step's gates is made (the layer's largest allocation).
Napi::Value RnnLayerDynamicProjectedJs(const Napi::CallbackInfo& info) {
  Ctx c{info, "rnnLayerDynamicProjected"};
  LayerArgs a = ReadLayerDims(c, 7);
  const PackedWeights& pih = ArgLinearPacked(c, 4);
  const size_t gatesHidden = RnnGateCount(a.l.cell) * a.l.hidden;
  if (pih.n != gatesHidden)
    ThrowRange(c.env(), c.Where(4, "packedIh") + " must hold " + std::to_string(gatesHidden) + " output features (gates * hidden), got " +
                            std::to_string(pih.n));
  const uint64_t rows = CheckedElements(c.env(), c.fn, a.l.steps, a.l.batch);
  const float* x = FloatArg(c, 1, "x", CheckedElements(c.env(), c.fn, rows, pih.k), "steps * batch * inputSize");
  const double inScale = c.Scale(2, "inScale");
  const int32_t za = c.Int(3, "inZeroPoint", 0, 255);
  const std::vector<double> ihScales = ArgWeightScales(c, 5, pih.n);
  const float* ihBias = ArgBias(c, 6, pih.n);
  ReadLayerRest(c, 7, a);
  const uint64_t xn = rows * pih.k;
  const bool inScratch = a.gn * sizeof(float) + xn <= kMaxScratchInputBytes;
  std::vector<float> ownGates(inScratch ? 0 : a.gn);
  std::vector<uint8_t> ownX(inScratch ? 0 : xn);
  // one scratch buffer: the gates, then the quantized x after them
  float* igates = inScratch ? ThreadScratch<float, kScratchRnnInput>(a.gn + (xn + sizeof(float) - 1) / sizeof(float)) : ownGates.data();
  uint8_t* xq = inScratch ? reinterpret_cast<uint8_t*>(igates + a.gn) : ownX.data();
  LinearDynamicF32(x, rows, inScale, za, pih, ihScales.data(), ihScales.size(), ihBias, false, xq, igates);
  a.l.igates = igates;
  return Napi::Number::New(info.Env(), static_cast<double>(RunDynamicRnnLayer(a.l)));
}

// chooseQparamsU8(lo, hi, reduceRange) -> [scale, zeroPoint] | null (non-finite range): the
// native qparams choice of the recurrent layer, exposed so tests hold it to qtensor's.
Napi::Value ChooseQparamsU8Js(const Napi::CallbackInfo& info) {
  Ctx c{info, "chooseQparamsU8"};
  const double lo = c.Number(0, "lo"), hi = c.Number(1, "hi");
  Qparams qp;
  if (!ChooseQparamsU8(static_cast<float>(lo), static_cast<float>(hi), c.Bool(2, "reduceRange"), &qp)) return info.Env().Null();
  Napi::Array r = Napi::Array::New(info.Env(), 2);
  r.Set(0u, Napi::Number::New(info.Env(), qp.scale));
  r.Set(1u, Napi::Number::New(info.Env(), qp.zeroPoint));
  return r;
}

}  // namespace

void InitRnn(Napi::Env env, Napi::Object exports) {
  exports.Set("rnnLayerDynamic", Napi::Function::New(env, RnnLayerDynamicJs, "rnnLayerDynamic"));
  exports.Set("rnnLayerDynamicProjected", Napi::Function::New(env, RnnLayerDynamicProjectedJs, "rnnLayerDynamicProjected"));
  exports.Set("chooseQparamsU8", Napi::Function::New(env, ChooseQparamsU8Js, "chooseQparamsU8"));
}

}  // namespace napi
}  // namespace qtorch
