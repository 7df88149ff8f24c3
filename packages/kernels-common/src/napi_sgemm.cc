// N-API surface of the FP32 GEMM (sgemm.h): the simple A * B^T + bias form, the strided
// BLAS-style form qtensor's float ops call on views of their buffers, and the float im2col of
// their convolutions. Every extent is checked
// before the kernel touches memory.
#include <cstdint>
#include <string>

#include "napi_args.h"
#include "qtorch/sgemm.h"

namespace qtorch {
namespace napi {
namespace {

// sgemm(a: Float32Array(m*k), m, k, b: Float32Array(n*k), n, bias|null) -> Float32Array(m*n)
Napi::Value SGemmJs(const Napi::CallbackInfo& info) {
  Ctx c{info, "sgemm"};
  auto a = c.Array<float>(0, "a", napi_float32_array, "Float32Array");
  const size_t m = c.Dim(1, "m"), k = c.Dim(2, "k");
  auto b = c.Array<float>(3, "b", napi_float32_array, "Float32Array");
  const size_t n = c.Dim(4, "n");
  c.Length(0, "a", a.ElementLength(), CheckedElements(info.Env(), c.fn, m, k), "m * k");
  c.Length(3, "b", b.ElementLength(), CheckedElements(info.Env(), c.fn, n, k), "n * k");
  const float* bias = ArgBias(c, 5, n);
  auto out = NewOutput<float>(info.Env(), CheckedElements(info.Env(), c.fn, m, n));
  SGemm(a.Data(), b.Data(), bias, out.Data(), m, n, k);
  return out;
}

// sgemmPanelWidth() -> the panel width (nr) sgemmPackBT packs for on the active ISA.
Napi::Value SGemmPanelWidthJs(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(SGemmPanelWidth()));
}

// sgemmPackBT(b: Float32Array(n*k), n, k) -> Float32Array(ceil(n / nr) * nr * k): B^T in the
// active ISA's column panels (nr = sgemmPanelWidth()), a copy that later writes to b do not reach.
Napi::Value SGemmPackBTJs(const Napi::CallbackInfo& info) {
  Ctx c{info, "sgemmPackBT"};
  auto b = c.Array<float>(0, "b", napi_float32_array, "Float32Array");
  const size_t n = c.Dim(1, "n"), k = c.Dim(2, "k");
  c.Length(0, "b", b.ElementLength(), CheckedElements(info.Env(), c.fn, n, k), "n * k");
  const size_t nr = SGemmPanelWidth();
  auto packed = NewOutput<float>(info.Env(), CheckedElements(info.Env(), c.fn, (n + nr - 1) / nr * nr, k));
  SGemmPackBT(b.Data(), n, k, packed.Data());
  return packed;
}

// sgemmPrepacked(a: Float32Array(m*k), m, k, packed, n, nr, bias|null) -> Float32Array(m*n):
// a * B^T + bias with B packed by sgemmPackBT for panels of nr (the same floats as sgemm).
Napi::Value SGemmPrepackedJs(const Napi::CallbackInfo& info) {
  Ctx c{info, "sgemmPrepacked"};
  auto a = c.Array<float>(0, "a", napi_float32_array, "Float32Array");
  const size_t m = c.Dim(1, "m"), k = c.Dim(2, "k");
  auto packed = c.Array<float>(3, "packed", napi_float32_array, "Float32Array");
  const size_t n = c.Dim(4, "n"), nr = c.Dim(5, "nr");
  if (!SGemmPanelWidthSupported(nr))
    ThrowRange(c.env(), c.Where(5, "nr") + ": no kernel of this CPU reads panels " + std::to_string(nr) + " wide (packed on another machine?)");
  c.Length(0, "a", a.ElementLength(), CheckedElements(info.Env(), c.fn, m, k), "m * k");
  c.Length(3, "packed", packed.ElementLength(), CheckedElements(info.Env(), c.fn, SGemmPackedSize(n, 1, nr), k), "ceil(n / nr) * nr * k");
  const float* bias = ArgBias(c, 6, n);
  auto out = NewOutput<float>(info.Env(), CheckedElements(info.Env(), c.fn, m, n));
  SGemmPrepacked(a.Data(), packed.Data(), nr, bias, out.Data(), m, n, k);
  return out;
}

// A rows x cols matrix view of a Float32Array: element (r, q) at offset + r * ld + q.
struct MatrixView {
  float* data;
  uint64_t begin, end;  // bytes of the underlying buffer the view touches (empty: begin == end)
};

MatrixView ArgMatrix(const Ctx& c, size_t i, const char* name, size_t rows, size_t cols) {
  auto arr = c.Array<float>(i, name, napi_float32_array, "Float32Array");
  const size_t offset = c.Dim(i + 1, "offset"), ld = c.Dim(i + 2, "leading dimension");
  const std::string what = std::string(name) + " (" + std::to_string(rows) + " x " + std::to_string(cols) + ", offset " +
                           std::to_string(offset) + ", leading dimension " + std::to_string(ld) + ")";
  if (rows > 1 && ld < cols) ThrowRange(c.env(), c.Where(i + 2, "leading dimension") + " must be >= " + std::to_string(cols) + " for " + what);
  // All values < 2^31: the products fit 64 bits.
  const uint64_t extent = rows == 0 || cols == 0 ? 0 : static_cast<uint64_t>(rows - 1) * ld + cols;
  if (offset + extent > arr.ElementLength())
    ThrowRange(c.env(), c.Where(i, name) + " holds " + std::to_string(arr.ElementLength()) + " elements, too few for " + what);
  MatrixView v;
  v.data = arr.Data() + offset;
  v.begin = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(v.data));
  v.end = v.begin + 4 * extent;
  return v;
}

bool Overlap(const MatrixView& x, uint64_t begin, uint64_t end) { return x.begin < end && begin < x.end; }

// sgemmStrided(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset,
//              ldc, bias|null) -> undefined: c = alpha * op(a) * op(b) + beta * c + bias (sgemm.h).
Napi::Value SGemmStridedJs(const Napi::CallbackInfo& info) {
  Ctx c{info, "sgemmStrided"};
  SGemmProblem q;
  q.transA = c.Bool(0, "transA");
  q.transB = c.Bool(1, "transB");
  q.m = c.Dim(2, "m");
  q.n = c.Dim(3, "n");
  q.k = c.Dim(4, "k");
  q.alpha = static_cast<float>(c.Number(5, "alpha"));
  const MatrixView a = ArgMatrix(c, 6, "a", q.transA ? q.k : q.m, q.transA ? q.m : q.k);
  const MatrixView b = ArgMatrix(c, 9, "b", q.transB ? q.n : q.k, q.transB ? q.k : q.n);
  q.beta = static_cast<float>(c.Number(12, "beta"));
  const MatrixView out = ArgMatrix(c, 13, "c", q.m, q.n);
  q.bias = ArgBias(c, 16, q.n);
  const uint64_t biasBegin = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(q.bias));
  // The kernel reads A and B while it writes C: an overlap would read partial results.
  if (Overlap(out, a.begin, a.end)) ThrowRange(c.env(), c.Where(13, "c") + " must not overlap a");
  if (Overlap(out, b.begin, b.end)) ThrowRange(c.env(), c.Where(13, "c") + " must not overlap b");
  if (q.bias && Overlap(out, biasBegin, biasBegin + 4 * q.n)) ThrowRange(c.env(), c.Where(13, "c") + " must not overlap bias");
  q.a = a.data;
  q.lda = c.Dim(8, "lda");
  q.b = b.data;
  q.ldb = c.Dim(11, "ldb");
  q.c = out.data;
  q.ldc = c.Dim(15, "ldc");
  SGemmEx(q);
  return info.Env().Undefined();
}

