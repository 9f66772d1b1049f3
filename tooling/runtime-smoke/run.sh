#!/usr/bin/env bash
# Runs src/main.ts under Node (tsx), Deno and Bun against the packed packages,
# installed with npm into a scratch project outside the workspace, as a user
# gets them (tooling/scripts/src/consumer-smoke.ts; build first).
set -euo pipefail
cd "$(dirname "$0")/../.."
exec node_modules/.bin/tsx tooling/scripts/src/consumer-smoke.ts
