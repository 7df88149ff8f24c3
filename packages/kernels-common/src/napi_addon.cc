// N-API surface shared by both addons: prepacked weights, the GEMM entry points and ISA control
// (the quantized tensor ops are in napi_ops.cc). Every argument is validated (napi_args.h)
// before any memory is touched: wrong types throw TypeError, wrong sizes/values RangeError.
#include "qtorch/napi_addon.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "napi_args.h"
#include "qtorch/cpu.h"
#include "qtorch/parallel.h"
#include "qtorch/qgemm.h"
#include "qtorch/qops.h"

namespace qtorch {
namespace napi {
namespace {

// Opaque prepacked weights:
//   new PackedWeights(w: Int8Array, n, k, zeroPoints: Int32Array(1|n), groups = 1, spatial = 1)
// n rows (all groups) of k = cin_g * spatial values; see GroupedWeights for the layouts.
class PackedWeightsWrap : public Napi::ObjectWrap<PackedWeightsWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "PackedWeights",
                       {InstanceAccessor<&PackedWeightsWrap::N>("n"), InstanceAccessor<&PackedWeightsWrap::K>("k"),
                        InstanceAccessor<&PackedWeightsWrap::Groups>("groups"),
                        InstanceAccessor<&PackedWeightsWrap::Spatial>("spatial"),
                        InstanceAccessor<&PackedWeightsWrap::ZeroPoints>("zeroPoints"),
                        InstanceMethod<&PackedWeightsWrap::Unpack>("unpack"),
                        InstanceMethod<&PackedWeightsWrap::Dispose>("dispose"),
                        InstanceAccessor<&PackedWeightsWrap::Disposed>("disposed"),
                        InstanceAccessor<&PackedWeightsWrap::Bytes>("bytes")});
  }

  explicit PackedWeightsWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<PackedWeightsWrap>(info) {
    Ctx c{info, "PackedWeights"};
    auto w = c.Array<int8_t>(0, "weight", napi_int8_array, "Int8Array");
    const size_t n = c.Dim(1, "n"), k = c.Dim(2, "k");
    auto zp = c.Array<int32_t>(3, "zeroPoints", napi_int32_array, "Int32Array");
    const size_t groups = c.Missing(4) ? 1 : c.Dim(4, "groups");
    const size_t spatial = c.Missing(5) ? 1 : c.Dim(5, "spatial");
    c.Length(0, "weight", w.ElementLength(), CheckedElements(info.Env(), "PackedWeights", n, k), "n * k");
    if (zp.ElementLength() != 1 && zp.ElementLength() != n)
      ThrowRange(info.Env(), c.Where(3, "zeroPoints") + " must hold 1 or n = " + std::to_string(n) + " values, got " +
                                 std::to_string(zp.ElementLength()));
    for (size_t j = 0; j < zp.ElementLength(); ++j)
      if (zp[j] < -128 || zp[j] > 127)
        ThrowRange(info.Env(), c.Where(3, "zeroPoints") + " must be in [-128, 127] (qint8), got " + std::to_string(zp[j]));
    if (groups == 0 || n % groups != 0)
      ThrowRange(info.Env(), c.Where(4, "groups") + " must be a positive divisor of n = " + std::to_string(n) + ", got " + std::to_string(groups));
    if (spatial == 0 || k % spatial != 0)
      ThrowRange(info.Env(), c.Where(5, "spatial") + " must be a positive divisor of k = " + std::to_string(k) + ", got " + std::to_string(spatial));
    PackGrouped(w.Data(), n, k, zp.Data(), zp.ElementLength(), groups, spatial, &packed_);
    // Tell V8 how much memory the handle holds, so large weights drive GC like a typed array.
    externalBytes_ = static_cast<int64_t>(packed_.plain.size() + 4 * packed_.zeroPoints.size());
    for (const PackedWeights& p : packed_.packs) externalBytes_ += static_cast<int64_t>(p.data.size() + 8 * p.colSums.size() + 4 * p.blockColSums.size());
    externalBytes_ += static_cast<int64_t>(sizeof(int16_t) * packed_.wino.v.size());  // Winograd 3x3 weights
    Napi::MemoryManagement::AdjustExternalMemory(info.Env(), externalBytes_);
  }

