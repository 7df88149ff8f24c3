// Argument validation shared by the N-API translation units (napi_addon.cc, napi_ops.cc).
// Every check runs before any memory is touched: wrong types throw TypeError, wrong sizes or
// values RangeError, each message naming the function, the argument and what came.
#pragma once

#include <napi.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "qtorch/qgemm.h"
#include "qtorch/qops.h"

namespace qtorch {
namespace napi {

constexpr double kMaxDim = 2147483647.0;       // dims fit int32, like PyTorch's kernels
constexpr uint64_t kMaxElements = 1ull << 31;  // largest output or input we accept

[[noreturn]] inline void ThrowType(Napi::Env env, const std::string& msg) { throw Napi::TypeError::New(env, msg); }
[[noreturn]] inline void ThrowRange(Napi::Env env, const std::string& msg) { throw Napi::RangeError::New(env, msg); }

// Whether new outputs are filled with 0xA5 instead of left as they come (QTORCH_POISON_OUTPUTS
// set, as in the tests): an element a kernel leaves unwritten then shows as garbage instead of
// as the zero a fresh page happens to hold.
inline bool PoisonOutputs() {
  static const bool poison = [] {
    const char* v = std::getenv("QTORCH_POISON_OUTPUTS");
    return v != nullptr && *v != '\0' && std::strcmp(v, "0") != 0;
  }();
  return poison;
}

// A new typed array of n elements for an output the kernel overwrites entirely. Its memory is
// node::Buffer's allocation, which is not zero-filled (a typed array's is: on large outputs
// that fill costs as much as a bandwidth-bound op).
template <typename T>
Napi::TypedArrayOf<T> NewOutput(Napi::Env env, size_t n) {
  Napi::Buffer<uint8_t> buf = Napi::Buffer<uint8_t>::New(env, n * sizeof(T));
  const size_t offset = buf.ByteOffset();
  if (offset % alignof(T) != 0) return Napi::TypedArrayOf<T>::New(env, n);  // not seen: a zeroed array then
  if (PoisonOutputs() && n > 0) std::memset(buf.Data(), 0xA5, n * sizeof(T));
  return Napi::TypedArrayOf<T>::New(env, n, buf.ArrayBuffer(), offset);
}

// An 8-bit quantized buffer: a Uint8Array (quint8) or an Int8Array (qint8).
struct Bytes {
  void* data = nullptr;
  size_t length = 0;
  bool isSigned = false;
  Napi::Value value;  // the typed array (keeps the view alive for the call)
};

struct Ctx {
  const Napi::CallbackInfo& info;
  const char* fn;
  Napi::Env env() const { return info.Env(); }
  std::string Where(size_t i, const char* name) const {
    return std::string(fn) + "(): argument " + std::to_string(i) + " (" + name + ")";
  }
  bool Missing(size_t i) const { return info.Length() <= i || info[i].IsUndefined(); }

  template <typename T>
  Napi::TypedArrayOf<T> Array(size_t i, const char* name, napi_typedarray_type type, const char* typeName,
                              bool nullable = false, bool* isNull = nullptr) const {
    if (nullable && (Missing(i) || info[i].IsNull())) {
      *isNull = true;
      return Napi::TypedArrayOf<T>();
    }
    if (isNull) *isNull = false;
    if (info.Length() <= i || !info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != type)
      ThrowType(env(), Where(i, name) + " must be a " + typeName);
    return info[i].As<Napi::TypedArrayOf<T>>();
  }

