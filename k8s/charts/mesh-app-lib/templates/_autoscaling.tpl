{{/*
KEDA's Kafka scaler on the app's consumer group: replicas follow the group's lag on its topic,
capped by maxReplicas (set it to at most the topic's partitions: more members than partitions idle).
*/}}
{{- define "mesh-app-lib.scaledobject" -}}
{{- $a := .Values.autoscaling -}}
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: {{ include "mesh-app-lib.fullname" . }}
  labels:
    {{- include "mesh-app-lib.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    name: {{ include "mesh-app-lib.fullname" . }}
  minReplicaCount: {{ $a.minReplicas }}
  maxReplicaCount: {{ $a.maxReplicas }}
  pollingInterval: {{ $a.keda.pollingInterval }}
  cooldownPeriod: {{ $a.keda.cooldownPeriod }}
  advanced:
    horizontalPodAutoscalerConfig:
      behavior:
        # Scale in slowly: every scale-in is a rebalance of the group.
        scaleDown:
          stabilizationWindowSeconds: 300
          policies: [{ type: Pods, value: 1, periodSeconds: 120 }]
  triggers:
    - type: kafka
      metadata:
        bootstrapServers: {{ required "kafka.brokers is required for the KEDA Kafka scaler" .Values.kafka.brokers | quote }}
        consumerGroup: {{ include "mesh-app-lib.group" . | quote }}
        {{- with .Values.kafka.topic }}
        topic: {{ . | quote }}
        {{- end }}
        lagThreshold: {{ $a.lagThreshold | quote }}
        activationLagThreshold: {{ $a.keda.activationLagThreshold | quote }}
        offsetResetPolicy: earliest
        allowIdleConsumers: "false"
      {{- with $a.keda.authenticationRef }}
      authenticationRef:
        name: {{ . }}
      {{- end }}
{{- end -}}

{{/*
Without KEDA: an autoscaling/v2 HPA, on CPU by default; with autoscaling.hpa.lagMetric, on the
group's lag as an External metric (ingest_consumer_lag_records served by an adapter such as
prometheus-adapter), the same signal KEDA would use.
*/}}
{{- define "mesh-app-lib.hpa" -}}
{{- $a := .Values.autoscaling -}}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "mesh-app-lib.fullname" . }}
  labels:
    {{- include "mesh-app-lib.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "mesh-app-lib.fullname" . }}
  minReplicas: {{ $a.minReplicas }}
  maxReplicas: {{ $a.maxReplicas }}
  metrics:
    {{- if $a.hpa.lagMetric }}
    - type: External
      external:
        metric:
          name: ingest_consumer_lag_records
          selector:
            matchLabels: { group: {{ include "mesh-app-lib.group" . | quote }} }
        target: { type: AverageValue, averageValue: {{ $a.lagThreshold | quote }} }
    {{- end }}
    - type: Resource
      resource:
        name: cpu
        target: { type: Utilization, averageUtilization: {{ $a.cpuUtilization }} }
  behavior:
    scaleDown:
      stabilizationWindowSeconds: 300
      policies: [{ type: Pods, value: 1, periodSeconds: 120 }]
{{- end -}}
