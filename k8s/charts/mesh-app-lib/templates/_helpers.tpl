{{/* Names and labels shared by every resource of an app. */}}
{{- define "mesh-app-lib.name" -}}
{{- required "values.app is required (the app's name, e.g. sink-postgres)" .Values.app | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "mesh-app-lib.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- include "mesh-app-lib.name" . -}}
{{- end -}}
{{- end -}}

{{- define "mesh-app-lib.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mesh-app-lib.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "mesh-app-lib.labels" -}}
{{ include "mesh-app-lib.selectorLabels" . }}
app.kubernetes.io/part-of: ingest-mesh
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* The consumer group the app commits as (mesh.<app> unless set), which KEDA scales on. */}}
{{- define "mesh-app-lib.group" -}}
{{- .Values.kafka.group | default (printf "mesh.%s" (include "mesh-app-lib.name" .)) -}}
{{- end -}}

{{/*
Secrets go by reference only: a plain env value whose name says it is a secret stops the render,
so a token never lands in a values file, a ConfigMap or `helm get values`.
*/}}
{{- define "mesh-app-lib.checkEnv" -}}
{{- range $name, $value := .Values.env -}}
{{- if regexMatch "(TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?|HEADERS)($|_)" $name -}}
{{- fail (printf "env.%s looks like a secret: put it under secretEnv as { secret: <Secret name>, key: <key> }" $name) -}}
{{- end -}}
{{- if regexMatch "://[^/:@]+:[^/@]+@" (toString $value) -}}
{{- fail (printf "env.%s holds a URL with a password: put it under secretEnv" $name) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
Every resource of an app: what each app chart's templates/app.yaml includes. The app's values
are laid over the defaults below, so an app's values.yaml holds only what differs.
*/}}
{{- define "mesh-app-lib.all" -}}
{{- $values := mergeOverwrite (fromYaml (include "mesh-app-lib.defaults" .)) (deepCopy .Values) -}}
{{- $ctx := dict "Values" $values "Release" .Release "Chart" .Chart "Capabilities" .Capabilities -}}
{{ include "mesh-app-lib.checkEnv" $ctx }}
{{- include "mesh-app-lib.deployment" $ctx }}
---
{{ include "mesh-app-lib.service" $ctx }}
{{- if $values.serviceMonitor.enabled }}
---
{{ include "mesh-app-lib.servicemonitor" $ctx }}
{{- end }}
{{- if $values.pdb.enabled }}
---
{{ include "mesh-app-lib.pdb" $ctx }}
{{- end }}
{{- if $values.autoscaling.enabled }}
---
{{- if $values.autoscaling.keda.enabled }}
{{ include "mesh-app-lib.scaledobject" $ctx }}
{{- else }}
{{ include "mesh-app-lib.hpa" $ctx }}
{{- end }}
{{- end }}
{{- end -}}
