// CPUID + XGETBV feature detection on x86. A feature counts only if the OS saves its register
// state (XCR0), otherwise AVX code would fault even on a CPU that has it. On AArch64 the OS
// reports the features (EL0 cannot read the ID registers everywhere): NEON is architectural,
// the dot-product extension comes from the hwcaps (Linux), sysctl (macOS) or Windows' API.
#include "qtorch/cpu.h"

#include <atomic>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__) || defined(_M_IX86)
#define QTORCH_X86 1
#if defined(_MSC_VER)
#include <immintrin.h>
#include <intrin.h>
#else
#include <cpuid.h>
#endif
#elif defined(__aarch64__) || defined(_M_ARM64)
#define QTORCH_ARM64 1
#if defined(__linux__)
#include <sys/auxv.h>
#elif defined(__APPLE__)
#include <sys/sysctl.h>
#elif defined(_WIN32)
#define WIN32_LEAN_AND_MEAN
#define NOMINMAX
#include <windows.h>
#endif
#endif

namespace qtorch {
namespace {

#if defined(QTORCH_X86)
void Cpuid(uint32_t leaf, uint32_t sub, uint32_t regs[4]) {
#if defined(_MSC_VER)
  int r[4];
  __cpuidex(r, static_cast<int>(leaf), static_cast<int>(sub));
  for (int i = 0; i < 4; ++i) regs[i] = static_cast<uint32_t>(r[i]);
#else
  __cpuid_count(leaf, sub, regs[0], regs[1], regs[2], regs[3]);
#endif
}

uint64_t Xgetbv0() {
#if defined(_MSC_VER)
  return _xgetbv(0);
#else
  uint32_t lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (static_cast<uint64_t>(hi) << 32) | lo;
#endif
}

Isa Detect() {
  uint32_t r[4];
  Cpuid(0, 0, r);
  const uint32_t maxLeaf = r[0];
  if (maxLeaf < 7) return Isa::Scalar;
  Cpuid(1, 0, r);
  const bool osxsave = (r[2] >> 27) & 1;
  const bool fma = (r[2] >> 12) & 1;
  const bool avx = (r[2] >> 28) & 1;
  if (!osxsave || !avx) return Isa::Scalar;
  const uint64_t xcr0 = Xgetbv0();
  const bool ymmState = (xcr0 & 0x6) == 0x6;     // XMM (bit 1) + YMM (bit 2)
  const bool zmmState = (xcr0 & 0xE0) == 0xE0;   // opmask (5), ZMM_Hi256 (6), Hi16_ZMM (7)
  Cpuid(7, 0, r);
  const uint32_t ebx = r[1], ecx = r[2];
  const bool avx2 = (ebx >> 5) & 1;
  const bool avx512f = (ebx >> 16) & 1, avx512dq = (ebx >> 17) & 1;
  const bool avx512bw = (ebx >> 30) & 1, avx512vl = (ebx >> 31) & 1;
  const bool vnni = (ecx >> 11) & 1;
  if (!ymmState || !avx2 || !fma) return Isa::Scalar;
  if (!zmmState || !avx512f || !avx512bw || !avx512vl || !avx512dq) return Isa::Avx2;
  return vnni ? Isa::Avx512Vnni : Isa::Avx512;
}
#elif defined(QTORCH_ARM64)
#if defined(__APPLE__)
bool SysctlFlag(const char* name) {
  int v = 0;
  size_t len = sizeof(v);
  return sysctlbyname(name, &v, &len, nullptr, 0) == 0 && v != 0;
}
#endif

bool HasDotProd() {
#if defined(__linux__)
  constexpr unsigned long kHwcapAsimdDp = 1ul << 20;  // HWCAP_ASIMDDP (asm/hwcap.h)
  return (getauxval(AT_HWCAP) & kHwcapAsimdDp) != 0;
#elif defined(__APPLE__)
  return SysctlFlag("hw.optional.arm.FEAT_DotProd");
#elif defined(_WIN32)
  return IsProcessorFeaturePresent(43) != 0;  // PF_ARM_V82_DP_INSTRUCTIONS_AVAILABLE
#else
  return false;
#endif
}

bool HasI8mm() {
#if defined(__linux__)
  constexpr unsigned long kHwcap2I8mm = 1ul << 13;  // HWCAP2_I8MM (asm/hwcap.h)
  return (getauxval(AT_HWCAP2) & kHwcap2I8mm) != 0;
#elif defined(__APPLE__)
  return SysctlFlag("hw.optional.arm.FEAT_I8MM");
#else
  return false;  // Windows: no documented feature flag yet
#endif
}

Isa Detect() {
  if (!HasDotProd()) return Isa::Neon;
  return HasI8mm() ? Isa::NeonI8mm : Isa::NeonDot;
}
#else
Isa Detect() { return Isa::Scalar; }
#endif

std::atomic<int>& Active() {
  static std::atomic<int> active{static_cast<int>(DetectedIsa())};
  return active;
}

const char* const kNames[] = {"scalar", "avx2", "avx512", "avx512vnni", "neon", "neondot", "neoni8mm"};
constexpr int kIsaCount = sizeof(kNames) / sizeof(kNames[0]);

}  // namespace

Isa DetectedIsa() {
  static const Isa detected = Detect();
  return detected;
}

Isa ActiveIsa() { return static_cast<Isa>(Active().load(std::memory_order_relaxed)); }

bool IsaOfThisArch(Isa isa) {
  if (isa == Isa::Scalar) return true;
#if defined(QTORCH_X86)
  return isa == Isa::Avx2 || isa == Isa::Avx512 || isa == Isa::Avx512Vnni;
#elif defined(QTORCH_ARM64)
  return isa == Isa::Neon || isa == Isa::NeonDot || isa == Isa::NeonI8mm;
#else
  return false;
#endif
}

bool SetActiveIsa(Isa isa) {
  // Levels are ordered within an architecture (the enum keeps each one's levels in order).
  if (!IsaOfThisArch(isa) || static_cast<int>(isa) > static_cast<int>(DetectedIsa())) return false;
  Active().store(static_cast<int>(isa), std::memory_order_relaxed);
  return true;
}

const char* IsaName(Isa isa) { return kNames[static_cast<int>(isa)]; }

bool ParseIsa(const char* name, Isa* out) {
  for (int i = 0; i < kIsaCount; ++i) {
    if (std::strcmp(name, kNames[i]) == 0) {
      *out = static_cast<Isa>(i);
      return true;
    }
  }
  return false;
}

}  // namespace qtorch
