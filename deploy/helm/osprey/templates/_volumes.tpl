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
