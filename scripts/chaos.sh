#!/usr/bin/env bash
# `npm run chaos`: the fault-injection suite at full length (CHAOS_SECONDS per scenario, 40 by
# default; `npm test` runs the same scenarios bounded), then a table of what each scenario
# acknowledged, lost and duplicated, read back from Kafka by an independent consumer.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/pinned-node.sh
export CHAOS_SECONDS="${CHAOS_SECONDS:-40}"
report="$(mktemp)"
trap 'rm -f "$report"' EXIT
export CHAOS_REPORT="$report"
rm -rf dist
npx tsc -p tsconfig.json
bash scripts/kafka.sh fetch
status=0
node --enable-source-maps --test --test-reporter=dot --test-concurrency=1 --test-timeout=900000 \
  dist/test/produce-faults.test.js dist/test/delivery.test.js dist/test/forwarder-faults.test.js \
  dist/test/isolation.test.js dist/test/halving.test.js dist/test/size-limits.test.js \
  dist/test/contract.test.js dist/test/big-bodies.test.js dist/test/unauthenticated-load.test.js \
  dist/test/edge-budgets.test.js dist/test/rolling-update-kafka.test.js \
  dist/test/rolling-update-spool.test.js dist/src/publisher/spool/spool-forwarder.spec.js || status=$?
node dist/scripts/chaos-table.js "$report"
exit "$status"
