#!/usr/bin/env bash
# The NApp's tests: unit tests against the Kytos-ng stand-in, then the end-to-end test against
# the real service and a real broker. Installs pinned test dependencies into .cache/napp-venv.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$root/.cache/napp-venv"
if [ ! -x "$venv/bin/pytest" ] || ! cmp -s "$here/requirements-test.txt" "$venv/requirements-test.txt"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r "$here/requirements-test.txt"
  cp "$here/requirements-test.txt" "$venv/requirements-test.txt"
fi
(cd "$root" && npm run --silent build)
cd "$here"
"$venv/bin/ruff" check .
"$venv/bin/python" -m pytest -p no:cacheprovider -s "$@"
