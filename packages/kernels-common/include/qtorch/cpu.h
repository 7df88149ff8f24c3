// CPU feature detection (CPUID + XGETBV, once) and the active ISA level used by every kernel
// dispatch. Baseline code: compiled without any -m flag.
#pragma once

namespace qtorch {

// Ordered: a level implies every lower one.
enum class Isa : int { Scalar = 0, Avx2 = 1, Avx512 = 2, Avx512Vnni = 3 };

// Highest level the CPU *and* the OS (XCR0 state bits) support. Detected once.
Isa DetectedIsa();

// Level the kernels dispatch to now (DetectedIsa() unless lowered by SetActiveIsa).
Isa ActiveIsa();

// Forces a level; returns false (and changes nothing) if the CPU lacks it.
bool SetActiveIsa(Isa isa);

// "scalar" | "avx2" | "avx512" | "avx512vnni".
const char* IsaName(Isa isa);

// Parses an IsaName; returns false for an unknown name.
bool ParseIsa(const char* name, Isa* out);

}  // namespace qtorch
