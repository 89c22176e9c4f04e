#!/usr/bin/env bash
# Makes a program from Debian's packages runnable without installing it system-wide (CI machines
# start with only the toolchains, and tests must not need root): downloads the package and the
# libraries it lacks with `apt-get download`, unpacks them into .cache/debian, and prints the path
# of a wrapper that runs the program with those libraries. Cached: a second call downloads nothing.
#   bash scripts/debian-tool.sh haproxy    -> .cache/debian/bin/haproxy
#   bash scripts/debian-tool.sh promtool   -> .cache/debian/bin/promtool
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$root/.cache/debian"
tool="${1:?usage: debian-tool.sh haproxy|promtool}"
case "$tool" in
  haproxy) packages=(haproxy liblua5.3-0 libopentracing-c-wrapper0 libopentracing1) program=usr/sbin/haproxy ;;
  promtool) packages=(prometheus) program=usr/bin/promtool ;;
  *) echo "debian-tool.sh: unknown tool '$tool' (haproxy, promtool)" >&2; exit 2 ;;
esac
wrapper="$cache/bin/$tool"
if [ ! -x "$wrapper" ]; then
  mkdir -p "$cache/debs" "$cache/root" "$cache/bin"
  # apt-get download writes to the current folder; as root it warns that _apt cannot, harmlessly.
  (cd "$cache/debs" && apt-get download "${packages[@]}" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2 || true)
  for package in "${packages[@]}"; do
    deb="$(ls "$cache/debs/${package}"_*.deb 2>/dev/null | head -n 1)"
    [ -n "$deb" ] || { echo "debian-tool.sh: apt-get could not download $package" >&2; exit 1; }
    dpkg -x "$deb" "$cache/root"
  done
  cat >"$wrapper.tmp" <<WRAPPER
#!/usr/bin/env bash
LD_LIBRARY_PATH="$cache/root/usr/lib/x86_64-linux-gnu\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" exec "$cache/root/$program" "\$@"
WRAPPER
  chmod +x "$wrapper.tmp" && mv "$wrapper.tmp" "$wrapper"
fi
"$wrapper" --version >/dev/null 2>&1 || "$wrapper" -v >/dev/null 2>&1 || {
  echo "debian-tool.sh: $wrapper does not run" >&2
  exit 1
}
echo "$wrapper"
