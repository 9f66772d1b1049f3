#!/usr/bin/env bash
# Runs src/main.ts against the built packages under Node (tsx), Deno and Bun.
set -euo pipefail
cd "$(dirname "$0")"
bin=../../node_modules/.bin
"$bin/tsx" src/main.ts
"$bin/deno" run --quiet --no-config --node-modules-dir=manual --allow-read --allow-write --allow-env --allow-sys=hostname --allow-net=127.0.0.1 src/main.ts
"$bin/bun" run src/main.ts
