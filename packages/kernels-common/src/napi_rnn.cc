// N-API entry point of the dynamic recurrent layer (rnn.h). Every argument is validated before
// any memory is touched (napi_args.h); outputs are written into arrays the caller owns, so a
// layer's time loop allocates nothing per step and never returns to JavaScript.
#include <cstdint>
#include <string>
#include <vector>

#include "napi_args.h"
#include "qtorch/qparams.h"
#include "qtorch/rnn.h"

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

// rnnLayerDynamic(cell: 0 LSTM | 1 GRU | 2 tanh | 3 relu, igates: Float32Array(steps * batch *
// G * hidden), steps, batch, hidden, packed (G * hidden x hidden), weightScales, bias|null,
// reduceRange, reverse, h0: Float32Array(batch * hidden), c: Float32Array(batch * hidden) for
// LSTM (c0 in, the final c out) else null, output: Float32Array(steps * batch * hidden)) ->
// the number of steps run (fewer than steps when an h has no finite range: the caller reports it).
Napi::Value RnnLayerDynamicJs(const Napi::CallbackInfo& info) {
  Ctx c{info, "rnnLayerDynamic"};
  DynamicRnnLayer l;
  l.cell = static_cast<RnnCell>(c.Int(0, "cell", 0, 3));
  l.steps = c.Dim(2, "steps");
  l.batch = c.Dim(3, "batch");
  l.hidden = c.Dim(4, "hidden");
  const size_t gates = RnnGateCount(l.cell);
  const uint64_t hn = CheckedElements(c.env(), c.fn, l.batch, l.hidden);
  const uint64_t gn = CheckedElements(c.env(), c.fn, CheckedElements(c.env(), c.fn, hn, gates), l.steps);
  const uint64_t on = CheckedElements(c.env(), c.fn, hn, l.steps);
  const float* igates = FloatArg(c, 1, "igates", gn, "steps * batch * gates * hidden");
  const PackedWeights& pw = ArgLinearPacked(c, 5);
  if (pw.n != gates * l.hidden || pw.k != l.hidden)
    ThrowRange(c.env(), c.Where(5, "packed") + " must hold a " + std::to_string(gates * l.hidden) + " x " + std::to_string(l.hidden) +
                            " weight (gates * hidden x hidden), got " + std::to_string(pw.n) + " x " + std::to_string(pw.k));
  const std::vector<double> ws = ArgWeightScales(c, 6, pw.n);
  l.bias = ArgBias(c, 7, pw.n);
  l.reduceRange = c.Bool(8, "reduceRange");
  l.reverse = c.Bool(9, "reverse");
  l.h0 = FloatArg(c, 10, "h0", hn, "batch * hidden");
  const bool lstm = l.cell == RnnCell::Lstm;
  bool hasC = false;
  l.c = FloatArg(c, 11, "c", hn, "batch * hidden", &hasC);
  if (lstm && !hasC) ThrowType(c.env(), c.Where(11, "c") + " must be a Float32Array for an LSTM cell");
  if (!lstm && hasC) ThrowType(c.env(), c.Where(11, "c") + " must be null for a cell without a cell state");
  l.output = FloatArg(c, 12, "output", on, "steps * batch * hidden");
  if (Overlap(l.output, igates, on, gn) || Overlap(l.output, l.h0, on, hn) || Overlap(l.output, l.c, on, hn))
    ThrowRange(c.env(), c.Where(12, "output") + " must not share memory with igates, h0 or c");
  if (Overlap(l.c, igates, hn, gn) || Overlap(l.c, l.h0, hn, hn))
    ThrowRange(c.env(), c.Where(11, "c") + " must not share memory with igates or h0");
  l.igates = igates;
  l.whh = &pw;
  l.weightScales = ws.data();
  l.weightScaleCount = ws.size();
  return Napi::Number::New(info.Env(), static_cast<double>(RunDynamicRnnLayer(l)));
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
  exports.Set("chooseQparamsU8", Napi::Function::New(env, ChooseQparamsU8Js, "chooseQparamsU8"));
}

}  // namespace napi
}  // namespace qtorch
