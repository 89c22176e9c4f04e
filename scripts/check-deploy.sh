#!/usr/bin/env bash
# Validates the Kubernetes manifests in deploy/ with kubeconform against the schemas of a pinned
# Kubernetes release. Both come through the Go module proxy (kubeconform's default schema host,
# GitHub, is out of reach here); cached in .cache/. Then shows the check can fail: a broken copy
# of the Deployment must be refused.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$root/.cache/k8s"
kubeconform_version=v0.7.0
kubernetes_version=v1.34.2
schemas="$cache/schemas-$kubernetes_version"
bin="$cache/bin"

mkdir -p "$bin"
if [ ! -x "$bin/kubeconform" ]; then
  GOBIN="$bin" go install "github.com/yannh/kubeconform/cmd/kubeconform@$kubeconform_version"
fi
if [ ! -f "$schemas/_definitions.json" ]; then
  module_dir="$(go mod download -json "k8s.io/kubernetes@$kubernetes_version" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["Dir"])')"
  python3 "$root/scripts/k8s-json-schemas.py" "$module_dir/api/openapi-spec/swagger.json" "$schemas"
fi

validate() {
  "$bin/kubeconform" -strict -summary -output text \
    -schema-location "$schemas/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
    -ignore-filename-pattern 'kustomization\.yaml$' "$@"
}

validate "$root/deploy"

broken="$(mktemp -d)"
trap 'rm -rf "$broken"' EXIT
sed -e 's/^  replicas: 2$/  replicas: two/' -e 's/readinessProbe:/readinesProbe:/' \
  "$root/deploy/deployment.yaml" >"$broken/deployment.yaml"
if validate "$broken" >"$broken/out.txt" 2>&1; then
  cat "$broken/out.txt" >&2
  echo "check-deploy: a broken Deployment passed validation; the check is not working" >&2
  exit 1
fi
grep -q 'replicas' "$broken/out.txt" && grep -q 'readinesProbe' "$broken/out.txt" || {
  cat "$broken/out.txt" >&2
  echo "check-deploy: the broken Deployment failed, but not for the planted errors" >&2
  exit 1
}
echo "check-deploy: deploy/ is valid for Kubernetes $kubernetes_version; a broken copy was refused"
