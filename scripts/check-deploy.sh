#!/usr/bin/env bash
# Checks the Helm chart in deploy/helm: `helm lint --strict` with every preset, renders every
# preset, checks what they render against the issue (scripts/chart-expectations.py), validates it
# with kubeconform against the schemas of a pinned Kubernetes release (and of Prometheus
# Operator's CRDs for ServiceMonitor and PrometheusRule), then shows the check can fail: broken
# rendered manifests and broken values must be refused. Helm, kubeconform, Kubernetes' OpenAPI
# document and the CRDs all come through the Go module proxy (kubeconform's default schema host
# is out of reach here); cached in .cache/k8s.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$root/.cache/k8s"
helm_version=v4.3.2
kubeconform_version=v0.7.0
kubernetes_version=v1.34.2
prometheus_operator_version=v0.94.0
helm="$cache/helm-$helm_version/helm"
kubeconform="$cache/kubeconform-$kubeconform_version/kubeconform"
schemas="$cache/schemas-$kubernetes_version"
crd_schemas="$cache/schemas-prometheus-operator-$prometheus_operator_version"
chart="$root/deploy/helm/kafka-events"
presets="$root/deploy/helm/presets"

go_install() { # binary-path package@version
  [ -x "$1" ] || GOBIN="$(dirname "$1")" go install "$2"
}
module_dir() {
  go mod download -json "$1" | python3 -c 'import json, sys; print(json.load(sys.stdin)["Dir"])'
}

go_install "$helm" "helm.sh/helm/v4/cmd/helm@$helm_version"
go_install "$kubeconform" "github.com/yannh/kubeconform/cmd/kubeconform@$kubeconform_version"
if [ ! -f "$schemas/_definitions.json" ]; then
  python3 "$root/scripts/k8s-json-schemas.py" \
    "$(module_dir "k8s.io/kubernetes@$kubernetes_version")/api/openapi-spec/swagger.json" "$schemas"
fi
if [ ! -f "$crd_schemas/servicemonitor-monitoring-v1.json" ]; then
  crds="$(module_dir "github.com/prometheus-operator/prometheus-operator@$prometheus_operator_version")/example/prometheus-operator-crd"
  python3 "$root/scripts/crd-json-schemas.py" "$crd_schemas" \
    "$crds/monitoring.coreos.com_servicemonitors.yaml" "$crds/monitoring.coreos.com_prometheusrules.yaml"
fi

validate() {
  "$kubeconform" -strict -summary -output text \
    -schema-location "$schemas/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
    -schema-location "$crd_schemas/{{ .ResourceKind }}{{ .KindSuffix }}.json" "$@"
}
fail() {
  echo "check-deploy: $*" >&2
  exit 1
}

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The chart's defaults, then each preset on top of them.
rendered="$work/rendered"
mkdir "$rendered"
: >"$work/defaults.yaml"
for values in "$work/defaults.yaml" "$presets"/*.yaml; do
  name="$(basename "$values" .yaml)"
  "$helm" lint --strict --quiet "$chart" -f "$values" >"$work/lint.txt" 2>&1 ||
    { cat "$work/lint.txt" >&2; fail "helm lint refused $name"; }
  "$helm" template kafka-events "$chart" --namespace kafka-events -f "$values" >"$rendered/$name.yaml"
done

# Each mode renders its own workload and what the issue asks of it (ports, probes, NetworkPolicy,
# grace period, drain Job).
python3 "$root/scripts/chart-expectations.py" "$rendered" "$presets"
grep -q 'grafana_dashboard' "$rendered/kafka-monitoring.yaml" || fail "kafka-monitoring renders no dashboard"

validate "$rendered" "$root/deploy/helm/secret.example.yaml"

# Manifests with planted errors must be refused, for those: a StatefulSet against Kubernetes'
# schemas, a ServiceMonitor against its CRD's.
refused_manifest() { # preset sed-expression what-the-errors-name...
  mkdir -p "$work/broken"
  sed -e "$2" "$rendered/$1" >"$work/broken/$1"
  ! cmp -s "$rendered/$1" "$work/broken/$1" || fail "'$2' changed nothing in $1"
  if validate "$work/broken/$1" >"$work/broken.txt" 2>&1; then
    cat "$work/broken.txt" >&2
    fail "a broken $1 passed validation; the check is not working"
  fi
  for name in "${@:3}"; do
    grep -q -- "$name" "$work/broken.txt" || {
      cat "$work/broken.txt" >&2
      fail "the broken $1 failed, but not for $name"
    }
  done
}
refused_manifest spool.yaml 's/^  replicas: 3$/  replicas: two/; s/readinessProbe:/readinesProbe:/' \
  replicas readinesProbe
refused_manifest kafka-monitoring.yaml 's/^      interval: 30s$/      intervall: 30s/' intervall

# Wrong values must be refused by helm itself, each for its own reason: values files that differ
# from a preset by one line, then single values.
refused() { # what-the-error-names helm-arguments...
  if "$helm" template kafka-events "$chart" "${@:2}" >/dev/null 2>"$work/refused.txt"; then
    fail "helm rendered the chart with ${*:2}; the values should have been refused"
  fi
  grep -q -- "$1" "$work/refused.txt" || {
    cat "$work/refused.txt" >&2
    fail "helm refused ${*:2}, but not for naming $1"
  }
}
broken_preset() { # preset sed-expression: writes $work/broken-<preset>
  sed -e "$2" "$presets/$1" >"$work/broken-$1"
  ! cmp -s "$presets/$1" "$work/broken-$1" || fail "'$2' changed nothing in $1"
}
broken_preset spool.yaml 's/^replicas: 3$/replicas: three/'
refused replicas -f "$work/broken-spool.yaml"
broken_preset spool-drain.yaml 's/^  claims: \[\(.*\)\]$/  claims: \1/'
refused claims -f "$work/broken-spool-drain.yaml"
refused mode --set mode=spoool
refused DELIVERY_MODE --set settings.DELIVERY_MODE=spool
refused SPOOL_SHUTDOWN_FORWARD_MS --set settings.SPOOL_SHUTDOWN_FORWARD_MS=1000
refused shutdownForwardSeconds -f "$presets/spool.yaml" --set spool.shutdownForwardSeconds=120
refused managementPort --set managementPort=8080
refused 'still runs' -f "$presets/spool.yaml" --set 'drainJob.claims={spool-kafka-events-1}'
refused accessMode -f "$presets/spool.yaml" --set spool.accessMode=ReadWriteMany
refused 'networkPolicy.kafka.ports' --set 'settings.KAFKA_BROKERS=kafka.kafka.svc:9094'
refused MANAGEMENT_HOST --set settings.MANAGEMENT_HOST=127.0.0.1

echo "check-deploy: the chart lints and every preset renders, has what #34 asks and is valid for" \
  "Kubernetes $kubernetes_version; a broken manifest and broken values were refused"
