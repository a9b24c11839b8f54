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
ingestion,features,inference,labeljoin,drift,alerting,rollout
{{- end -}}

{{/*
Names of the service blocks that are deployed (present in values and enabled), comma-separated;
empty when none is. Split with splitList "," and drop the empty string with compact.
*/}}
{{- define "mlops.enabledComponents" -}}
{{- $enabled := list -}}
{{- range $component := splitList "," (include "mlops.componentNames" .) -}}
{{- $svc := index $.Values $component -}}
{{- if and (kindIs "map" $svc) $svc.enabled -}}
{{- $enabled = append $enabled $component -}}
{{- end -}}
{{- end -}}
{{- join "," $enabled -}}
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
Where the spec is mounted in every container; MLOPS_SPEC is the file in it.
A directory mount, not subPath: only directory mounts see ConfigMap updates, which the services hot-reload.
*/}}
{{- define "mlops.specMountPath" -}}
/etc/mlops/spec
{{- end -}}

{{- define "mlops.specPath" -}}
{{- include "mlops.specMountPath" . }}/spec.yaml
{{- end -}}

{{/*
ConfigMap holding the spec: global.spec.existingConfigMap, else the chart's own "<fullname>-spec".
*/}}
{{- define "mlops.specConfigMapName" -}}
{{- $spec := .Values.global.spec | default dict -}}
{{- if $spec.existingConfigMap -}}
{{- $spec.existingConfigMap -}}
{{- else -}}
{{- include "mlops.componentFullname" (dict "context" . "component" "spec") -}}
{{- end -}}
{{- end -}}

{{/*
Key of the spec in that ConfigMap: global.spec.existingConfigMapKey for an existing one, else spec.yaml.
*/}}
{{- define "mlops.specConfigMapKey" -}}
{{- $spec := .Values.global.spec | default dict -}}
{{- if $spec.existingConfigMap -}}
{{- $spec.existingConfigMapKey | default "spec.yaml" -}}
{{- else -}}
spec.yaml
{{- end -}}
{{- end -}}

{{/*
Names of the service blocks that serve models, comma-separated: they cannot start without a model store, so
validation requires models.existingClaim or models.volume while they are enabled. Any other block may carry an
optional `models` block too; it is mounted the same way when it names a store.
*/}}
{{- define "mlops.modelComponents" -}}
inference
{{- end -}}

{{/*
Volume source of one service block's model store (its `models` block), as YAML without the volume name; empty when
the block names no store. existingClaim becomes a read-only persistentVolumeClaim; volume is used as is.
Usage: {{ include "mlops.modelsVolumeSource" $svc }}
*/}}
{{- define "mlops.modelsVolumeSource" -}}
{{- $models := .models | default dict -}}
{{- if $models.existingClaim -}}
persistentVolumeClaim:
  claimName: {{ $models.existingClaim | quote }}
  readOnly: true
{{- else if $models.volume -}}
{{- toYaml $models.volume -}}
{{- end -}}
{{- end -}}

{{/*
Where one service block's model store is mounted (and MLOPS_MODELS_DIR points): models.mountPath, else
/var/lib/mlops/models. Usage: {{ include "mlops.modelsMountPath" $svc }}
*/}}
{{- define "mlops.modelsMountPath" -}}
{{- (.models | default dict).mountPath | default "/var/lib/mlops/models" -}}
{{- end -}}

{{/*
One line naming one service block's model store for NOTES.txt, e.g. "PersistentVolumeClaim mlops-models".
*/}}
{{- define "mlops.modelsDescription" -}}
{{- $models := .models | default dict -}}
{{- if $models.existingClaim -}}
PersistentVolumeClaim {{ $models.existingClaim }}
{{- else if kindIs "map" $models.volume -}}
{{ keys $models.volume | sortAlpha | join "/" }} volume
{{- end -}}
{{- end -}}

