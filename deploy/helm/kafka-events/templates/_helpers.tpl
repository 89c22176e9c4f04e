{{/* The release's full name: the release name alone when it already says kafka-events. */}}
{{- define "kafka-events.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "kafka-events.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Every pod of the release, the drain Job's too (the NetworkPolicy's selector). */}}
{{- define "kafka-events.releaseLabels" -}}
app.kubernetes.io/name: {{ include "kafka-events.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* The service's pods only: the Services never send the webhook's traffic to a drain Job. */}}
{{- define "kafka-events.selectorLabels" -}}
{{ include "kafka-events.releaseLabels" . }}
app.kubernetes.io/component: server
{{- end -}}

{{- define "kafka-events.labels" -}}
{{ include "kafka-events.releaseLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "kafka-events.secretName" -}}
{{- default (include "kafka-events.fullname" .) .Values.secret.name -}}
{{- end -}}

{{- define "kafka-events.shutdownTimeoutSeconds" -}}
{{- if .Values.shutdownTimeoutSeconds -}}
{{- .Values.shutdownTimeoutSeconds -}}
{{- else if eq .Values.mode "spool" -}}
{{- add .Values.spool.shutdownForwardSeconds 30 -}}
{{- else -}}
20
{{- end -}}
{{- end -}}

{{/* One Job per claim drained (the schema keeps the claim's name short enough). */}}
{{- define "kafka-events.drainJobName" -}}
{{- printf "drain-%s" . -}}
{{- end -}}

{{- define "kafka-events.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* The chart's own checks that a JSON schema cannot say. */}}
{{- define "kafka-events.validate" -}}
{{- if eq (int .Values.port) (int .Values.managementPort) -}}
{{- fail "port and managementPort must differ: the management port keeps health and metrics away from the webhook's senders" -}}
{{- end -}}
{{- $shutdown := include "kafka-events.shutdownTimeoutSeconds" . | int -}}
{{- if and (eq .Values.mode "spool") (ge (int .Values.spool.shutdownForwardSeconds) $shutdown) -}}
{{- fail (printf "spool.shutdownForwardSeconds (%d) must be less than shutdownTimeoutSeconds (%d): the service would refuse to start, since it would be stopped in the middle of a batch" (int .Values.spool.shutdownForwardSeconds) $shutdown) -}}
{{- end -}}
{{- if .Values.networkPolicy.enabled -}}
{{- $allowed := list -}}
{{- range .Values.networkPolicy.kafka.ports -}}
{{- $allowed = append $allowed (toString (int .)) -}}
{{- end -}}
{{- range splitList "," (toString (default "" .Values.settings.KAFKA_BROKERS)) -}}
{{- $port := regexFind "[0-9]+$" (trim .) -}}
{{- if and $port (not (has $port $allowed)) -}}
{{- fail (printf "settings.KAFKA_BROKERS names port %s, which networkPolicy.kafka.ports (%s) does not let the pods reach: add it there" $port (join ", " $allowed)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- range .Values.drainJob.claims -}}
{{- $ordinal := regexFind "[0-9]+$" . -}}
{{- if and (eq $.Values.mode "spool") $ordinal (lt (atoi $ordinal) (int $.Values.replicas)) -}}
{{- fail (printf "drainJob.claims: %s belongs to a pod that still runs (replicas %d): a drain beside the pod using the spool loses events; drain only the claims of ordinals %d and above, once their pods are gone" . (int $.Values.replicas) (int $.Values.replicas)) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
The settings every container of the release gets: the ConfigMap, the mode's, the secrets' paths.
Called with (dict "root" $ "mode" MODE): the drain Job runs in spool mode whatever the release's.
*/}}
{{- define "kafka-events.env" -}}
{{- $root := .root -}}
envFrom:
  - configMapRef:
      name: {{ include "kafka-events.fullname" $root }}
env:
  - name: DELIVERY_MODE
    value: {{ .mode | quote }}
  {{- if eq .mode "spool" }}
  - name: SPOOL_DIR
    value: {{ $root.Values.spool.dir | quote }}
  - name: SPOOL_SHUTDOWN_FORWARD_MS
    value: {{ mul $root.Values.spool.shutdownForwardSeconds 1000 | quote }}
  {{- end }}
  - name: SHUTDOWN_TIMEOUT_MS
    value: {{ mul (include "kafka-events.shutdownTimeoutSeconds" $root | int) 1000 | quote }}
  {{- range $name, $key := $root.Values.secretFiles }}
  {{- if $key }}
  - name: {{ $name }}
    value: {{ printf "/var/run/secrets/kafka-events/%s" $key | quote }}
  {{- end }}
  {{- end }}
{{- end -}}

{{- define "kafka-events.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1000
runAsGroup: 1000
fsGroup: 1000
# The spool volume is chowned once, not walked at every start.
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "kafka-events.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ['ALL']
{{- end -}}

{{- define "kafka-events.secretVolume" -}}
- name: secrets
  secret:
    secretName: {{ include "kafka-events.secretName" . }}
    defaultMode: 0400
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- end -}}

{{- define "kafka-events.secretMounts" -}}
- name: secrets
  mountPath: /var/run/secrets/kafka-events
  readOnly: true
- name: tmp
  mountPath: /tmp
{{- end -}}

{{/* The pod template of the Deployment and of the StatefulSet. */}}
{{- define "kafka-events.podTemplate" -}}
metadata:
  labels:
    {{- include "kafka-events.selectorLabels" . | nindent 4 }}
    {{- with .Values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    # A new ConfigMap rolls the pods.
    checksum/config: {{ include (print $.Template.BasePath "/configmap.yaml") . | sha256sum }}
    {{- if not .Values.serviceMonitor.enabled }}
    prometheus.io/scrape: 'true'
    prometheus.io/port: {{ .Values.managementPort | quote }}
    prometheus.io/path: /metrics
    {{- end }}
    {{- with .Values.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  terminationGracePeriodSeconds: {{ add (include "kafka-events.shutdownTimeoutSeconds" . | int) .Values.terminationGraceMarginSeconds }}
  automountServiceAccountToken: false
  {{- with .Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    {{- include "kafka-events.podSecurityContext" . | nindent 4 }}
  topologySpreadConstraints:
    {{- if .Values.topologySpreadConstraints }}
    {{- range .Values.topologySpreadConstraints }}
    - {{- toYaml (merge (dict) . (dict "labelSelector" (dict "matchLabels" (include "kafka-events.selectorLabels" $ | fromYaml)))) | nindent 6 }}
    {{- end }}
    {{- else }}
    {{- range list "kubernetes.io/hostname" "topology.kubernetes.io/zone" }}
    - maxSkew: 1
      topologyKey: {{ . }}
      whenUnsatisfiable: ScheduleAnyway
      labelSelector:
        matchLabels:
          {{- include "kafka-events.selectorLabels" $ | nindent 10 }}
      {{- if eq $.Values.mode "kafka" }}
      # Spread each ReplicaSet on its own, so a rolling update's new pods spread too.
      matchLabelKeys: [pod-template-hash]
      {{- end }}
    {{- end }}
    {{- end }}
  {{- with .Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  containers:
    - name: kafka-events
      image: {{ include "kafka-events.image" . | quote }}
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      ports:
        - name: http
          containerPort: {{ .Values.port }}
          protocol: TCP
        - name: management
          containerPort: {{ .Values.managementPort }}
          protocol: TCP
      {{- include "kafka-events.env" (dict "root" . "mode" .Values.mode) | nindent 6 }}
        - name: HOST
          value: 0.0.0.0
        - name: PORT
          value: {{ .Values.port | quote }}
        - name: MANAGEMENT_PORT
          value: {{ .Values.managementPort | quote }}
      volumeMounts:
        {{- include "kafka-events.secretMounts" . | nindent 8 }}
        {{- if eq .Values.mode "spool" }}
        - name: spool
          mountPath: {{ .Values.spool.dir }}
        {{- end }}
      resources:
        {{- toYaml .Values.resources | nindent 8 }}
      startupProbe:
        httpGet:
          path: /health/live
          port: management
        {{- toYaml .Values.probes.startup | nindent 8 }}
      livenessProbe:
        httpGet:
          path: /health/live
          port: management
        {{- toYaml .Values.probes.liveness | nindent 8 }}
      readinessProbe:
        httpGet:
          path: /health/ready
          port: management
        {{- toYaml .Values.probes.readiness | nindent 8 }}
      securityContext:
        {{- include "kafka-events.containerSecurityContext" . | nindent 8 }}
  volumes:
    {{- include "kafka-events.secretVolume" . | nindent 4 }}
{{- end -}}
