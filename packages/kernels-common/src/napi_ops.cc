// N-API entry points of the quantized tensor ops (qops.h): whole-tensor quantize / dequantize,
// add, relu, the fused dynamic linear and conv2d. Elementwise ops write into an output array
// the caller allocates (it may skip zero-filling large buffers); arguments are validated first.
#include <cstdint>
#include <string>
#include <vector>

#include "napi_args.h"
#include "qtorch/qgemm.h"
#include "qtorch/qops.h"

namespace qtorch {
namespace napi {
namespace {

// quantizePerTensor(x: Float32Array, scale, zeroPoint, out: Uint8Array|Int8Array) -> out
Napi::Value QuantizeJs(const Napi::CallbackInfo& info) {
  Ctx c{info, "quantizePerTensor"};
  auto x = c.Array<float>(0, "input", napi_float32_array, "Float32Array");
  const double scale = c.Scale(1, "scale");
  const Bytes out = c.Bytes8(3, "out");
  const int32_t zp = c.ZeroPoint8(2, "zeroPoint", out.isSigned);
  c.Length(3, "out", out.length, x.ElementLength(), "input.length");
  AdviseHugePages(out.data, out.length);
  By8BitType(out, [&](auto* q, auto) { QuantizePerTensor(x.Data(), x.ElementLength(), scale, zp, q); });
  return out.value;
}

// dequantize(q: Uint8Array|Int8Array, scale, zeroPoint, out: Float32Array) -> out
Napi::Value DequantizeJs(const Napi::CallbackInfo& info) {
  Ctx c{info, "dequantize"};
  const Bytes q = c.Bytes8(0, "input");
  const double scale = c.Scale(1, "scale");
  const int32_t zp = c.ZeroPoint8(2, "zeroPoint", q.isSigned);
  auto out = c.Array<float>(3, "out", napi_float32_array, "Float32Array");
  c.Length(3, "out", out.ElementLength(), q.length, "input.length");
  float* y = out.Data();
  AdviseHugePages(y, q.length * sizeof(float));
  By8BitType(q, [&](auto* v, auto) { DequantizePerTensor(v, q.length, scale, zp, y); });
  return out;
}

// qadd(a, sa, za, b, sb, zb, outScale, outZeroPoint, relu, out) -> out; a, b, out: one 8-bit
// type and length (broadcasting is done by the caller).
Napi::Value QAddJs(const Napi::CallbackInfo& info) {
  Ctx c{info, "qadd"};
  const BinaryOpArgs g = ReadBinaryOpArgs(c);
  const Bytes &a = g.a, &b = g.b, &out = g.out;
  const double sa = g.sa, sb = g.sb, so = g.so;
  const int32_t za = g.za, zb = g.zb, zo = g.zo;
  const bool relu = g.relu;
  AdviseHugePages(out.data, out.length);
  By8BitType(a, [&](auto* av, auto t) {
    using T = decltype(t);
    QAdd<T>(av, sa, za, static_cast<const T*>(b.data), sb, zb, a.length, so, zo, relu, static_cast<T*>(out.data));
  });
  return out.value;
}

// qrelu(x, zeroPoint, out) -> out
Napi::Value QReluJs(const Napi::CallbackInfo& info) {
  Ctx c{info, "qrelu"};
  const Bytes x = c.Bytes8(0, "input");
  const int32_t zp = c.ZeroPoint8(1, "zeroPoint", x.isSigned);
  const Bytes out = c.Bytes8(2, "out");
  SameBytes(c, 2, "out", out, x, "input");
  By8BitType(x, [&](auto* v, auto t) { QRelu(v, x.length, zp, static_cast<decltype(t)*>(out.data)); });
  return out.value;
}

// minMax(x: Float32Array) -> [min(x, 0), max(x, 0)] (NaN if x holds a NaN)
Napi::Value MinMaxJs(const Napi::CallbackInfo& info) {
  Ctx c{info, "minMax"};
  auto x = c.Array<float>(0, "input", napi_float32_array, "Float32Array");
  float lo = 0, hi = 0;
  MinMaxF32(x.Data(), x.ElementLength(), &lo, &hi);
  auto out = Napi::Array::New(info.Env(), 2);
  out.Set(0u, Napi::Number::New(info.Env(), lo));
  out.Set(1u, Napi::Number::New(info.Env(), hi));
  return out;
}

// linearDynamic(x: Float32Array(m*k), m, packed, inScale, inZeroPoint, weightScales, bias|null,
// relu) -> Float32Array(m*n): x quantized to quint8 with (inScale, inZeroPoint), clamped to
// 0..255 (also under reduce_range, as the reference), then the float-output GEMM.
Napi::Value LinearDynamicJs(const Napi::CallbackInfo& info) {
  Ctx c{info, "linearDynamic"};
  auto x = c.Array<float>(0, "input", napi_float32_array, "Float32Array");
  const size_t m = c.Dim(1, "m");
  const PackedWeights& pw = ArgLinearPacked(c, 2);
  c.Length(0, "input", x.ElementLength(), CheckedElements(c.env(), c.fn, m, pw.k), "m * k");
  const double inScale = c.Scale(3, "inScale");
  const int32_t za = c.Int(4, "inZeroPoint", 0, 255);
  const std::vector<double> ws = ArgWeightScales(c, 5, pw.n);
  const float* bias = ArgBias(c, 6, pw.n);
  const bool relu = c.Bool(7, "relu");
  auto out = NewOutput<float>(info.Env(), CheckedElements(c.env(), c.fn, m, pw.n));
  std::vector<uint8_t> xq(x.ElementLength());
  LinearDynamicF32(x.Data(), m, inScale, za, pw, ws.data(), ws.size(), bias, relu, xq.data(), out.Data());
  return out;
}

// The output size of a convolution along one dim (PyTorch's formula); 0 when it is < 1.
size_t ConvOut(size_t in, size_t k, size_t stride, size_t pad, size_t dil) {
  const int64_t span = static_cast<int64_t>(in) + 2 * static_cast<int64_t>(pad) - static_cast<int64_t>(dil) * (static_cast<int64_t>(k) - 1) - 1;
  return span < 0 ? 0 : static_cast<size_t>(span / static_cast<int64_t>(stride)) + 1;
}

// qconv2d(x, geometry: number[12] = [batch, cin, ih, iw, kh, kw, strideH, strideW, padH, padW,
// dilH, dilW], inZeroPoint, packed (groups, spatial = kh * kw), inScale, weightScales,
// bias|null, outScale, outZeroPoint, relu) -> x's typed array type, [batch, cout, oh, ow].
Napi::Value QConv2dJs(const Napi::CallbackInfo& info) {
  Ctx c{info, "qconv2d"};
  const Bytes x = c.Bytes8(0, "input");
  if (info.Length() <= 1 || !info[1].IsArray()) ThrowType(c.env(), c.Where(1, "geometry") + " must be an array of 12 integers");
  auto geo = info[1].As<Napi::Array>();
  if (geo.Length() != 12) ThrowRange(c.env(), c.Where(1, "geometry") + " must hold 12 integers, got " + std::to_string(geo.Length()));
  static const char* const kNames[12] = {"batch", "cin", "ih", "iw", "kh", "kw", "strideH", "strideW", "padH", "padW", "dilH", "dilW"};
  size_t g[12];
  for (uint32_t i = 0; i < 12; ++i) {
    const Napi::Value v = geo.Get(i);
    const double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
    const bool positive = i >= 4 && (i < 8 || i >= 10);  // kernel, stride, dilation
    if (!(d >= (positive ? 1 : 0) && d <= kMaxDim) || std::floor(d) != d)
      ThrowRange(c.env(), c.Where(1, "geometry") + ": " + kNames[i] + " must be an integer >= " + (positive ? "1" : "0"));
    g[i] = static_cast<size_t>(d);
  }
  Conv2dShape s;
  s.batch = g[0], s.cin = g[1], s.ih = g[2], s.iw = g[3], s.kh = g[4], s.kw = g[5];
  s.strideH = g[6], s.strideW = g[7], s.padH = g[8], s.padW = g[9], s.dilH = g[10], s.dilW = g[11];
  const int32_t zx = c.ZeroPoint8(2, "inZeroPoint", x.isSigned);
  const GroupedWeights& w = ArgPacked(c, 3);
  if (w.spatial != s.kh * s.kw || w.k / w.spatial * w.groups != s.cin)
    ThrowRange(c.env(), c.Where(3, "packed") + " holds weights for " + std::to_string(w.k / w.spatial * w.groups) + " input channels and a " +
                            std::to_string(w.spatial) + "-tap kernel, the input has " + std::to_string(s.cin) + " channels and a " +
                            std::to_string(s.kh) + "x" + std::to_string(s.kw) + " kernel");
  const uint64_t inElems = CheckedElements(c.env(), c.fn, CheckedElements(c.env(), c.fn, s.batch, s.cin), CheckedElements(c.env(), c.fn, s.ih, s.iw));
  c.Length(0, "input", x.length, inElems, "batch * cin * ih * iw");
  s.oh = ConvOut(s.ih, s.kh, s.strideH, s.padH, s.dilH);
  s.ow = ConvOut(s.iw, s.kw, s.strideW, s.padW, s.dilW);
  if (s.oh == 0 || s.ow == 0)
    ThrowRange(c.env(), c.Where(0, "input") + " of " + std::to_string(s.ih) + "x" + std::to_string(s.iw) + " is too small for the kernel");
  RequantParams p;
  p.engine = c.env().GetInstanceData<AddonData>()->engine;
  p.inScale = c.Scale(4, "inScale");
  const std::vector<double> ws = ArgWeightScales(c, 5, w.n);
  p.weightScales = ws.data();
  p.weightScaleCount = ws.size();
  p.bias = ArgBias(c, 6, w.n);
  p.outScale = c.Scale(7, "outScale");
  p.outZeroPoint = c.ZeroPoint8(8, "outZeroPoint", x.isSigned);
  p.relu = c.Bool(9, "relu");
  p.qmin = x.isSigned ? -128 : 0;
  p.qmax = x.isSigned ? 127 : 255;
  const uint64_t outElems = CheckedElements(c.env(), c.fn, CheckedElements(c.env(), c.fn, s.batch, w.n), CheckedElements(c.env(), c.fn, s.oh, s.ow));
  if (x.isSigned) {
    auto out = NewOutput<int8_t>(c.env(), outElems);
    QConv2d<int8_t>(static_cast<const int8_t*>(x.data), zx, s, w, p, out.Data());
    return out;
  }
  auto out = NewOutput<uint8_t>(c.env(), outElems);
  QConv2d<uint8_t>(static_cast<const uint8_t*>(x.data), zx, s, w, p, out.Data());
  return out;
}

}  // namespace

void InitOps(Napi::Env env, Napi::Object exports) {
  exports.Set("quantizePerTensor", Napi::Function::New(env, QuantizeJs, "quantizePerTensor"));
  exports.Set("dequantize", Napi::Function::New(env, DequantizeJs, "dequantize"));
  exports.Set("qadd", Napi::Function::New(env, QAddJs, "qadd"));
  exports.Set("qrelu", Napi::Function::New(env, QReluJs, "qrelu"));
  exports.Set("minMax", Napi::Function::New(env, MinMaxJs, "minMax"));
  exports.Set("linearDynamic", Napi::Function::New(env, LinearDynamicJs, "linearDynamic"));
  exports.Set("qconv2d", Napi::Function::New(env, QConv2dJs, "qconv2d"));
  InitElementwiseOps(env, exports);
}

}  // namespace napi
}  // namespace qtorch
