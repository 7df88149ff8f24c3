// The intra-op thread pool: a parallel for over index ranges. Deterministic by construction:
// callers split work so that every output element is computed by the same code whatever the
// split (each range writes its own outputs; integer sums are exact), so results are identical
// for any thread count. Between jobs a worker polls for up to 100 us, yielding the CPU on every
// poll (so back-to-back jobs skip a futex wake-up, without starving anything that wants the
// core), then blocks on a condition variable: an idle pool costs nothing.
#pragma once

#include <cstddef>
#include <functional>

namespace qtorch {

// Threads used by ParallelFor (the calling thread included). Default: QTORCH_NUM_THREADS if
// set, else the number of online CPUs.
size_t NumThreads();

// Sets the thread count (>= 1); workers are created lazily and kept.
void SetNumThreads(size_t n);

// Calls fn(begin, end) on contiguous ranges covering [0, n), each a multiple of `grain` long
// (but the last), at most 4 x NumThreads() ranges (so a late worker leaves less for the
// others to wait on), run by the calling thread and the workers
// (whichever is free takes the next range); returns when all are done.
// Runs inline (one range) when n <= grain, when called from a pool thread, or when another
// thread is using the pool. fn must not throw (the kernels are built without exceptions).
void ParallelFor(size_t n, size_t grain, const std::function<void(size_t, size_t)>& fn);

}  // namespace qtorch
