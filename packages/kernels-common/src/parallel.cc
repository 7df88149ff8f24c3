// The intra-op thread pool (see parallel.h): one job at a time, split into ranges that the
// caller and the workers grab from an atomic counter, so a worker the OS has not scheduled
// yet just leaves its range to the others (no waiting on a sleeping thread). Workers poll
// briefly, then sleep on a condition variable between jobs. The kernels are compiled without C++ exceptions
// (node-gyp's default) and validate everything before they run, so fn never throws.
// On Linux, workers are kept off the CPU the caller runs on (WorkerPlacement below).
#include "qtorch/parallel.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__linux__) || defined(__APPLE__)
#include <pthread.h>
#endif
#if defined(__linux__)
#include <sched.h>
#endif

namespace qtorch {
namespace {

thread_local bool tInPool = false;  // set on pool threads and while the caller runs a job

constexpr size_t kRangesPerThread = 4;  // ranges of a job per participating thread (at most)
constexpr std::chrono::microseconds kSpin{100};  // how long an idle worker polls before it sleeps

size_t DefaultThreads() {
  if (const char* env = std::getenv("QTORCH_NUM_THREADS")) {
    const long v = std::strtol(env, nullptr, 10);
    if (v >= 1 && v <= 1024) return static_cast<size_t>(v);
  }
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : hw;
}

// Keeps the workers off the CPU the caller runs on. In a VM, Linux wakes a sleeping worker on
// the waker's CPU when the other vCPU looks preempted to it (an idle vCPU the host has
// descheduled): the worker then queues behind the caller, and a 2-thread GEMM after an idle
// spell ran at 1-thread speed, call after call (ranges traced on one CPU while the other
// was 83% idle). With the caller's CPU outside their affinity mask, a woken worker must take
// another. The masks change only when the caller is seen on a new CPU (sched_getcpu is a vDSO
// call); they never leave the CPUs the process was allowed at start, and are left alone when
// that set has only the caller's CPU.
class WorkerPlacement {
 public:
  WorkerPlacement() {
#if defined(__linux__)
    CPU_ZERO(&allowed_);
    usable_ = sched_getaffinity(0, sizeof allowed_, &allowed_) == 0;
#endif
  }
  // Called with the job lock held, before the workers are woken.
  void KeepOffCaller(const std::vector<std::thread::native_handle_type>& workers) {
#if defined(__linux__)
    if (!usable_ || workers.empty()) return;
    const int cpu = sched_getcpu();
    if (cpu < 0 || (cpu == awayFrom_ && workers.size() == placed_)) return;
    cpu_set_t mask = allowed_;
    if (cpu < CPU_SETSIZE && CPU_ISSET(cpu, &mask)) CPU_CLR(cpu, &mask);
    if (CPU_COUNT(&mask) == 0) mask = allowed_;
    for (auto h : workers) pthread_setaffinity_np(h, sizeof mask, &mask);  // best effort: a failure leaves the worker as it was
    awayFrom_ = cpu;
    placed_ = workers.size();
#else
    (void)workers;
#endif
  }

 private:
#if defined(__linux__)
  cpu_set_t allowed_;
  bool usable_ = false;
#endif
  int awayFrom_ = -1;   // the caller CPU the masks exclude
  size_t placed_ = 0;   // workers the masks were set on
};

class Pool {
 public:
  size_t threads() {
    std::lock_guard<std::mutex> g(mu_);
    return threads_;
  }
  void setThreads(size_t n) {
    std::lock_guard<std::mutex> job(jobMu_);  // not while a job runs
    std::lock_guard<std::mutex> g(mu_);
    threads_ = std::max<size_t>(1, n);
  }

