// Machine peak microbenchmark for the qtorch bench: throughput of the int8 dot-product and fp32 FMA
// instructions with independent accumulator chains (enough to hide each instruction's latency),
// on T threads at once, per second of CPU time each thread ran (so other load on the machine does
// not lower the peak). Compiled on demand by apps/bench (g++ -O2 -pthread, no -m flags: the
// kernels are inline asm, run only when CPUID and XGETBV say the CPU and OS support them).
// Usage: peak [--quick] THREADS [THREADS...]  ->  one JSON object on stdout (--quick: 3 short repetitions).
//        peak --serve  ->  one JSON reply line per request line on stdin (Serve below): the bench
//        times a kernel between the samples of each case, so "% peak" compares the same moment.
#include <atomic>
#include <chrono>
#include <cpuid.h>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Features {
  bool avx2 = false, fma = false, avx512bw = false, avx512vnni = false, avxvnni = false;
};

uint64_t Xgetbv() {
  uint32_t lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (static_cast<uint64_t>(hi) << 32) | lo;
}

Features Detect() {
  Features f;
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
  const bool osxsave = (c >> 27) & 1;
  const bool fma = (c >> 12) & 1;
  if (!osxsave) return f;
  const uint64_t xcr0 = Xgetbv();
  const bool ymm = (xcr0 & 0x6) == 0x6, zmm = (xcr0 & 0xe6) == 0xe6;
  if (__get_cpuid_max(0, nullptr) < 7) return f;
  __cpuid_count(7, 0, a, b, c, d);
  f.avx2 = ymm && ((b >> 5) & 1);
  f.fma = ymm && fma;
  const bool avx512f = (b >> 16) & 1, avx512bw = (b >> 30) & 1;
  f.avx512bw = zmm && avx512f && avx512bw;
  f.avx512vnni = f.avx512bw && ((c >> 11) & 1);
  __cpuid_count(7, 1, a, b, c, d);
  f.avxvnni = f.avx2 && ((a >> 4) & 1);
  return f;
}

// Each kernel runs `iters` blocks; a block is independent accumulator chains, one instruction
// (sequence) per chain. Values are irrelevant: only throughput is measured.
#define REP10(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9)

// fp32: vfmadd231ps ymm, 10 chains (latency 4-5 x 2 ports).  Ops per block: 10 * 8 lanes * 2.
void Fma256(int64_t iters) {
  __asm__ volatile("vxorps %%ymm0,%%ymm0,%%ymm0\n vxorps %%ymm1,%%ymm1,%%ymm1\n vmovaps %%ymm0,%%ymm2\n vmovaps %%ymm0,%%ymm3\n vmovaps %%ymm0,%%ymm4\n vmovaps %%ymm0,%%ymm5\n vmovaps %%ymm0,%%ymm6\n vmovaps %%ymm0,%%ymm7\n vmovaps %%ymm0,%%ymm8\n vmovaps %%ymm0,%%ymm9\n vmovaps %%ymm0,%%ymm14\n vmovaps %%ymm0,%%ymm15" ::: "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm14", "xmm15");
  for (int64_t i = 0; i < iters; i++) {
#define F(n) "vfmadd231ps %%ymm14, %%ymm15, %%ymm" #n "\n"
    __asm__ volatile(REP10(F) ::: "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9");
#undef F
  }
}

