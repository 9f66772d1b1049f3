#!/usr/bin/env bash
# The whole test pipeline, from a fresh clone: installs what the tests need
# (Debian peers, pnpm, the locked dependencies), then lint, build, type
# checks, repository checks, JSR and API-reference builds, the release flow
# on a dry run, the consumer smoke test (the packed packages under Node, Deno
# and Bun), the CLI smoke (the packed ocikit through npx, pnpm dlx, bunx and
# deno) and every unit and integration test. The last line is the test count.
set -euo pipefail
cd "$(dirname "$0")/../.."
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1 CI="${CI:-true}"

step() { printf '\n== %s\n' "$*"; }

step "system packages"
bash tooling/scripts/setup-system.sh

step "pnpm and dependencies"
pnpm_version=$(node -p "require('./package.json').packageManager.split('@')[1]")
if [ "$(pnpm --version 2>/dev/null || true)" != "$pnpm_version" ]; then
  npm install --global --silent "pnpm@$pnpm_version"
fi
pnpm install --frozen-lockfile --reporter=append-only

step "lint and format (biome)"
pnpm exec biome ci .

step "build"
pnpm exec turbo run build --output-logs=errors-only

step "type check"
pnpm exec turbo run typecheck --output-logs=errors-only

step "repository checks"
pnpm exec tsx tooling/scripts/src/check-all.ts --built

step "JSR: deno publish --dry-run (jsr.json, no slow types)"
pnpm exec deno publish --dry-run --allow-dirty --quiet

step "API reference (TypeDoc, warnings are errors)"
pnpm exec typedoc --logLevel Warn

step "release flow on a dry run (changeset version, pnpm publish --dry-run)"
pnpm exec tsx tooling/scripts/src/release-dry-run.ts

step "consumer smoke: packed tarballs installed with npm, under Node, Deno, Bun"
bash tooling/runtime-smoke/run.sh

step "CLI smoke: the packed ocikit through npx, pnpm dlx, bunx (Bun) and deno run npm:ocikit (Deno)"
pnpm exec tsx tooling/scripts/src/cli-smoke.ts

step "tests"
report=$(mktemp)
status=0
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json="$report" || status=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`Tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$report"
rm -f "$report"
exit "$status"
