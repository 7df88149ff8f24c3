#!/usr/bin/env bash
# ISA conformance without the hardware (issues #6, #7), bounded in time:
#  1. test vectors from the TypeScript reference ops, into a temp dir (nothing committed);
#  2. baseline-ISA objdump check of both addons (check-baseline.sh; x86-64 and AArch64 builds);
#  3. the built .node files (the binaries that ship) under qemu-x86_64 -cpu qemu64 (no AVX:
#     must pick scalar) and -cpu Haswell (AVX2, no AVX-512: must pick avx2), every vector;
#  4. the C++ driver (no Node), linked with the static kernel libraries node-gyp built for the
#     fbgemm addon (the objects inside its .node), natively, then under the same two emulated
#     x86 CPUs;
#  5. the driver cross-compiled for AArch64 from kernels.gyp's source lists and per-target flags
#     (Debian's g++-aarch64-linux-gnu, static) under
#     qemu-aarch64 -cpu cortex-a53 (no dot product: must pick neon), -cpu cortex-a76 (dot
#     product, no i8mm: neondot) and -cpu max (i8mm: neoni8mm).
# Each run forces every ISA level the CPU offers and prints per-ISA pass counts.
# Needs the addons built (pnpm build). Missing qemu / cross compiler: those steps are skipped
# with a message, unless NATIVE_CHECK_STRICT=1 (CI installs them; see .ci/run).
# Usage: tools/native-check/run.sh   (env: NATIVE_CHECK_TIMEOUT per emulated run, default 120 s)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
strict="${NATIVE_CHECK_STRICT:-0}"
limit="${NATIVE_CHECK_TIMEOUT:-120}"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/native-check.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
start=$SECONDS
fail=0 skipped=()

step() { echo; echo "== native-check: $* ($((SECONDS - start)) s)"; }
skip() {
  echo "native-check: SKIPPED $*"
  skipped+=("$*")
  if [[ "$strict" == 1 ]]; then fail=1; fi
}
# run <label> <command...>: bounded, TCG's CPUID warnings dropped, failure recorded
run() {
  local label="$1"
  shift
  if ! timeout "$limit" "$@" 2> >(grep -v "TCG doesn.t support" >&2); then
    echo "FAIL $label"
    fail=1
  fi
}

step "test vectors"
if [[ ! -f "$here/dist/gen-vectors.js" || ! -f "$here/dist/run-addon.js" ]]; then (cd "$here" && npx --no-install tsup >/dev/null); fi
node "$here/dist/gen-vectors.js" "$tmp/vectors.bin"

host="$(uname -m)"
step "baseline-ISA objdump check"
bash "$here/check-baseline.sh" || fail=1

if [[ "$host" == x86_64 ]]; then
  step "built addons under qemu-x86_64"
  if command -v qemu-x86_64 >/dev/null; then
    node_bin="$(command -v node)"
    for pkg in kernels-fbgemm kernels-qnnpack; do
      addon="$(ls "$root/packages/$pkg/prebuilds/linux-x64/"*.node 2>/dev/null | head -1 || true)"
      [[ -n "$addon" ]] || { echo "FAIL $pkg: no prebuilt .node (run the build first)"; fail=1; continue; }
      for spec in qemu64:scalar Haswell:avx2; do
        echo "-- $pkg: qemu-x86_64 -cpu ${spec%%:*} (must select ${spec##*:})"
        run "$pkg on -cpu ${spec%%:*}" qemu-x86_64 -cpu "${spec%%:*}" "$node_bin" "$here/dist/run-addon.js" "$tmp/vectors.bin" "$addon" --expect-isa "${spec##*:}"
      done
    done
  else
    skip "addons under qemu-x86_64: qemu-user not installed (apt-get install qemu-user)"
  fi

  step "C++ driver, x86-64"
  # linked from the fbgemm addon's static libraries (the objects inside the .node), else built
  libs="$root/packages/kernels-fbgemm/build/Release"
  [[ -f "$libs/qtorch_kernels.a" ]] || libs=""
  echo "-- kernels: ${libs:-compiled from the kernels.gyp sources}"
  if command -v "${CXX:-g++}" >/dev/null && driver="$(NATIVE_CHECK_LIBS="$libs" bash "$here/build-driver.sh" "${CXX:-g++}" x64 "$tmp/x64" | tail -1)"; then
    echo "-- native ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'))"
    run "driver native" "$driver" "$tmp/vectors.bin"
    if command -v qemu-x86_64 >/dev/null; then
      for spec in qemu64:scalar Haswell:avx2; do
        echo "-- qemu-x86_64 -cpu ${spec%%:*} (must select ${spec##*:})"
        run "driver on -cpu ${spec%%:*}" qemu-x86_64 -cpu "${spec%%:*}" "$driver" "$tmp/vectors.bin" --expect-isa "${spec##*:}"
      done
    fi
  else
    echo "FAIL the x86-64 driver did not build"
    fail=1
  fi
fi

step "C++ driver, AArch64"
if [[ "$host" == aarch64 ]]; then
  driver="$(bash "$here/build-driver.sh" "${CXX:-g++}" arm64 "$tmp/arm64" | tail -1)" || { echo "FAIL the AArch64 driver did not build"; fail=1; }
  [[ -z "${driver:-}" ]] || run "driver native" "$driver" "$tmp/vectors.bin"
elif ! command -v aarch64-linux-gnu-g++ >/dev/null; then
  skip "AArch64: no cross compiler (apt-get install g++-aarch64-linux-gnu)"
elif ! command -v qemu-aarch64 >/dev/null; then
  skip "AArch64: qemu-user not installed (apt-get install qemu-user)"
elif driver="$(bash "$here/build-driver.sh" aarch64-linux-gnu-g++ arm64 "$tmp/arm64" -static | tail -1)"; then
  for spec in cortex-a53:neon cortex-a76:neondot max:neoni8mm; do
    echo "-- qemu-aarch64 -cpu ${spec%%:*} (must select ${spec##*:})"
    run "AArch64 driver on -cpu ${spec%%:*}" qemu-aarch64 -cpu "${spec%%:*}" "$driver" "$tmp/vectors.bin" --expect-isa "${spec##*:}"
  done
else
  echo "FAIL the AArch64 driver did not cross-compile"
  fail=1
fi

echo
for s in "${skipped[@]}"; do echo "native-check: skipped: $s"; done
# wall time depends on the machine's load; the CPU time of the children does not
times > "$tmp/times"  # the builtin, in this shell (a $(...) subshell would report its own children)
echo "native-check: $([[ $fail -eq 0 ]] && echo passed || echo FAILED) in $((SECONDS - start)) s wall; CPU of child processes (user, sys): $(tail -1 "$tmp/times")"
exit $fail
