#!/usr/bin/env bash
# Baseline-ISA guard of the addons (TOOLCHAIN.md section 4): code outside the per-ISA libraries
# must use no instruction above the architecture's baseline, or the .node could SIGILL on an
# older CPU (at load time, if static init code was vectorised). x86-64: no ymm/zmm register;
# AArch64: no dot-product / i8mm instruction (sdot, udot, usdot, sudot, *mmla). Which objects are
# ISA objects comes from kernels.gyp (the targets other than the baseline qtorch_kernels).
#  1. every baseline object (qtorch_kernels' sources, the N-API glue, the addon's own files):
#     none of them; every ISA object: some (else its flags did not apply);
#  2. the linked .node: a function using them must be a strong (T/t) symbol of an ISA object.
#     This catches what 1 cannot: an inline/template (COMDAT, weak) copy compiled with ISA
#     flags that the linker kept for the baseline callers too.
# The architecture is read from the .node's ELF header (a cross build is checked with the
# aarch64-linux-gnu- binutils). Usage: check-baseline.sh [package-dir...] (default: both addons)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
gyp="$root/packages/kernels-common/kernels.gyp"
pkgs=("$@")
[[ ${#pkgs[@]} -gt 0 ]] || pkgs=("$root/packages/kernels-fbgemm" "$root/packages/kernels-qnnpack")
fail=0
for pkg in "${pkgs[@]}"; do
  obj="$pkg/build/Release/obj.target"
  [[ -d "$obj" ]] || { echo "FAIL $pkg: not built ($obj missing; run its build first)"; fail=1; continue; }
  node_file="$(find "$obj" -maxdepth 1 -name '*.node' | head -1)"
  [[ -n "$node_file" ]] || { echo "FAIL $pkg: no linked .node under $obj"; fail=1; continue; }
  # ELF e_machine (2 bytes, little-endian, offset 18): 62 x86-64, 183 AArch64
  machine="$(od -An -tu2 -j18 -N2 "$node_file" | tr -d ' ')"
  case "$machine" in
    62) arch=x64 tools="" pattern='%[yz]mm[0-9]+' what="ymm/zmm" ;;
    183) arch=arm64 pattern=$'\t(sdot|udot|usdot|sudot|smmla|ummla|usmmla)\t' what="dot-product/i8mm"
      tools="$([[ "$(uname -m)" == aarch64 ]] || echo aarch64-linux-gnu-)" ;;
    *) echo "FAIL $node_file: unsupported ELF machine $machine"; fail=1; continue ;;
  esac
  objdump="${tools}objdump" nm="${tools}nm"
  command -v "$objdump" >/dev/null && command -v "$nm" >/dev/null || { echo "check-baseline: $objdump / $nm not found (binutils)"; exit 2; }
  # ISA object basenames: sources of every static library but the baseline one.
  isa_objs=" $(python3 "$here/gyp-sources.py" "$gyp" "$arch" | awk -F'\t' '$1 != "qtorch_kernels" { print $3 }' | tr ' ' '\n' | sed 's#.*/##; s#\.cc$#.o#' | tr '\n' ' ') "
  [[ -n "${isa_objs// /}" ]] || { echo "check-baseline: no $arch ISA targets found in $gyp"; exit 2; }
  wide() { "$objdump" -d --no-show-raw-insn "$1" | grep -cE "$pattern" || true; }
  nbase=0 nisa=0 bad=0
  strong=""
  while IFS= read -r o; do
    name="$(basename "$o")" n="$(wide "$o")"
    if [[ "$isa_objs" == *" $name "* ]]; then
      nisa=$((nisa + 1))
      [[ "$n" -gt 0 ]] || { echo "FAIL $o: ISA object without $what code (flags not applied?)"; bad=1; }
      strong+="$("$nm" --defined-only "$o" | awk '$2 == "T" || $2 == "t" { print $3 }')"$'\n'
    else
      nbase=$((nbase + 1))
      [[ "$n" -eq 0 ]] || { echo "FAIL $o: baseline object with $n $what instructions"; bad=1; }
    fi
  done < <(find "$obj" -name '*.o' | sort)
  [[ $nbase -gt 0 && $nisa -gt 0 ]] || { echo "FAIL $pkg: found $nbase baseline and $nisa ISA objects under $obj"; fail=1; continue; }
  # functions of the .node using them (symbol versions like @@Base stripped)
  mapfile -t wide_fns < <("$objdump" -d --no-show-raw-insn "$node_file" |
    awk -v pat="$pattern" '/^[0-9a-f]+ <.*>:$/ { fn = substr($2, 2, length($2) - 3); sub(/@.*/, "", fn) } $0 ~ pat { print fn }' | sort -u)
  for fn in "${wide_fns[@]}"; do
    grep -qxF "$fn" <<<"$strong" || { echo "FAIL $(basename "$node_file"): $fn uses $what instructions but is not a strong symbol of an ISA object"; bad=1; }
  done
  fail=$((fail | bad))
  [[ $bad -eq 0 ]] && echo "ok   $(basename "$pkg") ($arch): $nbase baseline objects without $what, $nisa ISA objects with; ${#wide_fns[@]} functions of the .node use $what, all from ISA objects"
done
exit $fail
