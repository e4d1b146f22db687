{{- define "mesh-app-lib.deployment" -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "mesh-app-lib.fullname" . }}
  labels:
    {{- include "mesh-app-lib.labels" . | nindent 4 }}
spec:
  {{- if not .Values.autoscaling.enabled }}
  replicas: {{ .Values.replicas }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "mesh-app-lib.selectorLabels" . | nindent 6 }}
  strategy:
    type: RollingUpdate
    rollingUpdate: { maxSurge: 1, maxUnavailable: 0 }
  template:
    metadata:
      labels:
        {{- include "mesh-app-lib.labels" . | nindent 8 }}
      {{- with .Values.podAnnotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    spec:
      # Longer than MESH_SHUTDOWN_DEADLINE_MS: the runtime commits what it handled and leaves the group.
      terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds }}
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        runAsUser: {{ .Values.securityContext.runAsUser }}
        runAsGroup: {{ .Values.securityContext.runAsUser }}
        fsGroup: {{ .Values.securityContext.runAsUser }}
        seccompProfile: { type: RuntimeDefault }
      {{- with .Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: {{ include "mesh-app-lib.name" . }}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          {{- with .Values.command }}
          command:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          ports:
            - name: http
              containerPort: {{ .Values.port }}
              protocol: TCP
          env:
            - name: MESH_HTTP_HOST
              value: "0.0.0.0"
            - name: MESH_HTTP_PORT
              value: {{ .Values.port | quote }}
            - name: MESH_INSTANCE_ID
              valueFrom:
                fieldRef: { fieldPath: metadata.name }
            {{- with .Values.kafka.brokers }}
            - name: KAFKA_BROKERS
              value: {{ . | quote }}
            {{- end }}
            {{- with .Values.tracing }}
            {{- if .endpoint }}
            - name: OTEL_EXPORTER_OTLP_ENDPOINT
              value: {{ .endpoint | quote }}
            - name: OTEL_TRACES_SAMPLER
              value: {{ .sampler | quote }}
            - name: OTEL_TRACES_SAMPLER_ARG
              value: {{ .ratio | toString | quote }}
            {{- end }}
            {{- end }}
            {{- range $name, $value := .Values.env }}
            - name: {{ $name }}
              value: {{ $value | toString | quote }}
            {{- end }}
            {{- $m := .Values.meshSecrets }}
            {{- if $m.enabled }}
            {{- range $name, $key := dict "MESH_ADMIN_TOKEN" $m.adminTokenKey "MESH_CONTROL_SECRET" $m.controlSecretKey }}
            {{- if not (hasKey $.Values.secretEnv $name) }}
            - name: {{ $name }}
              valueFrom:
                secretKeyRef: { name: {{ $m.secret }}, key: {{ $key }} }
            {{- end }}
            {{- end }}
            {{- end }}
            {{- range $name, $ref := .Values.secretEnv }}
            - name: {{ $name }}
              valueFrom:
                secretKeyRef:
                  name: {{ required (printf "secretEnv.%s.secret is required" $name) $ref.secret }}
                  key: {{ required (printf "secretEnv.%s.key is required" $name) $ref.key }}
                  {{- if $ref.optional }}
                  optional: true
                  {{- end }}
            {{- end }}
          startupProbe:
            httpGet: { path: /health/live, port: http }
            periodSeconds: 5
            failureThreshold: 24
          livenessProbe:
            httpGet: { path: /health/live, port: http }
            periodSeconds: 10
            timeoutSeconds: 3
            failureThreshold: 3
          # Not ready while draining or before the group is joined: the Service stops sending webhooks.
          readinessProbe:
            httpGet: { path: /health/ready, port: http }
            periodSeconds: 5
            timeoutSeconds: 3
            failureThreshold: 2
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            runAsNonRoot: true
            capabilities: { drop: [ALL] }
          volumeMounts:
            # The only writable path: Node's and libraries' temporary files.
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: tmp
          emptyDir: { sizeLimit: 64Mi }
      {{- with .Values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              {{- include "mesh-app-lib.selectorLabels" . | nindent 14 }}
{{- end -}}
