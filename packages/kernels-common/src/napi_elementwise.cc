// N-API entry points of the activations (256-entry tables), tensor-tensor mul and the NCHW
// pools (qops_elementwise.h). Arguments are validated before any memory is touched: wrong
// types throw TypeError, wrong sizes or values RangeError, naming the function and argument.
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "napi_args.h"
#include "qtorch/qops_elementwise.h"

namespace qtorch {
namespace napi {
namespace {

// A number, or null / undefined as NaN (an absent bound).
double OptionalNumber(const Ctx& c, size_t i, const char* name) {
  if (c.Missing(i) || c.info[i].IsNull()) return std::numeric_limits<double>::quiet_NaN();
  const double v = c.Number(i, name);
  if (std::isnan(v)) ThrowRange(c.env(), c.Where(i, name) + " must be a number or null, got NaN");
  return v;
}

struct ActivationName {
  const char* name;
  Activation kind;
};
constexpr ActivationName kActivations[] = {
    {"hardswish", Activation::Hardswish}, {"hardsigmoid", Activation::Hardsigmoid}, {"sigmoid", Activation::Sigmoid},
    {"tanh", Activation::Tanh},           {"leaky_relu", Activation::LeakyRelu},    {"elu", Activation::Elu},
    {"celu", Activation::Celu},           {"threshold", Activation::Threshold},     {"clamp", Activation::Clamp},
    {"relu6", Activation::Relu6},
};

// qactivation(x, kind, inScale, inZeroPoint, outScale, outZeroPoint, a, b, out) -> out.
// a, b: the op's parameters (Activation in qops_elementwise.h); null where unused or absent.
Napi::Value QActivationJs(const Napi::CallbackInfo& info) {
  Ctx c{info, "qactivation"};
  const Bytes x = c.Bytes8(0, "input");
  if (info.Length() <= 1 || !info[1].IsString()) ThrowType(c.env(), c.Where(1, "kind") + " must be a string");
  const std::string kind = info[1].As<Napi::String>().Utf8Value();
  ActivationParams p{};
  bool known = false;
  for (const ActivationName& a : kActivations) {
    if (kind == a.name) {
      p.kind = a.kind;
      known = true;
    }
  }
  if (!known) {
    std::string names;
    for (const ActivationName& a : kActivations) names += std::string(names.empty() ? "" : ", ") + a.name;
    ThrowRange(c.env(), c.Where(1, "kind") + ": unknown activation '" + kind + "'; expected one of " + names);
  }
  p.inScale = c.Scale(2, "inScale");
  p.inZeroPoint = c.ZeroPoint8(3, "inZeroPoint", x.isSigned);
  p.outScale = c.Scale(4, "outScale");
  p.outZeroPoint = c.ZeroPoint8(5, "outZeroPoint", x.isSigned);
  p.a = OptionalNumber(c, 6, "a");
  p.b = OptionalNumber(c, 7, "b");
  const bool needsA = p.kind == Activation::LeakyRelu || p.kind == Activation::Elu || p.kind == Activation::Celu || p.kind == Activation::Threshold;
  if (needsA && std::isnan(p.a)) ThrowType(c.env(), c.Where(6, "a") + " must be a number for " + kind);
  if (p.kind == Activation::Threshold && std::isnan(p.b)) ThrowType(c.env(), c.Where(7, "b") + " must be a number for threshold");
  if (p.kind == Activation::Celu && p.a == 0) ThrowRange(c.env(), c.Where(6, "a") + " (alpha) must not be 0 for celu");
  const Bytes out = c.Bytes8(8, "out");
  SameBytes(c, 8, "out", out, x, "input");
  By8BitType(x, [&](auto*, auto t) {
    using T = decltype(t);
    T table[256];
    BuildActivationTable<T>(p, table);
    ApplyTable<T>(static_cast<const T*>(x.data), x.length, table, static_cast<T*>(out.data));
  });
  return out.value;
}

// qlut(x, table, out) -> out: out[i] = table[byte of x[i]]; table: 256 values of x's type
// (for ops whose table the caller computes, e.g. from the reference on every input value).
Napi::Value QLutJs(const Napi::CallbackInfo& info) {
  Ctx c{info, "qlut"};
  const Bytes x = c.Bytes8(0, "input");
  const Bytes table = c.Bytes8(1, "table");
  if (table.isSigned != x.isSigned) ThrowType(c.env(), c.Where(1, "table") + " must have the type of input");
  c.Length(1, "table", table.length, 256, "256");
  const Bytes out = c.Bytes8(2, "out");
  SameBytes(c, 2, "out", out, x, "input");
  By8BitType(x, [&](auto*, auto t) {
    using T = decltype(t);
    ApplyTable<T>(static_cast<const T*>(x.data), x.length, static_cast<const T*>(table.data), static_cast<T*>(out.data));
  });
  return out.value;
}

// qmul(a, aScale, aZeroPoint, b, bScale, bZeroPoint, outScale, outZeroPoint, relu, out) -> out;
// a, b, out: one 8-bit type and length (broadcasting is done by the caller).
Napi::Value QMulJs(const Napi::CallbackInfo& info) {
  Ctx c{info, "qmul"};
  const BinaryOpArgs g = ReadBinaryOpArgs(c);
  const Bytes &a = g.a, &b = g.b, &out = g.out;
  const double sa = g.sa, sb = g.sb, so = g.so;
  const int32_t za = g.za, zb = g.zb, zo = g.zo;
  const bool relu = g.relu;
  // the reference's multiplier: f32(f32(f32(sa) * f32(sb)) * f32(1 / f32(so)))
  const float m = (static_cast<float>(sa) * static_cast<float>(sb)) * (1.0f / static_cast<float>(so));
  By8BitType(a, [&](auto*, auto t) {
    using T = decltype(t);
    QMul<T>(static_cast<const T*>(a.data), za, static_cast<const T*>(b.data), zb, a.length, m, zo, relu, static_cast<T*>(out.data));
  });
  return out.value;
}

// PyTorch's pooling output size (pooling_output_shape), or 0 when it is < 1.
size_t PoolOut(size_t in, size_t k, size_t pad, size_t stride, size_t dil, bool ceil) {
  const int64_t span = static_cast<int64_t>(in) + 2 * static_cast<int64_t>(pad) - static_cast<int64_t>(dil) * (static_cast<int64_t>(k) - 1) - 1 +
                       (ceil ? static_cast<int64_t>(stride) - 1 : 0);
  if (span < 0) return 0;
  int64_t out = span / static_cast<int64_t>(stride) + 1;
  if (ceil && (out - 1) * static_cast<int64_t>(stride) >= static_cast<int64_t>(in + pad)) --out;
  return out < 1 ? 0 : static_cast<size_t>(out);
}

// Pool geometry [planes, ih, iw, kh, kw, strideH, strideW, padH, padW(, dilH, dilW)] at
// argument 1, ceil mode at 2; checks the input length and derives the output size.
Pool2dShape ArgPool(const Ctx& c, const Bytes& x, bool dilation) {
  static const char* const kNames[] = {"planes", "ih", "iw", "kh", "kw", "strideH", "strideW", "padH", "padW", "dilH", "dilW"};
  static const int kMins[] = {0, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1};
  size_t g[11] = {0, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1};
  ArgDims(c, 1, "geometry", kNames, kMins, dilation ? 11 : 9, g);
  const bool ceil = c.Bool(2, "ceilMode");
  Pool2dShape s;
  s.planes = g[0], s.ih = g[1], s.iw = g[2], s.kh = g[3], s.kw = g[4];
  s.strideH = g[5], s.strideW = g[6], s.padH = g[7], s.padW = g[8], s.dilH = g[9], s.dilW = g[10];
  const uint64_t elems = CheckedElements(c.env(), c.fn, CheckedElements(c.env(), c.fn, s.planes, s.ih), s.iw);
  c.Length(0, "input", x.length, elems, "planes * ih * iw");
  if (2 * s.padH > s.kh || 2 * s.padW > s.kw)
    ThrowRange(c.env(), c.Where(1, "geometry") + ": padding must be at most half the kernel size, got padding " + std::to_string(s.padH) + "x" +
                            std::to_string(s.padW) + " for a " + std::to_string(s.kh) + "x" + std::to_string(s.kw) + " kernel");
  s.oh = PoolOut(s.ih, s.kh, s.padH, s.strideH, s.dilH, ceil);
  s.ow = PoolOut(s.iw, s.kw, s.padW, s.strideW, s.dilW, ceil);
  if (s.oh == 0 || s.ow == 0)
    ThrowRange(c.env(), c.Where(0, "input") + " of " + std::to_string(s.ih) + "x" + std::to_string(s.iw) + " is too small for the pooling window");
  return s;
}

// A new 8-bit array of x's type with n elements, filled by fn(T*).
template <typename F>
Napi::Value NewLike(const Ctx& c, const Bytes& x, uint64_t n, F&& fn) {
  if (x.isSigned) {
    auto out = NewOutput<int8_t>(c.env(), n);
    fn(out.Data());
    return out;
  }
  auto out = NewOutput<uint8_t>(c.env(), n);
  fn(out.Data());
  return out;
}

// qmaxPool2d(x, [planes, ih, iw, kh, kw, strideH, strideW, padH, padW, dilH, dilW], ceilMode)
// -> x's array type, planes * oh * ow.
Napi::Value QMaxPool2dJs(const Napi::CallbackInfo& info) {
  Ctx c{info, "qmaxPool2d"};
  const Bytes x = c.Bytes8(0, "input");
  const Pool2dShape s = ArgPool(c, x, true);
  const uint64_t n = CheckedElements(c.env(), c.fn, s.planes, CheckedElements(c.env(), c.fn, s.oh, s.ow));
  return NewLike(c, x, n, [&](auto* y) { QMaxPool2d(static_cast<decltype(y)>(x.data), s, y); });
}

// qavgPool2d(x, [planes, ih, iw, kh, kw, strideH, strideW, padH, padW], ceilMode, zeroPoint,
// countIncludePad, divisorOverride (0: none), qnnpack) -> x's array type, planes * oh * ow.
Napi::Value QAvgPool2dJs(const Napi::CallbackInfo& info) {
  Ctx c{info, "qavgPool2d"};
  const Bytes x = c.Bytes8(0, "input");
  const Pool2dShape s = ArgPool(c, x, false);
  AvgPoolOptions o;
  o.zeroPoint = c.ZeroPoint8(3, "zeroPoint", x.isSigned);
  o.countIncludePad = c.Bool(4, "countIncludePad");
  o.divisorOverride = c.Int(5, "divisorOverride", 0, 2147483647);
  o.qnnpack = c.Bool(6, "qnnpack");
  const uint64_t n = CheckedElements(c.env(), c.fn, s.planes, CheckedElements(c.env(), c.fn, s.oh, s.ow));
  return NewLike(c, x, n, [&](auto* y) { QAvgPool2d(static_cast<decltype(y)>(x.data), s, o, y); });
}

// qadaptiveAvgPool2d(x, [planes, ih, iw, oh, ow], zeroPoint) -> x's array type, planes * oh * ow.
Napi::Value QAdaptiveAvgPool2dJs(const Napi::CallbackInfo& info) {
  Ctx c{info, "qadaptiveAvgPool2d"};
  const Bytes x = c.Bytes8(0, "input");
  static const char* const kNames[] = {"planes", "ih", "iw", "oh", "ow"};
  static const int kMins[] = {0, 1, 1, 1, 1};
  size_t g[5];
  ArgDims(c, 1, "geometry", kNames, kMins, 5, g);
  c.Length(0, "input", x.length, CheckedElements(c.env(), c.fn, CheckedElements(c.env(), c.fn, g[0], g[1]), g[2]), "planes * ih * iw");
  const int32_t zp = c.ZeroPoint8(2, "zeroPoint", x.isSigned);
  const uint64_t n = CheckedElements(c.env(), c.fn, g[0], CheckedElements(c.env(), c.fn, g[3], g[4]));
  return NewLike(c, x, n, [&](auto* y) { QAdaptiveAvgPool2d(static_cast<decltype(y)>(x.data), g[0], g[1], g[2], g[3], g[4], zp, y); });
}

}  // namespace

void InitElementwiseOps(Napi::Env env, Napi::Object exports) {
  exports.Set("qactivation", Napi::Function::New(env, QActivationJs, "qactivation"));
  exports.Set("qlut", Napi::Function::New(env, QLutJs, "qlut"));
  exports.Set("qmul", Napi::Function::New(env, QMulJs, "qmul"));
  exports.Set("qmaxPool2d", Napi::Function::New(env, QMaxPool2dJs, "qmaxPool2d"));
  exports.Set("qavgPool2d", Napi::Function::New(env, QAvgPool2dJs, "qavgPool2d"));
  exports.Set("qadaptiveAvgPool2d", Napi::Function::New(env, QAdaptiveAvgPool2dJs, "qadaptiveAvgPool2d"));
}

}  // namespace napi
}  // namespace qtorch
