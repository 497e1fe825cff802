{{- define "osprey.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "osprey.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains (include "osprey.name" .) .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name (include "osprey.name" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{/* The name of one role's objects: "<fullname>-<role>" ("<fullname>" for embedded). */}}
{{- define "osprey.roleName" -}}
{{- if eq .role "embedded" }}
{{- include "osprey.fullname" .root }}
{{- else }}
{{- printf "%s-%s" (include "osprey.fullname" .root) .role | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "osprey.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "osprey.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Selector labels of one role; call with (dict "root" $ "role" "collector"). */}}
{{- define "osprey.selectorLabels" -}}
app.kubernetes.io/name: {{ include "osprey.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .role }}
{{- end }}

{{- define "osprey.roleLabels" -}}
{{ include "osprey.labels" .root }}
app.kubernetes.io/component: {{ .role }}
{{- end }}

{{- define "osprey.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "osprey.secretName" -}}
{{- default (include "osprey.fullname" .) .Values.secrets.existingSecret }}
{{- end }}

{{- define "osprey.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "osprey.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "osprey.scheme" -}}
{{- if .Values.tls.enabled }}HTTPS{{ else }}HTTP{{ end }}
{{- end }}

{{/* One env entry read from the chart's Secret (or existingSecret). */}}
{{- define "osprey.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ include "osprey.secretName" .root }}
      key: {{ .key }}
      {{- if .optional }}
      optional: true
      {{- end }}
{{- end }}

{{/*
The env of one role's container, (dict "root" $ "role" "…"): what every role reads, the store and
Kafka settings in distributed mode, secrets by reference only, TLS files where they are mounted.
*/}}
{{- define "osprey.env" -}}
{{- $root := .root }}
{{- $v := $root.Values }}
{{- $distributed := ne .role "embedded" }}
- name: OSPREY_PORT
  value: {{ $v.port | quote }}
- name: OSPREY_HOST
  value: "0.0.0.0"
- name: LOG_LEVEL
  value: {{ $v.logLevel | quote }}
- name: OSPREY_DATA_DIR
  value: /var/lib/osprey
{{- if eq .role "embedded" }}
- name: OSPREY_ARTIFACT_DIR
  value: /var/lib/osprey/artifacts
{{- else if has .role (list "web" "detectors" "shadow-runner") }}
- name: OSPREY_ARTIFACT_DIR
  value: /var/lib/osprey-artifacts
{{- end }}
- name: OSPREY_RETENTION_DAYS
  value: {{ $v.retentionDays | quote }}
{{- with $v.publicUrl }}
- name: OSPREY_PUBLIC_URL
  value: {{ . | quote }}
{{- end }}
{{- with $v.trustedProxies }}
- name: OSPREY_TRUSTED_PROXIES
  value: {{ . | quote }}
{{- end }}
{{- with $v.auth.adminEmail }}
- name: OSPREY_ADMIN_EMAIL
  value: {{ . | quote }}
{{ include "osprey.secretEnv" (dict "root" $root "name" "OSPREY_ADMIN_PASSWORD" "key" "admin-password") }}
{{- end }}
{{ include "osprey.secretEnv" (dict "root" $root "name" "OSPREY_SECRET_KEY" "key" "secret-key") }}
{{- if or $v.secrets.existingSecret $v.secrets.apiKey }}
{{ include "osprey.secretEnv" (dict "root" $root "name" "OSPREY_API_KEY" "key" "api-key" "optional" true) }}
{{- end }}
{{- if or $v.secrets.existingSecret $v.secrets.smtpUrl }}
{{ include "osprey.secretEnv" (dict "root" $root "name" "SMTP_URL" "key" "smtp-url" "optional" true) }}
{{- end }}
{{- if and $v.smtp.caSecret (has .role (list "web" "detectors" "embedded")) }}
- name: SMTP_CA_FILE
  value: /etc/osprey/tls/smtp-ca/{{ $v.smtp.caKey }}
{{- end }}
{{- if $v.tls.enabled }}
- name: OSPREY_TLS_CERT
  value: /etc/osprey/tls/server/tls.crt
- name: OSPREY_TLS_KEY
  value: /etc/osprey/tls/server/tls.key
{{- end }}
{{- if $distributed }}
- name: CLICKHOUSE_URL
  value: {{ required "clickhouse.url is required in distributed mode" $v.clickhouse.url | quote }}
- name: CLICKHOUSE_USER
  value: {{ $v.clickhouse.user | quote }}
- name: CLICKHOUSE_DATABASE
  value: {{ $v.clickhouse.database | quote }}
{{ include "osprey.secretEnv" (dict "root" $root "name" "CLICKHOUSE_PASSWORD" "key" "clickhouse-password") }}
{{- if $v.clickhouse.tls.caSecret }}
- name: CLICKHOUSE_CA_FILE
  value: /etc/osprey/tls/clickhouse-ca/{{ $v.clickhouse.tls.caKey }}
{{- end }}
{{- if has .role (list "collector" "ingest" "detectors" "shadow-runner") }}
- name: KAFKA_BROKERS
  value: {{ required "kafka.brokers is required in distributed mode" $v.kafka.brokers | quote }}
- name: KAFKA_CLIENT_ID
  value: {{ $v.kafka.clientId | quote }}
- name: KAFKA_TOPIC_PREFIX
  value: {{ $v.kafka.topicPrefix | quote }}
- name: KAFKA_TOPIC_PARTITIONS
  value: {{ $v.kafka.topicPartitions | quote }}
- name: KAFKA_REPLICATION_FACTOR
  value: {{ $v.kafka.replicationFactor | quote }}
{{- if $v.kafka.tls.enabled }}
- name: KAFKA_SSL
  value: "true"
{{- if $v.kafka.tls.caSecret }}
- name: KAFKA_SSL_CA_FILE
  value: /etc/osprey/tls/kafka-ca/{{ $v.kafka.tls.caKey }}
{{- end }}
{{- if $v.kafka.tls.clientCertSecret }}
- name: KAFKA_SSL_CERT_FILE
  value: /etc/osprey/tls/kafka-client/tls.crt
- name: KAFKA_SSL_KEY_FILE
  value: /etc/osprey/tls/kafka-client/tls.key
{{- end }}
{{- end }}
{{- if $v.kafka.sasl.enabled }}
- name: KAFKA_SASL_MECHANISM
  value: {{ $v.kafka.sasl.mechanism | quote }}
- name: KAFKA_SASL_USERNAME
  value: {{ required "kafka.sasl.username is required when kafka.sasl.enabled" $v.kafka.sasl.username | quote }}
{{ include "osprey.secretEnv" (dict "root" $root "name" "KAFKA_SASL_PASSWORD" "key" "kafka-sasl-password") }}
{{- end }}
{{- end }}
{{- if eq .role "collector" }}
- name: OSPREY_COLLECTOR_PROCESSES
  value: {{ (index $v.roles "collector").processes | quote }}
{{- end }}
{{- end }}
{{- range $name, $value := $v.extraEnv }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- $own := ternary $v.embedded.env (index $v.roles .role | default dict).env (eq .role "embedded") }}
{{- range $name, $value := $own }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end }}

{{/* Mounts and volumes: /tmp, the data directory, artifacts, and each TLS Secret that is set. */}}
{{- define "osprey.volumeMounts" -}}
{{- $v := .root.Values }}
- name: tmp
  mountPath: /tmp
- name: data
  mountPath: /var/lib/osprey
{{- if has .role (list "web" "detectors" "shadow-runner") }}
- name: artifacts
  mountPath: /var/lib/osprey-artifacts
{{- end }}
{{- if $v.tls.enabled }}
- name: tls-server
  mountPath: /etc/osprey/tls/server
  readOnly: true
{{- end }}
{{- if and $v.smtp.caSecret (has .role (list "web" "detectors" "embedded")) }}
- name: tls-smtp-ca
  mountPath: /etc/osprey/tls/smtp-ca
  readOnly: true
{{- end }}
{{- if ne .role "embedded" }}
{{- if $v.clickhouse.tls.caSecret }}
- name: tls-clickhouse-ca
  mountPath: /etc/osprey/tls/clickhouse-ca
  readOnly: true
{{- end }}
{{- if and $v.kafka.tls.enabled (has .role (list "collector" "ingest" "detectors" "shadow-runner")) }}
{{- if $v.kafka.tls.caSecret }}
- name: tls-kafka-ca
  mountPath: /etc/osprey/tls/kafka-ca
  readOnly: true
{{- end }}
{{- if $v.kafka.tls.clientCertSecret }}
- name: tls-kafka-client
  mountPath: /etc/osprey/tls/kafka-client
  readOnly: true
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{- define "osprey.volumes" -}}
{{- $v := .root.Values }}
- name: tmp
  emptyDir:
    sizeLimit: {{ $v.tmpSizeLimit }}
{{- if ne .role "embedded" }}
{{- /* Distributed roles keep nothing here (the store is ClickHouse); it is writable scratch. */}}
- name: data
  emptyDir: {}
{{- if has .role (list "web" "detectors" "shadow-runner") }}
- name: artifacts
{{- if $v.artifacts.persistence.enabled }}
  persistentVolumeClaim:
    claimName: {{ default (printf "%s-artifacts" (include "osprey.fullname" .root)) $v.artifacts.persistence.existingClaim }}
{{- else }}
  emptyDir: {}
{{- end }}
{{- end }}
{{- end }}
{{- if $v.tls.enabled }}
- name: tls-server
  secret:
    secretName: {{ required "tls.secretName is required when tls.enabled" $v.tls.secretName }}
    defaultMode: 0440
{{- end }}
{{- if and $v.smtp.caSecret (has .role (list "web" "detectors" "embedded")) }}
- name: tls-smtp-ca
  secret:
    secretName: {{ $v.smtp.caSecret }}
{{- end }}
{{- if ne .role "embedded" }}
{{- if $v.clickhouse.tls.caSecret }}
- name: tls-clickhouse-ca
  secret:
    secretName: {{ $v.clickhouse.tls.caSecret }}
{{- end }}
{{- if and $v.kafka.tls.enabled (has .role (list "collector" "ingest" "detectors" "shadow-runner")) }}
{{- if $v.kafka.tls.caSecret }}
- name: tls-kafka-ca
  secret:
    secretName: {{ $v.kafka.tls.caSecret }}
{{- end }}
{{- if $v.kafka.tls.clientCertSecret }}
- name: tls-kafka-client
  secret:
    secretName: {{ $v.kafka.tls.clientCertSecret }}
    defaultMode: 0440
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{- define "osprey.probes" -}}
{{- $v := .Values }}
{{- range $kind, $settings := dict "readiness" $v.probes.readiness "liveness" $v.probes.liveness "startup" $v.probes.startup }}
{{ $kind }}Probe:
  httpGet:
    path: /healthz
    port: http
    scheme: {{ include "osprey.scheme" $ }}
  {{- toYaml $settings | nindent 2 }}
{{- end }}
{{- end }}

{{/* The pod spec shared by the role Deployments and the embedded StatefulSet. */}}
{{- define "osprey.podSpec" -}}
{{- $root := .root }}
{{- $v := $root.Values }}
{{- $settings := ternary $v.embedded (index $v.roles .role | default dict) (eq .role "embedded") }}
serviceAccountName: {{ include "osprey.serviceAccountName" $root }}
automountServiceAccountToken: false
{{- with $v.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml $v.podSecurityContext | nindent 2 }}
terminationGracePeriodSeconds: 30
containers:
  - name: osprey
    image: {{ include "osprey.image" $root | quote }}
    imagePullPolicy: {{ $v.image.pullPolicy }}
    args:
      {{- if eq .role "embedded" }}
      - start
      {{- if $v.embedded.demo }}
      - --demo
      {{- end }}
      {{- else }}
      - {{ .role }}
      {{- end }}
    ports:
      - name: http
        containerPort: {{ $v.port }}
        protocol: TCP
    env:
      {{- include "osprey.env" . | trim | nindent 6 }}
    {{- include "osprey.probes" $root | trim | nindent 4 }}
    resources:
      {{- toYaml $settings.resources | nindent 6 }}
    securityContext:
      {{- toYaml $v.securityContext | nindent 6 }}
    volumeMounts:
      {{- include "osprey.volumeMounts" . | trim | nindent 6 }}
volumes:
  {{- include "osprey.volumes" . | trim | nindent 2 }}
{{- with $settings.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $settings.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $settings.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* Annotations that restart pods when the chart's Secret changes. */}}
{{- define "osprey.podAnnotations" -}}
{{- $root := .root }}
{{- if not $root.Values.secrets.existingSecret }}
checksum/secret: {{ include (print $root.Template.BasePath "/secret.yaml") $root | sha256sum }}
{{- end }}
{{- with $root.Values.podAnnotations }}
{{ toYaml . }}
{{- end }}
{{- end }}
