#!/usr/bin/env bash
# Checks the monitoring shipped in the chart with promtool from Debian's prometheus package: the
# alert rules are valid, every query of the Grafana dashboard parses (promtool has no command
# that parses a lone query, so they go into a rule file of recording rules, Grafana's variables
# replaced), and the alert rules pass their unit tests. Then shows the query check can fail: a
# dashboard with a broken query must be refused. That every query names a metric a running
# instance exports is test/monitoring.test.ts's part.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
. scripts/pinned-node.sh
promtool="$(bash scripts/debian-tool.sh promtool)"
files=deploy/helm/kafka-events/files
out=.cache/monitoring
mkdir -p "$out"
npx tsc -p tsconfig.build.json

"$promtool" check rules "$files/alert-rules.yaml"
node dist/scripts/monitoring-rule-file.js >"$out/dashboard-queries.rules.json"
"$promtool" check rules "$out/dashboard-queries.rules.json"
"$promtool" test rules deploy/monitoring/alert-rules.test.yaml

# A query with one parenthesis too many must not pass.
python3 - "$files/grafana-dashboard.json" "$out/broken-dashboard.json" <<'PY'
import json, sys
dashboard = json.load(open(sys.argv[1]))
target = next(p for p in dashboard["panels"] if p.get("targets"))["targets"][0]
target["expr"] += ")"
json.dump(dashboard, open(sys.argv[2], "w"))
PY
node dist/scripts/monitoring-rule-file.js "$out/broken-dashboard.json" >"$out/broken-queries.rules.json"
if "$promtool" check rules "$out/broken-queries.rules.json" >"$out/broken.log" 2>&1; then
  echo "check-monitoring.sh: a dashboard query with an extra ')' passed promtool" >&2
  exit 1
fi
echo "check-monitoring.sh: a broken dashboard query is refused, as it should be:"
grep -m 1 -i 'parse' "$out/broken.log" || head -n 3 "$out/broken.log"
