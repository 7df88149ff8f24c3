#!/usr/bin/env bash
# Longer memory run (issue #15): tools/bad-input's memory test (repeated forwards of a small
# quantized model, create/use/drop cycles of quantized modules, native and qtensor weight
# packing) with every iteration count multiplied by QTORCH_MEMORY_SCALE (default 10: 100,000
# forwards, 10,000 cycles). Prints the RSS before/after each phase; fails if any grows past its bound.
# Usage: tools/scripts/memory-check.sh   (CI runs the same test at scale 1)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../bad-input"
QTORCH_MEMORY_SCALE="${QTORCH_MEMORY_SCALE:-10}" npx vitest run test/memory.test.ts --reporter=default
