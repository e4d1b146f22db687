#!/usr/bin/env bash
# `npm start`: the whole mesh on this machine. Today that is the local stack; each app joins
# this script as it lands (see README "Quick start").
set -euo pipefail
cd "$(dirname "$0")/../.."

[[ -d node_modules/nx ]] || npm ci --no-audit --no-fund
bash tools/stack/stack.sh up
echo
bash tools/stack/stack.sh status
cat <<'MSG'

The stack is up. Endpoints are printed above as shell exports; every app and test reads them.
  npm run stack:status   what is running
  npm run stack:down     stop what `npm start` started (servers found already running are left alone)
  npm test               every test, against this stack
MSG
