{{- define "mesh-app-lib.service" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "mesh-app-lib.fullname" . }}
  labels:
    {{- include "mesh-app-lib.labels" . | nindent 4 }}
spec:
  type: ClusterIP
  selector:
    {{- include "mesh-app-lib.selectorLabels" . | nindent 4 }}
  ports:
    - name: http
      port: {{ .Values.port }}
      targetPort: http
      protocol: TCP
{{- end -}}

{{- define "mesh-app-lib.servicemonitor" -}}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ include "mesh-app-lib.fullname" . }}
  labels:
    {{- include "mesh-app-lib.labels" . | nindent 4 }}
    {{- with .Values.serviceMonitor.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  selector:
    matchLabels:
      {{- include "mesh-app-lib.selectorLabels" . | nindent 6 }}
  endpoints:
    - port: http
      path: /metrics
      interval: {{ .Values.serviceMonitor.interval }}
      scrapeTimeout: {{ .Values.serviceMonitor.scrapeTimeout }}
{{- end -}}

{{/* Keeps a consumer group from losing all its members at once to a node drain. */}}
{{- define "mesh-app-lib.pdb" -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "mesh-app-lib.fullname" . }}
  labels:
    {{- include "mesh-app-lib.labels" . | nindent 4 }}
spec:
  maxUnavailable: {{ .Values.pdb.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "mesh-app-lib.selectorLabels" . | nindent 6 }}
{{- end -}}