  void Finalize(Napi::Env env) override { Napi::MemoryManagement::AdjustExternalMemory(env, -externalBytes_); }

  const GroupedWeights& packed() const { return packed_; }
  bool disposed() const { return disposed_; }

 private:
  Napi::Value N(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<double>(packed_.n)); }
  Napi::Value K(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<double>(packed_.k)); }
  Napi::Value Groups(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<double>(packed_.groups)); }
  Napi::Value Spatial(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<double>(packed_.spatial)); }
  Napi::Value ZeroPoints(const Napi::CallbackInfo& info) {
    ThrowIfDisposed(info.Env(), "zeroPoints");
    auto out = Napi::Int32Array::New(info.Env(), packed_.n);
    for (size_t j = 0; j < packed_.n; ++j) out[j] = packed_.zeroPoints[j];
    return out;
  }
  Napi::Value Unpack(const Napi::CallbackInfo& info) {
    ThrowIfDisposed(info.Env(), "unpack()");
    auto out = Napi::Int8Array::New(info.Env(), packed_.n * packed_.k);
    UnpackGrouped(packed_, out.Data());
    return out;
  }

  // dispose(): frees the packed memory now instead of at garbage collection (idempotent); the
  // shape accessors keep working, every use of the weights throws.
  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    if (!disposed_) {
      std::vector<PackedWeights>().swap(packed_.packs);
      std::vector<int8_t>().swap(packed_.plain);
      std::vector<int32_t>().swap(packed_.zeroPoints);
      Napi::MemoryManagement::AdjustExternalMemory(info.Env(), -externalBytes_);
      externalBytes_ = 0;
      disposed_ = true;
    }
    return info.Env().Undefined();
  }
  Napi::Value Disposed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), disposed_); }
  // The native memory held (as reported to V8's external memory count); 0 once disposed.
  Napi::Value Bytes(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<double>(externalBytes_)); }
  void ThrowIfDisposed(Napi::Env env, const char* what) const {
    if (disposed_) throw Napi::Error::New(env, std::string("PackedWeights.") + what + ": the weights were disposed");
  }

  GroupedWeights packed_;
  int64_t externalBytes_ = 0;
  bool disposed_ = false;
};

// Common prologue of the INT8 GEMM entry points: (a, m, za, packed) at 0..3; a is a Uint8Array
// (or an Int8Array where `allowSigned`: qint8 activations).
struct QGemmInputs {
  Bytes a;
  size_t m;
  int32_t za;
  const PackedWeights* pw;
  uint64_t outElements;
};

QGemmInputs ArgsQGemm(const Ctx& c, bool allowSigned) {
  QGemmInputs in;
  if (allowSigned) {
    in.a = c.Bytes8(0, "input");
  } else {
    auto a = c.Array<uint8_t>(0, "input", napi_uint8_array, "Uint8Array");
    in.a.data = a.Data();
    in.a.length = a.ElementLength();
    in.a.value = a;
  }
  in.m = c.Dim(1, "m");
  in.za = c.ZeroPoint8(2, "inputZeroPoint", in.a.isSigned);
  in.pw = &ArgLinearPacked(c, 3);
  c.Length(0, "input", in.a.length, CheckedElements(c.env(), c.fn, in.m, in.pw->k), "m * k");
  in.outElements = CheckedElements(c.env(), c.fn, in.m, in.pw->n);
  return in;
}

// qgemmS32(a, m, za, packed) -> Int32Array(m * n): sum_k (a - za) * (w - zw).
Napi::Value QGemmS32Js(const Napi::CallbackInfo& info) {
  Ctx c{info, "qgemmS32"};
  const QGemmInputs in = ArgsQGemm(c, false);
  auto out = NewOutput<int32_t>(info.Env(), in.outElements);
  QGemmS32(static_cast<const uint8_t*>(in.a.data), in.m, in.za, *in.pw, out.Data());
  return out;
}

