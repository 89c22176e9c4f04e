#!/usr/bin/env bash
# `npm test`: builds, then runs every unit spec (src/, scripts/) and integration test
# (test/**/*.test.ts) with Node's own test runner. Integration tests start their own Kafka broker
# through scripts/kafka.sh, so Java 17+ and Maven are needed; the Swagger UI test needs Debian's
# chromium, installed here when missing (as root). Nothing else has to run beforehand.
# `npm run test:unit` (--unit): the unit specs alone, no broker and no browser, run from their
# TypeScript sources as swc transpiles each file on load (scripts/transpile-on-load.ts), without a
# tsc build first and so without type checking: tsc checks the types in `npm run build`, in
# `npm test` (below) and in CI.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/pinned-node.sh
if [ "${1:-}" = --unit ]; then
  shift
  mapfile -t files < <(find src scripts -name '*.spec.ts' | sort)
  [ "$#" -gt 0 ] && mapfile -t files < <(printf '%s\n' "${files[@]}" | grep -E "$1")
  if [ "${#files[@]}" = 0 ]; then
    echo "test.sh: no spec under src/ or scripts/ matches ${1:-}" >&2
    exit 1
  fi
  # One process per core, sharing out the specs, rather than one per spec file: most of a spec
  # process's time would go to importing the service's modules and their dependencies.
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  mkdir "$work/claims"
  printf "import { runSpecs } from '%s';\nawait runSpecs([%s], '%s');\n" \
    "$PWD/scripts/import-specs.ts" "$(printf '"%s",' "${files[@]}")" "$work/claims" >"$work/specs.mjs"
  cores="$(nproc)"
  for ((core = 1; core <= cores && core <= ${#files[@]}; core++)); do
    cp "$work/specs.mjs" "$work/specs-$core.mjs"
  done
  node --enable-source-maps --import ./scripts/transpile-on-load.ts \
    --test --test-reporter=spec --test-concurrency="$cores" "$work"/specs-*.mjs
  exit
fi
rm -rf dist
npx tsc -p tsconfig.json
# Fetch Kafka's jars once, up front, rather than inside the first test's time budget.
bash scripts/kafka.sh fetch
# The Swagger UI test drives Debian's chromium (playwright-core never downloads a browser).
if [ -z "${CHROMIUM_PATH:-}" ] && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "test.sh: installing Debian's chromium for the Swagger UI test" >&2
    (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium) >/dev/null
  else
    echo "test.sh: the Swagger UI test needs chromium: apt-get install chromium (or set CHROMIUM_PATH)" >&2
  fi
fi
mapfile -t files < <(find dist/src dist/scripts dist/test -name '*.spec.js' -o -name '*.test.js' | sort)
[ "$#" -gt 0 ] && mapfile -t files < <(printf '%s\n' "${files[@]}" | grep -E "$1")
exec node --enable-source-maps --test --test-reporter=spec --test-concurrency=2 --test-timeout=240000 "${files[@]}"
