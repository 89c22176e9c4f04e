#!/usr/bin/env bash
# `npm test`: builds, then runs every unit spec (src/**/*.spec.ts) and integration test
# (test/**/*.test.ts) with Node's own test runner. Integration tests start their own Kafka broker
# through scripts/kafka.sh, so Java 17+ and Maven are needed; nothing else has to run beforehand.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rm -rf dist
npx tsc -p tsconfig.json
# Fetch Kafka's jars once, up front, rather than inside the first test's time budget.
bash scripts/kafka.sh fetch
mapfile -t files < <(find dist/src dist/test -name '*.spec.js' -o -name '*.test.js' | sort)
[ "$#" -gt 0 ] && mapfile -t files < <(printf '%s\n' "${files[@]}" | grep -E "$1")
exec node --enable-source-maps --test --test-reporter=spec --test-concurrency=2 --test-timeout=240000 "${files[@]}"
