// N-API surface shared by both addons. Every argument is validated here, before any memory is
// touched: wrong types throw TypeError, wrong sizes/values RangeError; nothing may crash.
#include "qtorch/napi_addon.h"

#include <cmath>
#include <cstdint>
#include <string>

#include "qtorch/cpu.h"
#include "qtorch/qgemm.h"

namespace qtorch {
namespace {

constexpr double kMaxDim = 2147483647.0;       // dims fit int32, like PyTorch's kernels
constexpr uint64_t kMaxElements = 1ull << 31;  // largest output or input we accept

[[noreturn]] void ThrowType(Napi::Env env, const std::string& msg) { throw Napi::TypeError::New(env, msg); }
[[noreturn]] void ThrowRange(Napi::Env env, const std::string& msg) { throw Napi::RangeError::New(env, msg); }

struct Ctx {
  const Napi::CallbackInfo& info;
  const char* fn;
  Napi::Env env() const { return info.Env(); }
  std::string Where(size_t i, const char* name) const {
    return std::string(fn) + "(): argument " + std::to_string(i) + " (" + name + ")";
  }

  template <typename T>
  Napi::TypedArrayOf<T> Array(size_t i, const char* name, napi_typedarray_type type, const char* typeName,
                              bool nullable = false, bool* isNull = nullptr) const {
    if (nullable && (info.Length() <= i || info[i].IsNull() || info[i].IsUndefined())) {
      *isNull = true;
      return Napi::TypedArrayOf<T>();
    }
    if (isNull) *isNull = false;
    if (info.Length() <= i || !info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != type)
      ThrowType(env(), Where(i, name) + " must be a " + typeName);
    return info[i].As<Napi::TypedArrayOf<T>>();
  }

  double Number(size_t i, const char* name) const {
    if (info.Length() <= i || !info[i].IsNumber()) ThrowType(env(), Where(i, name) + " must be a number");
    return info[i].As<Napi::Number>().DoubleValue();
  }

  size_t Dim(size_t i, const char* name) const {
    const double v = Number(i, name);
    if (!(v >= 0 && v <= kMaxDim) || std::floor(v) != v)
      ThrowRange(env(), Where(i, name) + " must be an integer in [0, 2^31), got " + std::to_string(v));
    return static_cast<size_t>(v);
  }

  int32_t Int(size_t i, const char* name, int32_t lo, int32_t hi) const {
    const double v = Number(i, name);
    if (!(v >= lo && v <= hi) || std::floor(v) != v)
      ThrowRange(env(), Where(i, name) + " must be an integer in [" + std::to_string(lo) + ", " +
                            std::to_string(hi) + "], got " + std::to_string(v));
    return static_cast<int32_t>(v);
  }

  float PositiveScale(size_t i, const char* name) const {
    const double v = Number(i, name);
    const float f = static_cast<float>(v);
    if (!(f > 0) || !std::isfinite(f)) ThrowRange(env(), Where(i, name) + " must be a finite positive float32, got " + std::to_string(v));
    return f;
  }

  bool Bool(size_t i, const char* name) const {
    if (info.Length() <= i || !info[i].IsBoolean()) ThrowType(env(), Where(i, name) + " must be a boolean");
    return info[i].As<Napi::Boolean>().Value();
  }