  Bytes Bytes8(size_t i, const char* name) const {
    if (info.Length() > i && info[i].IsTypedArray()) {
      auto t = info[i].As<Napi::TypedArray>();
      if (t.TypedArrayType() == napi_uint8_array || t.TypedArrayType() == napi_int8_array) {
        Bytes b;
        b.data = static_cast<uint8_t*>(t.ArrayBuffer().Data()) + t.ByteOffset();
        b.length = t.ElementLength();
        b.isSigned = t.TypedArrayType() == napi_int8_array;
        b.value = t;
        return b;
      }
    }
    ThrowType(env(), Where(i, name) + " must be a Uint8Array (quint8) or an Int8Array (qint8)");
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

  // A zero point of the 8-bit dtype `isSigned` selects.
  int32_t ZeroPoint8(size_t i, const char* name, bool isSigned) const {
    return isSigned ? Int(i, name, -128, 127) : Int(i, name, 0, 255);
  }

  // A quantization scale as qtensor keeps it: a positive finite double.
  double Scale(size_t i, const char* name) const {
    const double v = Number(i, name);
    if (!(v > 0) || !std::isfinite(v)) ThrowRange(env(), Where(i, name) + " must be a finite positive number, got " + std::to_string(v));
    return v;
  }

  bool Bool(size_t i, const char* name) const {
    if (info.Length() <= i || !info[i].IsBoolean()) ThrowType(env(), Where(i, name) + " must be a boolean");
    return info[i].As<Napi::Boolean>().Value();
  }

  bool OptionalBool(size_t i, const char* name, bool dflt) const { return Missing(i) ? dflt : Bool(i, name); }

  void Length(size_t i, const char* name, size_t got, uint64_t want, const char* what) const {
    if (static_cast<uint64_t>(got) != want)
      ThrowRange(env(), Where(i, name) + " must hold " + what + " = " + std::to_string(want) + " elements, got " +
                            std::to_string(got));
  }
};

inline uint64_t CheckedElements(Napi::Env env, const char* fn, uint64_t a, uint64_t b) {
  if (a != 0 && b > kMaxElements / a)
    ThrowRange(env, std::string(fn) + "(): " + std::to_string(a) + " x " + std::to_string(b) + " elements is too large");
  return a * b;
}

// Runs fn<uint8_t> or fn<int8_t> on the bytes' data, by signedness.
template <typename F>
inline void By8BitType(const Bytes& b, F&& fn) {
  if (b.isSigned) {
    fn(static_cast<int8_t*>(b.data), int8_t{});
  } else {
    fn(static_cast<uint8_t*>(b.data), uint8_t{});
  }
}

// out must have the input's 8-bit type and length.
inline void SameBytes(const Ctx& c, size_t i, const char* name, const Bytes& out, const Bytes& like, const char* likeName) {
  if (out.isSigned != like.isSigned)
    ThrowType(c.env(), c.Where(i, name) + " must have the type of " + likeName + " (" + (like.isSigned ? "Int8Array" : "Uint8Array") + ")");
  c.Length(i, name, out.length, like.length, likeName);
}

// Reads the array argument i of `count` integers (dims[j] >= mins[j], < 2^31), named `names`.
// Arguments of the 8-bit binary ops (qadd, qmul): (a, aScale, aZeroPoint, b, bScale, bZeroPoint,
// outScale, outZeroPoint, relu, out); a, b and out share one 8-bit type and length (the caller
// broadcasts).
struct BinaryOpArgs {
  Bytes a, b, out;
  double sa, sb, so;
  int32_t za, zb, zo;
  bool relu;
};
inline BinaryOpArgs ReadBinaryOpArgs(const Ctx& c) {
  BinaryOpArgs g{};
  g.a = c.Bytes8(0, "a");
  g.sa = c.Scale(1, "aScale");
  g.za = c.ZeroPoint8(2, "aZeroPoint", g.a.isSigned);
  g.b = c.Bytes8(3, "b");
  SameBytes(c, 3, "b", g.b, g.a, "a");
  g.sb = c.Scale(4, "bScale");
  g.zb = c.ZeroPoint8(5, "bZeroPoint", g.b.isSigned);
  g.so = c.Scale(6, "outScale");
  g.zo = c.ZeroPoint8(7, "outZeroPoint", g.a.isSigned);
  g.relu = c.Bool(8, "relu");
  g.out = c.Bytes8(9, "out");
  SameBytes(c, 9, "out", g.out, g.a, "a");
  return g;
}

inline void ArgDims(const Ctx& c, size_t i, const char* what, const char* const* names, const int* mins, size_t count, size_t* dims) {
  if (c.info.Length() <= i || !c.info[i].IsArray()) ThrowType(c.env(), c.Where(i, what) + " must be an array of " + std::to_string(count) + " integers");
  auto arr = c.info[i].As<Napi::Array>();
  if (arr.Length() != count)
    ThrowRange(c.env(), c.Where(i, what) + " must hold " + std::to_string(count) + " integers, got " + std::to_string(arr.Length()));
  for (uint32_t j = 0; j < count; ++j) {
    const Napi::Value v = arr.Get(j);
    const double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
    if (!(d >= mins[j] && d <= kMaxDim) || std::floor(d) != d)
      ThrowRange(c.env(), c.Where(i, what) + ": " + names[j] + " must be an integer >= " + std::to_string(mins[j]));
    dims[j] = static_cast<size_t>(d);
  }
}

// Weight scales (Float32Array or Float64Array, 1 or n finite positive values) as doubles.
std::vector<double> ArgWeightScales(const Ctx& c, size_t i, size_t n);

// bias: Float32Array(n) or null/undefined.
const float* ArgBias(const Ctx& c, size_t i, size_t n);

// The prepacked weights of argument i (a PackedWeights of this addon); the linear variant
// also requires the plain GEMM layout (one group, no spatial permutation).
const GroupedWeights& ArgPacked(const Ctx& c, size_t i);
const PackedWeights& ArgLinearPacked(const Ctx& c, size_t i);

// Per-addon data: the engine and the PackedWeights constructor (for instanceof checks).
struct AddonData {
  Engine engine;
  Napi::FunctionReference packedCtor;
};

// Registers the quantized-op functions of napi_ops.cc on `exports`.
void InitOps(Napi::Env env, Napi::Object exports);

// Registers the FP32 GEMM functions of napi_sgemm.cc on `exports`.
void InitSGemm(Napi::Env env, Napi::Object exports);
// Registers the activation, mul and pooling functions of napi_elementwise.cc on `exports`.
void InitElementwiseOps(Napi::Env env, Napi::Object exports);
// Registers the dynamic recurrent step of napi_rnn.cc on `exports`.
void InitRnn(Napi::Env env, Napi::Object exports);

}  // namespace napi
}  // namespace qtorch
