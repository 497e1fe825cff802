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
