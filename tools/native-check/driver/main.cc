// native-check driver: the kernels' C++ test driver (no Node). Reads the test vectors, checks
// which ISA level the CPU detection picked (--expect-isa: the path this -cpu must select), then
// forces every level of this architecture the CPU offers (the SetActiveIsa hook behind setIsa)
// and runs every vector on each, printing per-ISA pass counts.
// Usage: native-check-driver <vectors.bin> [--expect-isa <isa>]; exit 1 on any failure.
#include <cstdio>
#include <cstring>
#include <exception>
#include <map>
#include <string>
#include <vector>

#include "ops.h"
#include "qtorch/cpu.h"
#include "vectors.h"

namespace {

using qtorch::Isa;

// This architecture's levels, lowest first (cpu.h).
std::vector<Isa> ArchIsas() {
#if defined(__aarch64__) || defined(_M_ARM64)
  return {Isa::Scalar, Isa::Neon, Isa::NeonDot, Isa::NeonI8mm};
#elif defined(__x86_64__) || defined(_M_X64)
  return {Isa::Scalar, Isa::Avx2, Isa::Avx512, Isa::Avx512Vnni};
#else
  return {Isa::Scalar};
#endif
}

// Runs every case at the active level; returns the number of failures.
int RunAll(const std::vector<native_check::Case>& cases, Isa isa) {
  std::map<std::string, std::pair<int, int>> perOp;  // op -> (passed, total)
  int failed = 0;
  for (const auto& c : cases) {
    std::string diff;
    try {
      diff = native_check::RunAndCompare(c);
    } catch (const std::exception& e) {
      diff = std::string("error: ") + e.what();
    }
    auto& [passed, total] = perOp[c.op];
    ++total;
    if (diff.empty()) {
      ++passed;
    } else if (++failed <= 10) {
      std::printf("FAIL [%s] %s '%s': %s\n", qtorch::IsaName(isa), c.op.c_str(), c.label.c_str(), diff.c_str());
    }
  }
  std::string detail;
  for (const auto& [op, counts] : perOp) detail += (detail.empty() ? "" : ", ") + op + " " + std::to_string(counts.first) + "/" + std::to_string(counts.second);
  std::printf("%s isa %s: %d/%zu vectors passed (%s)\n", failed ? "FAIL" : "ok  ", qtorch::IsaName(isa), static_cast<int>(cases.size()) - failed,
              cases.size(), detail.c_str());
  return failed;
}

}  // namespace

int main(int argc, char** argv) {
  const char* path = nullptr;
  const char* expected = nullptr;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--expect-isa") == 0 && i + 1 < argc) {
      expected = argv[++i];
    } else if (!path) {
      path = argv[i];
    } else {
      path = nullptr;
      break;
    }
  }
  if (!path) {
    std::fprintf(stderr, "usage: native-check-driver <vectors.bin> [--expect-isa <isa>]\n");
    return 2;
  }
  std::vector<native_check::Case> cases;
  std::string error;
  if (!native_check::ReadVectors(path, &cases, &error)) {
    std::fprintf(stderr, "native-check-driver: %s\n", error.c_str());
    return 2;
  }
  const Isa detected = qtorch::DetectedIsa();
  const Isa active = qtorch::ActiveIsa();
  std::printf("driver: detected isa %s, active %s, %zu vectors\n", qtorch::IsaName(detected), qtorch::IsaName(active), cases.size());
  int failed = 0;
  if (active != detected) {
    std::printf("FAIL the active level at start is %s, not the detected %s\n", qtorch::IsaName(active), qtorch::IsaName(detected));
    ++failed;
  }
  if (expected && std::strcmp(expected, qtorch::IsaName(detected)) != 0) {
    std::printf("FAIL expected the %s path on this CPU, detection picked %s\n", expected, qtorch::IsaName(detected));
    ++failed;
  }
  for (Isa isa : ArchIsas()) {
    if (static_cast<int>(isa) > static_cast<int>(detected)) break;
    if (!qtorch::SetActiveIsa(isa)) {
      std::printf("FAIL SetActiveIsa(%s) refused a level at or below the detected one\n", qtorch::IsaName(isa));
      ++failed;
      continue;
    }
    failed += RunAll(cases, isa);
  }
  qtorch::SetActiveIsa(detected);
  return failed ? 1 : 0;
}
