#!/usr/bin/env bash
# `npm run start:local`: the service with a real local Kafka broker, no Docker needed (Java 17+ and
# Maven are). Starts the broker (data kept in .kafka/run-<port>), runs the service in the
# foreground, and stops the broker when the service exits (Ctrl-C).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/pinned-node.sh
kafka_port="${LOCAL_KAFKA_PORT:-9092}"
npm run build
bash scripts/kafka.sh start --port "$kafka_port"
trap 'bash scripts/kafka.sh stop --port "$kafka_port"' EXIT
# Local use: without any webhook secret or token configured, run unauthenticated (the service
# says so loudly in its log); set AUTH_WEBHOOK_SECRET or AUTH_WEBHOOK_TOKEN to try auth locally.
if [ -z "${AUTH_WEBHOOK_SECRET:-}${AUTH_WEBHOOK_SECRET_FILE:-}${AUTH_WEBHOOK_TOKEN:-}${AUTH_WEBHOOK_TOKEN_FILE:-}" ]; then
  export AUTH_DISABLED="${AUTH_DISABLED:-true}"
fi
status=0
KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:$kafka_port}" node dist/src/main.js || status=$?
exit "$status"
