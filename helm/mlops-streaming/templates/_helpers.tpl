{{/*
Chart name, or nameOverride. Truncated to 63 characters (the DNS label limit).
*/}}
{{- define "mlops.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Release-qualified name used as the prefix of every resource name.
The release name alone is used when it already contains the chart name.
*/}}
{{- define "mlops.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
Chart name and version for the helm.sh/chart label.
*/}}
{{- define "mlops.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Names of the service blocks in values.yaml, comma-separated; split with splitList ",".
*/}}
{{- define "mlops.componentNames" -}}
ingestion,features,inference,labeljoin,drift,alerting
{{- end -}}

{{/*
Name of one service's resources.
Usage: {{ include "mlops.componentFullname" (dict "context" $ "component" "ingestion") }}
*/}}
{{- define "mlops.componentFullname" -}}
{{- printf "%s-%s" (include "mlops.fullname" .context) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Selector labels: stable for the life of a release, so never include versions or commonLabels.
Usage: {{ include "mlops.selectorLabels" (dict "context" $ "component" "ingestion") }}
component may be omitted for chart-wide resources.
*/}}
{{- define "mlops.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mlops.name" .context }}
app.kubernetes.io/instance: {{ .context.Release.Name }}
{{- with .component }}
app.kubernetes.io/component: {{ . }}
{{- end }}
{{- end -}}

{{/*
Full label set: selector labels, app.kubernetes.io/*, helm.sh/chart, then global.commonLabels.
A commonLabels key never overrides a label the chart sets itself.
Usage: {{ include "mlops.labels" (dict "context" $ "component" "ingestion") }}
*/}}
{{- define "mlops.labels" -}}
{{- $ctx := .context -}}
{{- $labels := dict
      "helm.sh/chart" (include "mlops.chart" $ctx)
      "app.kubernetes.io/version" (toString $ctx.Chart.AppVersion)
      "app.kubernetes.io/managed-by" $ctx.Release.Service
      "app.kubernetes.io/part-of" "mlops-streaming" -}}
{{- $labels = merge $labels (include "mlops.selectorLabels" . | fromYaml) ($ctx.Values.global.commonLabels | default dict) -}}
{{- toYaml $labels -}}
{{- end -}}

{{/*
Image reference for one service: [registry/][repositoryPrefix/]repository:tag.
The tag falls back to global.image.tag, then .Chart.AppVersion; a "sha256:" tag becomes a digest.
Usage: {{ include "mlops.image" (dict "context" $ "component" "ingestion") }}
*/}}
{{- define "mlops.image" -}}
{{- $global := .context.Values.global.image | default dict -}}
{{- $image := (index .context.Values .component).image | default dict -}}
{{- $repository := $image.repository -}}
{{- with $global.repositoryPrefix -}}
{{- $repository = printf "%s/%s" (trimSuffix "/" .) $repository -}}
{{- end -}}
{{- with $global.registry -}}
{{- $repository = printf "%s/%s" (trimSuffix "/" .) $repository -}}
{{- end -}}
{{- $tag := $image.tag | default $global.tag | default .context.Chart.AppVersion | toString -}}
{{- printf "%s%s%s" $repository (ternary "@" ":" (hasPrefix "sha256:" $tag)) $tag -}}
{{- end -}}

{{/*
Pull policy for one service: its own, else global.image.pullPolicy, else IfNotPresent.
Usage: {{ include "mlops.imagePullPolicy" (dict "context" $ "component" "ingestion") }}
*/}}
{{- define "mlops.imagePullPolicy" -}}
{{- $image := (index .context.Values .component).image | default dict -}}
{{- $image.pullPolicy | default .context.Values.global.image.pullPolicy | default "IfNotPresent" -}}
{{- end -}}

{{/*
Redis connection string for REDIS_URL: global.redis.url, else redis://host:port.
The password never appears here; it comes from global.redis.existingSecret.
*/}}
{{- define "mlops.redisUrl" -}}
{{- $redis := .Values.global.redis -}}
{{- if $redis.url -}}
{{- $redis.url -}}
{{- else -}}
{{- printf "redis://%s:%d" $redis.host (int $redis.port) -}}
{{- end -}}
{{- end -}}

