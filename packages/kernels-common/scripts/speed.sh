#!/bin/sh
# Speed check of one addon's native ops vs the TypeScript reference (see speed.ts).
# Usage: packages/kernels-common/scripts/speed.sh fbgemm|qnnpack   (the addon must be built)
set -e
engine="${1:-fbgemm}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../../.."
addon="$root/packages/kernels-$engine"
# The bundle lives in the addon's directory: the addon finds its binary from there.
out="$addon/.speed/speed.mjs"
"$root/node_modules/.bin/esbuild" "$here/speed.ts" --bundle --platform=node --format=esm --log-level=warning \
  --alias:@qtorch/qtensor="$root/packages/qtensor/src/index.ts" --alias:qtorch-addon="$addon/src/index.ts" \
  --external:node-gyp-build --outfile="$out"
cd "$addon" && node "$out"
