#!/usr/bin/env bash
# AddressSanitizer + UndefinedBehaviorSanitizer run of the native addons (issue #15).
#
# The build flag: QTORCH_SANITIZE (default "address,undefined") is passed as -fsanitize=... to
# every C++ file of an addon (kernels-common's static libraries and the N-API glue) through the
# CFLAGS / CXXFLAGS / LDFLAGS that gyp's Makefiles honour, plus -fno-sanitize-recover=all so any
# report is fatal. The build happens in a scratch mirror of the repo (addon packages copied,
# everything else symlinked), so the checkout's build/ and prebuilds/ are never touched.
#
# Then, with the sanitizer runtimes preloaded into node (which is not instrumented itself):
#   1. tools/bad-input/scripts/native-smoke.mjs: randomized differential qgemm vs a naive
#      reference on every ISA level the CPU has, every entry point on random shapes, and the
#      refused-argument calls;
#   2. the addon's own vitest suites (GEMM, ops conformance, argument validation, loading).
# Any ASan/UBSan report aborts the process and fails the script.
#
# Usage: tools/scripts/sanitize-native.sh [kernels-fbgemm] [kernels-qnnpack]   (default: both)
# Env:   QTORCH_SANITIZE=address,undefined   QTORCH_SANITIZE_DIR=<scratch dir, kept>
#        QTORCH_SANITIZE_SUITES=0 to run only the smoke script (faster)
# Needs gcc/g++ with libasan and libubsan (Debian: gcc). Takes a few minutes: not run by CI.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
san="${QTORCH_SANITIZE:-address,undefined}"
pkgs=("$@")
[[ ${#pkgs[@]} -gt 0 ]] || pkgs=(kernels-fbgemm kernels-qnnpack)
work="${QTORCH_SANITIZE_DIR:-$(mktemp -d /tmp/qtorch-sanitize.XXXXXX)}"
echo "sanitize-native: -fsanitize=$san, scratch tree $work"

# node-gyp must not download headers: build against the running node's own
if [[ -z "${npm_config_nodedir:-}" ]]; then
  node_prefix="$(node -p 'require("path").resolve(process.execPath, "../..")')"
  [[ -f "$node_prefix/include/node/node_api.h" ]] && export npm_config_nodedir="$node_prefix"
fi

# the mirror: vitest.shared.ts resolves @qtorch/* from the directory it sits in
mkdir -p "$work/packages" "$work/tools"
cp "$root/vitest.shared.ts" "$root/tsconfig.base.json" "$root/package.json" "$work/"
ln -sfn "$root/node_modules" "$work/node_modules"
for d in "$root"/tools/*/; do ln -sfn "${d%/}" "$work/tools/$(basename "$d")"; done
for d in "$root"/packages/*/; do
  name="$(basename "$d")"
  [[ " ${pkgs[*]} " == *" $name "* ]] && continue
  ln -sfn "${d%/}" "$work/packages/$name"
done

asan_rt="$(gcc -print-file-name=libasan.so)"
ubsan_rt="$(gcc -print-file-name=libubsan.so)"
flags="-fsanitize=$san -fno-sanitize-recover=all -fno-omit-frame-pointer -g"
fail=0
for pkg in "${pkgs[@]}"; do
  src="$root/packages/$pkg" dst="$work/packages/$pkg"
  rm -rf "$dst" && mkdir -p "$dst"
  # sources only: the copy builds its own build/ and never sees the checkout's binaries
  (cd "$src" && tar cf - --exclude=./build --exclude=./prebuilds --exclude=./dist --exclude=./node_modules --exclude=./.vitest .) | (cd "$dst" && tar xf -)
  ln -sfn "$src/node_modules" "$dst/node_modules"
  echo "== $pkg: building with $flags"
  (cd "$dst" && CFLAGS="$flags" CXXFLAGS="$flags" LDFLAGS="-fsanitize=$san" ./node_modules/.bin/node-gyp rebuild --jobs=max >"$work/$pkg-build.log" 2>&1) \
    || { echo "build failed, see $work/$pkg-build.log"; tail -20 "$work/$pkg-build.log"; exit 1; }
  node_file="$(ls "$dst"/build/Release/*.node)"
  nm -D "$node_file" | grep __asan_ >/dev/null || { echo "$node_file is not instrumented"; exit 1; }
  run() {
    LD_PRELOAD="$asan_rt $ubsan_rt" \
    ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1:print_summary=1:allocator_may_return_null=1" \
    UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" "$@"
  }
  echo "== $pkg: native-smoke under the sanitizers"
  run node "$root/tools/bad-input/scripts/native-smoke.mjs" "$dst" "${QTORCH_SANITIZE_SHAPES:-1000}" || { echo "FAIL $pkg native-smoke"; fail=1; }
  if [[ "${QTORCH_SANITIZE_SUITES:-1}" != 0 ]]; then
    echo "== $pkg: vitest suites under the sanitizers"
    (cd "$dst" && run "$root/node_modules/.bin/vitest" run --reporter=default) || { echo "FAIL $pkg vitest"; fail=1; }
  fi
done
[[ -n "${QTORCH_SANITIZE_DIR:-}" ]] || rm -rf "$work"
[[ $fail == 0 ]] && echo "sanitize-native: clean" || echo "sanitize-native: FAILED"
exit $fail