// qlinear(a: Uint8Array|Int8Array, m, za, packed, inScale, weightScales, bias|null, outScale,
// outZeroPoint, relu) -> a typed array of a's type (quint8 in, quint8 out; qint8 likewise).
Napi::Value QLinearJs(const Napi::CallbackInfo& info) {
  Ctx c{info, "qlinear"};
  const QGemmInputs in = ArgsQGemm(c, true);
  RequantParams p;
  p.engine = info.Env().GetInstanceData<AddonData>()->engine;
  p.inScale = c.Scale(4, "inScale");
  const std::vector<double> ws = ArgWeightScales(c, 5, in.pw->n);
  p.weightScales = ws.data();
  p.weightScaleCount = ws.size();
  p.bias = ArgBias(c, 6, in.pw->n);
  p.outScale = c.Scale(7, "outScale");
  p.outZeroPoint = c.ZeroPoint8(8, "outZeroPoint", in.a.isSigned);
  p.relu = c.Bool(9, "relu");
  if (in.a.isSigned) {
    p.qmin = -128;
    p.qmax = 127;
    auto out = NewOutput<int8_t>(info.Env(), in.outElements);
    QLinear<int8_t>(static_cast<const int8_t*>(in.a.data), in.m, in.za, *in.pw, p, out.Data());
    return out;
  }
  auto out = NewOutput<uint8_t>(info.Env(), in.outElements);
  QLinear<uint8_t>(static_cast<const uint8_t*>(in.a.data), in.m, in.za, *in.pw, p, out.Data());
  return out;
}

// qlinearDynamic(a, m, za, packed, inScale, weightScales, bias|null, relu = false) -> Float32Array
Napi::Value QLinearDynamicJs(const Napi::CallbackInfo& info) {
  Ctx c{info, "qlinearDynamic"};
  const QGemmInputs in = ArgsQGemm(c, false);
  const double inScale = c.Scale(4, "inScale");
  const std::vector<double> ws = ArgWeightScales(c, 5, in.pw->n);
  const float* bias = ArgBias(c, 6, in.pw->n);
  const bool relu = c.OptionalBool(7, "relu", false);
  auto out = NewOutput<float>(info.Env(), in.outElements);
  QLinearF32(static_cast<const uint8_t*>(in.a.data), in.m, in.za, *in.pw, inScale, ws.data(), ws.size(), bias, relu, out.Data());
  return out;
}

Napi::Value IsaJs(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), IsaName(ActiveIsa())); }
Napi::Value DetectedIsaJs(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), IsaName(DetectedIsa())); }

// setIsa(name) -> previous level; RangeError for a level this CPU lacks.
Napi::Value SetIsaJs(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsString()) ThrowType(info.Env(), "setIsa(): argument 0 (isa) must be a string");
  const std::string name = info[0].As<Napi::String>().Utf8Value();
  Isa want;
  if (!ParseIsa(name.c_str(), &want))
    ThrowRange(info.Env(), "setIsa(): unknown isa '" + name + "'; expected one of 'scalar', 'avx2', 'avx512', 'avx512vnni', 'neon', 'neondot', 'neoni8mm'");
  const Isa prev = ActiveIsa();
  if (!SetActiveIsa(want))
    ThrowRange(info.Env(), std::string("setIsa(): this CPU supports up to '") + IsaName(DetectedIsa()) + "', cannot use '" + name + "'");
  return Napi::String::New(info.Env(), IsaName(prev));
}

// numThreads() -> threads of the intra-op pool.
Napi::Value NumThreadsJs(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<double>(NumThreads())); }

// setNumThreads(n) -> previous count; n an integer in [1, 1024].
Napi::Value SetNumThreadsJs(const Napi::CallbackInfo& info) {
  Ctx c{info, "setNumThreads"};
  const size_t n = static_cast<size_t>(c.Int(0, "threads", 1, 1024));
  const size_t prev = NumThreads();
  SetNumThreads(n);
  return Napi::Number::New(info.Env(), static_cast<double>(prev));
}

}  // namespace