// int8 (AVX2): vpmaddubsw (u8 x s8 pairs -> s16) + vpmaddwd by ones (-> s32) + vpaddd; 5 chains
// with their own temporaries.  Ops per block: 5 * 32 multiply-adds * 2.
void MaddubsAvx2(int64_t iters) {
  __asm__ volatile("vpxor %%ymm0,%%ymm0,%%ymm0\n vmovdqa %%ymm0,%%ymm1\n vmovdqa %%ymm0,%%ymm2\n vmovdqa %%ymm0,%%ymm3\n vmovdqa %%ymm0,%%ymm4\n vmovdqa %%ymm0,%%ymm13\n vmovdqa %%ymm0,%%ymm14\n vpcmpeqw %%ymm15,%%ymm15,%%ymm15\n vpsrlw $15,%%ymm15,%%ymm15" ::: "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm13", "xmm14", "xmm15");
  for (int64_t i = 0; i < iters; i++) {
#define M(a, t) "vpmaddubsw %%ymm14, %%ymm13, %%ymm" #t "\n vpmaddwd %%ymm15, %%ymm" #t ", %%ymm" #t "\n vpaddd %%ymm" #t ", %%ymm" #a ", %%ymm" #a "\n"
    __asm__ volatile(M(0, 5) M(1, 6) M(2, 7) M(3, 8) M(4, 9) ::: "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9");
#undef M
  }
}

// int8 widened to int16 (what qtorch's exact AVX2 GEMM does): vpmaddwd + vpaddd, 6 chains.
// Ops per block: 6 * 16 multiply-adds * 2.
void MaddwdAvx2(int64_t iters) {
  __asm__ volatile("vpxor %%ymm0,%%ymm0,%%ymm0\n vmovdqa %%ymm0,%%ymm1\n vmovdqa %%ymm0,%%ymm2\n vmovdqa %%ymm0,%%ymm3\n vmovdqa %%ymm0,%%ymm4\n vmovdqa %%ymm0,%%ymm5\n vmovdqa %%ymm0,%%ymm14\n vmovdqa %%ymm0,%%ymm15" ::: "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm14", "xmm15");
  for (int64_t i = 0; i < iters; i++) {
#define M(a, t) "vpmaddwd %%ymm14, %%ymm15, %%ymm" #t "\n vpaddd %%ymm" #t ", %%ymm" #a ", %%ymm" #a "\n"
    __asm__ volatile(M(0, 6) M(1, 7) M(2, 8) M(3, 9) M(4, 10) M(5, 11) ::: "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11");
#undef M
  }
}

// fp32 AVX-512: vfmadd231ps zmm, 10 chains.  Ops per block: 10 * 16 * 2.
void Fma512(int64_t iters) {
  __asm__ volatile("vpxord %%zmm0,%%zmm0,%%zmm0\n vmovaps %%zmm0,%%zmm1\n vmovaps %%zmm0,%%zmm2\n vmovaps %%zmm0,%%zmm3\n vmovaps %%zmm0,%%zmm4\n vmovaps %%zmm0,%%zmm5\n vmovaps %%zmm0,%%zmm6\n vmovaps %%zmm0,%%zmm7\n vmovaps %%zmm0,%%zmm8\n vmovaps %%zmm0,%%zmm9\n vmovaps %%zmm0,%%zmm14\n vmovaps %%zmm0,%%zmm15" ::: "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm14", "xmm15");
  for (int64_t i = 0; i < iters; i++) {
#define F(n) "vfmadd231ps %%zmm14, %%zmm15, %%zmm" #n "\n"
    __asm__ volatile(REP10(F) ::: "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9");
#undef F
  }
}

// int8 AVX-512 VNNI: vpdpbusd zmm (64 u8 x s8 multiply-adds into s32), 10 chains.  Ops per block: 10 * 64 * 2.
void Vnni512(int64_t iters) {
  __asm__ volatile("vpxord %%zmm0,%%zmm0,%%zmm0\n vmovdqa32 %%zmm0,%%zmm1\n vmovdqa32 %%zmm0,%%zmm2\n vmovdqa32 %%zmm0,%%zmm3\n vmovdqa32 %%zmm0,%%zmm4\n vmovdqa32 %%zmm0,%%zmm5\n vmovdqa32 %%zmm0,%%zmm6\n vmovdqa32 %%zmm0,%%zmm7\n vmovdqa32 %%zmm0,%%zmm8\n vmovdqa32 %%zmm0,%%zmm9\n vmovdqa32 %%zmm0,%%zmm14\n vmovdqa32 %%zmm0,%%zmm15" ::: "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm14", "xmm15");
  for (int64_t i = 0; i < iters; i++) {
#define V(n) "vpdpbusd %%zmm14, %%zmm15, %%zmm" #n "\n"
    __asm__ volatile(REP10(V) ::: "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9");
#undef V
  }
}

