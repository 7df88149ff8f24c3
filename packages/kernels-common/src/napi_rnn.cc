// N-API entry points of the recurrent layers (rnn.h). Every argument is validated before
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

// Element counts of a layer call's arrays (checked against overflow).
struct LayerCounts {
  uint64_t hn = 0, gn = 0, on = 0;  // h (batch * hidden), input gates, output
  size_t outputIndex = 0, cIndex = 0;
};

// The cell (index 0) and steps, batch, hidden from index `at` on: what the other arrays' sizes
// depend on (each form checks its own input gates' arguments before the rest).
LayerCounts ReadLayerDims(const Ctx& c, size_t at, RnnLayer& l) {
  LayerCounts n;
  l.cell = static_cast<RnnCell>(c.Int(0, "cell", 0, 3));
  l.steps = c.Dim(at, "steps");
  l.batch = c.Dim(at + 1, "batch");
  l.hidden = c.Dim(at + 2, "hidden");
  const size_t gates = RnnGateCount(l.cell);
  n.hn = CheckedElements(c.env(), c.fn, l.batch, l.hidden);
  n.gn = CheckedElements(c.env(), c.fn, CheckedElements(c.env(), c.fn, n.hn, gates), l.steps);
  n.on = CheckedElements(c.env(), c.fn, n.hn, l.steps);
  return n;
}

// reverse, h0, c|null (LSTM only) and output from index `at` on, into `l`.
void ReadLayerStates(const Ctx& c, size_t at, RnnLayer& l, LayerCounts& n) {
  l.reverse = c.Bool(at, "reverse");
  l.h0 = FloatArg(c, at + 1, "h0", n.hn, "batch * hidden");
  const bool lstm = l.cell == RnnCell::Lstm;
  bool hasC = false;
  n.cIndex = at + 2;
  l.c = FloatArg(c, n.cIndex, "c", n.hn, "batch * hidden", &hasC);
  if (lstm && !hasC) ThrowType(c.env(), c.Where(n.cIndex, "c") + " must be a Float32Array for an LSTM cell");
  if (!lstm && hasC) ThrowType(c.env(), c.Where(n.cIndex, "c") + " must be null for a cell without a cell state");
  n.outputIndex = at + 3;
  l.output = FloatArg(c, n.outputIndex, "output", n.on, "steps * batch * hidden");
  if (Overlap(l.output, l.h0, n.on, n.hn) || Overlap(l.output, l.c, n.on, n.hn))
    ThrowRange(c.env(), c.Where(n.outputIndex, "output") + " must not share memory with h0 or c");
  if (Overlap(l.c, l.h0, n.hn, n.hn)) ThrowRange(c.env(), c.Where(n.cIndex, "c") + " must not share memory with h0");
}

// What the layer writes (output, c) must not share memory with `in` (m floats), read as it runs.
void CheckNotWritten(const Ctx& c, const RnnLayer& l, const LayerCounts& n, const float* in, uint64_t m, const char* name) {
  if (Overlap(l.output, in, n.on, m)) ThrowRange(c.env(), c.Where(n.outputIndex, "output") + " must not share memory with " + name);
  if (Overlap(l.c, in, n.hn, m)) ThrowRange(c.env(), c.Where(n.cIndex, "c") + " must not share memory with " + name);
}

// The dynamic layer's arguments: dims at `at`, then packed W_hh, its weight scales, bias|null,
// reduceRange, and the states.
struct DynamicLayerArgs {
  DynamicRnnLayer l;
  std::vector<double> weightScales;
  LayerCounts n;
};

