#!/usr/bin/env bash
# Prepares a real Kytos-ng for the NApp's end-to-end test, in .cache/kytos-ng (done once; kept):
# a virtualenv with python-openflow and kytosd from the Kytos-ng archives, the of_core and
# flow_manager NApps' sources, mongowire for flow_manager's database, and FerretDB (a MongoDB wire-protocol server on SQLite, built from the Go module
# proxy), since kytosd needs a MongoDB even when no NApp uses one. The archives come from
# KYTOS_NG_ARCHIVES (default ../shared/kytos-ng); without them it says how to get the same
# sources and exits 0 without preparing anything (the test then skips, saying so).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
archives="${KYTOS_NG_ARCHIVES:-$root/../shared/kytos-ng}"
cache="$root/.cache/kytos-ng"
ferretdb_version="v1.24.2"

if [ ! -f "$archives/kytos.tar.gz" ] || [ ! -f "$archives/python-openflow.tar.gz" ] || [ ! -f "$archives/of_core.tar.gz" ]; then
  mkdir -p "$cache" && rm -f "$cache/ready"
  cat > "$cache/missing" <<MSG
no Kytos-ng archives in $archives (set KYTOS_NG_ARCHIVES): pack these GitHub sources as
kytos.tar.gz, python-openflow.tar.gz and of_core.tar.gz (one top folder each):
kytos-ng/kytos at bfefe49b04817009a2032290aacf0b95b7ea025f, kytos-ng/python-openflow at
f80aef3aafc232bd015f1fc3ad248cddd0fde4a2, kytos-ng/of_core at e7679c2ee840b2374219f60599f0d54acda5c410
MSG
  cat "$cache/missing" >&2
  exit 0
fi
rm -f "$cache/missing"
stamp="$(cat "$archives"/*.tar.gz | sha256sum | cut -c1-16)-$ferretdb_version"
if [ ! -f "$cache/ready" ] || [ "$(cat "$cache/ready")" != "$stamp" ]; then
  prepare_kytos=1
else
  prepare_kytos=0
fi

prepare_flows() {
  # flow_manager, for the flow statistics test: its database calls need mongowire (MongoDB's wire
  # protocol over mongomock; FerretDB lacks what flow_manager asks), from the archives' tools/.
  rm -f "$cache/ready-flows" "$cache/flows-missing"
  if [ ! -f "$archives/flow_manager.tar.gz" ] || [ ! -f "$archives/tools/mongowire.py" ]; then
    echo "no $archives/flow_manager.tar.gz or $archives/tools/mongowire.py: pack kytos-ng/flow_manager at 2fdc7569c26cb7e1c604e20f86bb415d8aa65795 as flow_manager.tar.gz, and put mongowire.py in tools/" > "$cache/flows-missing"
    return
  fi
  rm -rf "$cache/src/flow_manager" && mkdir -p "$cache/src/flow_manager"
  tar xzf "$archives/flow_manager.tar.gz" -C "$cache/src/flow_manager" --strip-components=1
  cp "$archives/tools/mongowire.py" "$cache/mongowire.py"
  "$cache/venv/bin/pip" install -q pymongo==4.11.1 mongomock==4.3.0
  echo "$stamp" > "$cache/ready-flows"
}

if [ "$prepare_kytos" = 0 ]; then
  if [ ! -f "$cache/ready-flows" ] || [ "$(cat "$cache/ready-flows")" != "$stamp" ]; then prepare_flows; fi
  exit 0
fi

rm -rf "$cache" && mkdir -p "$cache/src"
for name in kytos python-openflow of_core; do
  mkdir -p "$cache/src/$name" && tar xzf "$archives/$name.tar.gz" -C "$cache/src/$name" --strip-components=1
done

# kytosd and pyof, as Kytos-ng's own docs install them (its setup.py imports pip: no isolation).
python3 -m venv "$cache/venv"
pip="$cache/venv/bin/pip"
"$pip" install -q wheel setuptools
"$pip" install -q "$cache/src/python-openflow"
grep -v '^python-openflow' "$cache/src/kytos/requirements/run.txt" > "$cache/requirements.txt"
"$pip" install -q -r "$cache/requirements.txt"
"$pip" install -q --no-deps --no-build-isolation "$cache/src/kytos"
site="$("$cache/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
# kytosd stops at start without a web UI folder; the tests need none.
mkdir -p "$site/kytos/web-ui" && echo '<html></html>' > "$site/kytos/web-ui/index.html"
VIRTUAL_ENV="$cache/venv" "$cache/venv/bin/kytosd" --help > /dev/null

# FerretDB panics at start without build/version/version.txt, which the module lacks: build a copy.
export GOFLAGS=-mod=mod
module_dir="$(cd "$cache" && go mod download -json "github.com/FerretDB/FerretDB@$ferretdb_version" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
cp -r "$module_dir" "$cache/src/ferretdb" && chmod -R u+w "$cache/src/ferretdb"
echo "$ferretdb_version" > "$cache/src/ferretdb/build/version/version.txt"
(cd "$cache/src/ferretdb" && go build -o "$cache/ferretdb" ./cmd/ferretdb)

echo "$stamp" > "$cache/ready"
prepare_flows
echo "real-kytos/setup.sh: Kytos-ng ready in $cache" >&2