// int8 AVX-VNNI (VEX-encoded vpdpbusd ymm), 10 chains.  Ops per block: 10 * 32 * 2.
void VnniAvx(int64_t iters) {
  __asm__ volatile("vpxor %%ymm0,%%ymm0,%%ymm0\n vmovdqa %%ymm0,%%ymm1\n vmovdqa %%ymm0,%%ymm2\n vmovdqa %%ymm0,%%ymm3\n vmovdqa %%ymm0,%%ymm4\n vmovdqa %%ymm0,%%ymm5\n vmovdqa %%ymm0,%%ymm6\n vmovdqa %%ymm0,%%ymm7\n vmovdqa %%ymm0,%%ymm8\n vmovdqa %%ymm0,%%ymm9\n vmovdqa %%ymm0,%%ymm14\n vmovdqa %%ymm0,%%ymm15" ::: "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm14", "xmm15");
  for (int64_t i = 0; i < iters; i++) {
#define V(n) "%{vex%} vpdpbusd %%ymm14, %%ymm15, %%ymm" #n "\n"
    __asm__ volatile(REP10(V) ::: "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9");
#undef V
  }
}


struct Kernel {
  const char* name;
  const char* dtype;
  double opsPerBlock;
  void (*fn)(int64_t);
  bool available;
};

// CPU time (s) this thread has run.
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// One repetition on `threads` threads started together: the wall time, and the sum over threads of
// each thread's throughput per second of its own CPU time. The latter is what the cores can do
// while they run, unaffected by other processes taking turns on them (a shared or busy machine).
struct Rep {
  double wallSeconds;
  double blocksPerCpuSecond;
};

Rep TimeOn(const Kernel& k, int threads, int64_t iters) {
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<double> cpu(threads, 0.0);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; t++) {
    pool.emplace_back([&, t] {
      ready++;
      while (!go.load(std::memory_order_acquire)) {}
      const double c0 = ThreadCpuSeconds();
      k.fn(iters);
      cpu[t] = ThreadCpuSeconds() - c0;
    });
  }
  while (ready.load() < threads) {}
  const auto t0 = std::chrono::steady_clock::now();
  go.store(true, std::memory_order_release);
  for (auto& th : pool) th.join();
  Rep rep{std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 0.0};
  for (double c : cpu) rep.blocksPerCpuSecond += c > 0 ? static_cast<double>(iters) / c : 0.0;
  return rep;
}

// The number after `"key":` in a request line, or -1.
long long NumberField(const std::string& line, const char* key) {
  const std::string k = std::string("\"") + key + "\":";
  const size_t at = line.find(k);
  return at == std::string::npos ? -1 : std::atoll(line.c_str() + at + k.size());
}

// The string after `"kernel":"` in a request line (names hold no quotes), or "".
std::string KernelField(const std::string& line) {
  const std::string k = "\"kernel\":\"";
  const size_t at = line.find(k);
  if (at == std::string::npos) return "";
  const size_t end = line.find('"', at + k.size());
  return end == std::string::npos ? "" : line.substr(at + k.size(), end - at - k.size());
}