{{/*
global.redis.url as it must look: redis:// or rediss://, optional user[:password]@, host, optional :port and /db.
Groups: 1 scheme, 2 user, 3 password, 4 host, 5 port, 6 db.
*/}}
{{- define "mlops.redisUrlPattern" -}}
^(rediss?)://(?:([^:@/]*)(?::([^@/]*))?@)?(\[[0-9A-Fa-f:.]+\]|[^:/@\[\]]+)(?::([0-9]{1,5}))?(?:/([0-9]*))?$
{{- end -}}

{{/*
StackExchange.Redis configuration string (what the services turn REDIS_URL into) for global.redis, without a
password: host:port[,user=U][,defaultDatabase=N][,ssl=true]. Used when the password comes from existingSecret,
because a secret can only be appended to a connection string (as ",password=$(REDIS_PASSWORD)"), not URL-encoded into it.
*/}}
{{- define "mlops.redisConfiguration" -}}
{{- $redis := .Values.global.redis -}}
{{- $pattern := include "mlops.redisUrlPattern" . -}}
{{- if and $redis.url (regexMatch $pattern $redis.url) -}}
{{- $url := $redis.url -}}
{{- $host := regexReplaceAll $pattern $url "${4}" -}}
{{- $port := regexReplaceAll $pattern $url "${5}" | default "6379" -}}
{{- $user := regexReplaceAll $pattern $url "${2}" -}}
{{- $db := regexReplaceAll $pattern $url "${6}" -}}
{{- printf "%s:%s" $host $port -}}
{{- with $user }},user={{ . }}{{ end -}}
{{- with $db }},defaultDatabase={{ . }}{{ end -}}
{{- if eq (regexReplaceAll $pattern $url "${1}") "rediss" }},ssl=true{{ end -}}
{{- else if $redis.url -}}
{{- $redis.url -}}
{{- else -}}
{{- printf "%s:%d" $redis.host (int $redis.port) -}}
{{- end -}}
{{- end -}}

{{/*
A service's `config` block as environment variables, one per leaf: nested keys joined with "__" (the .NET
configuration separator), list items by index. Renders a YAML list fragment (possibly empty).
Usage: {{ include "mlops.configEnv" (dict "prefix" "" "value" $svc.config) }}
*/}}
{{- define "mlops.configEnv" -}}
{{- $prefix := .prefix -}}
{{- if kindIs "map" .value -}}
{{- range $key, $value := .value -}}
{{- include "mlops.configEnv" (dict "prefix" (ternary $key (printf "%s__%s" $prefix $key) (eq $prefix "")) "value" $value) -}}
{{- end -}}
{{- else if kindIs "slice" .value -}}
{{- range $index, $value := .value -}}
{{- include "mlops.configEnv" (dict "prefix" (printf "%s__%d" $prefix $index) "value" $value) -}}
{{- end -}}
{{- else if and $prefix (not (kindIs "invalid" .value)) }}
- name: {{ $prefix | quote }}
  value: {{ .value | toString | quote }}
{{- end -}}
{{- end -}}

{{/*
Environment of one service's container, after envFrom (the common ConfigMap and the service's own envFrom):
the HTTP port, spec path and model store (when the block has one), credentials from the existingSecrets (never values), then config, env and extraEnv,
so the user's entries come last and win.
Usage: {{ include "mlops.containerEnv" (dict "context" $ "component" "ingestion") }}
*/}}
{{- define "mlops.containerEnv" -}}
{{- $ctx := .context -}}
{{- $global := $ctx.Values.global -}}
{{- $svc := index $ctx.Values .component -}}
- name: ASPNETCORE_HTTP_PORTS
  value: {{ include "mlops.servicePort" $svc | quote }}
