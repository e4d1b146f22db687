{{/* Defaults of every app's values; the app chart's values.yaml overrides any of them. */}}
{{- define "mesh-app-lib.defaults" -}}
app: ""
fullnameOverride: ""
image:
  repository: ghcr.io/ingest-mesh/app
  tag: ""                 # defaults to the chart's appVersion
  pullPolicy: IfNotPresent
imagePullSecrets: []
command: []               # the image's entrypoint unless set
port: 8080
replicas: 2               # used when autoscaling is off
terminationGracePeriodSeconds: 45
podAnnotations: {}
nodeSelector: {}
tolerations: []
kafka:
  brokers: ""             # KAFKA_BROKERS, also KEDA's bootstrapServers
  topic: ""               # the topic whose lag scales the app (empty: every topic of the group)
  group: ""               # default mesh.<app>
env: {}                   # plain settings only; the render fails on secret-looking names
# OpenTelemetry traces over OTLP/HTTP (the standard OTEL_* variables); off while endpoint is empty.
# An API key for the collector (OTEL_EXPORTER_OTLP_HEADERS) goes in secretEnv.
tracing:
  endpoint: ""            # OTEL_EXPORTER_OTLP_ENDPOINT, e.g. http://otel-collector.observability:4318
  sampler: parentbased_traceidratio   # OTEL_TRACES_SAMPLER: the first app of a trace decides, the rest follow
  ratio: "0.01"           # OTEL_TRACES_SAMPLER_ARG
# Secrets by reference only: NAME: { secret: <Secret>, key: <key>, optional? } becomes a secretKeyRef.
secretEnv: {}
# MESH_ADMIN_TOKEN and MESH_CONTROL_SECRET of every app, from one Secret (unless set in secretEnv).
meshSecrets:
  enabled: true
  secret: ingest-mesh
  adminTokenKey: admin-token
  controlSecretKey: control-secret
resources:
  requests: { cpu: 100m, memory: 192Mi }
  limits: { memory: 512Mi }
securityContext:
  runAsUser: 10001
serviceMonitor:
  enabled: true
  interval: 15s
  scrapeTimeout: 10s
  labels: {}
pdb:
  enabled: true
  maxUnavailable: 1
autoscaling:
  enabled: true
  minReplicas: 1
  maxReplicas: 6          # at most the partitions of kafka.topic
  lagThreshold: 1000      # records of lag per replica
  cpuUtilization: 75      # the HPA fallback's target when KEDA is off
  hpa:
    lagMetric: false      # the fallback HPA also scales on the group's lag (External metric via an adapter)
  keda:
    enabled: true
    pollingInterval: 30
    cooldownPeriod: 300
    activationLagThreshold: 10
    authenticationRef: ""  # a TriggerAuthentication for SASL/TLS brokers
{{- end -}}