// Requests {"op":"run","kernel":NAME,"threads":T,"blocks":B}: B blocks of kernel NAME on each
// of T threads started together; reply {"wallSeconds":S,"ops":O} (O: operations done in all)
// or {"error":...}. Ends at end of input.
template <size_t N>
int Serve(const Kernel (&kernels)[N]) {
  std::string line;
  while (std::getline(std::cin, line)) {
    const std::string name = KernelField(line);
    const long long threads = NumberField(line, "threads"), blocks = NumberField(line, "blocks");
    const Kernel* k = nullptr;
    for (const Kernel& c : kernels) if (c.available && name == c.name) k = &c;
    if (!k || threads < 1 || threads > 256 || blocks < 1) {
      std::printf("{\"error\":\"peak --serve: expected an available kernel, threads 1..256 and blocks >= 1, got kernel '%s', threads %lld, blocks %lld\"}\n",
                  name.substr(0, 100).c_str(), threads, blocks);
    } else {
      const Rep r = TimeOn(*k, static_cast<int>(threads), blocks);
      std::printf("{\"wallSeconds\":%.9f,\"ops\":%.1f}\n", r.wallSeconds, k->opsPerBlock * static_cast<double>(blocks) * static_cast<double>(threads));
    }
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const Features f = Detect();
  const Kernel kernels[] = {
      {"fma-ymm", "fp32", 10 * 8 * 2, Fma256, f.avx2 && f.fma},
      {"fma-zmm", "fp32", 10 * 16 * 2, Fma512, f.avx512bw},
      {"vpmaddubsw-ymm", "int8", 5 * 32 * 2, MaddubsAvx2, f.avx2},
      {"vpmaddwd-ymm (int16-widened int8)", "int8", 6 * 16 * 2, MaddwdAvx2, f.avx2},
      {"vpdpbusd-ymm (AVX-VNNI)", "int8", 10 * 32 * 2, VnniAvx, f.avxvnni},
      {"vpdpbusd-zmm (AVX-512 VNNI)", "int8", 10 * 64 * 2, Vnni512, f.avx512vnni},
  };
  if (argc == 2 && std::string(argv[1]) == "--serve") return Serve(kernels);
  std::vector<int> threadCounts;
  bool quick = false;
  for (int i = 1; i < argc; i++) {
    if (std::string(argv[i]) == "--quick") quick = true;
    else threadCounts.push_back(std::max(1, std::atoi(argv[i])));
  }
  const int kReps = quick ? 3 : 21;
  const double repSeconds = quick ? 0.002 : 0.015;
  if (threadCounts.empty()) threadCounts.push_back(1);
  std::string out = "{\"features\":{";
  out += std::string("\"avx2\":") + (f.avx2 ? "true" : "false") + ",\"fma\":" + (f.fma ? "true" : "false") +
         ",\"avx512bw\":" + (f.avx512bw ? "true" : "false") + ",\"avx512vnni\":" + (f.avx512vnni ? "true" : "false") +
         ",\"avxvnni\":" + (f.avxvnni ? "true" : "false") + "},\"results\":[";
  bool first = true;
  for (const Kernel& k : kernels) {
    if (!k.available) continue;
    // calibrate to repSeconds per repetition on one thread (the probe is long enough to leave idle clocks)
    int64_t iters = quick ? 100000 : 1000000;
    const double tCal = TimeOn(k, 1, iters).wallSeconds;
    if (tCal > 0) iters = std::max<int64_t>(10000, static_cast<int64_t>(iters * repSeconds / tCal));
    for (int threads : threadCounts) {
      // best of kReps by CPU-time throughput; `ms` is the wall time of that repetition
      Rep best{0.0, 0.0};
      for (int rep = 0; rep < kReps; rep++) {
        const Rep r = TimeOn(k, threads, iters);
        if (r.blocksPerCpuSecond > best.blocksPerCpuSecond) best = r;
      }
      const double gops = k.opsPerBlock * best.blocksPerCpuSecond / 1e9;
      char buf[256];
      std::snprintf(buf, sizeof buf, "%s{\"name\":\"%s\",\"dtype\":\"%s\",\"threads\":%d,\"ms\":%.4f,\"gops\":%.3f,\"runs\":%d,\"opsPerBlock\":%.0f}",
                    first ? "" : ",", k.name, k.dtype, threads, best.wallSeconds * 1e3, gops, kReps, k.opsPerBlock);
      out += buf;
      first = false;
    }
  }
  out += "]}\n";
  std::fputs(out.c_str(), stdout);
  return 0;
}
