// N-API surface of the FP32 GEMM (sgemm.h): the simple A * B^T + bias form, and the strided
// BLAS-style form qtensor's float ops call on views of their buffers. Every extent is checked
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
  auto out = Napi::Float32Array::New(info.Env(), CheckedElements(info.Env(), c.fn, m, n));
  SGemm(a.Data(), b.Data(), bias, out.Data(), m, n, k);
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

}  // namespace

void InitSGemm(Napi::Env env, Napi::Object exports) {
  exports.Set("sgemm", Napi::Function::New(env, SGemmJs, "sgemm"));
  exports.Set("sgemmStrided", Napi::Function::New(env, SGemmStridedJs, "sgemmStrided"));
}

}  // namespace napi
}  // namespace qtorch
