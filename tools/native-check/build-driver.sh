#!/usr/bin/env bash
# Builds the C++ test driver: kernels-common's kernel sources, from kernels.gyp's lists with
# each target's own flags (gyp-sources.py), plus driver/*.cc. No Node, no N-API glue.
# With NATIVE_CHECK_LIBS=<dir> (an addon's build/Release), links the static libraries node-gyp
# built there (one per kernels.gyp target: the very objects inside the .node) instead of
# compiling the sources again.
# Usage: build-driver.sh <c++ compiler> <target_arch: x64|arm64> <out-dir> [link flags...]
# Prints the driver's path. Objects compile in parallel (one job per CPU).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
common="$(cd "$here/../../packages/kernels-common" && pwd)"
cxx="$1" arch="$2" out="$3"
shift 3
libs="${NATIVE_CHECK_LIBS:-}"
mkdir -p "$out/obj"
# Node's common.gypi flags for every addon target (TOOLCHAIN.md pitfall 12), then gyp's.
base=(-O3 -std=gnu++17 -pthread -fno-rtti -fno-exceptions -Wall -Wno-unused-parameter -I"$common/include")
jobs=() objs=() archives=()
compile() {  # <source> <object> <flags...>
  local src="$1" obj="$2"
  shift 2
  "$cxx" "$@" -c "$src" -o "$obj" || { echo "build-driver: compiling $src failed" >&2; return 1; }
}
while IFS=$'\t' read -r target flags sources; do
  if [[ -n "$libs" ]]; then
    [[ -f "$libs/$target.a" ]] || { echo "build-driver: $libs/$target.a missing (build the addon first)" >&2; exit 1; }
    archives+=("$libs/$target.a")  # after the objects that use them (link order)
    continue
  fi
  for s in $sources; do
    o="$out/obj/${target}__$(basename "${s%.cc}").o"
    # shellcheck disable=SC2086 # flags are a space-separated list
    compile "$common/$s" "$o" "${base[@]}" $flags &
    jobs+=($!) objs+=("$o")
  done
done < <(python3 "$here/gyp-sources.py" "$common/kernels.gyp" "$arch")
for s in "$here"/driver/*.cc; do
  o="$out/obj/driver__$(basename "${s%.cc}").o"
  compile "$s" "$o" -O2 -std=gnu++17 -pthread -Wall -Wextra -I"$common/include" &
  jobs+=($!) objs+=("$o")
done
ok=1
for j in "${jobs[@]}"; do wait "$j" || ok=0; done
[[ $ok -eq 1 ]] || exit 1
"$cxx" -pthread -o "$out/native-check-driver" "${objs[@]}" ${archives[@]+"${archives[@]}"} "$@"
echo "$out/native-check-driver"
