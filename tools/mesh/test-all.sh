#!/usr/bin/env bash
# `npm test`: every test of the workspace. Unit tests first, then the integration tests
# against the real stack (MESH_STACK=local starts it if needed; see README "Testing").
set -euo pipefail
cd "$(dirname "$0")/../.."
# Node.js 24 LTS first on PATH (installed once from the npm registry when the machine has another).
# shellcheck source=tools/mesh/use-node.sh
source tools/mesh/use-node.sh

[[ -d node_modules/nx ]] || npm ci --no-audit --no-fund
rm -rf dist/test-results

mode=${MESH_STACK:-local}
if [[ $mode == local ]]; then
  bash tools/stack/stack.sh up >/dev/null
fi

rc=0
failed=()
phases=()
# Each phase's wall time, printed at the end (CI must stay well under its limit: see README "Testing").
phase() {
  local name=$1 started=$SECONDS
  shift
  "$@" || { rc=1; failed+=("$name"); }
  phases+=("$name $((SECONDS - started)) s")
}
phase build/lint/test npx nx run-many -t build lint test --skip-nx-cache --outputStyle=stream
# Formatting is part of lint: the code must be as Prettier writes it (npm run format fixes it).
phase format npm run --silent format:check
# Integration tests share one broker and one database: one project at a time. The builds they
# depend on ran above; without --excludeTaskDependencies Nx would run all of them again, serially.
phase int-test npx nx run-many -t int-test --parallel=1 --excludeTaskDependencies --skip-nx-cache --outputStyle=stream
echo "phases: ${phases[*]}"

node tools/mesh/summarize-tests.mjs dist/test-results || rc=1
if ((${#failed[@]} > 0)); then
  echo "FAILED: nx tasks of ${failed[*]} failed (a failed build or lint runs no tests); see the output above" >&2
fi
exit "$rc"