std::vector<double> ArgWeightScales(const Ctx& c, size_t i, size_t n) {
  std::vector<double> out;
  if (c.info.Length() > i && c.info[i].IsTypedArray()) {
    auto t = c.info[i].As<Napi::TypedArray>();
    if (t.TypedArrayType() == napi_float64_array) {
      auto d = t.As<Napi::Float64Array>();
      out.assign(d.Data(), d.Data() + d.ElementLength());
    } else if (t.TypedArrayType() == napi_float32_array) {
      auto f = t.As<Napi::Float32Array>();
      out.assign(f.Data(), f.Data() + f.ElementLength());
    } else {
      ThrowType(c.env(), c.Where(i, "weightScales") + " must be a Float32Array or Float64Array");
    }
  } else {
    ThrowType(c.env(), c.Where(i, "weightScales") + " must be a Float32Array or Float64Array");
  }
  if (out.size() != 1 && out.size() != n)
    ThrowRange(c.env(), c.Where(i, "weightScales") + " must hold 1 or n = " + std::to_string(n) + " values, got " +
                            std::to_string(out.size()));
  // one branch-free pass (it vectorizes; per column it showed in batch-1 profiles), then the
  // first offender for the message
  bool ok = true;
  for (double v : out) ok &= (v > 0) & (v <= std::numeric_limits<double>::max());
  if (!ok)
    for (double v : out)
      if (!(v > 0) || !std::isfinite(v)) ThrowRange(c.env(), c.Where(i, "weightScales") + " must be finite and positive, got " + std::to_string(v));
  return out;
}

const float* ArgBias(const Ctx& c, size_t i, size_t n) {
  bool isNull = false;
  auto b = c.Array<float>(i, "bias", napi_float32_array, "Float32Array or null", true, &isNull);
  if (isNull) return nullptr;
  c.Length(i, "bias", b.ElementLength(), n, "n");
  return b.Data();
}

const GroupedWeights& ArgPacked(const Ctx& c, size_t i) {
  auto* data = c.env().GetInstanceData<AddonData>();
  if (c.info.Length() <= i || !c.info[i].IsObject() || !c.info[i].As<Napi::Object>().InstanceOf(data->packedCtor.Value()))
    ThrowType(c.env(), c.Where(i, "packed") + " must be a PackedWeights from this addon");
  const PackedWeightsWrap* w = PackedWeightsWrap::Unwrap(c.info[i].As<Napi::Object>());
  if (w->disposed()) throw Napi::Error::New(c.env(), c.Where(i, "packed") + ": the weights were disposed (dispose() was called)");
  return w->packed();
}

const PackedWeights& ArgLinearPacked(const Ctx& c, size_t i) {
  const GroupedWeights& gw = ArgPacked(c, i);
  if (gw.groups != 1 || gw.spatial != 1 || gw.packs.size() != 1)
    ThrowRange(c.env(), c.Where(i, "packed") + " must be linear weights (groups = 1, spatial = 1), got groups = " +
                            std::to_string(gw.groups) + ", spatial = " + std::to_string(gw.spatial));
  return gw.packs[0];
}

}  // namespace napi

Napi::Object InitAddon(Napi::Env env, Napi::Object exports, Engine engine) {
  using namespace napi;
  Napi::Function ctor = PackedWeightsWrap::Define(env);
  env.SetInstanceData(new AddonData{engine, Napi::Persistent(ctor)});
  exports.Set("engine", Napi::String::New(env, engine == Engine::Fbgemm ? "fbgemm" : "qnnpack"));
  exports.Set("PackedWeights", ctor);
  exports.Set("qgemmS32", Napi::Function::New(env, QGemmS32Js, "qgemmS32"));
  exports.Set("qlinear", Napi::Function::New(env, QLinearJs, "qlinear"));
  exports.Set("qlinearDynamic", Napi::Function::New(env, QLinearDynamicJs, "qlinearDynamic"));
  InitSGemm(env, exports);
  exports.Set("isa", Napi::Function::New(env, IsaJs, "isa"));
  exports.Set("detectedIsa", Napi::Function::New(env, DetectedIsaJs, "detectedIsa"));
  exports.Set("setIsa", Napi::Function::New(env, SetIsaJs, "setIsa"));
  exports.Set("numThreads", Napi::Function::New(env, NumThreadsJs, "numThreads"));
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreadsJs, "setNumThreads"));
  InitOps(env, exports);
  InitRnn(env, exports);
  return exports;
}

}  // namespace qtorch