// im2colF32(src: Float32Array, srcOffset, cg, geometry: Int32Array(18), cols: Float32Array)
// -> undefined. geometry: big, small, kernel, stride, pad, dilation (3 each, sgemm.h).
Napi::Value Im2ColF32Js(const Napi::CallbackInfo& info) {
  Ctx c{info, "im2colF32"};
  auto src = c.Array<float>(0, "src", napi_float32_array, "Float32Array");
  const size_t offset = c.Dim(1, "srcOffset"), cg = c.Dim(2, "cg");
  auto geo = c.Array<int32_t>(3, "geometry", napi_int32_array, "Int32Array");
  c.Length(3, "geometry", geo.ElementLength(), 18, "18 (big, small, kernel, stride, pad, dilation: 3 each)");
  auto cols = c.Array<float>(4, "cols", napi_float32_array, "Float32Array");
  Im2ColF32Args a;
  size_t* fields[6] = {a.big, a.small, a.kernel, a.stride, a.pad, a.dilation};
  const char* names[6] = {"big", "small", "kernel", "stride", "pad", "dilation"};
  for (size_t f = 0; f < 6; ++f)
    for (size_t d = 0; d < 3; ++d) {
      const int32_t v = geo[3 * f + d];
      const int32_t min = f >= 2 && f != 4 ? 1 : 0;  // kernel, stride, dilation >= 1
      if (v < min) ThrowRange(c.env(), c.Where(3, "geometry") + ": " + names[f] + "[" + std::to_string(d) + "] must be >= " + std::to_string(min) + ", got " + std::to_string(v));
      fields[f][d] = static_cast<size_t>(v);
    }
  // Volumes < 2^93 at most: checked products of values < 2^31.
  const uint64_t plane = CheckedElements(c.env(), c.fn, CheckedElements(c.env(), c.fn, a.big[0], a.big[1]), a.big[2]);
  const uint64_t need = CheckedElements(c.env(), c.fn, cg, plane);
  if (offset + need > src.ElementLength())
    ThrowRange(c.env(), c.Where(0, "src") + " holds " + std::to_string(src.ElementLength()) + " elements, too few for " + std::to_string(cg) +
                            " channels of " + std::to_string(plane) + " from offset " + std::to_string(offset));
  const uint64_t rows = CheckedElements(c.env(), c.fn, cg, CheckedElements(c.env(), c.fn, CheckedElements(c.env(), c.fn, a.kernel[0], a.kernel[1]), a.kernel[2]));
  const uint64_t l = CheckedElements(c.env(), c.fn, CheckedElements(c.env(), c.fn, a.small[0], a.small[1]), a.small[2]);
  const uint64_t out = CheckedElements(c.env(), c.fn, rows, l);
  if (cols.ElementLength() < out)
    ThrowRange(c.env(), c.Where(4, "cols") + " holds " + std::to_string(cols.ElementLength()) + " elements, needs " + std::to_string(out));
  const uint64_t sb = reinterpret_cast<uintptr_t>(src.Data() + offset), cb = reinterpret_cast<uintptr_t>(cols.Data());
  if (need > 0 && out > 0 && sb < cb + 4 * out && cb < sb + 4 * need) ThrowRange(c.env(), c.Where(4, "cols") + " must not overlap src");
  a.src = src.Data() + offset;
  a.cg = cg;
  a.cols = cols.Data();
  Im2ColF32(a);
  return info.Env().Undefined();
}

}  // namespace

void InitSGemm(Napi::Env env, Napi::Object exports) {
  exports.Set("sgemm", Napi::Function::New(env, SGemmJs, "sgemm"));
  exports.Set("sgemmStrided", Napi::Function::New(env, SGemmStridedJs, "sgemmStrided"));
  exports.Set("im2colF32", Napi::Function::New(env, Im2ColF32Js, "im2colF32"));
  exports.Set("sgemmPanelWidth", Napi::Function::New(env, SGemmPanelWidthJs, "sgemmPanelWidth"));
  exports.Set("sgemmPackBT", Napi::Function::New(env, SGemmPackBTJs, "sgemmPackBT"));
  exports.Set("sgemmPrepacked", Napi::Function::New(env, SGemmPrepackedJs, "sgemmPrepacked"));
}

}  // namespace napi
}  // namespace qtorch