  void run(size_t n, size_t grain, const std::function<void(size_t, size_t)>& fn) {
    grain = std::max<size_t>(1, grain);
    const size_t grains = (n + grain - 1) / grain;
    // Nested calls (this thread may hold jobMu_ already) and small jobs run inline.
    if (tInPool || grains <= 1) {
      if (n > 0) fn(0, n);
      return;
    }
    std::unique_lock<std::mutex> job(jobMu_, std::try_to_lock);
    const size_t team = std::min(grains, threads());
    if (team <= 1 || !job.owns_lock()) {
      fn(0, n);
      return;
    }
    ensureWorkers(team - 1);
    {
      std::lock_guard<std::mutex> g(mu_);
      placement_.KeepOffCaller(handles_);
    }
    // More ranges than threads: a worker woken late (tens of microseconds in a VM) takes what is
    // left instead of a whole half the caller then waits for (2 threads ran a 0.2 ms GEMM slower
    // than 1).
    const size_t parts = std::min(grains, team * kRangesPerThread);
    // Ranges: `parts` contiguous runs of whole grains, as even as possible.
    std::vector<size_t> bounds(parts + 1);
    for (size_t p = 0; p <= parts; ++p) bounds[p] = std::min(n, (grains * p / parts) * grain);
    {
      std::lock_guard<std::mutex> g(mu_);
      fn_ = &fn;
      bounds_ = &bounds;
      next_.store(0, std::memory_order_relaxed);
      open_ = true;
      published_.store(++generation_, std::memory_order_release);
    }
    wake_.notify_all();
    tInPool = true;
    Work(fn, bounds);
    tInPool = false;
    // Close the job: late workers skip it; wait for those still inside a range (polling first:
    // a range usually ends within microseconds).
    std::unique_lock<std::mutex> g(mu_);
    open_ = false;
    if (active_.load(std::memory_order_relaxed) != 0) {
      g.unlock();
      YieldWhile([&] { return active_.load(std::memory_order_acquire) != 0; });
      g.lock();
      done_.wait(g, [&] { return active_.load(std::memory_order_relaxed) == 0; });
    }
    fn_ = nullptr;
    bounds_ = nullptr;
  }

 private:
  // Runs ranges until none is left.
  void Work(const std::function<void(size_t, size_t)>& fn, const std::vector<size_t>& bounds) {
    for (size_t p; (p = next_.fetch_add(1, std::memory_order_relaxed)) + 1 < bounds.size();) fn(bounds[p], bounds[p + 1]);
  }

  void ensureWorkers(size_t count) {
    std::lock_guard<std::mutex> g(mu_);
    while (handles_.size() < count) {
      std::thread t([this] { loop(); });
      handles_.push_back(t.native_handle());
      t.detach();  // lives as long as the process
    }
  }

  // "qtorch-pool" in ps / top / debuggers (Linux and macOS; elsewhere unnamed).
  static void NameThisThread() {
#if defined(__linux__)
    pthread_setname_np(pthread_self(), "qtorch-pool");
#elif defined(__APPLE__)
    pthread_setname_np("qtorch-pool");
#endif
  }

  // Polls `pending` (yielding the CPU each time) for up to kSpin before the caller sleeps on a
  // condition variable: a futex wake-up costs tens of microseconds in a VM, and back-to-back
  // jobs (a recurrent layer's steps) usually need none. Yielding leaves the core to anything
  // else that wants it.
  template <typename Pending>
  static void YieldWhile(Pending pending) {
    const auto until = std::chrono::steady_clock::now() + kSpin;
    while (pending() && std::chrono::steady_clock::now() < until) std::this_thread::yield();
  }
  void loop() {
    tInPool = true;
    NameThisThread();
    std::unique_lock<std::mutex> g(mu_);
    uint64_t seen = generation_;  // jobs before this worker existed are not its business
    for (;;) {
      if (generation_ == seen) {
        g.unlock();
        YieldWhile([&] { return published_.load(std::memory_order_acquire) == seen; });
        g.lock();
      }
      wake_.wait(g, [&] { return generation_ != seen; });
      seen = generation_;
      if (!open_) continue;  // woke after the job closed: nothing of it may be touched
      active_.fetch_add(1, std::memory_order_relaxed);
      const std::function<void(size_t, size_t)>& fn = *fn_;
      const std::vector<size_t>& bounds = *bounds_;
      g.unlock();
      Work(fn, bounds);
      g.lock();
      if (active_.fetch_sub(1, std::memory_order_release) == 1) done_.notify_one();
    }
  }

  std::mutex jobMu_;  // one job at a time
  std::mutex mu_;
  std::condition_variable wake_, done_;
  size_t threads_ = DefaultThreads();
  std::vector<std::thread::native_handle_type> handles_;  // one per worker (detached threads live on)
  WorkerPlacement placement_;  // used under jobMu_ and mu_
  uint64_t generation_ = 0;
  std::atomic<uint64_t> published_{0};  // generation_, readable without mu_ (polled by idle workers)
  bool open_ = false;
  std::atomic<size_t> active_{0};  // workers inside a range (changed under mu_, polled without it)
  std::atomic<size_t> next_{0};
  const std::function<void(size_t, size_t)>* fn_ = nullptr;
  const std::vector<size_t>* bounds_ = nullptr;
};

// Never destroyed: detached workers may still be waiting on it at exit.
Pool& ThePool() {
  static Pool* pool = new Pool();
  return *pool;
}

}  // namespace

size_t NumThreads() { return ThePool().threads(); }
void SetNumThreads(size_t n) { ThePool().setThreads(n); }
void ParallelFor(size_t n, size_t grain, const std::function<void(size_t, size_t)>& fn) { ThePool().run(n, grain, fn); }

}  // namespace qtorch
