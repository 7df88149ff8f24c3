// Per-thread scratch reused across calls. Fresh multi-megabyte blocks come from mmap and
// page-fault on every call (5-10% of a 1-2 ms GEMM); these stay mapped for the thread's life.
#pragma once

#include <cstddef>
#include <memory>

namespace qtorch {

// count T of this thread's buffer `Tag`, zeroed when (re)allocated and otherwise holding what
// the last user left (never uninitialized memory). Grow-only; the pointer is valid until the
// next call with the same T and Tag on this thread, so nested users take distinct tags.
template <typename T, int Tag>
T* ThreadScratch(size_t count) {
  thread_local std::unique_ptr<T[]> buf;
  thread_local size_t capacity = 0;
  if (capacity < count) {
    buf.reset(new T[count]());
    capacity = count;
  }
  return buf.get();
}

// The tags in use (one per concurrent user on a thread).
enum ScratchTag : int {
  kScratchLinearAcc = 1,
  kScratchConvAcc,
  kScratchChannelsLast,
  kScratchIm2col,
  kScratchLstmGates,  // the AVX2 LSTM gates' activations
  kScratchRnnQuant,   // a recurrent step's quantized h
  kScratchRnnHidden,  // a recurrent step's float hidden projection
  kScratchRnnInput,   // a recurrent layer's input projection (quantized x, then its float gates)
};

}  // namespace qtorch