// The rest, from packed W_hh (at `at` + 3) to output, into `a`.
void ReadDynamicLayerRest(const Ctx& c, size_t at, DynamicLayerArgs& a) {
  DynamicRnnLayer& l = a.l;
  const size_t gates = RnnGateCount(l.cell);
  const PackedWeights& pw = ArgLinearPacked(c, at + 3);
  if (pw.n != gates * l.hidden || pw.k != l.hidden)
    ThrowRange(c.env(), c.Where(at + 3, "packed") + " must hold a " + std::to_string(gates * l.hidden) + " x " + std::to_string(l.hidden) +
                            " weight (gates * hidden x hidden), got " + std::to_string(pw.n) + " x " + std::to_string(pw.k));
  a.weightScales = ArgWeightScales(c, at + 4, pw.n);
  l.bias = ArgBias(c, at + 5, pw.n);
  l.reduceRange = c.Bool(at + 6, "reduceRange");
  ReadLayerStates(c, at + 7, l, a.n);
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
  DynamicLayerArgs a;
  a.n = ReadLayerDims(c, 2, a.l);
  const float* igates = FloatArg(c, 1, "igates", a.n.gn, "steps * batch * gates * hidden");
  ReadDynamicLayerRest(c, 2, a);
  CheckNotWritten(c, a.l, a.n, igates, a.n.gn, "igates");
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
  DynamicLayerArgs a;
  a.n = ReadLayerDims(c, 7, a.l);
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
  ReadDynamicLayerRest(c, 7, a);
  const uint64_t xn = rows * pih.k;
  const bool inScratch = a.n.gn * sizeof(float) + xn <= kMaxScratchInputBytes;
  std::vector<float> ownGates(inScratch ? 0 : a.n.gn);
  std::vector<uint8_t> ownX(inScratch ? 0 : xn);
  // one scratch buffer: the gates, then the quantized x after them
  float* igates = inScratch ? ThreadScratch<float, kScratchRnnInput>(a.n.gn + (xn + sizeof(float) - 1) / sizeof(float)) : ownGates.data();
  uint8_t* xq = inScratch ? reinterpret_cast<uint8_t*>(igates + a.n.gn) : ownX.data();
  LinearDynamicF32(x, rows, inScale, za, pih, ihScales.data(), ihScales.size(), ihBias, false, xq, igates);
  a.l.igates = igates;
  return Napi::Number::New(info.Env(), static_cast<double>(RunDynamicRnnLayer(a.l)));
}

// rnnLayerFloat(cell, igates: Float32Array(steps * batch * G * hidden), steps, batch, hidden,
// whh: Float32Array(G * hidden * hidden), bias: Float32Array(G * hidden)|null, reverse, h0, c|null,
// output) -> undefined: the float layer (rnn.h), the same states and output as rnnLayerDynamic.
Napi::Value RnnLayerFloatJs(const Napi::CallbackInfo& info) {
  Ctx c{info, "rnnLayerFloat"};
  FloatRnnLayer l;
  LayerCounts n = ReadLayerDims(c, 2, l);
  const float* igates = FloatArg(c, 1, "igates", n.gn, "steps * batch * gates * hidden");
  const uint64_t gh = CheckedElements(c.env(), c.fn, RnnGateCount(l.cell), l.hidden);
  const uint64_t wn = CheckedElements(c.env(), c.fn, gh, l.hidden);
  l.whh = FloatArg(c, 5, "whh", wn, "gates * hidden * hidden");
  l.bias = ArgBias(c, 6, gh);
  ReadLayerStates(c, 7, l, n);
  CheckNotWritten(c, l, n, igates, n.gn, "igates");
  CheckNotWritten(c, l, n, l.whh, wn, "whh");
  CheckNotWritten(c, l, n, l.bias, gh, "bias");  // a null bias overlaps nothing
  l.igates = igates;
  RunFloatRnnLayer(l);
  return info.Env().Undefined();
}

// floatActivation(kind: 0 sigmoid | 1 tanh, x: Float32Array, out: Float32Array(x.length)) ->
// undefined: out = f(x), qtensor's float32 sigmoid / tanh. out may be x itself (in place), not
// a part of it.
Napi::Value FloatActivationJs(const Napi::CallbackInfo& info) {
  Ctx c{info, "floatActivation"};
  const auto kind = static_cast<FloatActivation>(c.Int(0, "kind", 0, 1));
  auto x = c.Array<float>(1, "x", napi_float32_array, "Float32Array");
  const uint64_t n = x.ElementLength();
  float* out = FloatArg(c, 2, "out", n, "x.length");
  if (out != x.Data() && Overlap(out, x.Data(), n, n)) ThrowRange(c.env(), c.Where(2, "out") + " must be x itself or not share memory with it");
  RunFloatActivation(kind, x.Data(), n, out);
  return info.Env().Undefined();
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
  exports.Set("rnnLayerFloat", Napi::Function::New(env, RnnLayerFloatJs, "rnnLayerFloat"));
  exports.Set("floatActivation", Napi::Function::New(env, FloatActivationJs, "floatActivation"));
  exports.Set("chooseQparamsU8", Napi::Function::New(env, ChooseQparamsU8Js, "chooseQparamsU8"));
}

}  // namespace napi
}  // namespace qtorch
