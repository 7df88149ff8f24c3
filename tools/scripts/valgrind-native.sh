#!/usr/bin/env bash
# valgrind (memcheck) run of the native addons (issue #15): tools/bad-input/scripts/native-smoke.mjs
# (randomized differential GEMM, every entry point on random shapes, refused arguments) under
# valgrind against each addon's normal build (build/Release, else prebuilds/).
# node itself and V8's JIT produce reports valgrind cannot tell from real ones, so a report
# counts only when one of its stack frames is in an addon .node or kernels-common's sources;
# every report is kept in the log. Exits 1 on any counted report.
# Usage: tools/scripts/valgrind-native.sh [kernels-fbgemm] [kernels-qnnpack]   (default: both)
# Env:   QTORCH_VALGRIND_SHAPES=150 (random shapes per addon)  QTORCH_VALGRIND_LOG_DIR=<dir>
# Needs valgrind (Debian: apt-get install -y valgrind). Takes minutes: not run by CI.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
command -v valgrind >/dev/null || { echo "valgrind-native: valgrind not installed (apt-get install -y valgrind)"; exit 1; }
pkgs=("$@")
[[ ${#pkgs[@]} -gt 0 ]] || pkgs=(kernels-fbgemm kernels-qnnpack)
logs="${QTORCH_VALGRIND_LOG_DIR:-$(mktemp -d /tmp/qtorch-valgrind.XXXXXX)}"
mkdir -p "$logs"
fail=0
for pkg in "${pkgs[@]}"; do
  log="$logs/$pkg.log"
  echo "== $pkg under valgrind (log: $log)"
  # --smc-check: V8 writes and runs its own machine code; no leak check (node never frees its heap)
  if ! valgrind --tool=memcheck --smc-check=all-non-file --leak-check=no --track-origins=yes --num-callers=30 \
      --log-file="$log" node --jitless "$root/tools/bad-input/scripts/native-smoke.mjs" "$root/packages/$pkg" "${QTORCH_VALGRIND_SHAPES:-150}"; then
    echo "FAIL $pkg: native-smoke failed under valgrind"; fail=1
  fi
  # split the log into reports (blank-line separated) and keep those touching our code
  ours="$(awk -v RS='' '/==[0-9]+== (Invalid|Conditional|Use of uninitialised|Syscall param|Mismatched|Source and destination|Argument)/ && /(\.node\)|kernels-common|qtorch_)/' "$log")"
  total="$(grep -cE '==[0-9]+== (Invalid|Conditional|Use of uninitialised|Syscall param|Mismatched|Source and destination|Argument)' "$log" || true)"
  if [[ -n "$ours" ]]; then
    echo "FAIL $pkg: valgrind reports in the addon:"; echo "$ours" | head -80; fail=1
  else
    echo "$pkg: no valgrind report in the addon ($total report(s) in node/V8 itself, see the log)"
  fi
done
[[ $fail == 0 ]] && echo "valgrind-native: clean" || echo "valgrind-native: FAILED"
exit $fail
