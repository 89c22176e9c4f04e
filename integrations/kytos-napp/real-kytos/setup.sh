#!/usr/bin/env bash
# Prepares a real Kytos-ng for the NApp's end-to-end test, in .cache/kytos-ng (done once; kept):
# a virtualenv with python-openflow and kytosd from the Kytos-ng archives, the of_core and
# flow_manager NApps' sources, mongowire for flow_manager's database, and FerretDB (a MongoDB wire-protocol server on SQLite, built from the Go module
# proxy), since kytosd needs a MongoDB even when no NApp uses one, and the rest of the NApp
# stack with kytos-ng's own end-to-end tests (see prepare_stack). The archives come from
# KYTOS_NG_ARCHIVES (default ../shared/kytos-ng); without them it says how to get the same
# sources and exits 0 without preparing anything (the test then skips, saying so).
# This NApp is not installed here: each test pip-installs it into that virtualenv, as its README says.
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

# The rest of an operator's Kytos-ng (topology, of_lldp, pathfinder, sdntrace_cp, maintenance,
# mef_eline) with the pins they need together, and kytos-ng's own end-to-end tests with what their
# Kafka test runs on (pytest, pytest-asyncio, aiokafka), for tests/test_kytos_stack.py.
stack_napps="topology of_lldp pathfinder sdntrace_cp maintenance mef_eline"
prepare_stack() {
  rm -f "$cache/ready-stack" "$cache/stack-missing"
  local missing="" name
  for name in $stack_napps kytos-end-to-end-tests; do
    [ -f "$archives/$name.tar.gz" ] || missing="$missing $name.tar.gz"
  done
  if [ -n "$missing" ] || [ ! -f "$cache/ready-flows" ]; then
    cat > "$cache/stack-missing" <<MSG
no$missing in $archives (or no flow_manager): pack these GitHub sources as <name>.tar.gz (one top
folder each): kytos-ng/topology at 9007738f1ebeb281e99edeedb803cb038de08466, kytos-ng/of_lldp at
1979d0cbf33a038a5f280eaf432ea5925ffd8fd9, kytos-ng/pathfinder at e1fc2e03a2c9f5ad2d116b801e190b7dab503fcc,
kytos-ng/sdntrace_cp at 269f4482ecd4125dc1c115e059dbce26b7269216, kytos-ng/maintenance at
e256668996157476b79dd03bb1f4f88149ac7697, kytos-ng/mef_eline at bc06a8fbbaf840bbd2de5f79dcf030067db7f855,
kytos-ng/kytos-end-to-end-tests at 9dfc50b82d0cb037d595cdea2428502cc844957d
MSG
    return
  fi
  for name in $stack_napps kytos-end-to-end-tests; do
    rm -rf "$cache/src/$name" && mkdir -p "$cache/src/$name"
    tar xzf "$archives/$name.tar.gz" -C "$cache/src/$name" --strip-components=1
  done
  # apscheduler 3.8 (mef_eline, maintenance) imports pkg_resources, which setuptools 81 dropped.
  "$cache/venv/bin/pip" install -q "setuptools<81" networkx==3.2.1 apscheduler==3.8.0 pytz==2021.3 \
    tzlocal==2.1 glom==20.11.0 boltons==21.0.0 face==20.1.1 \
    pytest==8.2.0 pytest-asyncio==1.1.0 aiokafka==0.12.0
  echo "$stamp" > "$cache/ready-stack"
}

if [ "$prepare_kytos" = 0 ]; then
  if [ ! -f "$cache/ready-flows" ] || [ "$(cat "$cache/ready-flows")" != "$stamp" ]; then prepare_flows; fi
  if [ ! -f "$cache/ready-stack" ] || [ "$(cat "$cache/ready-stack")" != "$stamp" ]; then prepare_stack; fi
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
prepare_stack
echo "real-kytos/setup.sh: Kytos-ng ready in $cache" >&2
