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