- name: MLOPS_SPEC
  value: {{ include "mlops.specPath" $ctx | quote }}
{{- if include "mlops.modelsVolumeSource" $svc }}
- name: MLOPS_MODELS_DIR
  value: {{ include "mlops.modelsMountPath" $svc | quote }}
{{- end }}
{{- with $svc.gcGen0Size }}
{{- /* The runtime reads the gen0 budget only from the environment (a runtimeconfig property is ignored). */}}
- name: DOTNET_GCgen0size
  value: {{ . | quote }}
{{- end }}
{{- $kafka := $global.kafka | default dict -}}
{{- $protocol := $kafka.securityProtocol | default "PLAINTEXT" -}}
{{- if ne $protocol "PLAINTEXT" }}
{{- /* The services pass Kafka:Consumer:* and Kafka:Producer:* to librdkafka; the admin client (readiness) takes the producer's. */ -}}
{{- range $client := list "Consumer" "Producer" }}
- name: Kafka__{{ $client }}__security.protocol
  value: {{ $protocol | quote }}
{{- if hasPrefix "SASL_" $protocol }}
- name: Kafka__{{ $client }}__sasl.mechanism
  value: {{ $kafka.saslMechanism | quote }}
{{- with $kafka.existingSecret }}
- name: Kafka__{{ $client }}__sasl.username
  valueFrom:
    secretKeyRef:
      name: {{ . | quote }}
      key: {{ $kafka.existingSecretUsernameKey | default "username" | quote }}
- name: Kafka__{{ $client }}__sasl.password
  valueFrom:
    secretKeyRef:
      name: {{ . | quote }}
      key: {{ $kafka.existingSecretPasswordKey | default "password" | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- $registry := $global.schemaRegistry | default dict -}}
{{- with $registry.existingSecret }}
- name: SCHEMA_REGISTRY_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ . | quote }}
      key: {{ $registry.existingSecretUsernameKey | default "username" | quote }}
- name: SCHEMA_REGISTRY_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ . | quote }}
      key: {{ $registry.existingSecretPasswordKey | default "password" | quote }}
- name: SchemaRegistry__BasicAuthUserInfo
  value: "$(SCHEMA_REGISTRY_USERNAME):$(SCHEMA_REGISTRY_PASSWORD)"
{{- end }}
{{- $redis := $global.redis | default dict -}}
{{- with $redis.existingSecret }}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ . | quote }}
      key: {{ $redis.existingSecretPasswordKey | default "redis-password" | quote }}
{{- /* An explicit Redis__Configuration wins over the REDIS_URL of the common ConfigMap. */}}
- name: Redis__Configuration
  value: {{ printf "%s,password=$(REDIS_PASSWORD)" (include "mlops.redisConfiguration" $ctx) | quote }}
{{- end }}
{{- include "mlops.configEnv" (dict "prefix" "" "value" ($svc.config | default dict)) }}
{{- with $svc.env }}
{{ toYaml . }}
{{- end }}
{{- with $svc.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/*
HTTP port of one service block: service.port, else 8080. Usage: {{ include "mlops.servicePort" $svc }}
*/}}
{{- define "mlops.servicePort" -}}
{{- (.service | default dict).port | default 8080 | int -}}
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
{{- else if and $redis.url (not (regexMatch (include "mlops.redisUrlPattern" $) $redis.url)) -}}
{{- $messages = append $messages (printf "global.redis.url: %q must look like redis://host[:port][/db] or rediss://host[:port][/db]." (regexReplaceAll ":[^:@/]*@" $redis.url ":***@")) -}}
{{- else if and $redis.url $redis.existingSecret (ne (regexReplaceAll (include "mlops.redisUrlPattern" $) $redis.url "${3}") "") -}}
{{- $messages = append $messages "global.redis.url: holds a password while existingSecret is set; keep the password only in the Secret." -}}
{{- end -}}

