{{/*
A service pod: dict root, svc, all, role, worker ("true"/"false": the stage worker's flag; "": leave the
config's), v (the service's values), resources, nodeSelector, tolerations, gpus.
*/}}
{{- define "ferret.podTemplate" -}}
{{- $root := .root -}}
{{- $svc := .svc -}}
{{- $v := .v -}}
{{- $tls := $root.Values.grpc.tls -}}
{{- $probePort := ternary $root.Values.grpc.healthPort $svc.grpcPort (not (empty $tls.existingSecret)) -}}
metadata:
  labels:
    {{- include "ferret.selector" (dict "root" $root "svc" $svc "role" .role) | nindent 4 }}
  annotations:
    checksum/config: {{ include "ferret.config" (dict "root" $root "svc" $svc "all" .all) | sha256sum }}
    {{- if $root.Values.metrics.annotations }}
    prometheus.io/scrape: "true"
    prometheus.io/port: {{ $svc.metricsPort | quote }}
    prometheus.io/path: /metrics
    {{- end }}
spec:
  serviceAccountName: {{ $svc.fullname }}
  automountServiceAccountToken: false
  {{- with $root.Values.image.pullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    {{- toYaml $root.Values.podSecurityContext | nindent 4 }}
  terminationGracePeriodSeconds: {{ eq .role "worker" | ternary 75 30 }}
  containers:
    - name: {{ $svc.name }}
      image: {{ include "ferret.image" (dict "root" $root "svc" $svc) }}
      imagePullPolicy: {{ $root.Values.image.pullPolicy }}
      securityContext:
        {{- toYaml $root.Values.securityContext | nindent 8 }}
      ports:
        - name: grpc
          containerPort: {{ $svc.grpcPort }}
          protocol: TCP
        - name: metrics
          containerPort: {{ $svc.metricsPort }}
          protocol: TCP
        {{- if $tls.existingSecret }}
        - name: grpc-health
          containerPort: {{ $root.Values.grpc.healthPort }}
          protocol: TCP
        {{- end }}
      env:
        - name: {{ $svc.envPrefix }}CONFIG
          value: /etc/ferret/config.yaml
        {{- if .worker }}
        - name: {{ $svc.stage.enableEnv }}
          value: {{ .worker | quote }}
        {{- end }}
        {{- $na := $root.Values.nats.auth }}
        {{- if $na.existingSecret }}
        {{- if $na.urlKey }}
        - name: {{ $svc.envPrefix }}NATS__URL
          valueFrom:
            secretKeyRef:
              name: {{ $na.existingSecret }}
              key: {{ $na.urlKey }}
        {{- end }}
        {{- if $na.passwordKey }}
        - name: {{ $svc.envPrefix }}NATS__USER
          value: {{ required "nats.auth.user is needed with nats.auth.passwordKey" $na.user | quote }}
        - name: {{ $svc.envPrefix }}NATS__PASSWORD
          valueFrom:
            secretKeyRef:
              name: {{ $na.existingSecret }}
              key: {{ $na.passwordKey }}
        {{- end }}
        {{- if $na.tokenKey }}
        - name: {{ $svc.envPrefix }}NATS__TOKEN
          valueFrom:
            secretKeyRef:
              name: {{ $na.existingSecret }}
              key: {{ $na.tokenKey }}
        {{- end }}
        {{- if $na.credsKey }}
        - name: {{ $svc.envPrefix }}NATS__CREDS_FILE
          value: /etc/ferret/nats-auth/{{ $na.credsKey }}
        {{- end }}
        {{- end }}
        {{- if $root.Values.nats.tls.existingSecret }}
        - name: {{ $svc.envPrefix }}NATS__TLS__CA_FILE
          value: /etc/ferret/nats-tls/ca.crt
        {{- if $root.Values.nats.tls.clientCert }}
        - name: {{ $svc.envPrefix }}NATS__TLS__CERT_FILE
          value: /etc/ferret/nats-tls/tls.crt
        - name: {{ $svc.envPrefix }}NATS__TLS__KEY_FILE
          value: /etc/ferret/nats-tls/tls.key
        {{- end }}
        {{- end }}
        {{- if $tls.existingSecret }}
        - name: {{ $svc.envPrefix }}GRPC__TLS__CERT_FILE
          value: /etc/ferret/grpc-tls/tls.crt
        - name: {{ $svc.envPrefix }}GRPC__TLS__KEY_FILE
          value: /etc/ferret/grpc-tls/tls.key
        - name: {{ $svc.envPrefix }}GRPC__TLS__CA_FILE
          value: /etc/ferret/grpc-tls/ca.crt
        - name: {{ $svc.envPrefix }}GRPC__TLS__CLIENT_AUTH
          value: {{ $tls.clientAuth | default "none" | quote }}
        - name: {{ $svc.envPrefix }}GRPC__HEALTH_PORT
          value: {{ $root.Values.grpc.healthPort | quote }}
        {{- if or (eq $svc.name "annotator") (eq $svc.name "trainer") }}
        {{- /* The services that dial the encoder: trust the CA; under mutual TLS, present the certificate. */}}
        - name: {{ $svc.envPrefix }}ENCODER__TLS__CA_FILE
          value: /etc/ferret/grpc-tls/ca.crt
        {{- if eq $tls.clientAuth "require" }}
        - name: {{ $svc.envPrefix }}ENCODER__TLS__CERT_FILE
          value: /etc/ferret/grpc-tls/tls.crt
        - name: {{ $svc.envPrefix }}ENCODER__TLS__KEY_FILE
          value: /etc/ferret/grpc-tls/tls.key
        {{- end }}
        {{- end }}
        {{- end }}
        {{- if and (eq $svc.name "annotator") (or $root.Values.llm.existingSecret $root.Values.llm.apiKey) }}
        - name: FERRET_ANNOTATOR_LLM__API_KEY
          valueFrom:
            secretKeyRef:
              name: {{ include "ferret.llmSecretName" $root }}
              key: {{ $root.Values.llm.apiKeyKey }}
        {{- end }}
      startupProbe:
        grpc:
          port: {{ $probePort }}
        periodSeconds: 5
        failureThreshold: 60
      readinessProbe:
        grpc:
          port: {{ $probePort }}
        periodSeconds: 10
        failureThreshold: 2
      livenessProbe:
        grpc:
          port: {{ $probePort }}
        periodSeconds: 20
        timeoutSeconds: 5
        failureThreshold: 3
      resources:
        {{- $res := deepCopy (.resources | default dict) }}
        {{- if gt (int .gpus) 0 }}
        {{- $limits := $res.limits | default dict }}
        {{- $_ := set $limits "nvidia.com/gpu" (int .gpus) }}
        {{- $requests := $res.requests | default dict }}
        {{- $_ := set $requests "nvidia.com/gpu" (int .gpus) }}
        {{- $_ := set $res "limits" $limits }}
        {{- $_ := set $res "requests" $requests }}
        {{- end }}
        {{- toYaml $res | nindent 8 }}
      volumeMounts:
        - name: config
          mountPath: /etc/ferret
          readOnly: true
        - name: data
          mountPath: /var/lib/ferret
        - name: tmp
          mountPath: /tmp
        {{- if and $v.models $v.models.claimName }}
        - name: models
          mountPath: {{ $v.models.mountPath }}
          readOnly: true
        {{- end }}
        {{- if and $na.existingSecret $na.credsKey }}
        - name: nats-auth
          mountPath: /etc/ferret/nats-auth
          readOnly: true
        {{- end }}
        {{- if $root.Values.nats.tls.existingSecret }}
        - name: nats-tls
          mountPath: /etc/ferret/nats-tls
          readOnly: true
        {{- end }}
        {{- if $tls.existingSecret }}
        - name: grpc-tls
          mountPath: /etc/ferret/grpc-tls
          readOnly: true
        {{- end }}
  volumes:
    - name: config
      configMap:
        name: {{ $svc.fullname }}
    - name: data
      emptyDir: {}
    - name: tmp
      emptyDir:
        medium: Memory
        sizeLimit: 256Mi
    {{- if and $v.models $v.models.claimName }}
    - name: models
      persistentVolumeClaim:
        claimName: {{ $v.models.claimName }}
        readOnly: true
    {{- end }}
    {{- if and $na.existingSecret $na.credsKey }}
    - name: nats-auth
      secret:
        secretName: {{ $na.existingSecret }}
        items:
          - key: {{ $na.credsKey }}
            path: {{ $na.credsKey }}
    {{- end }}
    {{- if $root.Values.nats.tls.existingSecret }}
    - name: nats-tls
      secret:
        secretName: {{ $root.Values.nats.tls.existingSecret }}
    {{- end }}
    {{- if $tls.existingSecret }}
    - name: grpc-tls
      secret:
        secretName: {{ $tls.existingSecret }}
    {{- end }}
  {{- with .nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $v.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}
