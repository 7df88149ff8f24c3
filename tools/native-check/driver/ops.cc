// One runner per op of the vector file (field names: src/cases.ts), then the comparison rules
// of src/compare.ts. Kernel entry points only: no Node, no addon glue.
#include "ops.h"

#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstring>
#include <map>
#include <stdexcept>
#include <vector>

#include "qtorch/qgemm.h"
#include "qtorch/qops.h"
#include "qtorch/rnn.h"
#include "qtorch/sgemm.h"

namespace native_check {
namespace {

using qtorch::Engine;
using Outputs = std::map<std::string, Field>;

template <typename T>
FieldType TypeTag();
template <> FieldType TypeTag<uint8_t>() { return FieldType::U8; }
template <> FieldType TypeTag<int8_t>() { return FieldType::I8; }
template <> FieldType TypeTag<int32_t>() { return FieldType::I32; }
template <> FieldType TypeTag<float>() { return FieldType::F32; }
template <> FieldType TypeTag<double>() { return FieldType::F64; }

template <typename T>
Field ToField(const std::vector<T>& v) {
  Field f;
  f.type = TypeTag<T>();
  f.count = v.size();
  f.bytes.resize(v.size() * sizeof(T));
  if (!v.empty()) std::memcpy(f.bytes.data(), v.data(), f.bytes.size());
  return f;
}

// Runs fn(T{}) with T = uint8_t or int8_t, the type of the 8-bit field `name`.
template <typename F>
void By8Bit(const Case& c, const std::string& name, F&& fn) {
  const FieldType t = c.Get(name).type;
  if (t == FieldType::U8) return fn(uint8_t{});
  if (t == FieldType::I8) return fn(int8_t{});
  throw std::runtime_error("field '" + name + "' is not 8-bit");
}

// The requantization arguments shared by linear and conv cases.
struct Requant {
  qtorch::RequantParams p;
  std::vector<double> scales;
};

template <typename T>
Requant RequantOf(const Case& c, size_t n) {
  Requant r;
  size_t ns = 0, nb = 0;
  const double* ws = c.Data<double>("w_scales", &ns);
  r.scales.assign(ws, ws + ns);
  if (ns != 1 && ns != n) throw std::runtime_error("w_scales must hold 1 or n values");
  const float* bias = c.Data<float>("bias", &nb);
  r.p.engine = c.Int("engine") == 1 ? Engine::Qnnpack : Engine::Fbgemm;
  r.p.inScale = c.Num("in_scale");
  r.p.weightScales = r.scales.data();
  r.p.weightScaleCount = ns;
  r.p.bias = nb ? bias : nullptr;
  r.p.outScale = c.Num("out_scale");
  r.p.outZeroPoint = c.Int("out_zp");
  r.p.qmin = qtorch::QRange<T>::kMin;
  r.p.qmax = qtorch::QRange<T>::kMax;
  r.p.relu = c.Int("relu") != 0;
  return r;
}

qtorch::PackedWeights LinearWeights(const Case& c, size_t n, size_t k) {
  size_t nw = 0, nz = 0;
  const int8_t* w = c.Data<int8_t>("w", &nw);
  const int32_t* zp = c.Data<int32_t>("wzp", &nz);
  if (nw != n * k) throw std::runtime_error("w must hold n * k values");
  qtorch::PackedWeights pw;
  qtorch::PackWeights(w, n, k, zp, nz, &pw);
  return pw;
}

// 8-bit input field `name` of m * k values.
template <typename T>
const T* Input(const Case& c, const std::string& name, size_t expected) {
  size_t count = 0;
  const T* x = c.Data<T>(name, &count);
  if (count != expected) throw std::runtime_error("field '" + name + "' has " + std::to_string(count) + " values, expected " + std::to_string(expected));
  return x;
}

Outputs QGemmS32Case(const Case& c) {
  const size_t m = c.Int("m"), k = c.Int("k"), n = c.Int("n");
  const qtorch::PackedWeights pw = LinearWeights(c, n, k);
  std::vector<int32_t> acc(m * n);
  qtorch::QGemmS32(Input<uint8_t>(c, "a", m * k), m, c.Int("za"), pw, acc.data());
  return {{"acc", ToField(acc)}};
}

Outputs QLinearCase(const Case& c) {
  const size_t m = c.Int("m"), k = c.Int("k"), n = c.Int("n");
  const qtorch::PackedWeights pw = LinearWeights(c, n, k);
  Outputs out;
  By8Bit(c, "x", [&](auto t) {
    using T = decltype(t);
    const Requant r = RequantOf<T>(c, n);
    std::vector<T> y(m * n);
    qtorch::QLinear<T>(Input<T>(c, "x", m * k), m, c.Int("za"), pw, r.p, y.data());
    out["y"] = ToField(y);
  });
  return out;
}

// The addons' dynamic linear: quantize to quint8 with the given qparams, then the float GEMM.
Outputs QLinearDynamicCase(const Case& c) {
  const size_t m = c.Int("m"), k = c.Int("k"), n = c.Int("n");
  const qtorch::PackedWeights pw = LinearWeights(c, n, k);
  const double inScale = c.Num("in_scale");
  const int32_t za = c.Int("za");
  std::vector<uint8_t> xq(m * k);
  qtorch::QuantizePerTensor<uint8_t>(Input<float>(c, "x", m * k), xq.size(), inScale, za, xq.data());
  size_t ns = 0, nb = 0;
  const double* ws = c.Data<double>("w_scales", &ns);
  const float* bias = c.Data<float>("bias", &nb);
  std::vector<float> y(m * n);
  qtorch::QLinearF32(xq.data(), m, za, pw, inScale, ws, ns, nb ? bias : nullptr, c.Int("relu") != 0, y.data());
  return {{"y", ToField(y)}};
}

// PyTorch's output size (the addon computes it the same way).
size_t ConvOut(size_t in, size_t k, size_t stride, size_t pad, size_t dil) {
  const long span = static_cast<long>(in + 2 * pad) - static_cast<long>(dil * (k - 1)) - 1;
  return span < 0 ? 0 : static_cast<size_t>(span) / stride + 1;
}

Outputs Conv2dCase(const Case& c) {
  size_t ng = 0, nw = 0, nz = 0;
  const int32_t* g = c.Data<int32_t>("geometry", &ng);
  if (ng != 12) throw std::runtime_error("geometry must hold 12 values");
  qtorch::Conv2dShape s;
  s.batch = g[0], s.cin = g[1], s.ih = g[2], s.iw = g[3], s.kh = g[4], s.kw = g[5];
  s.strideH = g[6], s.strideW = g[7], s.padH = g[8], s.padW = g[9], s.dilH = g[10], s.dilW = g[11];
  s.oh = ConvOut(s.ih, s.kh, s.strideH, s.padH, s.dilH);
  s.ow = ConvOut(s.iw, s.kw, s.strideW, s.padW, s.dilW);
  const size_t cout = c.Int("cout"), groups = c.Int("groups"), spatial = s.kh * s.kw;
  const int8_t* w = c.Data<int8_t>("w", &nw);
  const int32_t* zp = c.Data<int32_t>("wzp", &nz);
  qtorch::GroupedWeights gw;
  qtorch::PackGrouped(w, cout, nw / cout, zp, nz, groups, spatial, &gw);
  Outputs out;
  By8Bit(c, "x", [&](auto t) {
    using T = decltype(t);
    const Requant r = RequantOf<T>(c, cout);
    std::vector<T> y(s.batch * cout * s.oh * s.ow);
    qtorch::QConv2d<T>(Input<T>(c, "x", s.batch * s.cin * s.ih * s.iw), c.Int("zx"), s, gw, r.p, y.data());
    out["y"] = ToField(y);
  });
  return out;
}

Outputs AddCase(const Case& c) {
  Outputs out;
  By8Bit(c, "a", [&](auto t) {
    using T = decltype(t);
    const size_t n = c.Get("a").count;
    std::vector<T> y(n);
    qtorch::QAdd<T>(Input<T>(c, "a", n), c.Num("sa"), c.Int("za"), Input<T>(c, "b", n), c.Num("sb"), c.Int("zb"), n, c.Num("so"), c.Int("zo"),
                    c.Int("relu") != 0, y.data());
    out["y"] = ToField(y);
  });
  return out;
}

Outputs ReluCase(const Case& c) {
  Outputs out;
  By8Bit(c, "x", [&](auto t) {
    using T = decltype(t);
    const size_t n = c.Get("x").count;
    std::vector<T> y(n);
    qtorch::QRelu<T>(Input<T>(c, "x", n), n, c.Int("zp"), y.data());
    out["y"] = ToField(y);
  });
  return out;
}

Outputs QuantizeCase(const Case& c) {
  Outputs out;
  By8Bit(c, "expect_q", [&](auto t) {
    using T = decltype(t);
    const size_t n = c.Get("x").count;
    std::vector<T> q(n);
    qtorch::QuantizePerTensor<T>(c.Data<float>("x"), n, c.Num("scale"), c.Int("zp"), q.data());
    out["q"] = ToField(q);
  });
  return out;
}

Outputs DequantizeCase(const Case& c) {
  Outputs out;
  By8Bit(c, "q", [&](auto t) {
    using T = decltype(t);
    const size_t n = c.Get("q").count;
    std::vector<float> y(n);
    qtorch::DequantizePerTensor<T>(Input<T>(c, "q", n), n, c.Num("scale"), c.Int("zp"), y.data());
    out["y"] = ToField(y);
  });
  return out;
}

Outputs MinMaxCase(const Case& c) {
  std::vector<float> lohi(2);
  qtorch::MinMaxF32(c.Data<float>("x"), c.Get("x").count, &lohi[0], &lohi[1]);
  return {{"lohi", ToField(lohi)}};
}

Outputs SGemmCase(const Case& c) {
  const size_t m = c.Int("m"), k = c.Int("k"), n = c.Int("n");
  size_t nb = 0;
  const float* bias = c.Data<float>("bias", &nb);
  std::vector<float> y(m * n);
  qtorch::SGemm(Input<float>(c, "a", m * k), Input<float>(c, "b", n * k), nb ? bias : nullptr, y.data(), m, n, k);
  return {{"c", ToField(std::vector<double>(y.begin(), y.end()))}};
}

Outputs RnnGatesCase(const Case& c) {
  const auto cell = static_cast<qtorch::RnnCell>(c.Int("cell"));
  const size_t n = c.Int("n"), gates = qtorch::RnnGateCount(cell);
  const float* c0 = Input<float>(c, "c", n);
  std::vector<float> cState(c0, c0 + n), h(n);
  const qtorch::RnnGatesArgs args{Input<float>(c, "ig", gates * n), Input<float>(c, "hg", gates * n), Input<float>(c, "h", n), cState.data(), h.data(), n};
  qtorch::RunRnnGates(cell, args);
  Outputs out{{"h", ToField(h)}};
  if (cell == qtorch::RnnCell::Lstm) out["c"] = ToField(cState);
  return out;
}

const std::map<std::string, Outputs (*)(const Case&)>& Runners() {
  static const std::map<std::string, Outputs (*)(const Case&)> kRunners = {
      {"qgemm_s32", QGemmS32Case}, {"qlinear", QLinearCase}, {"qlinear_dynamic", QLinearDynamicCase},
      {"conv2d", Conv2dCase},      {"add", AddCase},         {"relu", ReluCase},
      {"quantize", QuantizeCase},  {"dequantize", DequantizeCase}, {"minmax", MinMaxCase},
      {"sgemm", SGemmCase},        {"rnn_gates", RnnGatesCase},
  };
  return kRunners;
}

// Element i of a field as a double (for messages and the tolerance rule).
double At(const Field& f, size_t i) {
  const unsigned char* p = f.bytes.data();
  switch (f.type) {
    case FieldType::U8: return p[i];
    case FieldType::I8: return static_cast<int8_t>(p[i]);
    case FieldType::I32: { int32_t v; std::memcpy(&v, p + 4 * i, 4); return v; }
    case FieldType::F32: { float v; std::memcpy(&v, p + 4 * i, 4); return v; }
    case FieldType::F64: { double v; std::memcpy(&v, p + 8 * i, 8); return v; }
  }
  return 0;
}

constexpr double kFloatSumTolerance = 1e-5;  // as src/compare.ts

// Index of the first element that differs, or -1.
long FirstMismatch(const Field& got, const Field& want, const Field* magnitude) {
  const size_t size = want.bytes.size() / (want.count ? want.count : 1);
  for (size_t i = 0; i < want.count; ++i) {
    const double g = At(got, i), w = At(want, i);
    if (magnitude) {
      if (!(std::fabs(g - w) <= kFloatSumTolerance * (1 + At(*magnitude, i)))) return static_cast<long>(i);
    } else if (std::memcmp(got.bytes.data() + i * size, want.bytes.data() + i * size, size) != 0 && !(std::isnan(g) && std::isnan(w))) {
      return static_cast<long>(i);
    }
  }
  return -1;
}

}  // namespace

std::string RunAndCompare(const Case& c) {
  auto it = Runners().find(c.op);
  if (it == Runners().end()) throw std::runtime_error("unknown op '" + c.op + "'");
  const Outputs got = it->second(c);
  static const std::string kExpect = "expect_", kMagnitude = "_magnitude";
  for (const auto& [name, want] : c.fields) {
    if (name.compare(0, kExpect.size(), kExpect) != 0) continue;
    if (name.size() > kMagnitude.size() && name.compare(name.size() - kMagnitude.size(), kMagnitude.size(), kMagnitude) == 0) continue;
    const std::string key = name.substr(kExpect.size());
    auto g = got.find(key);
    if (g == got.end()) return key + ": no output";
    if (g->second.type != want.type || g->second.count != want.count)
      return key + ": " + std::to_string(g->second.count) + " values of another type or count, expected " + std::to_string(want.count);
    auto mag = c.fields.find(name + kMagnitude);
    const long i = FirstMismatch(g->second, want, mag == c.fields.end() ? nullptr : &mag->second);
    if (i >= 0) {
      char buf[160];
      std::snprintf(buf, sizeof(buf), "[%ld] = %.9g, expected %.9g (%zu values)", i, At(g->second, i), At(want, i), want.count);
      return key + buf;
    }
  }
  return "";
}

}  // namespace native_check
