#!/usr/bin/env bash
# Fuzzes the HTTP API from openapi.json with schemathesis (an independent tool, from PyPI): the
# service runs as operators run it, against a real broker on loopback. Fails on any 5xx and on
# any response that does not match the document.
#
#   scripts/fuzz-api.sh [--max-examples N]     (default 60 per operation)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/scripts/pinned-node.sh"
venv="$root/.cache/fuzz-venv"
schemathesis_version=4.32.5
max_examples="${2:-60}"
[ "${1:-}" = "" ] || [ "${1:-}" = "--max-examples" ] || { echo "usage: fuzz-api.sh [--max-examples N]" >&2; exit 2; }

if [ ! -x "$venv/bin/schemathesis" ] || ! "$venv/bin/schemathesis" --version | grep -q "$schemathesis_version"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "schemathesis==$schemathesis_version"
fi

work="$(mktemp -d)"
kafka_port=$((30000 + RANDOM % 20000))
service_pid=""
cleanup() {
  [ -n "$service_pid" ] && kill "$service_pid" 2>/dev/null && wait "$service_pid" 2>/dev/null
  bash "$root/scripts/kafka.sh" stop --port "$kafka_port" --dir "$work/kafka" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

bash "$root/scripts/kafka.sh" start --port "$kafka_port" --dir "$work/kafka" --fresh
(cd "$root" && npm run --silent build)

# One bearer token opens both the webhook and rule management, so that the fuzzer reaches past
# the guards; it also checks that requests without it or with a wrong one are refused.
token="fuzz-token-$RANDOM-$RANDOM-$RANDOM"
HOST=127.0.0.1 PORT=0 AUTH_WEBHOOK_TOKEN="$token" AUTH_ADMIN_TOKEN="$token" \
  LOG_FORMAT=json LOG_LEVEL=log \
  KAFKA_BROKERS="127.0.0.1:$kafka_port" RATE_LIMIT_PER_SECOND=0 \
  node "$root/dist/src/main.js" >"$work/service.log" 2>&1 &
service_pid=$!
url=""
for _ in $(seq 1 100); do
  url="$(grep -o 'listening on http://[0-9.:]*' "$work/service.log" | head -n1 | sed 's/listening on //')" || true
  [ -n "$url" ] && curl -fs "$url/health/ready" >/dev/null && break
  kill -0 "$service_pid" 2>/dev/null || { cat "$work/service.log" >&2; exit 1; }
  sleep 0.3
done
[ -n "$url" ] || { cat "$work/service.log" >&2; echo "fuzz-api: the service did not get ready" >&2; exit 1; }

status=0
"$venv/bin/schemathesis" run "$root/openapi.json" --url "$url" \
  --header "Authorization: Bearer $token" \
  --checks all --max-examples "$max_examples" --seed 20261125 \
  --workers 2 --no-color || status=$?
if grep -q '"level":"error"' "$work/service.log"; then
  echo "fuzz-api: the service logged errors:" >&2
  grep '"level":"error"' "$work/service.log" | head -n 20 >&2
  status=1
fi
exit "$status"
