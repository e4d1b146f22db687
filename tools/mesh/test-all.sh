#!/usr/bin/env bash
# `npm test`: every test of the workspace. Unit tests first, then the integration tests
# against the real stack (MESH_STACK=local starts it if needed; see README "Testing").
set -euo pipefail
cd "$(dirname "$0")/../.."

[[ -d node_modules/nx ]] || npm ci --no-audit --no-fund
rm -rf dist/test-results

mode=${MESH_STACK:-local}
if [[ $mode == local ]]; then
  bash tools/stack/stack.sh up >/dev/null
fi

rc=0
failed=()
npx nx run-many -t build lint test --skip-nx-cache --outputStyle=stream || { rc=1; failed+=("build/lint/test"); }
# Formatting is part of lint: the code must be as Prettier writes it (npm run format fixes it).
npm run --silent format:check || { rc=1; failed+=("format"); }
# Integration tests share one broker and one database: one project at a time.
npx nx run-many -t int-test --parallel=1 --skip-nx-cache --outputStyle=stream || { rc=1; failed+=("int-test"); }

node tools/mesh/summarize-tests.mjs dist/test-results || rc=1
if ((${#failed[@]} > 0)); then
  echo "FAILED: nx tasks of ${failed[*]} failed (a failed build or lint runs no tests); see the output above" >&2
fi
exit "$rc"