{{- $enabled := compact (splitList "," (include "mlops.enabledComponents" $)) -}}
{{- $spec := $global.spec | default dict -}}
{{- if and $enabled (not $spec.content) (not $spec.existingConfigMap) -}}
{{- $messages = append $messages (printf "global.spec: set content (the spec YAML inline) or existingConfigMap (a ConfigMap holding it): the enabled services (%s) read the spec from MLOPS_SPEC and cannot start without it." (join ", " $enabled)) -}}
{{- else if and $spec.content $spec.existingConfigMap -}}
{{- $messages = append $messages "global.spec: set content or existingConfigMap, not both." -}}
{{- else if and $spec.existingConfigMap (not $spec.existingConfigMapKey) -}}
{{- $messages = append $messages "global.spec.existingConfigMapKey: must name the key holding the spec YAML in existingConfigMap." -}}
{{- else if and $spec.content (kindIs "string" $spec.content) (hasKey (fromYaml $spec.content) "Error") -}}
{{- $messages = append $messages (printf "global.spec.content: is not a valid YAML mapping: %s" (get (fromYaml $spec.content) "Error")) -}}
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
{{- if and (eq $component "rollout") (or (gt (int $svc.replicaCount) 1) $hpa.enabled) -}}
{{- $messages = append $messages "rollout: the rollout controller must run as one instance (replicaCount 1, autoscaling off): two would both publish every transition." -}}
{{- end -}}
{{- if and $hpa.enabled (gt (int $hpa.minReplicas) (int $hpa.maxReplicas)) -}}
{{- $messages = append $messages (printf "%s.autoscaling: minReplicas (%v) is greater than maxReplicas (%v)." $component $hpa.minReplicas $hpa.maxReplicas) -}}
{{- end -}}
{{- $models := $svc.models | default dict -}}
{{- if kindIs "map" $models -}}
{{- $volume := $models.volume | default dict -}}
{{- if and $models.existingClaim $volume -}}
{{- $messages = append $messages (printf "%s.models: set existingClaim or volume, not both." $component) -}}
{{- else if and (not $models.existingClaim) (not $volume) (has $component (splitList "," (include "mlops.modelComponents" $))) -}}
{{- $messages = append $messages (printf "%s.models: set existingClaim (a PersistentVolumeClaim, ReadOnlyMany, holding the registered ONNX artifacts as <name>/<version>/<file>.onnx) or volume (any other volume source, e.g. {nfs: {server: ..., path: ...}}): %s loads its models from MLOPS_MODELS_DIR and cannot start without a model store." $component $component) -}}
{{- else if and $volume (or (not (kindIs "map" $volume)) (ne (len $volume) 1)) -}}
{{- $messages = append $messages (printf "%s.models.volume: must be exactly one volume source, e.g. {nfs: {...}} or {csi: {...}} (the chart names the volume), got %s." $component (toJson $volume)) -}}
{{- end -}}
{{- if or $models.existingClaim $volume -}}
{{- $mountPath := include "mlops.modelsMountPath" $svc -}}
{{- if not (regexMatch "^/[^/]" $mountPath) -}}
{{- $messages = append $messages (printf "%s.models.mountPath: %q must be an absolute path below /." $component $mountPath) -}}
{{- else -}}
{{- range $taken := list "/tmp" (include "mlops.specMountPath" $) -}}
{{- $path := trimSuffix "/" $mountPath -}}
{{- if or (eq $path $taken) (hasPrefix (printf "%s/" $taken) $path) (hasPrefix (printf "%s/" $path) $taken) -}}
{{- $messages = append $messages (printf "%s.models.mountPath: %q overlaps %s, which the chart mounts itself." $component $mountPath $taken) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $pdb := $svc.podDisruptionBudget | default dict -}}
{{- $hasMin := and (not (kindIs "invalid" $pdb.minAvailable)) (ne (toString $pdb.minAvailable) "") -}}
{{- $hasMax := and (not (kindIs "invalid" $pdb.maxUnavailable)) (ne (toString $pdb.maxUnavailable) "") -}}
{{- if and $pdb.enabled $hasMin $hasMax -}}
{{- $messages = append $messages (printf "%s.podDisruptionBudget: set minAvailable or maxUnavailable, not both." $component) -}}
{{- else if and $pdb.enabled (not $hasMin) (not $hasMax) -}}
{{- $messages = append $messages (printf "%s.podDisruptionBudget: set minAvailable or maxUnavailable while it is enabled." $component) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- if $messages -}}
{{- printf "\nVALUES VALIDATION:\n  - %s" (join "\n  - " $messages) | fail -}}
{{- end -}}
{{- end -}}