{{/*
Checks the values and fails once, listing every problem (so one run shows them all).
*/}}
{{- define "mlops.validateValues" -}}
{{- $messages := list -}}
{{- $global := .Values.global | default dict -}}

{{- $kafka := $global.kafka | default dict -}}
{{- if not $kafka.bootstrapServers -}}
{{- $messages = append $messages "global.kafka.bootstrapServers: must be set, e.g. \"kafka:9092\"." -}}
{{- end -}}
{{- $protocols := list "PLAINTEXT" "SSL" "SASL_PLAINTEXT" "SASL_SSL" -}}
{{- $protocol := $kafka.securityProtocol | default "PLAINTEXT" -}}
{{- if not (has $protocol $protocols) -}}
{{- $messages = append $messages (printf "global.kafka.securityProtocol: %q is not one of %s." $protocol (join ", " $protocols)) -}}
{{- end -}}
{{- if and (hasPrefix "SASL_" $protocol) (not $kafka.existingSecret) -}}
{{- $messages = append $messages (printf "global.kafka.existingSecret: must name a Secret with the SASL credentials when securityProtocol is %s." $protocol) -}}
{{- end -}}

{{- $registry := $global.schemaRegistry | default dict -}}
{{- if not $registry.url -}}
{{- $messages = append $messages "global.schemaRegistry.url: must be set, e.g. \"http://schema-registry:8081\"." -}}
{{- else if not (regexMatch "^https?://" $registry.url) -}}
{{- $messages = append $messages (printf "global.schemaRegistry.url: %q must be an absolute http(s) URL." $registry.url) -}}
{{- end -}}

{{- $redis := $global.redis | default dict -}}
{{- if and (not $redis.url) (not $redis.host) -}}
{{- $messages = append $messages "global.redis: set url (e.g. \"redis://redis:6379\") or host and port." -}}
{{- else if and (not $redis.url) (or (lt (int $redis.port) 1) (gt (int $redis.port) 65535)) -}}
{{- $messages = append $messages "global.redis.port: must be between 1 and 65535 when url is empty." -}}
{{- end -}}

{{- range $component := splitList "," (include "mlops.componentNames" $) -}}
{{- $svc := index $.Values $component -}}
{{- if not $svc -}}
{{- $messages = append $messages (printf "%s: the service block is missing." $component) -}}
{{- else if $svc.enabled -}}
{{- if lt (int $svc.replicaCount) 1 -}}
{{- $messages = append $messages (printf "%s.replicaCount: must be at least 1 while %s is enabled (got %v)." $component $component $svc.replicaCount) -}}
{{- end -}}
{{- if not ($svc.image | default dict).repository -}}
{{- $messages = append $messages (printf "%s.image.repository: must be set." $component) -}}
{{- end -}}
{{- $hpa := $svc.autoscaling | default dict -}}
{{- if and $hpa.enabled (gt (int $hpa.minReplicas) (int $hpa.maxReplicas)) -}}
{{- $messages = append $messages (printf "%s.autoscaling: minReplicas (%v) is greater than maxReplicas (%v)." $component $hpa.minReplicas $hpa.maxReplicas) -}}
{{- end -}}
{{- $pdb := $svc.podDisruptionBudget | default dict -}}
{{- if and $pdb.enabled (not (kindIs "invalid" $pdb.minAvailable)) (ne (toString $pdb.minAvailable) "") (not (kindIs "invalid" $pdb.maxUnavailable)) (ne (toString $pdb.maxUnavailable) "") -}}
{{- $messages = append $messages (printf "%s.podDisruptionBudget: set minAvailable or maxUnavailable, not both." $component) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- if $messages -}}
{{- printf "\nVALUES VALIDATION:\n  - %s" (join "\n  - " $messages) | fail -}}
{{- end -}}
{{- end -}}