  void Length(size_t i, const char* name, size_t got, uint64_t want, const char* what) const {
    if (static_cast<uint64_t>(got) != want)
      ThrowRange(env(), Where(i, name) + " must hold " + what + " = " + std::to_string(want) + " elements, got " +
                            std::to_string(got));
  }
};

uint64_t CheckedElements(Napi::Env env, const char* fn, uint64_t a, uint64_t b) {
  const uint64_t n = a * b;  // both < 2^31: no overflow in 64 bits
  if (n > kMaxElements) ThrowRange(env, std::string(fn) + "(): " + std::to_string(a) + " x " + std::to_string(b) + " elements is too large");
  return n;
}

// Opaque prepacked weights: new PackedWeights(w: Int8Array, n, k, zeroPoints: Int32Array(1|n)).
class PackedWeightsWrap : public Napi::ObjectWrap<PackedWeightsWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "PackedWeights",
                       {InstanceAccessor<&PackedWeightsWrap::N>("n"), InstanceAccessor<&PackedWeightsWrap::K>("k"),
                        InstanceAccessor<&PackedWeightsWrap::ZeroPoints>("zeroPoints"),
                        InstanceMethod<&PackedWeightsWrap::Unpack>("unpack")});
  }

  explicit PackedWeightsWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<PackedWeightsWrap>(info) {
    Ctx c{info, "PackedWeights"};
    auto w = c.Array<int8_t>(0, "weight", napi_int8_array, "Int8Array");
    const size_t n = c.Dim(1, "n"), k = c.Dim(2, "k");
    auto zp = c.Array<int32_t>(3, "zeroPoints", napi_int32_array, "Int32Array");
    c.Length(0, "weight", w.ElementLength(), CheckedElements(info.Env(), "PackedWeights", n, k), "n * k");
    if (zp.ElementLength() != 1 && zp.ElementLength() != n)
      ThrowRange(info.Env(), c.Where(3, "zeroPoints") + " must hold 1 or n = " + std::to_string(n) + " values, got " +
                                 std::to_string(zp.ElementLength()));
    for (size_t j = 0; j < zp.ElementLength(); ++j)
      if (zp[j] < -128 || zp[j] > 127)
        ThrowRange(info.Env(), c.Where(3, "zeroPoints") + " must be in [-128, 127] (qint8), got " + std::to_string(zp[j]));
    PackWeights(w.Data(), n, k, zp.Data(), zp.ElementLength(), &packed_);
    // Tell V8 how much memory the handle holds, so large weights drive GC like a typed array.
    externalBytes_ = static_cast<int64_t>(packed_.data.size() + 8 * packed_.colSums.size());
    Napi::MemoryManagement::AdjustExternalMemory(info.Env(), externalBytes_);
  }

  void Finalize(Napi::Env env) override { Napi::MemoryManagement::AdjustExternalMemory(env, -externalBytes_); }

  const PackedWeights& packed() const { return packed_; }

 private:
  Napi::Value N(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<double>(packed_.n)); }
  Napi::Value K(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<double>(packed_.k)); }
  Napi::Value ZeroPoints(const Napi::CallbackInfo& info) {
    auto out = Napi::Int32Array::New(info.Env(), packed_.n);
    for (size_t j = 0; j < packed_.n; ++j) out[j] = packed_.zeroPoints[j];
    return out;
  }
  Napi::Value Unpack(const Napi::CallbackInfo& info) {
    auto out = Napi::Int8Array::New(info.Env(), packed_.n * packed_.k);
    UnpackWeights(packed_, out.Data());
    return out;
  }

  PackedWeights packed_;
  int64_t externalBytes_ = 0;
};

struct AddonData {
  Engine engine;
  Napi::FunctionReference packedCtor;
};

const PackedWeights& ArgPacked(const Ctx& c, size_t i) {
  auto* data = c.env().GetInstanceData<AddonData>();
  if (c.info.Length() <= i || !c.info[i].IsObject() || !c.info[i].As<Napi::Object>().InstanceOf(data->packedCtor.Value()))
    ThrowType(c.env(), c.Where(i, "packed") + " must be a PackedWeights from this addon");
  return PackedWeightsWrap::Unwrap(c.info[i].As<Napi::Object>())->packed();
}

// Common prologue of the INT8 GEMM entry points: (a: Uint8Array, m, za, packed) at 0..3.
struct QGemmInputs {
  const uint8_t* a;
  size_t m;
  int32_t za;
  const PackedWeights* pw;
  uint64_t outElements;
};

QGemmInputs ArgsQGemm(const Ctx& c) {
  auto a = c.Array<uint8_t>(0, "input", napi_uint8_array, "Uint8Array");
  const size_t m = c.Dim(1, "m");
  const int32_t za = c.Int(2, "inputZeroPoint", 0, 255);
  const PackedWeights& pw = ArgPacked(c, 3);
  c.Length(0, "input", a.ElementLength(), CheckedElements(c.env(), c.fn, m, pw.k), "m * k");
  return {a.Data(), m, za, &pw, CheckedElements(c.env(), c.fn, m, pw.n)};
}

// (weightScales: Float32Array(1|n), bias: Float32Array(n) | null) at i, i+1.
void ArgsScalesBias(const Ctx& c, size_t i, size_t n, Napi::Float32Array* ws, const float** bias) {
  *ws = c.Array<float>(i, "weightScales", napi_float32_array, "Float32Array");
  if (ws->ElementLength() != 1 && ws->ElementLength() != n)
    ThrowRange(c.env(), c.Where(i, "weightScales") + " must hold 1 or n = " + std::to_string(n) + " values, got " +
                            std::to_string(ws->ElementLength()));
  for (size_t j = 0; j < ws->ElementLength(); ++j)
    if (!((*ws)[j] > 0) || !std::isfinite((*ws)[j])) ThrowRange(c.env(), c.Where(i, "weightScales") + " must be finite and positive");
  bool isNull = false;
  auto b = c.Array<float>(i + 1, "bias", napi_float32_array, "Float32Array or null", true, &isNull);
  *bias = nullptr;
  if (!isNull) {
    c.Length(i + 1, "bias", b.ElementLength(), n, "n");
    *bias = b.Data();
  }
}

// qgemmS32(a, m, za, packed) -> Int32Array(m * n): sum_k (a - za) * (w - zw).
Napi::Value QGemmS32Js(const Napi::CallbackInfo& info) {
  Ctx c{info, "qgemmS32"};
  const QGemmInputs in = ArgsQGemm(c);
  auto out = Napi::Int32Array::New(info.Env(), in.outElements);
  QGemmS32(in.a, in.m, in.za, *in.pw, out.Data());
  return out;
}

