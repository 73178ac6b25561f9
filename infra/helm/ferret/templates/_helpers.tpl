{{/*
Names: every object is "<prefix>-<component>[-worker]"; the prefix is the release name, or "<release>-ferret"
when the release name does not already say ferret.
*/}}
{{- define "ferret.prefix" -}}
{{- if contains "ferret" .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-ferret" .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "ferret.labels" -}}
app.kubernetes.io/name: ferret
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of one service's pods; role is "server" (gRPC Deployment) or "worker" (stage). */}}
{{- define "ferret.selector" -}}
app.kubernetes.io/name: ferret
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .svc.name }}
{{- if .role }}
ferret.dev/role: {{ .role }}
{{- end }}
{{- end -}}

{{/*
The enabled services as a JSON list: name, ports, env prefix, image and its worker stage. Ports, env prefixes,
queues, streams and consumers come from generated/stages.json (written from the code by
infra/helm/gen-values.mjs); the trainer's come from values until services/trainer exists.
*/}}
{{- define "ferret.services" -}}
{{- $gen := .Files.Get "generated/stages.json" | fromJson -}}
{{- $out := list -}}
{{- range $name := list "encoder" "ranker" "annotator" "evaluator" "trainer" -}}
{{- $v := index $.Values $name -}}
{{- if $v.enabled -}}
{{- $svc := dict "name" $name "fullname" (printf "%s-%s" (include "ferret.prefix" $) $name) -}}
{{- $stage := dict -}}
{{- $info := index $gen.services $name -}}
{{- $grpc := $v.config.grpc | default dict -}}
{{- $metrics := $v.config.metrics | default dict -}}
{{- $_ := set $svc "grpcPort" (int ($grpc.port | default $info.grpcPort)) -}}
{{- $_ := set $svc "metricsPort" (int ($metrics.port | default $info.metricsPort)) -}}
{{- $_ := set $svc "envPrefix" $info.envPrefix -}}
{{- /* The trainer runs its engine as a subprocess: Python, torch and the engine are in ferret-engine. */ -}}
{{- $_ := set $svc "image" (eq $name "trainer" | ternary "ferret-engine" (printf "ferret-%s" $name)) -}}
{{- range $stageName, $s := $gen.stages -}}
{{- if eq $s.service $name -}}
{{- /* The queue follows the service's config when the values rename it (same key the code reads). */ -}}
{{- $node := $v.config -}}
{{- range $key := splitList "." $s.queueKey -}}
{{- if kindIs "map" $node -}}{{- $node = index $node $key -}}{{- else -}}{{- $node = "" -}}{{- end -}}
{{- end -}}
{{- $queue := $s.queue -}}
{{- if $node -}}
{{- $queue = printf $s.queueFormat $node -}}
{{- end -}}
{{- $stage = dict "name" $stageName "queue" $queue "stream" (printf "%s%s" $gen.streamPrefix $queue) "consumer" $s.consumer "enableEnv" $s.enableEnv -}}
{{- end -}}
{{- end -}}
{{- $_ := set $svc "stage" $stage -}}
{{- $_ := set $svc "workerName" (printf "%s-worker" $svc.fullname) -}}
{{- $out = append $out $svc -}}
{{- end -}}
{{- end -}}
{{- $out | toJson -}}
{{- end -}}

{{- define "ferret.image" -}}
{{- $tag := .root.Values.image.tag | default .root.Chart.AppVersion -}}
{{- if .root.Values.image.registry -}}
{{- printf "%s/%s:%s" (trimSuffix "/" .root.Values.image.registry) .svc.image $tag -}}
{{- else -}}
{{- printf "%s:%s" .svc.image $tag -}}
{{- end -}}
{{- end -}}

{{/* The service's config file: what the chart wires (NATS, neighbours), then the values' config on top. */}}
{{- define "ferret.config" -}}
{{- $root := .root -}}
{{- $svc := .svc -}}
{{- $v := index $root.Values $svc.name -}}
{{- $c := dict "nats" (dict "url" $root.Values.nats.url) -}}
{{- if eq $svc.name "trainer" -}}
{{- /* Where ferret-engine has them (infra/images/build.sh). */ -}}
{{- $_ := set $c "engine" (dict "python" "/opt/python/bin/python3" "dir" "/app/engine") -}}
{{- end -}}
{{- if eq $svc.name "annotator" -}}
{{- $_ := set $c "opensearch" (dict "url" $root.Values.opensearch.url) -}}
{{- range $other := .all -}}
{{- if eq $other.name "encoder" -}}
{{- $_ := set $c "encoder" (dict "address" (printf "%s:%d" $other.fullname (int $other.grpcPort))) -}}
{{- end -}}
{{- end -}}
{{- $llm := dict -}}
{{- if $root.Values.llm.baseUrl -}}{{- $_ := set $llm "baseUrl" $root.Values.llm.baseUrl -}}{{- end -}}
{{- if $root.Values.llm.model -}}{{- $_ := set $llm "model" $root.Values.llm.model -}}{{- end -}}
{{- $_ := set $c "llm" $llm -}}
{{- $userLlm := ($v.config | default dict).llm | default dict -}}
{{- if not (or $userLlm.ggufPath (and ($userLlm.baseUrl | default $llm.baseUrl) ($userLlm.model | default $llm.model))) -}}
{{- fail "annotator: set llm.baseUrl and llm.model (an OpenAI-compatible server), or annotator.config.llm.ggufPath, or annotator.enabled=false" -}}
{{- end -}}
{{- end -}}
{{- mustMergeOverwrite $c (deepCopy ($v.config | default dict)) | toYaml -}}
{{- end -}}

{{- define "ferret.llmSecretName" -}}
{{- .Values.llm.existingSecret | default (printf "%s-llm" (include "ferret.prefix" .)) -}}
{{- end -}}
