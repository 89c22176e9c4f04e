#!/usr/bin/env bash
# The NApp's tests: unit tests against the Kytos-ng stand-in, then the end-to-end test against
# the real service and a real broker. Installs pinned test dependencies into .cache/napp-venv.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
. "$root/scripts/pinned-node.sh"
venv="$root/.cache/napp-venv"
# The files the test requirements name: a change to any installs again.
requirements="$(cat "$here/requirements-test.txt" "$here/requirements.txt" "$root/examples/python/requirements.txt")"
if [ ! -x "$venv/bin/pytest" ] || [ "$requirements" != "$(cat "$venv/requirements-test.txt" 2>/dev/null)" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r "$here/requirements-test.txt"
  printf '%s\n' "$requirements" > "$venv/requirements-test.txt"
fi
# python-openflow (pyof), whose messages Kytos' OpenFlow events carry, from the Kytos-ng archives.
archives="${KYTOS_NG_ARCHIVES:-$root/../shared/kytos-ng}"
if [ -f "$archives/python-openflow.tar.gz" ]; then
  if ! cmp -s "$archives/python-openflow.tar.gz" "$venv/python-openflow.tar.gz"; then
    rm -rf "$venv/pyof-src" && mkdir -p "$venv/pyof-src"
    tar xzf "$archives/python-openflow.tar.gz" -C "$venv/pyof-src"
    "$venv/bin/pip" install -q "$venv/pyof-src"/*
    cp "$archives/python-openflow.tar.gz" "$venv/python-openflow.tar.gz"
  fi
else
  echo "run-tests.sh: no $archives/python-openflow.tar.gz; the pyof tests are skipped." >&2
  echo "  Get the sources: https://github.com/kytos-ng/python-openflow at f80aef3a, packed as that file." >&2
fi
# A real Kytos-ng (kytosd, of_core, FerretDB) for tests/test_real_kytos.py, prepared once.
bash "$here/real-kytos/setup.sh"
# The harness (harness/: kytosd, the emulated network, the service, the broker), editable, for the
# tests and bench/, and in kytosd's virtualenv for kytos-ng's own test (tests/test_kytos_stack.py).
install_harness() {
  local installed
  installed="$("$1/bin/python" -c 'import kytos_stack_harness; print(kytos_stack_harness.__file__)' 2>/dev/null || true)"
  if [ "$installed" != "$here/harness/kytos_stack_harness/__init__.py" ]; then
    "$1/bin/pip" install -q --no-deps -e "$here/harness"
  fi
}
install_harness "$venv"
[ -x "$root/.cache/kytos-ng/venv/bin/python" ] && install_harness "$root/.cache/kytos-ng/venv"
(cd "$root" && npm run --silent build)
cd "$here"
"$venv/bin/ruff" check . "$root/examples/python"
"$venv/bin/python" -m pytest -p no:cacheprovider -s "$@"