// qlinear(a, m, za, packed, inScale, weightScales, bias|null, outScale, outZeroPoint, relu) -> Uint8Array
Napi::Value QLinearJs(const Napi::CallbackInfo& info) {
  Ctx c{info, "qlinear"};
  const QGemmInputs in = ArgsQGemm(c);
  RequantParams p;
  p.engine = info.Env().GetInstanceData<AddonData>()->engine;
  p.inScale = c.PositiveScale(4, "inScale");
  Napi::Float32Array ws;
  ArgsScalesBias(c, 5, in.pw->n, &ws, &p.bias);
  p.weightScales = ws.Data();
  p.weightScaleCount = ws.ElementLength();
  p.outScale = c.PositiveScale(7, "outScale");
  p.outZeroPoint = c.Int(8, "outZeroPoint", 0, 255);
  p.relu = c.Bool(9, "relu");
  auto out = Napi::Uint8Array::New(info.Env(), in.outElements);
  QLinearU8(in.a, in.m, in.za, *in.pw, p, out.Data());
  return out;
}

// qlinearDynamic(a, m, za, packed, inScale, weightScales, bias|null) -> Float32Array
Napi::Value QLinearDynamicJs(const Napi::CallbackInfo& info) {
  Ctx c{info, "qlinearDynamic"};
  const QGemmInputs in = ArgsQGemm(c);
  const float inScale = c.PositiveScale(4, "inScale");
  Napi::Float32Array ws;
  const float* bias = nullptr;
  ArgsScalesBias(c, 5, in.pw->n, &ws, &bias);
  auto out = Napi::Float32Array::New(info.Env(), in.outElements);
  QLinearF32(in.a, in.m, in.za, *in.pw, inScale, ws.Data(), ws.ElementLength(), bias, out.Data());
  return out;
}

// sgemm(a: Float32Array(m*k), m, k, b: Float32Array(n*k), n, bias|null) -> Float32Array(m*n)
Napi::Value SGemmJs(const Napi::CallbackInfo& info) {
  Ctx c{info, "sgemm"};
  auto a = c.Array<float>(0, "a", napi_float32_array, "Float32Array");
  const size_t m = c.Dim(1, "m"), k = c.Dim(2, "k");
  auto b = c.Array<float>(3, "b", napi_float32_array, "Float32Array");
  const size_t n = c.Dim(4, "n");
  bool noBias = false;
  auto bias = c.Array<float>(5, "bias", napi_float32_array, "Float32Array or null", true, &noBias);
  c.Length(0, "a", a.ElementLength(), CheckedElements(info.Env(), c.fn, m, k), "m * k");
  c.Length(3, "b", b.ElementLength(), CheckedElements(info.Env(), c.fn, n, k), "n * k");
  if (!noBias) c.Length(5, "bias", bias.ElementLength(), n, "n");
  auto out = Napi::Float32Array::New(info.Env(), CheckedElements(info.Env(), c.fn, m, n));
  SGemm(a.Data(), b.Data(), noBias ? nullptr : bias.Data(), out.Data(), m, n, k);
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
    ThrowRange(info.Env(), "setIsa(): unknown isa '" + name + "'; expected one of 'scalar', 'avx2', 'avx512', 'avx512vnni'");
  const Isa prev = ActiveIsa();
  if (!SetActiveIsa(want))
    ThrowRange(info.Env(), std::string("setIsa(): this CPU supports up to '") + IsaName(DetectedIsa()) + "', cannot use '" + name + "'");
  return Napi::String::New(info.Env(), IsaName(prev));
}

}  // namespace

Napi::Object InitAddon(Napi::Env env, Napi::Object exports, Engine engine) {
  Napi::Function ctor = PackedWeightsWrap::Define(env);
  env.SetInstanceData(new AddonData{engine, Napi::Persistent(ctor)});
  exports.Set("engine", Napi::String::New(env, engine == Engine::Fbgemm ? "fbgemm" : "qnnpack"));
  exports.Set("PackedWeights", ctor);
  exports.Set("qgemmS32", Napi::Function::New(env, QGemmS32Js, "qgemmS32"));
  exports.Set("qlinear", Napi::Function::New(env, QLinearJs, "qlinear"));
  exports.Set("qlinearDynamic", Napi::Function::New(env, QLinearDynamicJs, "qlinearDynamic"));
  exports.Set("sgemm", Napi::Function::New(env, SGemmJs, "sgemm"));
  exports.Set("isa", Napi::Function::New(env, IsaJs, "isa"));
  exports.Set("detectedIsa", Napi::Function::New(env, DetectedIsaJs, "detectedIsa"));
  exports.Set("setIsa", Napi::Function::New(env, SetIsaJs, "setIsa"));
  return exports;
}

}  // namespace qtorch
