#!/usr/bin/env bash
# Runs the SAME built .node on emulated CPUs with qemu-user (TOOLCHAIN.md section 4):
#   -cpu qemu64  (no AVX)          -> must select 'scalar' and compute correctly
#   -cpu Haswell (AVX2, no AVX-512) -> must select 'avx2' and compute correctly
# proving the runtime dispatch and that nothing above the baseline ISA runs at load time.
# Needs qemu-user (Debian: apt-get install -y qemu-user); skips with exit 0 when it is absent.
# Usage: tools/scripts/qemu-isa-check.sh [file.node...]  (default: both addons' build or prebuild)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
if ! command -v qemu-x86_64 >/dev/null; then
  echo "qemu-isa-check: qemu-x86_64 not installed (apt-get install -y qemu-user); skipped"
  exit 0
fi
[[ "$(uname -m)" == x86_64 ]] || { echo "qemu-isa-check: x86-64 hosts only; skipped"; exit 0; }
files=("$@")
if [[ ${#files[@]} -eq 0 ]]; then
  for pkg in kernels-fbgemm kernels-qnnpack; do
    f="$(ls "$root"/packages/$pkg/prebuilds/linux-x64/*.node "$root"/packages/$pkg/build/Release/*.node 2>/dev/null | head -1 || true)"
    [[ -n "$f" ]] && files+=("$f") || echo "qemu-isa-check: no binary for $pkg (build it first)"
  done
fi
[[ ${#files[@]} -gt 0 ]] || { echo "qemu-isa-check: nothing to check"; exit 1; }
node_bin="$(command -v node)"
fail=0
for f in "${files[@]}"; do
  for spec in qemu64:scalar Haswell:avx2; do
    cpu="${spec%%:*}" isa="${spec##*:}"
    echo "== $(basename "$f") under qemu-x86_64 -cpu $cpu (expect $isa)"
    # grep -v: TCG prints one warning per CPUID feature it cannot emulate (harmless here)
    if ! qemu-x86_64 -cpu "$cpu" "$node_bin" "$here/native-isa-check.cjs" "$f" "$isa" 2> >(grep -v "TCG doesn.t support" >&2); then
      echo "FAIL $(basename "$f") on -cpu $cpu"; fail=1
    fi
  done
done
exit $fail
