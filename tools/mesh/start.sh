#!/usr/bin/env bash
# `npm start`: the whole mesh on this machine with a demo flow — the local stack, the Avro
# contracts in the registry, the apps, then a demo producer that shows where each record went.
set -euo pipefail
cd "$(dirname "$0")/../.."
# Node.js 24 LTS first on PATH (installed once from the npm registry when the machine has another).
# shellcheck source=tools/mesh/use-node.sh
source tools/mesh/use-node.sh

[[ -d node_modules/nx ]] || npm ci --no-audit --no-fund
bash tools/stack/stack.sh up >/dev/null
bash tools/stack/stack.sh status
echo
echo "Registering the Avro contracts (schemas/) in the schema registry:"
node --conditions=@ingest-mesh/source --import tsx tools/schemas/register.ts
echo
echo "Starting the apps (tools/mesh/apps.list):"
bash tools/mesh/apps.sh up
eval "$(bash tools/mesh/apps.sh env)"
echo
echo "Demo: good, duplicate and bad records into ingest.raw and the webhook…"
node --conditions=@ingest-mesh/source --import tsx tools/demo/src/demo.ts
echo
echo "The demo's dead letters, as dlq-redriver stored them (dlqtriage summary --tenant acme):"
sleep 2
node tools/dlqtriage/bin/dlqtriage.mjs summary --tenant acme
echo
echo "The apps, each with /health/live, /health/ready, /health/detailed, /metrics and /admin/*:"
rc=0
bash tools/mesh/apps.sh status || rc=1
cat <<'MSG'

The mesh keeps running. Next:
  curl -s localhost:8090/health/detailed     ingest-router (backpressure, routes, slow lane, lag)
  curl -s localhost:8090/metrics             Prometheus metrics (every app has them)
  curl -s localhost:8091/health/detailed     sink-postgres (circuit, batches, PostgreSQL health)
  curl -s localhost:8092/health/detailed     sink-search (circuit, bulk stats, OpenSearch health)
  curl -s localhost:8093/health/detailed     dlq-redriver (DLQ topics, redrive tiers, counters)
  curl -s localhost:8094/health/detailed     replay-coordinator (replay runs)
  npx dlqtriage sample --reason VALIDATION_FAIL --tenant acme   the dead letters, one by one
  npx dlqtriage analyze                      top errors, per-hour histogram, by app
  npx replayctl plan --tenant acme --from 2025-01-01T00:00Z --to 2030-01-01T00:00Z --sources ingest.raw --throttle 200
                                             a replay plan of acme's window (then: replayctl run <id> --wait)
  psql postgres://mesh@127.0.0.1:5432/mesh -c 'table customers_live'
  curl -s 'localhost:9200/mesh-acme-customer/_search?q=name:signup'   the search index
  npm run stack:status                       the stack
  bash tools/mesh/apps.sh down               stop the apps (the stack keeps running)
  npm stop                                   stop the apps and the stack that `npm start` started
MSG
exit "$rc"
