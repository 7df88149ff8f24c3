// N-API entry point of the dynamic recurrent step (rnn.h). Every argument is validated before
// any memory is touched (napi_args.h); outputs are written into arrays the caller owns, so a
// layer's time loop allocates nothing per step.
#include <cstdint>
#include <string>
#include <vector>

#include "napi_args.h"
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

// rnnStepDynamic(cell: 0 LSTM | 1 GRU | 2 tanh | 3 relu, igates: Float32Array(batch * G * hidden),
// h: Float32Array(batch * hidden), c: Float32Array(batch * hidden) for LSTM else null,
// hOut: Float32Array(batch * hidden), batch, hidden, packed (G * hidden x hidden), inScale,
// inZeroPoint (0..255), weightScales, bias|null) -> undefined; writes hOut (and c, in place).
Napi::Value RnnStepDynamicJs(const Napi::CallbackInfo& info) {
  Ctx c{info, "rnnStepDynamic"};
  DynamicRnnStep s;
  s.cell = static_cast<RnnCell>(c.Int(0, "cell", 0, 3));
  s.batch = c.Dim(5, "batch");
  s.hidden = c.Dim(6, "hidden");
  const size_t gates = RnnGateCount(s.cell);
  const uint64_t hn = CheckedElements(c.env(), c.fn, s.batch, s.hidden);
  const uint64_t gn = CheckedElements(c.env(), c.fn, hn, gates);
  s.igates = FloatArg(c, 1, "igates", gn, "batch * gates * hidden");
  s.h = FloatArg(c, 2, "h", hn, "batch * hidden");
  const bool lstm = s.cell == RnnCell::Lstm;
  bool hasC = false;
  s.c = FloatArg(c, 3, "c", hn, "batch * hidden", &hasC);
  if (lstm && !hasC) ThrowType(c.env(), c.Where(3, "c") + " must be a Float32Array for an LSTM cell");
  if (!lstm && hasC) ThrowType(c.env(), c.Where(3, "c") + " must be null for a cell without a cell state");
  s.hOut = FloatArg(c, 4, "hOut", hn, "batch * hidden");
  if (Overlap(s.hOut, s.igates, hn, gn) || Overlap(s.hOut, s.h, hn, hn) || Overlap(s.hOut, s.c, hn, hn))
    ThrowRange(c.env(), c.Where(4, "hOut") + " must not share memory with igates, h or c");
  const PackedWeights& pw = ArgLinearPacked(c, 7);
  if (pw.n != gates * s.hidden || pw.k != s.hidden)
    ThrowRange(c.env(), c.Where(7, "packed") + " must hold a " + std::to_string(gates * s.hidden) + " x " + std::to_string(s.hidden) +
                            " weight (gates * hidden x hidden), got " + std::to_string(pw.n) + " x " + std::to_string(pw.k));
  s.whh = &pw;
  s.inScale = c.Scale(8, "inScale");
  s.inZeroPoint = c.Int(9, "inZeroPoint", 0, 255);
  const std::vector<double> ws = ArgWeightScales(c, 10, pw.n);
  s.weightScales = ws.data();
  s.weightScaleCount = ws.size();
  s.bias = ArgBias(c, 11, pw.n);
  RunDynamicRnnStep(s);
  return info.Env().Undefined();
}

}  // namespace

void InitRnn(Napi::Env env, Napi::Object exports) {
  exports.Set("rnnStepDynamic", Napi::Function::New(env, RnnStepDynamicJs, "rnnStepDynamic"));
}

}  // namespace napi
}  // namespace qtorch
