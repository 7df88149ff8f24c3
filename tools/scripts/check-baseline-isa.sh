#!/usr/bin/env bash
# Guard for prebuilt addons (TOOLCHAIN.md section 4): every object compiled at the baseline ISA
# must contain no ymm/zmm instruction, or the .node could SIGILL on a CPU without AVX (at load
# time, if static init code was vectorised). Only kernels_avx2.o / kernels_avx512*.o may.
# Usage: tools/scripts/check-baseline-isa.sh [package-dir...]   (default: both kernels addons)
# Builds a package with node-gyp first if it has no build/ directory.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
pkgs=("$@")
[[ ${#pkgs[@]} -gt 0 ]] || pkgs=("$root/packages/kernels-fbgemm" "$root/packages/kernels-qnnpack")
command -v objdump >/dev/null || { echo "check-baseline-isa: objdump not found (binutils)"; exit 2; }
if [[ -z "${npm_config_nodedir:-}" ]]; then
  export npm_config_nodedir="$(node -p 'require("path").resolve(process.execPath, "../..")')"
fi
fail=0
for pkg in "${pkgs[@]}"; do
  obj="$pkg/build/Release/obj.target"
  if [[ ! -d "$obj" ]]; then
    (cd "$pkg" && npx --no-install node-gyp rebuild >/dev/null) || { echo "FAIL $pkg: node-gyp rebuild failed"; fail=1; continue; }
  fi
  n=0
  while IFS= read -r o; do
    n=$((n + 1))
    name="$(basename "$o")"
    wide="$(objdump -d "$o" | grep -cE '%[yz]mm[0-9]+' || true)"
    case "$name" in
      kernels_avx2.o|kernels_avx512.o|kernels_avx512vnni.o)
        # The ISA objects must really hold their vector code (else the flags did not apply).
        if [[ "$wide" -eq 0 ]]; then echo "FAIL $o: ISA object has no ymm/zmm code"; fail=1; fi ;;
      *)
        if [[ "$wide" -ne 0 ]]; then echo "FAIL $o: baseline object has $wide ymm/zmm instructions"; fail=1;
        else echo "ok   $name (baseline, no ymm/zmm)"; fi ;;
    esac
  done < <(find "$obj" -name '*.o' | sort)
  [[ $n -gt 0 ]] || { echo "FAIL $pkg: no objects under $obj"; fail=1; }
done
exit $fail
