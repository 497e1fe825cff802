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
{{- if $v.clickhouse.cluster }}
- name: OSPREY_CLICKHOUSE_CLUSTER
  value: {{ $v.clickhouse.cluster | quote }}
{{- end }}
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
