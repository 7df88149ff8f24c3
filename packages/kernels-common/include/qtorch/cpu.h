// CPU feature detection (x86: CPUID + XGETBV; AArch64: the OS's hwcaps; once) and the active
// ISA level used by every kernel dispatch. Baseline code: compiled without any -m flag.
#pragma once

namespace qtorch {

// Ordered within an architecture: a level implies every lower one of its architecture, and
// Scalar belongs to both. x86-64: Avx2 < Avx512 < Avx512Vnni; AArch64: Neon (every AArch64 CPU)
// < NeonDot (the dot-product extension, sdot/udot) < NeonI8mm (i8mm's usdot, with dotprod).
enum class Isa : int { Scalar = 0, Avx2 = 1, Avx512 = 2, Avx512Vnni = 3, Neon = 4, NeonDot = 5, NeonI8mm = 6 };

// Whether `isa` is a level of the architecture this binary was built for.
bool IsaOfThisArch(Isa isa);

// Highest level the CPU *and* the OS (XCR0 state bits) support. Detected once.
Isa DetectedIsa();

// Level the kernels dispatch to now (DetectedIsa() unless lowered by SetActiveIsa).
Isa ActiveIsa();

// Forces a level; returns false (and changes nothing) if the CPU lacks it or it belongs to
// another architecture.
bool SetActiveIsa(Isa isa);

// "scalar" | "avx2" | "avx512" | "avx512vnni" | "neon" | "neondot" | "neoni8mm".
const char* IsaName(Isa isa);

// Parses an IsaName; returns false for an unknown name.
bool ParseIsa(const char* name, Isa* out);

}  // namespace qtorch
