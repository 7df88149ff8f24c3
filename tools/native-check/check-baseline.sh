#!/usr/bin/env bash
# Baseline-ISA guard of the x86-64 addons (TOOLCHAIN.md section 4): code outside the per-ISA
# libraries must contain no ymm/zmm instruction, or the .node could SIGILL on a CPU without
# AVX (at load time, if static init code was vectorised). Which objects are ISA objects comes
# from kernels.gyp (the targets other than the baseline qtorch_kernels), not a fixed list.
#  1. every baseline object (qtorch_kernels' sources, the N-API glue, the addon's own files):
#     no ymm/zmm; every ISA object: some (else its -m flags did not apply);
#  2. the linked .node: a function holding ymm/zmm must be a strong (T/t) symbol of an ISA
#     object. This catches what 1 cannot: an inline/template (COMDAT, weak) copy compiled with
#     -mavx* that the linker kept for the baseline callers too.
# Usage: check-baseline.sh [package-dir...]   (default: both kernels addons; x86-64 builds only)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
gyp="$root/packages/kernels-common/kernels.gyp"
pkgs=("$@")
[[ ${#pkgs[@]} -gt 0 ]] || pkgs=("$root/packages/kernels-fbgemm" "$root/packages/kernels-qnnpack")
command -v objdump >/dev/null && command -v nm >/dev/null || { echo "check-baseline: objdump/nm not found (binutils)"; exit 2; }
# ISA object basenames: sources of every static library but the baseline one.
isa_objs=" $(python3 "$here/gyp-sources.py" "$gyp" x64 | awk -F'\t' '$1 != "qtorch_kernels" { print $3 }' | tr ' ' '\n' | sed 's#.*/##; s#\.cc$#.o#' | tr '\n' ' ') "
[[ -n "${isa_objs// /}" ]] || { echo "check-baseline: no ISA targets found in $gyp"; exit 2; }
wide() { objdump -d --no-show-raw-insn "$1" | grep -cE '%[yz]mm[0-9]+' || true; }
fail=0
for pkg in "${pkgs[@]}"; do
  obj="$pkg/build/Release/obj.target"
  [[ -d "$obj" ]] || { echo "FAIL $pkg: not built ($obj missing; run its build first)"; fail=1; continue; }
  nbase=0 nisa=0 bad=0
  strong=""
  while IFS= read -r o; do
    name="$(basename "$o")" n="$(wide "$o")"
    if [[ "$isa_objs" == *" $name "* ]]; then
      nisa=$((nisa + 1))
      [[ "$n" -gt 0 ]] || { echo "FAIL $o: ISA object without ymm/zmm code (flags not applied?)"; bad=1; }
      strong+="$(nm --defined-only "$o" | awk '$2 == "T" || $2 == "t" { print $3 }')"$'\n'
    else
      nbase=$((nbase + 1))
      [[ "$n" -eq 0 ]] || { echo "FAIL $o: baseline object with $n ymm/zmm instructions"; bad=1; }
    fi
  done < <(find "$obj" -name '*.o' | sort)
  [[ $nbase -gt 0 && $nisa -gt 0 ]] || { echo "FAIL $pkg: found $nbase baseline and $nisa ISA objects under $obj"; fail=1; continue; }
  node_file="$(find "$obj" -maxdepth 1 -name '*.node' | head -1)"
  [[ -n "$node_file" ]] || { echo "FAIL $pkg: no linked .node under $obj"; fail=1; continue; }
  # functions of the .node holding wide registers (symbol versions like @@Base stripped)
  mapfile -t wide_fns < <(objdump -d --no-show-raw-insn "$node_file" |
    awk '/^[0-9a-f]+ <.*>:$/ { fn = substr($2, 2, length($2) - 3); sub(/@.*/, "", fn) } /%[yz]mm[0-9]+/ { print fn }' | sort -u)
  for fn in "${wide_fns[@]}"; do
    grep -qxF "$fn" <<<"$strong" || { echo "FAIL $(basename "$node_file"): $fn holds ymm/zmm but is not a strong symbol of an ISA object"; bad=1; }
  done
  fail=$((fail | bad))
  [[ $bad -eq 0 ]] && echo "ok   $(basename "$pkg"): $nbase baseline objects without ymm/zmm, $nisa ISA objects with; ${#wide_fns[@]} functions of the .node use ymm/zmm, all from ISA objects"
done
exit $fail
